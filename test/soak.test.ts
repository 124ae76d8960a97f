// The quick soak inside the test run: about 2,000 changes for each of a few settings that together
// cover bisection on and off, ParallelizationFactor above 1, checkpoint-store and router faults,
// and a hung handler. `pnpm soak` runs every setting, with 20,000 changes by default.
import { useLocalStack } from "@sluice/local/testing";
import { describe, expect, it } from "vitest";
import { checkMapping, replayExact } from "./soak/check.ts";
import { runSetting } from "./soak/harness.ts";
import { loadPackages } from "./soak/packages.ts";
import { settingNamed } from "./soak/settings.ts";

const SEED = 1;
const CHANGES = 2_000;

const cases = [
  settingNamed("baseline"),
  settingNamed("store"),
  // Every call that hangs times its invocation out; 0.5% of calls instead of the soak's 2% keeps
  // this file within about three minutes.
  { ...settingNamed("hung-pf2-bisect"), hung: 0.005 },
];

const stack = useLocalStack();

describe("soak: every change applied exactly once, end to end", () => {
  it.each(cases)(
    "$name",
    async (setting) => {
      const result = await runSetting({
        packages: await loadPackages(),
        config: stack.config,
        setting,
        seed: SEED,
        changes: CHANGES,
      });
      const { mapping, replay } = result;
      expect(
        {
          lost: mapping.lost,
          appliedTwice: mapping.appliedTwice,
          stale: mapping.stale,
          poisonNotDeadLettered: mapping.deadLetters.missing,
          deadLettersNotPoison: mapping.deadLetters.extra,
          deadLetteredTwice: mapping.deadLetters.duplicates,
          replayExact: replayExact(replay),
        },
        result.failures.join("; "),
      ).toEqual({
        lost: 0,
        appliedTwice: 0,
        stale: 0,
        poisonNotDeadLettered: 0,
        deadLettersNotPoison: 0,
        deadLetteredTwice: 0,
        replayExact: true,
      });
    },
    150_000,
  );
});

describe("the soak's checker", () => {
  it("counts lost, repeated and stale applications and compares dead letters with the poison", () => {
    const change = (eventId: string, item: string, sequenceNumber: string, poison = false) => ({
      eventId,
      item,
      sequenceNumber,
      poison,
    });
    const changes = [
      change("a1", "A", "10"),
      change("a2", "A", "20"),
      change("a3", "A", "30"),
      change("b1", "B", "15", true),
      change("b2", "B", "25"),
    ];
    // b2 never applied; a2 applied twice, both times after a3.
    const effects = {
      counts: new Map([
        ["a1", 1],
        ["a2", 2],
        ["a3", 1],
      ]),
      applied: new Map([["A", ["10", "30", "20", "20"]]]),
    };
    expect(checkMapping(changes, effects, ["b1", "a1", "b1"])).toEqual({
      lost: 1,
      appliedTwice: 1,
      stale: 2,
      poisonApplied: 0,
      unknownEffects: 0,
      deadLetters: { poison: 1, letters: 2, missing: 0, extra: 1, duplicates: 1 },
    });
  });
});
