import { compilePattern, InvalidPatternError, type PatternPredicate } from "../pattern.js";
import { EventBridgeError, notFound, validation } from "./errors.js";

export const LOCAL_ACCOUNT = "000000000000";
export const DEFAULT_BUS = "default";

export interface Target {
  Id: string;
  Arn: string;
  Input?: string;
  InputPath?: string;
  SqsParameters?: { MessageGroupId?: string };
}

export interface Rule {
  Name: string;
  Arn: string;
  EventBusName: string;
  EventPattern?: string;
  State: "ENABLED" | "DISABLED";
  Description?: string;
  matches: PatternPredicate;
  targets: Map<string, Target>;
}

export interface Bus {
  Name: string;
  Arn: string;
  rules: Map<string, Rule>;
}

const NAME = /^[.\-_A-Za-z0-9]{1,64}$/;
const BUS_NAME = /^[/.\-_A-Za-z0-9]{1,256}$/;

/** Buses, rules and targets of the local EventBridge, in memory. */
export class EventBridgeStore {
  private readonly buses = new Map<string, Bus>();
  readonly region: string;

  constructor(region: string) {
    this.region = region;
    this.createBus(DEFAULT_BUS);
  }

  private busArn(name: string): string {
    return `arn:aws:events:${this.region}:${LOCAL_ACCOUNT}:event-bus/${name}`;
  }

  /** Buses are named, or addressed by ARN, as the API allows. */
  bus(nameOrArn: string | undefined): Bus {
    const name = (nameOrArn ?? DEFAULT_BUS).replace(/^arn:aws:events:[^:]*:[^:]*:event-bus\//, "");
    const bus = this.buses.get(name);
    if (!bus) throw notFound(`Event bus ${name} does not exist.`);
    return bus;
  }

  createBus(name: string): Bus {
    if (!BUS_NAME.test(name) || name.startsWith("aws.")) {
      throw validation(`Event bus name ${name} is not valid.`);
    }
    if (this.buses.has(name)) {
      throw new EventBridgeError(
        "ResourceAlreadyExistsException",
        `Event bus ${name} already exists.`,
      );
    }
    const bus: Bus = { Name: name, Arn: this.busArn(name), rules: new Map() };
    this.buses.set(name, bus);
    return bus;
  }

  deleteBus(name: string): void {
    if (name === DEFAULT_BUS) throw validation("Cannot delete event bus default.");
    this.buses.delete(name);
  }

  listBuses(prefix = ""): Bus[] {
    return [...this.buses.values()].filter((bus) => bus.Name.startsWith(prefix));
  }

  putRule(input: {
    Name: string;
    EventBusName?: string;
    EventPattern?: string;
    State?: string;
    Description?: string;
    ScheduleExpression?: string;
  }): Rule {
    const bus = this.bus(input.EventBusName);
    if (!NAME.test(input.Name ?? "")) throw validation(`Rule name ${input.Name} is not valid.`);
    if (input.ScheduleExpression) {
      throw validation("The local EventBridge does not run scheduled rules; use an EventPattern.");
    }
    if (!input.EventPattern)
      throw validation("Parameter EventPattern is not valid. Reason: it is required.");
    let matches: PatternPredicate;
    try {
      matches = compilePattern(input.EventPattern);
    } catch (error) {
      if (!(error instanceof InvalidPatternError)) throw error;
      throw new EventBridgeError(
        "InvalidEventPatternException",
        `Event pattern is not valid. Reason: ${error.message}`,
      );
    }
    const existing = bus.rules.get(input.Name);
    const path = bus.Name === DEFAULT_BUS ? input.Name : `${bus.Name}/${input.Name}`;
    const rule: Rule = {
      Name: input.Name,
      Arn: `arn:aws:events:${this.region}:${LOCAL_ACCOUNT}:rule/${path}`,
      EventBusName: bus.Name,
      EventPattern: input.EventPattern,
      State: input.State === "DISABLED" ? "DISABLED" : "ENABLED",
      ...(input.Description !== undefined && { Description: input.Description }),
      matches,
      targets: existing?.targets ?? new Map(),
    };
    bus.rules.set(rule.Name, rule);
    return rule;
  }

  rule(name: string, busName: string | undefined): Rule {
    const bus = this.bus(busName);
    const rule = bus.rules.get(name);
    if (!rule) throw notFound(`Rule ${name} does not exist on EventBus ${bus.Name}.`);
    return rule;
  }

  deleteRule(name: string, busName: string | undefined): void {
    const bus = this.bus(busName);
    const rule = bus.rules.get(name);
    if (!rule) return;
    if (rule.targets.size > 0) throw validation("Rule can't be deleted since it has targets.");
    bus.rules.delete(name);
  }

  listRules(busName: string | undefined, prefix = ""): Rule[] {
    return [...this.bus(busName).rules.values()].filter((rule) => rule.Name.startsWith(prefix));
  }
}

/** The fields of a rule that the API returns. */
export function describeRule(rule: Rule) {
  const { matches: _matches, targets: _targets, ...described } = rule;
  return described;
}
