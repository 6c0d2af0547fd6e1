export type { ApiKeyResolverOptions } from "./api-key-resolver.js";
export { createApiKeyResolver } from "./api-key-resolver.js";
export {
  apiKeyColumns,
  apiKeyLookupId,
  apiKeyPreview,
  generateApiKey,
  hashApiKey,
  legacyApiKeyHash,
  verifyApiKey,
} from "./api-keys.js";
