/** An error that the endpoint returns as an AWS JSON 1.1 error response (`__type` + message). */
export class EventBridgeError extends Error {
  readonly type: string;
  readonly status: number;

  constructor(type: string, message: string, status = 400) {
    super(message);
    this.name = type;
    this.type = type;
    this.status = status;
  }
}

export const notFound = (message: string) =>
  new EventBridgeError("ResourceNotFoundException", message);
export const validation = (message: string) => new EventBridgeError("ValidationException", message);
