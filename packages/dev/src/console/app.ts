/**
 * The console page's script, plain browser JavaScript served as `/app.js`. It polls
 * `/api/snapshot` once a second and renders it; `Chart` is Chart.js's UMD global from `/chart.js`.
 * Text from records is only ever set with `textContent`, never parsed as HTML.
 *
 * Tests read the chart through `window.sluiceChart`: one dataset per subscriber and metric, each
 * tagged with `subscriber` and `metric` ("perSecond" or "lagMs"), points as `{ x: time, y }`.
 */
export const appScript = `"use strict";
(function () {
  var POLL_MS = 1000;
  var COLORS = ["#2e86c1", "#e67e22", "#27ae60", "#8e44ad", "#c0392b", "#16a085", "#d4ac0d", "#7f8c8d"];

  function byTestId(id) {
    return document.querySelector('[data-testid="' + id + '"]');
  }

  function element(tag, options, children) {
    var node = document.createElement(tag);
    options = options || {};
    if (options.text !== undefined) node.textContent = String(options.text);
    if (options.className) node.className = options.className;
    if (options.testId) node.dataset.testid = options.testId;
    if (options.title) node.title = options.title;
    (children || []).forEach(function (child) {
      if (child) node.appendChild(child);
    });
    return node;
  }

  function cell(text, className) {
    return element("td", { text: text === undefined ? "" : text, className: className });
  }

  function formatMs(ms) {
    if (ms < 1000) return Math.round(ms) + " ms";
    if (ms < 60000) return (ms / 1000).toFixed(1) + " s";
    return Math.floor(ms / 60000) + " min " + Math.round((ms % 60000) / 1000) + " s";
  }

  function formatTime(iso) {
    var date = new Date(iso);
    return isNaN(date.getTime()) ? String(iso) : date.toLocaleTimeString();
  }

  function formatNumber(value) {
    return Number.isInteger(value) ? String(value) : value.toFixed(1);
  }

  // Lists with buttons or open details are rebuilt only when their content changes, so a poll
  // cannot swap a button out from under a click or fold what the user unfolded.
  var rendered = {};
  function changed(name, value) {
    var signature = JSON.stringify(value);
    if (rendered[name] === signature) return false;
    rendered[name] = signature;
    return true;
  }

  function renderHeader(snapshot) {
    byTestId("pipeline").textContent = snapshot.pipeline;
    byTestId("table").textContent = snapshot.table;
    byTestId("started-at").textContent = formatTime(snapshot.startedAt);
    document.title = "sluice dev: " + snapshot.pipeline;
  }

  function renderSubscribers(subscribers) {
    var rows = subscribers.map(function (s) {
      var name = element("td", {}, [
        element("div", { text: s.name }),
        element("div", { text: s.handler, className: "muted" }),
      ]);
      var row = element("tr", { testId: "subscriber" }, [
        name,
        cell(s.state, "state-" + s.state),
        cell(s.processed, "number"),
        cell(formatNumber(s.perSecond), "number"),
        cell(formatMs(s.lagMs), "number"),
        cell(s.retried, "number"),
        cell(s.deadLettered, "number"),
        cell(s.reloads, "number"),
        cell(s.loadError, "error"),
      ]);
      row.dataset.name = s.name;
      return row;
    });
    if (rows.length === 0) rows = [emptyRow(9, "No subscribers yet.")];
    byTestId("subscribers").replaceChildren.apply(byTestId("subscribers"), rows);
  }

  function emptyRow(columns, text) {
    var td = element("td", { text: text, className: "muted" });
    td.colSpan = columns;
    return element("tr", {}, [td]);
  }

  var chart;
  function renderChart(series) {
    if (typeof Chart === "undefined") return;
    if (!chart) {
      chart = new Chart(byTestId("chart"), {
        type: "line",
        data: { datasets: [] },
        options: {
          animation: false,
          maintainAspectRatio: false,
          parsing: false,
          normalized: true,
          interaction: { mode: "nearest", axis: "x", intersect: false },
          elements: { point: { radius: 0 } },
          scales: {
            x: {
              type: "linear",
              ticks: { callback: function (value) { return new Date(value).toLocaleTimeString(); } },
            },
            y: { beginAtZero: true, position: "left", title: { display: true, text: "records / s" } },
            lag: {
              beginAtZero: true,
              position: "right",
              grid: { drawOnChartArea: false },
              title: { display: true, text: "lag (ms)" },
            },
          },
        },
      });
      window.sluiceChart = chart;
    }
    var names = Object.keys(series).sort();
    var datasets = [];
    names.forEach(function (name, index) {
      var color = COLORS[index % COLORS.length];
      var samples = series[name] || [];
      datasets.push(dataset(name, "perSecond", name + " records/s", color, "y", [], samples));
      datasets.push(dataset(name, "lagMs", name + " lag", color, "lag", [4, 4], samples));
    });
    chart.data.datasets = datasets;
    chart.update("none");
  }

  function dataset(subscriber, metric, label, color, axis, dash, samples) {
    return {
      subscriber: subscriber,
      metric: metric,
      label: label,
      yAxisID: axis,
      borderColor: color,
      backgroundColor: color,
      borderDash: dash,
      borderWidth: metric === "perSecond" ? 2 : 1,
      data: samples.map(function (sample) { return { x: sample.t, y: sample[metric] }; }),
    };
  }

  function expandable(summary, value) {
    if (value === undefined) return element("span", { text: "–", className: "muted" });
    return element("details", {}, [
      element("summary", { text: summary }),
      element("pre", { text: JSON.stringify(value, null, 2) }),
    ]);
  }

  function renderChanges(changes) {
    if (!changed("changes", changes.map(function (c) { return c.eventId; }))) return;
    // New changes arrive every second; keep unfolded what the user unfolded.
    var open = {};
    byTestId("changes").querySelectorAll("tr").forEach(function (row) {
      var details = row.querySelector("details");
      if (details && details.open) open[row.dataset.eventId] = true;
    });
    var rows = changes.map(function (change) {
      var kind = element("td", {}, [element("span", { text: change.kind })]);
      if (change.expired) {
        kind.appendChild(element("span", { text: " expired (TTL)", className: "muted", testId: "expired" }));
      }
      var row = element("tr", { testId: "change" }, [
        cell(formatTime(change.at)),
        kind,
        cell(change.entity || ""),
        element("td", {}, [element("code", { text: change.key })]),
        element("td", {}, [expandable("show", change.newImage)]),
      ]);
      row.dataset.eventId = change.eventId;
      var details = row.querySelector("details");
      if (details && open[change.eventId]) details.open = true;
      row.dataset.kind = change.kind;
      return row;
    });
    if (rows.length === 0) rows = [emptyRow(5, "No changes yet.")];
    byTestId("changes").replaceChildren.apply(byTestId("changes"), rows);
  }

  var replaying = false;
  function renderDeadLetters(letters) {
    byTestId("replay-all").disabled = replaying || letters.length === 0;
    if (!changed("deadLetters", letters)) return;
    var rows = letters.map(function (letter) {
      var button = element("button", { text: "Replay", testId: "replay" });
      button.type = "button";
      button.disabled = replaying;
      button.addEventListener("click", function () {
        replay({ id: letter.id });
      });
      var error = letter.error.name + ": " + letter.error.message;
      var row = element("tr", { testId: "dead-letter" }, [
        element("td", {}, [
          element("code", { text: letter.change.key }),
          expandable("change", letter.change.newImage || letter.change.oldImage),
        ]),
        cell(letter.change.kind),
        cell(letter.processor),
        element("td", {}, [element("code", { text: letter.errorCode || "", testId: "error-code" })]),
        element("td", { title: letter.error.class + " error" }, [
          element("span", { text: error, className: "error" }),
          element("div", { text: letter.error.class, className: "muted" }),
        ]),
        cell(letter.attempts, "number"),
        cell(formatTime(letter.lastFailureAt)),
        element("td", {}, [button]),
      ]);
      row.dataset.id = letter.id;
      return row;
    });
    if (rows.length === 0) rows = [emptyRow(8, "No dead letters.")];
    byTestId("dead-letters").replaceChildren.apply(byTestId("dead-letters"), rows);
  }

  function setReplaying(value) {
    replaying = value;
    document.querySelectorAll('[data-testid="replay"], [data-testid="replay-all"]').forEach(function (b) {
      b.disabled = value;
    });
  }

  function showReplayResult(result) {
    var status = byTestId("replay-result");
    var summary = "Replayed " + result.replayed + ", failed again " + result.failedAgain + ".";
    var children = [element("span", { text: summary })];
    if (result.failures.length > 0) {
      children.push(element("ul", {}, result.failures.map(function (failure) {
        return element("li", { text: failure.id + ": " + failure.reason, testId: "replay-failure" });
      })));
    }
    status.replaceChildren.apply(status, children);
    status.className = result.failedAgain > 0 ? "error" : "";
  }

  function replay(request) {
    var status = byTestId("replay-result");
    setReplaying(true);
    status.className = "";
    status.textContent = "Replaying…";
    fetch("/api/replay", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(request),
    })
      .then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) throw new Error(body.error || response.statusText);
          return body;
        });
      })
      .then(showReplayResult, function (error) {
        status.className = "error";
        status.textContent = "Replay failed: " + error.message;
      })
      .then(function () {
        setReplaying(false);
        // Replaying changes the queue; show it now rather than at the next poll.
        rendered.deadLetters = undefined;
        return refresh();
      });
  }

  function render(snapshot) {
    renderHeader(snapshot);
    renderSubscribers(snapshot.subscribers);
    renderChart(snapshot.series);
    renderDeadLetters(snapshot.deadLetters);
    renderChanges(snapshot.changes);
  }

  function refresh() {
    return fetch("/api/snapshot")
      .then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) throw new Error(body.error || response.statusText);
          return body;
        });
      })
      .then(
        function (snapshot) {
          byTestId("connection").textContent = "";
          render(snapshot);
        },
        function (error) {
          byTestId("connection").textContent =
            "Cannot read the dev session (" + error.message + "). Is sluice dev still running?";
        },
      );
  }

  // The next poll starts when the last one ended, so a slow session is never asked twice at once.
  function poll() {
    refresh().then(function () {
      setTimeout(poll, POLL_MS);
    });
  }

  byTestId("replay-all").addEventListener("click", function () {
    replay({});
  });
  poll();
})();
`;
