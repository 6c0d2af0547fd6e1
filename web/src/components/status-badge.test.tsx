import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { HttpStatus, StatusBadge } from "./status-badge.js";

describe("StatusBadge", () => {
  it("names each status and colours it by outcome", () => {
    render(
      <>
        <StatusBadge status="delivered" />
        <StatusBadge status="failed" />
        <StatusBadge status="retrying" />
        <StatusBadge status="something-new" />
      </>,
    );
    expect(screen.getByText("Delivered").className).toContain("badge-success");
    expect(screen.getByText("Failed").className).toContain("badge-danger");
    expect(screen.getByText("Retrying").className).toContain("badge-warning");
    expect(screen.getByText("something-new").className).toContain("badge-neutral");
  });

  it("shows an attempt without a response as such", () => {
    render(
      <>
        <HttpStatus code={0} />
        <HttpStatus code={503} />
        <HttpStatus code={204} />
      </>,
    );
    expect(screen.getByText("No response")).toBeTruthy();
    expect(screen.getByText("503").className).toContain("badge-danger");
    expect(screen.getByText("204").className).toContain("badge-success");
  });
});
