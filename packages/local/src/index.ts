export * from "./clients.js";
export { type EventEnvelope, MAX_ENTRIES, MAX_ENTRY_BYTES } from "./eventbridge/put-events.js";
export { type EventBridgeServer, startEventBridge } from "./eventbridge/server.js";
export * from "./mapping/index.js";
export * from "./pattern.js";
export { assertJava, parseJavaMajor } from "./servers/java.js";
export * from "./stack.js";
export * from "./ttl-quirk.js";
