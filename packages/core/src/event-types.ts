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
 * Every subscription pattern that receives `eventType`, other than the empty
 * list (which receives everything): `*`, the event type itself, and `prefix.*`
 * for each of its dotted prefixes, so `alert.*` receives `alert.triggered` and
 * `alert.cpu.high` but not `alert` itself. Lets the database find subscribed endpoints with one indexed
 * array-overlap test instead of reading every endpoint of the application.
 */
export function patternsMatching(eventType: string): string[] {
  const patterns = ["*", eventType];
  for (let i = eventType.indexOf("."); i !== -1; i = eventType.indexOf(".", i + 1)) {
    patterns.push(`${eventType.slice(0, i + 1)}*`);
  }
  return patterns;
}
