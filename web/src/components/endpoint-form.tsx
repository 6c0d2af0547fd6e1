import { useMutation } from "@connectrpc/connect-query";
import { type Endpoint, EndpointService } from "@piperelay/proto";
import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useId, useState } from "react";
import { formatMetadata, parseEventTypes, parseMetadata, parseRateLimit } from "../lib/endpoint-fields.js";
import { Dialog } from "./dialog.js";
import { InlineError } from "./states.js";
import { useToast } from "./toast.js";

/** Creates an endpoint, or edits `endpoint` (URL, event types, rate limit, description, metadata). */
export function EndpointFormDialog({
  open,
  endpoint,
  onClose,
  onSaved,
}: {
  open: boolean;
  endpoint?: Endpoint;
  onClose: () => void;
  onSaved?: (endpoint: Endpoint) => void;
}) {
  return (
    <Dialog
      open={open}
      title={endpoint === undefined ? "New endpoint" : "Edit endpoint"}
      onClose={onClose}
      wide
    >
      {open && <EndpointForm endpoint={endpoint} onCancel={onClose} onSaved={onSaved ?? onClose} />}
    </Dialog>
  );
}

export function EndpointForm({
  endpoint,
  onCancel,
  onSaved,
}: {
  endpoint?: Endpoint;
  onCancel: () => void;
  onSaved: (endpoint: Endpoint) => void;
}) {
  const id = useId();
  const [url, setUrl] = useState(endpoint?.url ?? "");
  const [description, setDescription] = useState(endpoint?.description ?? "");
  const [eventTypes, setEventTypes] = useState(endpoint?.eventTypes.join(", ") ?? "");
  const [rateLimit, setRateLimit] = useState(endpoint?.rateLimit?.toString() ?? "");
  const [metadata, setMetadata] = useState(formatMetadata(endpoint?.metadata ?? {}));
  const [problem, setProblem] = useState<string | undefined>();
  const queryClient = useQueryClient();
  const notify = useToast();
  const saved = (result: { endpoint?: Endpoint }) => {
    void queryClient.invalidateQueries();
    notify(endpoint === undefined ? "Endpoint created" : "Endpoint saved");
    if (result.endpoint !== undefined) onSaved(result.endpoint);
  };
  const create = useMutation(EndpointService.method.createEndpoint, { onSuccess: saved });
  const update = useMutation(EndpointService.method.updateEndpoint, { onSuccess: saved });
  const error = create.error ?? update.error;
  const busy = create.isPending || update.isPending;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const parsedMetadata = parseMetadata(metadata);
    if (!parsedMetadata.ok) return setProblem(`Metadata, ${parsedMetadata.error}`);
    const parsedRate = parseRateLimit(rateLimit);
    if (!parsedRate.ok) return setProblem(`Rate limit: ${parsedRate.error}`);
    setProblem(undefined);
    const fields = {
      url: url.trim(),
      description: description.trim(),
      eventTypes: parseEventTypes(eventTypes),
      rateLimit: parsedRate.value,
      metadata: parsedMetadata.value,
    };
    if (endpoint === undefined) create.mutate(fields);
    else update.mutate({ id: endpoint.id, ...fields });
  };

  return (
    <form className="form" onSubmit={submit}>
      <div className="field">
        <label htmlFor={`${id}-url`} className="field-label">
          URL
        </label>
        <input
          id={`${id}-url`}
          type="url"
          className="input mono"
          required
          placeholder="https://example.com/webhooks"
          value={url}
          onChange={(event) => setUrl(event.target.value)}
        />
        <p className="field-hint">Deliveries are POSTed here, signed with the endpoint's secret.</p>
      </div>
      <div className="field">
        <label htmlFor={`${id}-event-types`} className="field-label">
          Event types
        </label>
        <input
          id={`${id}-event-types`}
          className="input mono"
          placeholder="session.completed, alert.*"
          value={eventTypes}
          onChange={(event) => setEventTypes(event.target.value)}
        />
        <p className="field-hint">
          Separate with commas. Leave empty for every event; alert.* matches by prefix.
        </p>
      </div>
      <div className="form-row">
        <div className="field">
          <label htmlFor={`${id}-rate-limit`} className="field-label">
            Rate limit <span className="muted">(per second)</span>
          </label>
          <input
            id={`${id}-rate-limit`}
            className="input"
            inputMode="numeric"
            placeholder="Unlimited"
            value={rateLimit}
            onChange={(event) => setRateLimit(event.target.value)}
          />
        </div>
        <div className="field field-grow">
          <label htmlFor={`${id}-description`} className="field-label">
            Description
          </label>
          <input
            id={`${id}-description`}
            className="input"
            placeholder="Acme Corp production webhook"
            value={description}
            onChange={(event) => setDescription(event.target.value)}
          />
        </div>
      </div>
      <div className="field">
        <label htmlFor={`${id}-metadata`} className="field-label">
          Metadata
        </label>
        <textarea
          id={`${id}-metadata`}
          className="input mono"
          rows={3}
          placeholder={"team=billing\ncustomer=acme"}
          value={metadata}
          onChange={(event) => setMetadata(event.target.value)}
        />
        <p className="field-hint">One key=value per line; returned as given by the API.</p>
      </div>
      {problem !== undefined && (
        <p className="inline-error" role="alert">
          {problem}
        </p>
      )}
      <InlineError error={error} />
      <div className="form-actions">
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? "Saving…" : endpoint === undefined ? "Create endpoint" : "Save changes"}
        </button>
      </div>
    </form>
  );
}
