import { type ReactNode, useState } from "react";

/** Pretty-printed JSON with light highlighting and a copy button. */
export function JsonView({ value, label = "JSON" }: { value: unknown; label?: string }) {
  const text = JSON.stringify(value, null, 2) ?? "null";
  return (
    <div className="code-block">
      <div className="code-toolbar">
        <span className="code-label">{label}</span>
        <CopyButton text={text} label={`Copy ${label.toLowerCase()}`} />
      </div>
      <pre className="code">{highlight(text)}</pre>
    </div>
  );
}

/** A plain block of text, such as a response body. */
export function TextBlock({ text, label }: { text: string; label: string }) {
  return (
    <div className="code-block">
      <div className="code-toolbar">
        <span className="code-label">{label}</span>
        {text !== "" && <CopyButton text={text} label={`Copy ${label.toLowerCase()}`} />}
      </div>
      <pre className="code">{text === "" ? <span className="muted">(empty)</span> : text}</pre>
    </div>
  );
}

/** Copies `text` to the clipboard and says so for a moment. */
export function CopyButton({ text, label = "Copy" }: { text: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      setCopied(false);
    }
  };
  return (
    <button type="button" className="button button-ghost button-small" onClick={copy} aria-label={label}>
      {copied ? "Copied" : "Copy"}
    </button>
  );
}

const token = /("(?:\\.|[^"\\])*")(\s*:)?|\b(true|false|null)\b|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;

/** Splits JSON text into spans by kind (key, string, number, literal); everything stays text, nothing is parsed as HTML. */
export function highlight(text: string): ReactNode[] {
  const nodes: ReactNode[] = [];
  let last = 0;
  for (const match of text.matchAll(token)) {
    const index = match.index ?? 0;
    if (index > last) nodes.push(text.slice(last, index));
    const [whole, string, colon, literal, number] = match;
    if (string !== undefined) {
      nodes.push(
        <span key={index} className={colon ? "json-key" : "json-string"}>
          {string}
        </span>,
      );
      if (colon) nodes.push(colon);
    } else if (literal !== undefined) {
      nodes.push(
        <span key={index} className="json-literal">
          {literal}
        </span>,
      );
    } else if (number !== undefined) {
      nodes.push(
        <span key={index} className="json-number">
          {number}
        </span>,
      );
    }
    last = index + whole.length;
  }
  if (last < text.length) nodes.push(text.slice(last));
  return nodes;
}
