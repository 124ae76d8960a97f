export type { BucketOption, BucketUnit } from "./bucket.js";
export type { AggregateDefinition } from "./contribution.js";
export { type AggregateErrorCode, AggregateInputError } from "./errors.js";
export type { ExactNumber, NumberInput } from "./exact.js";
export {
  type CountMeasure,
  type CustomMeasure,
  count,
  custom,
  type ExtremeMeasure,
  type Measure,
  type Measures,
  type MeasureValues,
  max,
  min,
  type SumMeasure,
  sum,
} from "./measures.js";
export { type AggregateOptions, aggregate } from "./processor.js";
export {
  type AggregateReader,
  type AggregateReaderOptions,
  aggregateReader,
} from "./reader.js";
export { aggregateTableInput } from "./table.js";
