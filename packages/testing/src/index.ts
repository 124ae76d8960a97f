export * from "./stream-record.js";
