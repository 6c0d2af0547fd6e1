export type { Dispatcher, DispatcherOptions } from "./dispatcher.js";
export { createDispatcher } from "./dispatcher.js";
export { dispatcherComponent } from "./dispatcher-component.js";
export type { RetryPolicy } from "./retry-policy.js";
export type { AttemptResult, WebhookRequest } from "./send-webhook.js";
export { sendWebhook } from "./send-webhook.js";
