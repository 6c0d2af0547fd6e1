import type { Pool } from "@piperelay/db";

/**
 * The pool, with `onQuery` told of each statement sent through `pool.query` (not those of
 * clients it lends out) before it goes; a promise it returns is awaited first, and one that
 * rejects fails the statement.
 */
export function interceptQueries(pool: Pool, onQuery: (config: unknown) => void | Promise<void>): Pool {
  return new Proxy(pool, {
    get(target, key) {
      if (key === "query") {
        return (...args: Parameters<Pool["query"]>) => {
          const send = () => (target.query as (...a: unknown[]) => unknown)(...args);
          const waiting = onQuery(args[0]);
          return waiting ? waiting.then(send) : send();
        };
      }
      const value = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** The pool, counting the statements sent through `pool.query` (not those of clients it lends out). */
export function countingPool(pool: Pool): { pool: Pool; statements: () => number } {
  let n = 0;
  return {
    pool: interceptQueries(pool, () => {
      n++;
    }),
    statements: () => n,
  };
}
