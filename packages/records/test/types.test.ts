import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expectTypeOf, it } from "vitest";
import type { ChangeEvent, ChangeMeta, Decimal, Item } from "../src/index.js";

interface Order {
  orderId: string;
  total: number | bigint | Decimal;
}

// These assertions are checked by the compiler: the last test runs it over this folder, so a
// type that stops following the view type fails the suite.
describe("images follow the view type", () => {
  it("NEW_AND_OLD_IMAGES: a modify has both images, an insert only the new, a remove only the old", () => {
    const check = (event: ChangeEvent<Order, "NEW_AND_OLD_IMAGES">) => {
      if (event.kind === "modify") {
        expectTypeOf(event.newImage).toEqualTypeOf<Order>();
        expectTypeOf(event.oldImage).toEqualTypeOf<Order>();
      } else if (event.kind === "insert") {
        expectTypeOf(event.newImage).toEqualTypeOf<Order>();
        expectTypeOf(event.oldImage).toEqualTypeOf<undefined>();
      } else {
        expectTypeOf(event.oldImage).toEqualTypeOf<Order>();
        expectTypeOf(event.newImage).toEqualTypeOf<undefined>();
        expectTypeOf(event.cause).toEqualTypeOf<"ttl" | "user">();
      }
    };
    expectTypeOf(check).toBeFunction();
  });

  it("KEYS_ONLY: no images at all, keys always", () => {
    const check = (event: ChangeEvent<Order, "KEYS_ONLY">) => {
      expectTypeOf(event.newImage).toEqualTypeOf<undefined>();
      expectTypeOf(event.oldImage).toEqualTypeOf<undefined>();
      expectTypeOf(event.keys).toEqualTypeOf<Item>();
      expectTypeOf(event.meta).toEqualTypeOf<ChangeMeta>();
    };
    expectTypeOf(check).toBeFunction();
  });

  it("NEW_IMAGE and OLD_IMAGE: only the image the stream carries", () => {
    const onNew = (event: ChangeEvent<Order, "NEW_IMAGE">) => {
      if (event.kind === "modify") {
        expectTypeOf(event.newImage).toEqualTypeOf<Order>();
        expectTypeOf(event.oldImage).toEqualTypeOf<undefined>();
      }
    };
    const onOld = (event: ChangeEvent<Order, "OLD_IMAGE">) => {
      if (event.kind === "modify") {
        expectTypeOf(event.oldImage).toEqualTypeOf<Order>();
        expectTypeOf(event.newImage).toEqualTypeOf<undefined>();
      }
    };
    expectTypeOf(onNew).toBeFunction();
    expectTypeOf(onOld).toBeFunction();
  });

  it("without a view type, images are optional and cause exists only on removes", () => {
    const check = (event: ChangeEvent<Order>) => {
      expectTypeOf(event.newImage).toEqualTypeOf<Order | undefined>();
      if (event.kind === "insert") {
        // @ts-expect-error an insert has no cause
        event.cause;
      }
    };
    expectTypeOf(check).toBeFunction();
  });

  it("the compiler accepts every type assertion in this folder", () => {
    const tsc = fileURLToPath(new URL("../../../node_modules/typescript/bin/tsc", import.meta.url));
    const project = fileURLToPath(new URL("./tsconfig.json", import.meta.url));
    execFileSync(process.execPath, [tsc, "-p", project], { encoding: "utf8" });
  });
});
