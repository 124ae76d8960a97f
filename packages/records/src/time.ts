/** Units of an epoch timestamp. */
export type EpochUnit = "second" | "millisecond" | "microsecond";

// Above these, a value read in the smaller unit would fall after the year 5000, which no stream
// record can: it must be in the larger unit.
const MILLISECOND_THRESHOLD = 1e11;
const MICROSECOND_THRESHOLD = 1e14;

/**
 * The unit of an epoch `value` from a source that documents `expected`: a value too large for it
 * is read as the larger unit it can only be (seconds to milliseconds or microseconds,
 * milliseconds to microseconds). Smaller values keep `expected`.
 */
export function epochUnit(value: number, expected: EpochUnit): EpochUnit {
  if (expected !== "microsecond" && value > MICROSECOND_THRESHOLD) return "microsecond";
  if (expected === "second" && value > MILLISECOND_THRESHOLD) return "millisecond";
  return expected;
}

export function epochToDate(value: number, unit: EpochUnit): Date {
  if (unit === "second") return new Date(value * 1000);
  return new Date(unit === "microsecond" ? value / 1000 : value);
}
