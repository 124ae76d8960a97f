/** A server started by the local stack. */
export interface RunningServer {
  /** Base URL on 127.0.0.1, e.g. http://127.0.0.1:41234 */
  readonly endpoint: string;
  stop(): Promise<void>;
}
