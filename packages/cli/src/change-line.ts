import type { ChangeView } from "@sluice/dev";

/** Longer values are cut: a line per change has to stay readable in a terminal. */
const MAX_VALUE = 60;

function value(of: unknown): string {
  const text = JSON.stringify(of) ?? "null";
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}

/** `HH:MM:SS` in local time: the changes are happening now, on this machine's clock. */
function clock(iso: string): string {
  const at = new Date(iso);
  return [at.getHours(), at.getMinutes(), at.getSeconds()]
    .map((part) => String(part).padStart(2, "0"))
    .join(":");
}

/** Streams keep no attribute order; by name, the same item always reads the same. */
function byName(image: Record<string, unknown>): [string, unknown][] {
  return Object.entries(image).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The image's attributes other than the key, which the line already shows. */
function attributes(view: ChangeView, image: Record<string, unknown>): string {
  return byName(image)
    .filter(([name]) => !Object.hasOwn(view.keys, name))
    .map(([name, of]) => `${name}=${value(of)}`)
    .join(" ");
}

/** What a modify changed: `status: "pending" → "paid"`, `+added=1`, `-removed`. */
function diff(view: ChangeView, before: Record<string, unknown>, after: Record<string, unknown>) {
  const parts: string[] = [];
  for (const [name, now] of byName(after)) {
    if (Object.hasOwn(view.keys, name)) continue;
    if (!Object.hasOwn(before, name)) parts.push(`+${name}=${value(now)}`);
    else if (JSON.stringify(before[name]) !== JSON.stringify(now)) {
      parts.push(`${name}: ${value(before[name])} → ${value(now)}`);
    }
  }
  for (const [name] of byName(before)) {
    if (!Object.hasOwn(after, name)) parts.push(`-${name}`);
  }
  return parts.length > 0 ? parts.join(", ") : "(no attribute changed)";
}

function detail(view: ChangeView): string {
  const { newImage, oldImage } = view;
  if (view.kind === "modify" && newImage && oldImage) return diff(view, oldImage, newImage);
  const image = view.kind === "remove" ? oldImage : newImage;
  return image ? attributes(view, image) : "";
}

/** `KIND` as DynamoDB names it; Time to Live deletions are marked, they are easy to miss. */
function kind(view: ChangeView): string {
  return view.expired ? "REMOVE (TTL)" : view.kind.toUpperCase();
}

/** One line for `sluice tail`: time, kind, key, then the attributes or what changed. */
export function changeLine(view: ChangeView): string {
  const rest = detail(view);
  return `${clock(view.at)}  ${kind(view).padEnd(12)}  ${view.key}${rest ? `  ${rest}` : ""}`;
}
