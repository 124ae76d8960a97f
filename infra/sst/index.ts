export { eventBus, forwardToQueue } from "./event-bus";
export { sstFunction } from "./function";
export { searchDomain } from "./search-domain";
export { sourceTable } from "./source-table";
