import { expect, it } from "vitest";
import { embeddedSearchIndex, embeddedSearchUrl } from "../src/index.js";

it("names an in-process search index in the search domain variable, and tells it from a real domain", () => {
  expect(embeddedSearchUrl("shop-search")).toBe("embedded:shop-search");
  expect(embeddedSearchIndex(embeddedSearchUrl("shop-search"))).toBe("shop-search");
  expect(embeddedSearchIndex("https://search-shop-abc.eu-west-1.es.amazonaws.com")).toBeUndefined();
});
