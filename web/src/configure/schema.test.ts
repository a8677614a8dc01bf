import { describe, expect, it } from "vitest";
import { SHOP } from "../test/harness";
import { chosenWarehouses, credentialsToSend, masked, prepareStep } from "./schema";
import { fieldPath, placeErrors } from "./errors";
import { ApiProblem } from "../api/problem";

const fields = (step: string) => SHOP.steps.find((s) => s.step === step)!.fields;
const warehouses = [
  { warehouseId: "w-1", name: "Brisbane DC" },
  { warehouseId: "w-2", name: "Perth DC" },
];

describe("a step's schema as a form", () => {
  it("labels fields from their keys where pydantic titled them after the name", () => {
    const { schema } = prepareStep(fields("authentication"), { step: "authentication" });
    const properties = schema.properties as Record<string, { title: string }>;
    expect(properties.storeUrl.title).toBe("Store URL");
    expect(properties.apiKey.title).toBe("API key");
  });

  it("makes an optional field a plain one and offers the customer's warehouses for every marked field", () => {
    const prepared = prepareStep(fields("orderCreation"), { step: "orderCreation", warehouses, chosenWarehouses: ["w-gone"] });
    const properties = prepared.schema.properties as Record<string, Record<string, unknown>>;
    expect(prepared.hasWarehouses).toBe(true);
    expect(properties.defaultWarehouseId.anyOf).toBeUndefined();
    expect(properties.defaultWarehouseId.default).toBeUndefined();
    expect(properties.defaultWarehouseId.title).toBe("Default warehouse");
    expect(properties.defaultWarehouseId.oneOf).toEqual([
      { const: "w-1", title: "Brisbane DC" },
      { const: "w-2", title: "Perth DC" },
      { const: "w-gone", title: "w-gone (no longer one of this customer's warehouses)" },
    ]);
    const mapping = (prepared.schema.$defs as Record<string, Record<string, Record<string, Record<string, unknown>>>>).Mapping;
    expect(mapping.title).toBeUndefined();
    expect(mapping.properties.warehouseId.title).toBe("Warehouse");
    expect((mapping.properties.warehouseId.oneOf as unknown[]).length).toBe(3);
  });

  it("keeps warehouse fields as text while the warehouses are unknown", () => {
    const prepared = prepareStep(fields("orderCreation"), { step: "orderCreation", warehouses: null });
    const properties = prepared.schema.properties as Record<string, Record<string, unknown>>;
    expect(prepared.hasWarehouses).toBe(true);
    expect(properties.defaultWarehouseId.oneOf).toBeUndefined();
    expect(properties.defaultWarehouseId.type).toBe("string");
  });

  it("masks secrets, never prefills them, and lets stored ones be kept by leaving fields blank", () => {
    const fresh = prepareStep(fields("authentication"), { step: "authentication", credentialsSet: false });
    expect(fresh.schema.required).toEqual(["storeUrl", "apiKey"]);
    expect(fresh.uiSchema.apiKey).toMatchObject({ "ui:widget": "password", "ui:autocomplete": "new-password" });
    expect(fresh.uiSchema.storeUrl["ui:widget"]).toBeUndefined();
    const stored = prepareStep(fields("authentication"), { step: "authentication", credentialsSet: true });
    expect(stored.schema.required).toBeUndefined();
    expect(stored.uiSchema.apiKey["ui:placeholder"]).toBe("Set — leave blank to keep");
    expect(credentialsToSend({ storeUrl: "", apiKey: "new-key", other: undefined })).toEqual({ apiKey: "new-key" });
  });

  it("reads which fields are secrets from the schema when it says, else from their names", () => {
    expect(masked("consumerSecret", {})).toBe(true);
    expect(masked("apiId", {})).toBe(false);
    expect(masked("storeUrl", {})).toBe(false);
    expect(masked("clientId", { writeOnly: true })).toBe(true);
  });

  it("finds the warehouses a step's data already holds, nested ones too", () => {
    const data = { defaultWarehouseId: "w-1", warehouseMappings: [{ code: "A", warehouseId: "w-2" }, { code: "B", warehouseId: "w-1" }] };
    expect(chosenWarehouses(fields("orderCreation"), data).sort()).toEqual(["w-1", "w-2"]);
  });
});

describe("a refused step's errors on the fields they name", () => {
  it("splits the API's field paths", () => {
    expect(fieldPath("warehouseMappings[1].warehouseId")).toEqual(["warehouseMappings", "1", "warehouseId"]);
  });

  it("puts each reason under its field and keeps the rest for the box's summary", () => {
    const problem = new ApiProblem(400, {
      title: "Settings rejected",
      errors: [
        { field: "warehouseMappings[1].warehouseId", reason: "Warehouse w-9 is not one this customer can use" },
        { field: "authentication", reason: "already live elsewhere" },
      ],
    });
    const placed = placeErrors(problem, { defaultWarehouseId: {}, warehouseMappings: {} });
    expect(placed.errorSchema).toEqual({ warehouseMappings: { 1: { warehouseId: { __errors: ["Warehouse w-9 is not one this customer can use"] } } } });
    expect(placed.unplaced).toEqual([{ field: "authentication", reason: "already live elsewhere" }]);
  });
});
