export { SLUICE_EVENT_ID_KEY } from "./failure-codes.js";
export { PublishEventsError, type PublishEventsErrorCode } from "./publish-error.js";
export {
  type PublishEventsOptions,
  type PublishedEvent,
  publishEvents,
  publishedEventId,
} from "./publish-events.js";
export {
  type EventEntry,
  type FailedEntry,
  isPermanentFailure,
  type PutEventsOptions,
  putEvents,
} from "./put-events.js";
