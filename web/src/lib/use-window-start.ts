import type { Timestamp } from "@bufbuild/protobuf/wkt";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { useEffect, useMemo, useState } from "react";

/**
 * The start of a sliding time window (`windowMs` before now), floored to
 * `stepMs` and moving once per step, as a protobuf Timestamp. Query inputs
 * built from it stay equal between steps, so polling reuses one query key
 * instead of starting a new query on every render.
 */
export function useWindowStart(windowMs: number, stepMs: number): Timestamp {
  const [step, setStep] = useState(() => Math.floor((Date.now() - windowMs) / stepMs));
  useEffect(() => {
    const timer = setInterval(
      () => setStep(Math.floor((Date.now() - windowMs) / stepMs)),
      Math.min(stepMs, 15_000),
    );
    return () => clearInterval(timer);
  }, [windowMs, stepMs]);
  return useMemo(() => timestampFromDate(new Date(step * stepMs)), [step, stepMs]);
}
