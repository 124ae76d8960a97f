import { RECORD_FAILED } from "./routers/eventbridge.js";

/**
 * The message a producer sent, out of the wrapper of the service that carried it to a queue: an
 * SNS notification (without raw message delivery) or a sluice `RecordFailed` EventBridge event.
 * Anything else comes back unchanged.
 */
export function unwrapDelivery(text: string): string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return text;
  }
  if (value === null || typeof value !== "object") return text;
  const wrapper = value as Record<string, unknown>;
  if (wrapper.Type === "Notification" && typeof wrapper.Message === "string") {
    return wrapper.Message;
  }
  if (wrapper["detail-type"] === RECORD_FAILED && typeof wrapper.detail === "object") {
    return JSON.stringify(wrapper.detail);
  }
  return text;
}
