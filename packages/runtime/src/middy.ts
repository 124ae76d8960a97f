import type { DynamoDBStreamEvent, Item } from "@sluice/records";
import { createBatchRunner, type StreamHandlerConfig, type StreamResponse } from "./handler.js";
import type { LambdaContext } from "./processor.js";

/** The part of middy's request the middleware reads. */
interface MiddyRequest {
  event: DynamoDBStreamEvent;
  context: LambdaContext;
}

/**
 * The same runtime as middy 7 middleware: `middy().use(sluiceMiddleware(config))`. It runs the
 * batch in `before` and returns the partial batch response early, so middlewares added before it
 * (secrets, tracing) run first and the base handler is not needed.
 */
export function sluiceMiddleware<T = Item>(config: StreamHandlerConfig<T>) {
  const run = createBatchRunner(config);
  return {
    name: "sluice",
    before: (request: MiddyRequest): Promise<StreamResponse> => run(request.event, request.context),
  };
}
