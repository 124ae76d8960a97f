/** Most arrivals kept, whatever the subscribers' positions. */
const MAX_ARRIVALS = 100_000;

function lowest(values: bigint[]): bigint {
  let low = values[0]!;
  for (const value of values) if (value < low) low = value;
  return low;
}

/**
 * When each record reached the stream, as the session's change feed saw it, to measure lag:
 * DynamoDB Local stamps creation times rounded down to the minute, too coarse for seconds.
 */
export class Arrivals {
  readonly #seen: { sequence: bigint; at: number }[] = [];

  add(sequenceNumber: string, at: number): void {
    this.#seen.push({ sequence: BigInt(sequenceNumber), at });
    if (this.#seen.length > MAX_ARRIVALS) this.#seen.splice(0, this.#seen.length - MAX_ARRIVALS);
  }

  /**
   * How long the oldest record past a subscriber's checkpoints has waited: its lag. A subscriber
   * with no checkpoint yet is behind every record seen.
   */
  lagMs(checkpoints: string[], now: number): number {
    const done = checkpoints.length === 0 ? -1n : lowest(checkpoints.map(BigInt));
    const oldest = this.#seen.find((arrival) => arrival.sequence > done);
    return oldest === undefined ? 0 : now - oldest.at;
  }

  /** Drops the records every subscriber is past; `positions` holds each one's checkpoints. */
  forget(positions: string[][]): void {
    if (positions.length === 0 || positions.some((checkpoints) => checkpoints.length === 0)) return;
    const passed = lowest(positions.flat().map(BigInt));
    const keep = this.#seen.findIndex((arrival) => arrival.sequence > passed);
    this.#seen.splice(0, keep === -1 ? this.#seen.length : keep);
  }
}
