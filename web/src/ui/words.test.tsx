// Words for people (issue 24 point 4): no status codes, field paths or type keys on the page; the box's refusals say
// what to do in the box; a draft that never went live isn't charged when deleted; internal sentences in a type's
// schema stay off the form.
import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { ApiProblem } from "../api/problem";
import type { Integration } from "../api/types";
import { forTheBox } from "../configure/errors";
import { prepareStep } from "../configure/schema";
import { chargedThisWeek } from "../screens/DeleteDialog";
import { fieldLabel, plainWords, typeTitle } from "./format";
import { ProblemView } from "./ProblemView";

describe("words for people", () => {
  it("shows a refusal without its status code, and the fields by their labels", () => {
    const problem = new ApiProblem(400, {
      title: "Settings rejected",
      errors: [{ field: "warehouseMappings[1].warehouseId", reason: "Not one of the customer's warehouses" }],
      resolution: "Choose another.",
    });
    render(<ProblemView problem={problem} />);
    const alert = screen.getByRole("alert");
    expect(alert).not.toHaveTextContent("(400)");
    expect(alert).toHaveTextContent("Warehouse mappings 2, Warehouse ID: Not one of the customer's warehouses");
  });

  it("names an answer without a problem body in words", () => {
    expect(new ApiProblem(502, {}).title).toBe("The service could not do this just now");
    expect(new ApiProblem(403, {}).title).not.toMatch(/\d/);
  });

  it("says to save the step again where the API says to retry from a sync log that doesn't exist yet", () => {
    const problem = new ApiProblem(400, {
      title: "The key was refused",
      resolution: "Create a Read/Write key, enter it in the integration's authentication step, then retry from the sync log.",
    });
    expect(forTheBox(problem, "the Authentication step").resolution).toBe(
      "Create a Read/Write key, enter it in the integration's authentication step, then save the Authentication step again.",
    );
  });

  it("leaves status codes and API field asides out of a connector's sentences", () => {
    expect(plainWords("Every delivery would be refused (401) and WooCommerce would disable the webhook")).toBe(
      "Every delivery would be refused and WooCommerce would disable the webhook",
    );
    expect(plainWords("The store reports its time zone (timezone_string or gmt_offset in /wp-json/), and more")).toBe(
      "The store reports its time zone, and more",
    );
    expect(plainWords("A pallet (a line with pallets)")).toBe("A pallet (a line with pallets)");
  });

  it("titles a type by its title, never its key", () => {
    expect(typeTitle([{ type: "rose_rocket", title: "Rose Rocket" }], "rose_rocket")).toBe("Rose Rocket");
    expect(typeTitle([], "rose_rocket")).toBe("Rose rocket");
    expect(fieldLabel("consumerSecret")).toBe("Consumer secret");
  });

  it("charges the week only for an integration live in it", () => {
    const now = new Date("2026-12-09T10:00:00Z"); // a Wednesday
    const integration = { status: "DRAFT", livePeriods: [] } as unknown as Integration;
    expect(chargedThisWeek(integration, now)).toBe(false);
    expect(chargedThisWeek({ ...integration, status: "LIVE" }, now)).toBe(true);
    expect(chargedThisWeek({ ...integration, status: "DELETED", livePeriods: [{ start: "2026-11-01T00:00:00Z", end: "2026-12-08T00:00:00Z" }] }, now)).toBe(true);
    expect(chargedThisWeek({ ...integration, livePeriods: [{ start: "2026-11-01T00:00:00Z", end: "2026-12-01T00:00:00Z" }] }, now)).toBe(false);
  });

  it("leaves the service's inner workings out of a form's descriptions, and a warehouse picker names warehouses", () => {
    const { schema } = prepareStep(
      {
        type: "object",
        description: "Step 2, *Authentication*. Every field is sealed with KMS by the management API and never returned.",
        properties: {
          types: { type: "string", description: "The WMS consignment types (details.type) that create orders" },
          warehouse: { type: "string", description: "Step 3, *Order creation*: the warehouse orders go to (the management\nframe checks the customer may use it)." },
          apiKey: { type: "string", description: "The store's key. The management frame checks it." },
          warehouseId: { type: "string", "x-wms-warehouse": true, description: "CartonCloud warehouse id; the customer must have access to it." },
        },
      },
      { step: "orderCreation" },
    );
    expect(schema.description).toBeUndefined();
    const properties = schema.properties as Record<string, { description?: string }>;
    expect(properties.apiKey.description).toBe("The store's key.");
    expect(properties.types.description).toBe("The WMS consignment types that create orders");
    expect(properties.warehouse.description).toBe("The warehouse orders go to.");
    expect(properties.warehouseId.description).toBe("CartonCloud warehouse; the customer must have access to it.");
  });
});
