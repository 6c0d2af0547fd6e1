import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { JsonView } from "./json-view.js";

describe("JsonView", () => {
  it("pretty-prints the payload with keys, strings and numbers marked", () => {
    const { container } = render(
      <JsonView value={{ order: { id: "ord_1", total: 49.5, paid: true } }} label="Payload" />,
    );
    const code = container.querySelector("pre");
    expect(code?.textContent).toBe(
      JSON.stringify({ order: { id: "ord_1", total: 49.5, paid: true } }, null, 2),
    );
    expect([...container.querySelectorAll(".json-key")].map((node) => node.textContent)).toEqual([
      '"order"',
      '"id"',
      '"total"',
      '"paid"',
    ]);
    expect(container.querySelector(".json-number")?.textContent).toBe("49.5");
    expect(container.querySelector(".json-literal")?.textContent).toBe("true");
    expect(screen.getByRole("button", { name: "Copy payload" })).toBeTruthy();
  });

  it("shows markup in a payload as text, never as HTML", () => {
    const { container } = render(<JsonView value={{ html: "<img src=x onerror=alert(1)>" }} />);
    expect(container.querySelector("img")).toBeNull();
    expect(container.textContent).toContain("<img src=x onerror=alert(1)>");
  });
});
