/** A pipeline definition that Lambda, DynamoDB or sluice would refuse, and what to change. */
export class PipelineDefinitionError extends Error {
  override readonly name = "PipelineDefinitionError";

  constructor(
    /** The setting, as written in the definition: "batchSize", "table.stream", "subscribers". */
    readonly setting: string,
    message: string,
    /** The subscriber whose setting it is, if any. */
    readonly subscriber?: string,
  ) {
    super(subscriber === undefined ? message : `Subscriber "${subscriber}": ${message}`);
  }
}
