export { dispatcherComponent } from "./dispatcher-component.js";
export { createDispatcher } from "./dispatcher.js";
export type { Dispatcher, DispatcherOptions } from "./dispatcher.js";
export type { RetryPolicy } from "./retry-policy.js";
export { sendWebhook } from "./send-webhook.js";
export type { AttemptResult, WebhookRequest } from "./send-webhook.js";
