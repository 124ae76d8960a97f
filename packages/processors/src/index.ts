// One folder per processor; each exports its public API here.
export * from "./aggregate/index.js";
export * from "./audit-archive/index.js";
export * from "./publish-events/index.js";
export * from "./search-index/index.js";
export * from "./ttl-archive/index.js";
