/** An error that the endpoint returns as an AWS JSON 1.1 error response (`__type` + message). */
export class EventBridgeError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = type;
  }
}

export const notFound = (message: string) =>
  new EventBridgeError("ResourceNotFoundException", message);
export const validation = (message: string) => new EventBridgeError("ValidationException", message);
