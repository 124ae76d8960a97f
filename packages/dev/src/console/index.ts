export { type ConsoleOptions, type RunningConsole, startConsole } from "./server.js";
