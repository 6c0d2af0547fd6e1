/**
 * The statuses of a delivery still to be made. Statements with generic plans
 * take them as a parameter instead of spelling them out: given the literal
 * list, the planner can prove that the partial index of outstanding
 * deliveries (`idx_deliveries_outstanding_by_endpoint`) covers the rows, and a
 * plan made on empty tables reads all of that index rather than looking the
 * ids up by key (40,000 entries a claim under a backlog).
 */
export const outstandingStatuses = ["pending", "retrying"];
