export type { ApiKeyResolverOptions } from "./api-keys.js";
export { apiKeyPreview, createApiKeyResolver, generateApiKey, hashApiKey } from "./api-keys.js";
