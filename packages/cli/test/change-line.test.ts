import type { ChangeView } from "@sluice/dev";
import { describe, expect, it } from "vitest";
import { changeLine } from "../src/change-line.js";

function view(change: Partial<ChangeView>): ChangeView {
  return {
    eventId: "e-1",
    kind: "insert",
    expired: false,
    key: "PK=CART#c-1 SK=CART",
    keys: { PK: "CART#c-1", SK: "CART" },
    entity: "CART",
    at: "2026-11-21T10:00:00.000Z",
    ...change,
  };
}

/** The line without its local time, which depends on the machine's time zone. */
const rest = (change: Partial<ChangeView>) => changeLine(view(change)).slice(10);

describe("changeLine", () => {
  it("shows an insert's attributes, without the key it already shows", () => {
    expect(rest({ newImage: { PK: "CART#c-1", SK: "CART", items: 2, note: "gift" } })).toBe(
      'INSERT        PK=CART#c-1 SK=CART  items=2 note="gift"',
    );
  });

  it("shows what a modify changed, added and removed", () => {
    expect(
      rest({
        kind: "modify",
        oldImage: { PK: "CART#c-1", SK: "CART", items: 2, note: "gift", coupon: "X" },
        newImage: { PK: "CART#c-1", SK: "CART", items: 3, note: "gift", paid: true },
      }),
    ).toBe("MODIFY        PK=CART#c-1 SK=CART  items: 2 → 3, +paid=true, -coupon");
  });

  it("marks a Time to Live deletion and shows what it deleted", () => {
    expect(
      rest({ kind: "remove", expired: true, oldImage: { PK: "CART#c-1", SK: "CART", items: 3 } }),
    ).toBe("REMOVE (TTL)  PK=CART#c-1 SK=CART  items=3");
    expect(rest({ kind: "remove" })).toBe("REMOVE        PK=CART#c-1 SK=CART");
  });

  it("cuts long values", () => {
    const line = rest({ newImage: { text: "x".repeat(200) } });
    expect(line).toBe(`INSERT        PK=CART#c-1 SK=CART  text="${"x".repeat(58)}…`);
  });

  it("starts with the local time of the change", () => {
    const at = new Date("2026-11-21T10:00:00.000Z");
    const hh = String(at.getHours()).padStart(2, "0");
    expect(changeLine(view({}))).toMatch(new RegExp(`^${hh}:00:00  INSERT`));
  });
});
