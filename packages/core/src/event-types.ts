const eventTypePattern = /^[A-Za-z0-9._-]+$/;

/** The longest event type accepted. */
export const maxEventTypeLength = 256;

/** Why `eventType` is not a valid event type, or undefined when it is. */
export function eventTypeProblem(eventType: string): string | undefined {
  if (eventType.length === 0) return "is required";
  if (eventType.length > maxEventTypeLength) return `must be at most ${maxEventTypeLength} characters`;
  if (!eventTypePattern.test(eventType)) return "may contain only letters, digits, '.', '_' and '-'";
  return undefined;
}

/** Why `pattern` is not a valid subscription pattern (`name`, `*` or `prefix.*`), or undefined. */
export function eventTypePatternProblem(pattern: string): string | undefined {
  if (pattern === "*") return undefined;
  const exact = pattern.endsWith(".*") ? pattern.slice(0, -2) : pattern;
  const problem = eventTypeProblem(exact);
  return problem === undefined ? undefined : `pattern ${JSON.stringify(pattern)} ${problem}`;
}

/**
 * Whether an endpoint subscribed to `patterns` receives `eventType`. An empty
 * list means every event type; `*` matches everything; `alert.*` matches
 * `alert.triggered` and `alert.cpu.high` but not `alert` itself.
 */
export function matchesEventType(patterns: readonly string[], eventType: string): boolean {
  if (patterns.length === 0) return true;
  return patterns.some((pattern) => {
    if (pattern === "*") return true;
    if (pattern.endsWith(".*")) return eventType.startsWith(pattern.slice(0, -1));
    return pattern === eventType;
  });
}

/**
 * Every subscription pattern that receives `eventType`, other than the empty
 * list: `*`, the event type itself, and `prefix.*` for each of its dotted
 * prefixes. Lets the database find subscribed endpoints with one indexed
 * array-overlap test instead of reading every endpoint of the application.
 */
export function patternsMatching(eventType: string): string[] {
  const patterns = ["*", eventType];
  for (let i = eventType.indexOf("."); i !== -1; i = eventType.indexOf(".", i + 1)) {
    patterns.push(`${eventType.slice(0, i + 1)}*`);
  }
  return patterns;
}
