/** Successful deliveries over finished ones, 0 to 1; 0 when none has finished yet. */
export function successRate(succeeded: number, failed: number): number {
  const finished = succeeded + failed;
  return finished === 0 ? 0 : succeeded / finished;
}
