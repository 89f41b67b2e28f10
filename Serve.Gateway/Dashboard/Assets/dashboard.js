// The Serve dashboard: polls /dashboard/api/status and /dashboard/api/traffic every two seconds and draws them.
// Plain DOM (textContent only, never HTML from the server) and uPlot, served by the gateway itself.
"use strict";
(() => {
  const refreshMs = 2000;
  const dashboard = { charts: {}, status: null, traffic: null, refreshes: 0 };
  // For people poking at the page (and the browser test): the charts and the last data.
  window.serveDashboard = dashboard;

  const byId = id => document.getElementById(id);

  function element(tag, className, ...children) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    for (const child of children) node.append(child instanceof Node ? child : String(child ?? ""));
    return node;
  }

  async function getJson(path) {
    const response = await fetch(path, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } });
    if (response.status === 401) {
      location.assign("/dashboard/login");
      throw new Error("signed out");
    }
    if (!response.ok) throw new Error(`${path} answered ${response.status}`);
    return response.json();
  }

  function chart(name, series) {
    const target = byId(`chart-${name}`);
    const options = {
      width: Math.max(target.clientWidth, 300),
      height: 200,
      scales: { x: { time: true } },
      series: [{}, ...series.map(s => Object.assign({ width: 2, spanGaps: false }, s))],
      axes: [{}, { size: 50 }],
      legend: { live: false },
      cursor: { drag: { x: false, y: false } },
    };
    const plot = new uPlot(options, [[], ...series.map(() => [])], target);
    dashboard.charts[name] = plot;
    return plot;
  }

  function createCharts() {
    chart("requests", [{ label: "requests/s", stroke: "#2563eb", fill: "rgba(37,99,235,.08)" }]);
    chart("latency", [{ label: "p50", stroke: "#059669" }, { label: "p99", stroke: "#d97706" }]);
    chart("errors", [{ label: "5xx/s", stroke: "#dc2626", fill: "rgba(220,38,38,.08)" }]);
    chart("replicas", [{ label: "running", stroke: "#7c3aed" }, { label: "target", stroke: "#9ca3af", dash: [6, 4] }]);
    window.addEventListener("resize", () => {
      for (const plot of Object.values(dashboard.charts)) {
        plot.setSize({ width: Math.max(plot.root.parentElement.clientWidth, 300), height: 200 });
      }
    });
  }

  function drawTraffic(traffic) {
    const t = traffic.time;
    dashboard.charts.requests.setData([t, traffic.requests_per_second]);
    dashboard.charts.latency.setData([t, traffic.p50_ms, traffic.p99_ms]);
    dashboard.charts.errors.setData([t, traffic.errors_per_second]);
    dashboard.charts.replicas.setData([t, traffic.running_replicas, traffic.target_replicas]);
  }

  function state(value) {
    return element("span", `state ${value}`, value);
  }

  function drawApplications(status) {
    const host = byId("applications");
    const apps = Object.values(status.applications);
    if (apps.length === 0) {
      host.replaceChildren(element("p", "muted", "No applications. Deploy one with `serve deploy config.yaml`."));
      return;
    }
    host.replaceChildren(...apps.map(app => {
      const header = element("h3", "", app.name, state(app.status),
        element("span", "muted", app.route_prefix ? `route ${app.route_prefix}` : "no HTTP route"),
        element("span", "muted", app.message));
      const rows = [];
      for (const deployment of Object.values(app.deployments)) {
        rows.push(element("tr", "deployment",
          element("td", "", element("strong", "", deployment.name)),
          element("td", "", state(deployment.status)),
          element("td", "", `${deployment.running_replicas}/${deployment.target_replicas} running`
            + (deployment.previous_version_replicas > 0 ? `, ${deployment.previous_version_replicas} of the previous version` : "")),
          element("td", "", ""),
          element("td", "", ""),
          element("td", "", deployment.message || deployment.scaling_decision || "")));
        for (const replica of deployment.replicas) {
          rows.push(element("tr", "replica",
            element("td", "", replica.replica_id),
            element("td", "", state(replica.state)),
            element("td", "", replica.silo ?? "(placing)"),
            element("td", "", status.ongoing_requests[replica.replica_id] ?? 0),
            element("td", "", (replica.multiplexed_model_ids ?? []).join(", ")),
            element("td", "", "")));
        }
      }
      const head = element("thead", "", element("tr", "",
        ...["Deployment / replica", "State", "Silo / replicas", "Ongoing", "Loaded models", "Message"].map(h => element("th", "", h))));
      const table = element("table", "", head, element("tbody", "", ...rows));
      const card = element("article", "app", header, table);
      card.dataset.application = app.name;
      return card;
    }));
  }

  function drawDecisions(status) {
    const decisions = [];
    for (const app of Object.values(status.applications)) {
      for (const deployment of Object.values(app.deployments)) {
        for (const decision of deployment.recent_scaling_decisions ?? []) {
          decisions.push({ ...decision, deployment: `${app.name}/${deployment.name}` });
        }
      }
    }
    decisions.sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
    const body = byId("decisions").tBodies[0];
    if (decisions.length === 0) {
      body.replaceChildren(element("tr", "", Object.assign(element("td", "muted", "None yet."), { colSpan: 4 })));
      return;
    }
    body.replaceChildren(...decisions.slice(0, 50).map(d => element("tr", "",
      element("td", "", new Date(d.at).toLocaleTimeString()),
      element("td", "", d.deployment),
      element("td", "", `${d.from_replicas} → ${d.to_replicas}`),
      element("td", "", d.reason))));
  }

  async function refresh() {
    try {
      const [status, traffic] = await Promise.all([getJson("/dashboard/api/status"), getJson("/dashboard/api/traffic")]);
      dashboard.status = status;
      dashboard.traffic = traffic;
      byId("logout").hidden = !status.token_required;
      drawTraffic(traffic);
      drawApplications(status);
      drawDecisions(status);
      byId("error").hidden = true;
      byId("updated").textContent = `updated ${new Date().toLocaleTimeString()}`;
      dashboard.refreshes++;
    } catch (error) {
      byId("error").textContent = `Could not refresh: ${error.message}`;
      byId("error").hidden = false;
    } finally {
      setTimeout(refresh, refreshMs);
    }
  }

  createCharts();
  refresh();
})();
