import { fromJson, type JsonValue } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import { useMutation } from "@connectrpc/connect-query";
import { type Endpoint, EndpointService } from "@piperelay/proto";
import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useId, useState } from "react";
import { Dialog } from "./dialog.js";
import { InlineError } from "./states.js";
import { useToast } from "./toast.js";

/** Sends a test message to one endpoint: an event type and an optional JSON payload. */
export function TestEventDialog({
  endpoint,
  open,
  onClose,
}: {
  endpoint: Endpoint;
  open: boolean;
  onClose: () => void;
}) {
  const id = useId();
  const [eventType, setEventType] = useState(
    endpoint.eventTypes.find((type) => !type.includes("*")) ?? "piperelay.test",
  );
  const [payload, setPayload] = useState("");
  const [problem, setProblem] = useState<string | undefined>();
  const queryClient = useQueryClient();
  const notify = useToast();
  const send = useMutation(EndpointService.method.sendTestEvent, {
    onSuccess: (response) => {
      notify(`Test event sent (${response.messageId})`);
      void queryClient.invalidateQueries();
      onClose();
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    let value: JsonValue | undefined;
    if (payload.trim() !== "") {
      try {
        value = JSON.parse(payload) as JsonValue;
      } catch (error) {
        setProblem(
          `The payload is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
        );
        return;
      }
    }
    setProblem(undefined);
    send.mutate({
      id: endpoint.id,
      eventType: eventType.trim(),
      payload: value === undefined ? undefined : fromJson(ValueSchema, value),
    });
  };
  return (
    <Dialog open={open} title="Send a test event" onClose={onClose}>
      <form className="form" onSubmit={submit}>
        <p className="muted">
          Delivered to <span className="mono">{endpoint.url}</span> only, signed and retried like any message.
        </p>
        <div className="field">
          <label htmlFor={`${id}-type`} className="field-label">
            Event type
          </label>
          <input
            id={`${id}-type`}
            className="input mono"
            value={eventType}
            onChange={(event) => setEventType(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-payload`} className="field-label">
            Payload <span className="muted">(JSON, optional)</span>
          </label>
          <textarea
            id={`${id}-payload`}
            className="input mono"
            rows={6}
            placeholder={'{\n  "hello": "world"\n}'}
            value={payload}
            onChange={(event) => setPayload(event.target.value)}
          />
          <p className="field-hint">Leave empty for a small sample payload naming this endpoint.</p>
        </div>
        {problem !== undefined && (
          <p className="inline-error" role="alert">
            {problem}
          </p>
        )}
        <InlineError error={send.error} />
        <div className="form-actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={send.isPending}>
            {send.isPending ? "Sending…" : "Send test event"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
