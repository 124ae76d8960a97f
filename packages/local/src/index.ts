export * from "./clients.js";
export { assertJava, parseJavaMajor } from "./servers/java.js";
export * from "./stack.js";
export * from "./pattern.js";
