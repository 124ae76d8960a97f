export { seededRandom } from "./seeded-random.js";
export * from "./stream-record.js";
