import { describe, expect, it } from "vitest";
import {
  type AttributeValue,
  decodeAttribute,
  decodeImage,
  SluiceDecodeError,
} from "../src/index.js";

describe("decodeAttribute", () => {
  it("decodes every scalar type", () => {
    expect(decodeAttribute({ S: "" })).toBe("");
    expect(decodeAttribute({ S: "héllo" })).toBe("héllo");
    expect(decodeAttribute({ BOOL: false })).toBe(false);
    expect(decodeAttribute({ NULL: true })).toBe(null);
    expect(decodeAttribute({ N: "3.25" })).toBe(3.25);
  });

  it("decodes binary from base64 and from bytes to Uint8Array", () => {
    const fromText = decodeAttribute({ B: "3q2+7w==" });
    expect(fromText).toBeInstanceOf(Uint8Array);
    expect([...(fromText as Uint8Array)]).toEqual([0xde, 0xad, 0xbe, 0xef]);
    const bytes = new Uint8Array([1, 2, 3]);
    expect(decodeAttribute({ B: bytes })).toBe(bytes);
    expect(decodeAttribute({ B: "" })).toEqual(new Uint8Array());
  });

  it("decodes sets to Sets, including empty ones", () => {
    expect(decodeAttribute({ SS: ["a", "b"] })).toEqual(new Set(["a", "b"]));
    expect(decodeAttribute({ NS: ["1", "99999999999999999999"] })).toEqual(
      new Set([1, 99999999999999999999n]),
    );
    const bs = decodeAttribute({ BS: ["AQ==", new Uint8Array([2])] }) as Set<Uint8Array>;
    expect([...bs].map((b) => [...b])).toEqual([[1], [2]]);
    expect(decodeAttribute({ SS: [] })).toEqual(new Set());
  });

  it("decodes maps and lists at any depth", () => {
    let av: AttributeValue = { S: "leaf" };
    for (let i = 0; i < 50; i++) av = i % 2 ? { L: [av] } : { M: { x: av } };
    let value = decodeAttribute(av);
    for (let i = 49; i >= 0; i--)
      value = i % 2 ? (value as unknown[])[0] : (value as { x: unknown }).x;
    expect(value).toBe("leaf");
  });

  it("keeps an attribute named __proto__ as data, not as the prototype", () => {
    const item = decodeImage({ ["__proto__"]: { S: "x" }, a: { N: "1" } } as never);
    expect(Object.getPrototypeOf(item)).toBe(Object.prototype);
    expect(Object.keys(item)).toEqual(["__proto__", "a"]);
  });
});

describe("attribute errors carry the path", () => {
  const image = (bad: AttributeValue) =>
    decodeImage({ items: { L: [{ M: {} }, { M: { price: bad } }] } });
  const failure = (bad: AttributeValue) => {
    try {
      image(bad);
    } catch (error) {
      return error as SluiceDecodeError;
    }
    throw new Error("expected an error");
  };

  it("UNKNOWN_ATTRIBUTE_TYPE for a type DynamoDB does not have", () => {
    const error = failure({ X: "1" } as never);
    expect(error).toBeInstanceOf(SluiceDecodeError);
    expect(error.code).toBe("UNKNOWN_ATTRIBUTE_TYPE");
    expect(error.path).toBe("items[1].price");
  });
  it("UNKNOWN_ATTRIBUTE_TYPE for the AWS SDK's $unknown member", () => {
    const sdkUnknown: AttributeValue = { $unknown: ["VECTOR", [1, 2]] };
    const error = failure(sdkUnknown);
    expect(error.code).toBe("UNKNOWN_ATTRIBUTE_TYPE");
    expect(error.message).toContain('"$unknown"');
  });
  it("UNKNOWN_ATTRIBUTE_TYPE for a value of the wrong shape", () => {
    expect(failure({ S: 5 } as never).code).toBe("UNKNOWN_ATTRIBUTE_TYPE");
    expect(failure({} as never).code).toBe("UNKNOWN_ATTRIBUTE_TYPE");
    expect(failure(null as never).code).toBe("UNKNOWN_ATTRIBUTE_TYPE");
    expect(failure({ L: "x" } as never).code).toBe("UNKNOWN_ATTRIBUTE_TYPE");
  });
  it("INVALID_NUMBER with the path of the number", () => {
    const error = failure({ N: "12.x" });
    expect(error.code).toBe("INVALID_NUMBER");
    expect(error.path).toBe("items[1].price");
  });
  it("INVALID_BINARY for text that is not base64", () => {
    expect(failure({ B: "not base64!" }).code).toBe("INVALID_BINARY");
    expect(failure({ B: "abc" }).code).toBe("INVALID_BINARY");
    expect(failure({ B: 7 } as never).code).toBe("INVALID_BINARY");
  });
  it("points into sets", () => {
    const error = failure({ NS: ["1", "two"] });
    expect(error.code).toBe("INVALID_NUMBER");
    expect(error.path).toBe("items[1].price[1]");
  });
});
