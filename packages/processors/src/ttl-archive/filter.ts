/** The identity DynamoDB's TTL process puts on the deletions it makes. */
const TTL_DELETION = {
  userIdentity: { type: ["Service"], principalId: ["dynamodb.amazonaws.com"] },
};

/**
 * The event source mapping's `FilterCriteria` that lets only TTL deletions invoke the function:
 * Lambda drops every other record before the invocation, at no cost. Replicas of a global table
 * see TTL deletions without this identity; there, filter on `{"eventName":["REMOVE"]}` and pass
 * `decode: { ttlAttribute }` to `streamHandler` instead.
 */
export const ttlFilterCriteria = {
  Filters: [{ Pattern: JSON.stringify(TTL_DELETION) }],
} as const satisfies { Filters: { Pattern: string }[] };
