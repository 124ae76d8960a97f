function toBigInt(sequenceNumber: string): bigint {
  if (!isSequenceNumber(sequenceNumber)) {
    throw new TypeError(
      `${JSON.stringify(sequenceNumber)} is not a sequence number: expected a string of digits`,
    );
  }
  return BigInt(sequenceNumber);
}

/**
 * Orders two stream sequence numbers: negative when `a` comes first, 0 when equal, positive after.
 * Sequence numbers differ in length, so comparing them as text gives wrong answers.
 */
export function compareSequenceNumbers(a: string, b: string): number {
  const x = toBigInt(a);
  const y = toBigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function isSequenceNumber(value: unknown): value is string {
  if (typeof value !== "string" || value.length === 0) return false;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 48 || code > 57) return false;
  }
  return true;
}

/** The lowest sequence number, or undefined for none: where Lambda resumes after a failure. */
export function minSequenceNumber(sequenceNumbers: Iterable<string>): string | undefined {
  let lowest: string | undefined;
  for (const candidate of sequenceNumbers) {
    if (lowest === undefined || compareSequenceNumbers(candidate, lowest) < 0) lowest = candidate;
  }
  return lowest;
}

/** The highest sequence number, or undefined for none. */
export function maxSequenceNumber(sequenceNumbers: Iterable<string>): string | undefined {
  let highest: string | undefined;
  for (const candidate of sequenceNumbers) {
    if (highest === undefined || compareSequenceNumbers(candidate, highest) > 0)
      highest = candidate;
  }
  return highest;
}
