export {
  eventTypePatternProblem,
  eventTypeProblem,
  maxEventTypeLength,
  patternsMatching,
} from "./event-types.js";
export type { IdPrefix } from "./ids.js";
export { hasIdPrefix, idAt, newId } from "./ids.js";
export type { DestinationStream, Logger, LoggerOptions } from "./logger.js";
export { createLogger } from "./logger.js";
export { version } from "./version.js";
