export {
  type Command,
  type CommandIo,
  EXIT_OK,
  EXIT_PARTIAL_FAILURE,
  EXIT_USAGE,
} from "./command.js";
export { commands } from "./commands/index.js";
