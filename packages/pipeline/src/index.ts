export { subscriberDefaults } from "./defaults.js";
export { definePipeline } from "./define.js";
export {
  embeddedSearchIndex,
  embeddedSearchUrl,
  pipelineEnvironment,
  resourceEnvironment,
  searchCredentialsEnvironment,
} from "./environment.js";
export { PipelineDefinitionError } from "./errors.js";
export { type EventSourceMappingSettings, mappingSettings } from "./mapping.js";
export type {
  FilterPattern,
  HandlerReference,
  KeyAttribute,
  KeyType,
  Ordering,
  PipelineDefinition,
  PipelineInput,
  ResourceNeed,
  StartingPosition,
  StreamViewType,
  Subscriber,
  SubscriberInput,
  TableDefinition,
  TableInput,
} from "./types.js";
