export { decryptSecret, encryptSecret, isEncryptedSecret, SecretDecryptionError } from "./secret-box.js";
export type { SecretCache } from "./secret-cache.js";
export { createSecretCache } from "./secret-cache.js";
export { generateSecret, secretKeyBytes, secretProblem } from "./secrets.js";
export type { SignedHeadersInput } from "./sign.js";
export { signatureHeaders, signPipeRelay, signStandardWebhooks } from "./sign.js";
export type { VerifyOptions } from "./verify.js";
export { verifyWebhook } from "./verify.js";
