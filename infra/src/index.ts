export {
  checkNeeds,
  type SubscriberAccess,
  type SubscriberContext,
  subscriberAccess,
} from "./access.js";
export {
  type AlarmActions,
  alarmTopic,
  deadLetterDepthAlarm,
  functionErrorsAlarm,
  iteratorAgeAlarm,
} from "./alarms.js";
export { ArchiveBucket, type ArchiveBucketArgs, archiveTransitions } from "./archive-bucket.js";
export { checkpointTable } from "./checkpoint-table.js";
export { deadLetterQueue, deadLetterRetentionSeconds } from "./dead-letter-queue.js";
export type { FunctionFactory, SubscriberFunction, SubscriberFunctionArgs } from "./function.js";
export { lambdaAssumeRolePolicy, type PolicyStatement, policyDocument } from "./policy.js";
export type { NamedResource, PipelineResources, SearchDomainResource } from "./resources.js";
export { type StageSettings, stageSettings } from "./stage.js";
export {
  StreamPipeline,
  type StreamPipelineArgs,
  type StreamTable,
  type SubscriberResources,
} from "./stream-pipeline.js";
