/**
 * The console's page. Everything it loads comes from the console itself (`/chart.js`, `/app.js`):
 * `sluice dev` runs on laptops that may be offline. `app.ts` fills the elements named by
 * `data-testid`.
 */
export const consolePage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>sluice dev</title>
<link rel="icon" href="data:,">
<style>
  :root { color-scheme: light dark; --muted: #777; --line: #8884; --bad: #c0392b; --ok: #1e8449; --warn: #b9770e; }
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0 auto; padding: 1rem 1.5rem 3rem; max-width: 1200px; }
  header { display: flex; flex-wrap: wrap; gap: .25rem 1.5rem; align-items: baseline; border-bottom: 1px solid var(--line); padding-bottom: .5rem; }
  header h1 { font-size: 1.25rem; margin: 0; }
  h2 { font-size: 1rem; margin: 1.5rem 0 .5rem; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
  th { font-weight: 600; font-size: .85rem; color: var(--muted); }
  td.number, th.number { text-align: right; font-variant-numeric: tabular-nums; }
  code, pre { font: 12px/1.4 ui-monospace, monospace; }
  pre { margin: .25rem 0 0; padding: .5rem; background: #8881; overflow: auto; max-height: 20rem; }
  .muted { color: var(--muted); }
  .state-running { color: var(--ok); }
  .state-loading { color: var(--warn); }
  .state-load-failed, .error { color: var(--bad); }
  .chart-box { position: relative; height: 280px; }
  .toolbar { display: flex; gap: 1rem; align-items: center; }
  [data-testid="connection"]:empty, [data-testid="replay-result"]:empty { display: none; }
  [data-testid="connection"] { color: var(--bad); }
  [data-testid="replay-result"] { padding: .5rem; border: 1px solid var(--line); margin: .5rem 0; }
  button { font: inherit; padding: .2rem .7rem; cursor: pointer; }
  button:disabled { cursor: default; }
</style>
</head>
<body>
<header>
  <h1>sluice dev</h1>
  <span>pipeline <strong data-testid="pipeline">…</strong></span>
  <span>table <strong data-testid="table">…</strong></span>
  <span class="muted">started <span data-testid="started-at">…</span></span>
</header>
<p data-testid="connection" role="alert"></p>

<h2>Subscribers</h2>
<table>
  <thead>
    <tr>
      <th>Subscriber</th><th>State</th><th class="number">Processed</th><th class="number">Per second</th>
      <th class="number">Lag</th><th class="number">Retried</th><th class="number">Dead-lettered</th>
      <th class="number">Reloads</th><th>Load error</th>
    </tr>
  </thead>
  <tbody data-testid="subscribers"></tbody>
</table>

<h2>Records per second and lag</h2>
<div class="chart-box"><canvas data-testid="chart" aria-label="Records per second and lag, per subscriber" role="img"></canvas></div>

<h2>Dead letters</h2>
<div class="toolbar">
  <button type="button" data-testid="replay-all" disabled>Replay all</button>
  <span class="muted">Replays go through the current handlers; what fails again stays here.</span>
</div>
<div data-testid="replay-result" role="status" aria-live="polite"></div>
<table>
  <thead>
    <tr>
      <th>Key</th><th>Kind</th><th>Processor</th><th>Error code</th><th>Error</th>
      <th class="number">Attempts</th><th>Last failure</th><th></th>
    </tr>
  </thead>
  <tbody data-testid="dead-letters"></tbody>
</table>

<h2>Latest changes</h2>
<table>
  <thead>
    <tr><th>Time</th><th>Kind</th><th>Entity</th><th>Key</th><th>New image</th></tr>
  </thead>
  <tbody data-testid="changes"></tbody>
</table>

<script src="/chart.js"></script>
<script src="/app.js"></script>
</body>
</html>
`;
