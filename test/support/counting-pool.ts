import type { Pool } from "@piperelay/db";

/** The pool, counting the statements sent through `pool.query` (not those of clients it lends out). */
export function countingPool(pool: Pool): { pool: Pool; statements: () => number } {
  let n = 0;
  const proxy = new Proxy(pool, {
    get(target, key) {
      if (key === "query") {
        return (...args: Parameters<Pool["query"]>) => {
          n++;
          return (target.query as (...a: unknown[]) => unknown)(...args);
        };
      }
      const value = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { pool: proxy, statements: () => n };
}
