// The checker: what the effects and the dead-letter queue show, against the stream's changes.
import type { Effects } from "./effect.ts";
import type { ReplayRun } from "./replay.ts";
import type { StreamChange } from "./stream.ts";

export interface MappingCheck {
  /** Changes that are not poison and were never applied. */
  lost: number;
  /** Changes applied more than once. */
  appliedTwice: number;
  /** Applications that came after a later change of the same item had been applied. */
  stale: number;
  /** Poison changes applied although the handler always throws for them. */
  poisonApplied: number;
  /** Effects of eventIDs that are not in the stream: the harness itself is wrong. */
  unknownEffects: number;
  deadLetters: {
    poison: number;
    /** Distinct dead-lettered eventIDs. */
    letters: number;
    /** Poison changes without a dead letter. */
    missing: number;
    /** Dead letters of changes that are not poison. */
    extra: number;
    /** EventIDs with more than one message. */
    duplicates: number;
  };
}

export interface ReplayCheck {
  /** Poison changes not applied exactly once after the first replay. */
  poisonNotOnce: number;
  /** Other changes whose count the replays changed. */
  othersTouched: number;
  /** Messages left in the queue after the first replay. */
  left: number;
  /** The first run's exit code and replayed count; the second run's. */
  first: { exitCode: number; replayed?: number };
  second: { exitCode: number; replayed?: number };
  /** Changes the second run applied again. */
  secondApplied: number;
}

export function checkMapping(
  changes: StreamChange[],
  effects: Effects,
  deadLetterIds: string[],
): MappingCheck {
  const known = new Set(changes.map((change) => change.eventId));
  const poison = new Set(changes.filter((c) => c.poison).map((c) => c.eventId));
  const count = (eventId: string) => effects.counts.get(eventId) ?? 0;
  const letters = new Map<string, number>();
  for (const id of deadLetterIds) letters.set(id, (letters.get(id) ?? 0) + 1);
  return {
    lost: changes.filter((c) => !c.poison && count(c.eventId) === 0).length,
    appliedTwice: changes.filter((c) => count(c.eventId) > 1).length,
    stale: staleApplications(effects.applied),
    poisonApplied: [...poison].filter((id) => count(id) > 0).length,
    unknownEffects: [...effects.counts.keys()].filter((id) => !known.has(id)).length,
    deadLetters: {
      poison: poison.size,
      letters: letters.size,
      missing: [...poison].filter((id) => !letters.has(id)).length,
      extra: [...letters.keys()].filter((id) => !poison.has(id)).length,
      duplicates: [...letters.values()].filter((n) => n > 1).length,
    },
  };
}

/** Per item, applications of a change below the highest sequence number already applied. */
function staleApplications(applied: Map<string, string[]>): number {
  let stale = 0;
  for (const sequence of applied.values()) {
    let highest = -1n;
    for (const text of sequence) {
      const number = BigInt(text);
      if (number < highest) stale++;
      else highest = number;
    }
  }
  return stale;
}

/** What the two replay runs did, with the effects before, between and after them. */
export interface ReplayObservation {
  before: Effects;
  first: ReplayRun;
  afterFirst: Effects;
  /** Messages in the queue after the first run. */
  left: number;
  second: ReplayRun;
  afterSecond: Effects;
}

export function checkReplay(changes: StreamChange[], seen: ReplayObservation): ReplayCheck {
  const count = (effects: Effects, eventId: string) => effects.counts.get(eventId) ?? 0;
  const changed = (from: Effects, to: Effects) => (c: StreamChange) =>
    count(from, c.eventId) !== count(to, c.eventId);
  return {
    poisonNotOnce: changes.filter((c) => c.poison && count(seen.afterFirst, c.eventId) !== 1)
      .length,
    othersTouched: changes.filter((c) => !c.poison).filter(changed(seen.before, seen.afterFirst))
      .length,
    left: seen.left,
    first: { exitCode: seen.first.exitCode, replayed: seen.first.summary?.replayed },
    second: { exitCode: seen.second.exitCode, replayed: seen.second.summary?.replayed },
    secondApplied: changes.filter(changed(seen.afterFirst, seen.afterSecond)).length,
  };
}

export const replayExact = (replay: ReplayCheck): boolean =>
  replay.poisonNotOnce === 0 &&
  replay.othersTouched === 0 &&
  replay.left === 0 &&
  replay.first.exitCode === 0 &&
  replay.second.exitCode === 0 &&
  replay.second.replayed === 0 &&
  replay.secondApplied === 0;

/** Every check that failed, in words; empty when the run kept the exactly-once promise. */
export function failures(mapping: MappingCheck, replay: ReplayCheck): string[] {
  const out: string[] = [];
  const { deadLetters: letters } = mapping;
  if (mapping.lost > 0) out.push(`${mapping.lost} changes lost`);
  if (mapping.appliedTwice > 0) out.push(`${mapping.appliedTwice} changes applied twice or more`);
  if (mapping.stale > 0) out.push(`${mapping.stale} stale applications`);
  if (mapping.poisonApplied > 0) out.push(`${mapping.poisonApplied} poison changes applied`);
  if (mapping.unknownEffects > 0) out.push(`${mapping.unknownEffects} effects of unknown events`);
  if (letters.missing > 0) out.push(`${letters.missing} poison changes not dead-lettered`);
  if (letters.extra > 0) out.push(`${letters.extra} dead letters of changes that are not poison`);
  if (letters.duplicates > 0) out.push(`${letters.duplicates} changes dead-lettered twice`);
  if (replay.poisonNotOnce > 0)
    out.push(`replay: ${replay.poisonNotOnce} poison changes not applied exactly once`);
  if (replay.othersTouched > 0) out.push(`replay: touched ${replay.othersTouched} other changes`);
  if (replay.left > 0) out.push(`replay: ${replay.left} messages left in the queue`);
  if (replay.first.exitCode !== 0) out.push(`replay: first run exited ${replay.first.exitCode}`);
  if (replay.second.exitCode !== 0) out.push(`replay: second run exited ${replay.second.exitCode}`);
  if (replay.second.replayed !== 0 || replay.secondApplied > 0) {
    out.push(`replay: second run replayed ${replay.second.replayed ?? "?"} records`);
  }
  return out;
}
