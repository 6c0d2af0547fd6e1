/** PipeRelay's version, sent as `User-Agent: PipeRelay/<version>` and shown by `piperelay version`. */
export const version = "0.1.0";
