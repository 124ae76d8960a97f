import type { StandardSchemaV1 } from "@standard-schema/spec";
import { type DecodeFailure, SluiceDecodeError } from "./errors.js";
import type { ChangeEvent, Item } from "./types.js";

/**
 * How an entity is recognised. Key prefixes compare the first segment of a key (the text before
 * the delimiter, or all of it): `{ pk: "CUSTOMER", sk: "ORDER" }` matches `CUSTOMER#42` /
 * `ORDER#7`, and `{ sk: "PROFILE" }` matches `PROFILE`. `type` compares the router's type
 * attribute in the image. Every condition given must hold.
 */
export interface EntityMatch {
  pk?: string;
  sk?: string;
  type?: string;
}

export interface EntityDefinition<Schema extends StandardSchemaV1 = StandardSchemaV1> {
  match: EntityMatch;
  /** Any Standard Schema (zod, valibot, arktype, ...); images are validated and replaced by its output. */
  schema?: Schema;
}

export interface EntityRouterOptions {
  /** Partition key attribute; default "PK". */
  pkAttribute?: string;
  /** Sort key attribute; default "SK". */
  skAttribute?: string;
  /** Separator after a key's prefix; default "#". */
  delimiter?: string;
  /** Compare prefixes and types ignoring case; default false. */
  caseInsensitive?: boolean;
  /** Attribute that names the entity type in the image, for `match.type`. */
  typeAttribute?: string;
}

type Definitions = Record<string, EntityDefinition>;

type ImageOf<D> = D extends { schema: infer S extends StandardSchemaV1 }
  ? StandardSchemaV1.InferOutput<S>
  : Item;

/** A change routed to its entity: narrow on `entity` to get the event typed by that entity's schema. */
export type EntityEvent<Defs extends Definitions> = {
  [Name in keyof Defs & string]: { entity: Name; event: ChangeEvent<ImageOf<Defs[Name]>> };
}[keyof Defs & string];

export interface RouteResult<Defs extends Definitions> {
  routed: EntityEvent<Defs>[];
  failures: DecodeFailure[];
}

export interface EntityRouter<Defs extends Definitions> {
  readonly entities: Defs;
  /** The name of the first entity, in definition order, whose match holds; undefined for none. */
  match(event: ChangeEvent<unknown>): (keyof Defs & string) | undefined;
  /** Routes and validates one event. Rejects with NO_MATCHING_ENTITY or SCHEMA_VALIDATION. */
  route(event: ChangeEvent<unknown>): Promise<EntityEvent<Defs>>;
  /** Routes every event; ones that match nothing or fail their schema are reported, not dropped. */
  routeAll(events: readonly ChangeEvent<unknown>[]): Promise<RouteResult<Defs>>;
}

/**
 * Defines the entities of a single-table design and returns a router for their change events.
 *
 * ```ts
 * const router = defineEntities({
 *   customer: { match: { pk: "CUSTOMER", sk: "PROFILE" }, schema: Customer },
 *   order: { match: { pk: "CUSTOMER", sk: "ORDER" }, schema: Order },
 * });
 * const { routed, failures } = await router.routeAll(events);
 * ```
 */
export function defineEntities<const Defs extends Definitions>(
  entities: Defs,
  options: EntityRouterOptions = {},
): EntityRouter<Defs> {
  const pkAttribute = options.pkAttribute ?? "PK";
  const skAttribute = options.skAttribute ?? "SK";
  const delimiter = options.delimiter ?? "#";
  const fold = options.caseInsensitive
    ? (text: string) => text.toLowerCase()
    : (text: string) => text;
  const names = Object.keys(entities) as (keyof Defs & string)[];

  const prefixMatches = (value: unknown, prefix: string): boolean => {
    if (typeof value !== "string") return false;
    const at = value.indexOf(delimiter);
    return fold(at < 0 ? value : value.slice(0, at)) === fold(prefix);
  };

  const match = (event: ChangeEvent<unknown>): (keyof Defs & string) | undefined => {
    const image = (event.newImage ?? event.oldImage) as Item | undefined;
    for (const name of names) {
      const { pk, sk, type } = (entities[name] as EntityDefinition).match;
      if (pk !== undefined && !prefixMatches(event.keys[pkAttribute], pk)) continue;
      if (sk !== undefined && !prefixMatches(event.keys[skAttribute], sk)) continue;
      if (type !== undefined) {
        const actual =
          options.typeAttribute === undefined ? undefined : image?.[options.typeAttribute];
        if (typeof actual !== "string" || fold(actual) !== fold(type)) continue;
      }
      return name;
    }
    return undefined;
  };

  const route = async (event: ChangeEvent<unknown>): Promise<EntityEvent<Defs>> => {
    const name = match(event);
    const where = { eventId: event.meta.eventId, position: event.meta.position, record: event.raw };
    if (name === undefined) {
      throw new SluiceDecodeError(
        "NO_MATCHING_ENTITY",
        `Record ${event.meta.position} (${event.meta.eventId}) with keys ${JSON.stringify(describeKeys(event.keys))} matches no entity: add a definition for it, or filter it out at the event source`,
        where,
      );
    }
    const schema = (entities[name] as EntityDefinition).schema;
    if (schema === undefined) return { entity: name, event } as EntityEvent<Defs>;
    const validated: Record<string, unknown> = { ...event };
    for (const image of ["oldImage", "newImage"] as const) {
      const value = event[image];
      if (value === undefined) continue;
      const result = await schema["~standard"].validate(value);
      if (result.issues !== undefined) {
        const path = image === "newImage" ? "NewImage" : "OldImage";
        throw new SluiceDecodeError(
          "SCHEMA_VALIDATION",
          `Record ${event.meta.position} (${event.meta.eventId}): ${path} is not a valid ${name}: ${result.issues.map(describeIssue).join("; ")}`,
          { ...where, path, issues: result.issues },
        );
      }
      validated[image] = result.value;
    }
    return { entity: name, event: validated } as unknown as EntityEvent<Defs>;
  };

  const routeAll = async (events: readonly ChangeEvent<unknown>[]): Promise<RouteResult<Defs>> => {
    const routed: EntityEvent<Defs>[] = [];
    const failures: DecodeFailure[] = [];
    for (const event of events) {
      try {
        routed.push(await route(event));
      } catch (error) {
        if (!(error instanceof SluiceDecodeError)) throw error;
        failures.push({ error, record: event.raw, position: event.meta.position });
      }
    }
    return { routed, failures };
  };

  return { entities, match, route, routeAll };
}

function describeKeys(keys: Item): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in keys) out[key] = typeof keys[key] === "bigint" ? String(keys[key]) : keys[key];
  return out;
}

function describeIssue(issue: StandardSchemaV1.Issue): string {
  const path = issue.path
    ?.map((segment) => String(typeof segment === "object" ? segment.key : segment))
    .join(".");
  return path ? `${path}: ${issue.message}` : issue.message;
}
