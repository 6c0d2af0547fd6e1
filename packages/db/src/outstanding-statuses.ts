/**
 * The statuses of a delivery still to be made. Statements test them as
 * `array_position($n, status) IS NOT NULL` with this list as the parameter,
 * a condition no index can serve, so that looking the rows up by id stays
 * the only plan: with the literal list the planner could prove that
 * the partial index of outstanding deliveries covers the rows and read all of
 * it (40,000 entries for a claim of 8 under a backlog), and with `status =
 * ANY($n)` it read all of `idx_deliveries_app_status` (62,808 entries for a
 * claim of one, in a plan made while the table was small). The message-status
 * refresh, planned per run, tests them the same way: from the literal list its
 * plan ANDed a walk of that whole partial index with the message's few rows.
 */
export const outstandingStatuses = ["pending", "retrying"];
