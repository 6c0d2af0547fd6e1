/** The JetStream names one installation uses, all derived from its prefix (`queue.prefix`). */
export interface QueueNames {
  prefix: string;
  stream: string;
  /** Durable pull consumer shared by every dispatcher process. */
  consumer: string;
  /** `<prefix>.deliveries`; subjects below it are `<root>.<application id>.<endpoint id>`. */
  subjectRoot: string;
  subject(applicationId: string, endpointId: string): string;
}

export function queueNames(prefix: string): QueueNames {
  const subjectRoot = `${prefix}.deliveries`;
  return {
    prefix,
    stream: `${prefix.toUpperCase().replaceAll("-", "_")}_DELIVERIES`,
    consumer: `${prefix}-dispatcher`,
    subjectRoot,
    subject: (applicationId, endpointId) => `${subjectRoot}.${applicationId}.${endpointId}`,
  };
}
