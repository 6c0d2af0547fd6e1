import { useMutation } from "@connectrpc/connect-query";
import { type Endpoint, EndpointService } from "@piperelay/proto";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ConfirmDialog } from "./dialog.js";
import { CopyButton } from "./json-view.js";
import { InlineError } from "./states.js";
import { useToast } from "./toast.js";

/** The endpoint's signing secret: hidden until revealed, copyable, and rotatable after a confirmation. */
export function SecretPanel({ endpoint }: { endpoint: Endpoint }) {
  const [revealed, setRevealed] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const queryClient = useQueryClient();
  const notify = useToast();
  const rotate = useMutation(EndpointService.method.rotateEndpointSecret, {
    onSuccess: () => {
      setConfirming(false);
      setRevealed(true);
      notify("Secret rotated: switch the receiver to the new secret before the overlap ends");
      void queryClient.invalidateQueries();
    },
  });
  return (
    <section className="card" aria-labelledby="secret-title">
      <header className="card-header">
        <h2 id="secret-title">Signing secret</h2>
      </header>
      <p className="muted small">
        The receiver verifies each delivery's signature with this secret (see docs/verification.md).
      </p>
      <div className="secret-row">
        <code className="secret" data-testid="endpoint-secret">
          {revealed ? endpoint.secret : `whsec_${"•".repeat(24)}`}
        </code>
        <button
          type="button"
          className="button button-small"
          onClick={() => setRevealed(!revealed)}
          aria-pressed={revealed}
        >
          {revealed ? "Hide" : "Reveal"}
        </button>
        <CopyButton text={endpoint.secret} label="Copy secret" />
        <button
          type="button"
          className="button button-small button-danger-outline"
          onClick={() => setConfirming(true)}
        >
          Rotate…
        </button>
      </div>
      <InlineError error={rotate.error} />
      <ConfirmDialog
        open={confirming}
        title="Rotate the signing secret?"
        confirmLabel="Rotate secret"
        danger
        busy={rotate.isPending}
        onConfirm={() => rotate.mutate({ id: endpoint.id })}
        onClose={() => setConfirming(false)}
      >
        <p>
          A new secret is generated. For the server's overlap period (<code>delivery.secret_overlap</code>, 24
          hours by default) each delivery is signed with both the new and the old secret, so the receiver can
          switch to the new one at its own pace; after that only the new secret signs.
        </p>
      </ConfirmDialog>
    </section>
  );
}
