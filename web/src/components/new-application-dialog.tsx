import type { Transport } from "@connectrpc/connect";
import { useMutation } from "@connectrpc/connect-query";
import { type Application, ApplicationService } from "@piperelay/proto";
import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Dialog } from "./dialog.js";
import { CopyButton } from "./json-view.js";
import { InlineError } from "./states.js";

/** Creates an application and shows its API key, the one time it can be seen. */
export function NewApplicationForm({
  transport,
  onDone,
  onCancel,
}: {
  transport: Transport;
  onDone: (application: Application) => void;
  onCancel?: () => void;
}) {
  const [name, setName] = useState("");
  const [created, setCreated] = useState<Application | undefined>();
  const queryClient = useQueryClient();
  const create = useMutation(ApplicationService.method.createApplication, {
    transport,
    onSuccess: (response) => setCreated(response.application),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate({ name: name.trim() });
  };
  if (created !== undefined) {
    return (
      <div className="form">
        <p>
          <strong>{created.name}</strong> is ready. Its API key is shown only now: store it where your
          application reads its secrets. PipeRelay keeps only a hash.
        </p>
        <div className="secret-row">
          <code className="secret" data-testid="new-api-key">
            {created.apiKey}
          </code>
          <CopyButton text={created.apiKey} label="Copy API key" />
        </div>
        <div className="form-actions">
          <button
            type="button"
            className="button button-primary"
            onClick={() => {
              void queryClient.invalidateQueries();
              onDone(created);
            }}
          >
            I have stored the key
          </button>
        </div>
      </div>
    );
  }
  return (
    <form className="form" onSubmit={submit}>
      <div className="field">
        <label htmlFor="new-application-name" className="field-label">
          Name
        </label>
        <input
          id="new-application-name"
          className="input"
          required
          maxLength={200}
          placeholder="e.g. Seentics"
          value={name}
          onChange={(event) => setName(event.target.value)}
        />
        <p className="field-hint">
          An application is a tenant: it has its own API key, endpoints and messages.
        </p>
      </div>
      <InlineError error={create.error} />
      <div className="form-actions">
        {onCancel !== undefined && (
          <button type="button" className="button" onClick={onCancel}>
            Cancel
          </button>
        )}
        <button
          type="submit"
          className="button button-primary"
          disabled={create.isPending || name.trim() === ""}
        >
          {create.isPending ? "Creating…" : "Create application"}
        </button>
      </div>
    </form>
  );
}

export function NewApplicationDialog({
  open,
  transport,
  onClose,
  onCreated,
}: {
  open: boolean;
  transport: Transport;
  onClose: () => void;
  onCreated: (application: Application) => void;
}) {
  return (
    <Dialog open={open} title="New application" onClose={onClose}>
      {open && <NewApplicationForm transport={transport} onDone={onCreated} onCancel={onClose} />}
    </Dialog>
  );
}
