import type * as pulumi from "@pulumi/pulumi";
import { computedState, providerId } from "./fake-aws.js";

/** Resource inputs and invoke arguments as Pulumi hands them over: JSON of any shape. */
// biome-ignore lint/suspicious/noExplicitAny: tests walk recorded inputs of every resource type
export type Inputs = Record<string, any>;

export interface RecordedResource {
  type: string;
  name: string;
  /** The resolved inputs: what the program asked Pulumi to create. */
  inputs: Inputs;
  /** A lookup of an existing resource (`Resource.get`), not one the program creates. */
  read: boolean;
}

/** Answers for data sources (invokes) the programs under test call. */
export type CallAnswers = Record<string, (inputs: Inputs) => Inputs>;

/**
 * Installs Pulumi's mocks on the given copy of `@pulumi/pulumi` and records every resource
 * registered; no engine, CLI, network or credentials.
 */
export async function mockPulumi(
  runtime: typeof pulumi.runtime,
  answers: CallAnswers = {},
  stack = "test",
) {
  const resources: RecordedResource[] = [];
  await runtime.setMocks(
    {
      newResource(args) {
        const inputs = args.inputs as Inputs;
        resources.push({ type: args.type, name: args.name, inputs, read: Boolean(args.id) });
        const state = { ...inputs, ...computedState(args.type, args.name, inputs) };
        return { id: args.id || providerId(args.type, args.name, inputs), state };
      },
      call(args) {
        const answer = answers[args.token];
        return answer ? answer(args.inputs) : args.inputs;
      },
    },
    "sluice",
    stack,
    false,
  );

  /**
   * Resolves once Pulumi has nothing left to register: resources created inside `apply`
   * callbacks arrive late, so wait until the count stops changing rather than for a fixed time.
   */
  async function settled(quietMs = 100, timeoutMs = 20_000): Promise<RecordedResource[]> {
    const started = Date.now();
    let count = -1;
    let quietSince = Date.now();
    while (Date.now() - started < timeoutMs) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      if (resources.length !== count) {
        count = resources.length;
        quietSince = Date.now();
      } else if (Date.now() - quietSince >= quietMs) {
        return resources;
      }
    }
    throw new Error(
      `Pulumi kept registering resources for ${timeoutMs} ms (${resources.length} so far).`,
    );
  }

  return { resources, settled };
}

export function ofType(resources: RecordedResource[], type: string): RecordedResource[] {
  return resources.filter((resource) => resource.type === type);
}

export function named(resources: RecordedResource[], type: string, name: string): RecordedResource {
  const found = resources.find((resource) => resource.type === type && resource.name === name);
  if (!found) {
    const names = ofType(resources, type).map((resource) => resource.name);
    throw new Error(`No ${type} named ${name}; recorded: ${names.join(", ") || "none"}.`);
  }
  return found;
}

export interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

export function statementsOf(policy: string): Statement[] {
  return (JSON.parse(policy) as { Statement: Statement[] }).Statement;
}

export const asList = (value: string | string[]) => (Array.isArray(value) ? value : [value]);
