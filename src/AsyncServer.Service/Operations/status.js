// The status page's script: plain DOM, no framework, no build. Every value from the service is set as text (never as
// HTML), so a name or a failure reason cannot inject markup.
"use strict";
const state = { stores: [], sortKey: "state", ascending: true };
const order = { Blocked: 0, Silent: 1, Behind: 2, NeverConnected: 3, Healthy: 4 };

function cell(row, text, className) {
  const td = row.insertCell();
  td.textContent = text === null || text === undefined ? "" : String(text);
  if (className) td.className = className;
  return td;
}
// Local time, year first, with the offset: the same form as the module's views (yyyy-MM-dd HH:mm:ss +hh:mm).
function time(value) {
  if (!value) return "";
  const d = new Date(value), p = n => String(Math.abs(n)).padStart(2, "0"), o = -d.getTimezoneOffset();
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())} ` +
    `${o < 0 ? "-" : "+"}${p(Math.trunc(o / 60))}:${p(o % 60)}`;
}
function age(seconds) {
  if (seconds === null || seconds === undefined) return "";
  const m = Math.floor(seconds / 60), h = Math.floor(m / 60), d = Math.floor(h / 24);
  return d > 0 ? `${d}d ${h % 24}h` : h > 0 ? `${h}h ${m % 60}m` : `${m}m ${Math.floor(seconds % 60)}s`;
}
function badge(row, text) {
  const span = document.createElement("span");
  span.className = "state " + text;
  span.textContent = text;
  cell(row, "").appendChild(span);
}

function compare(a, b) {
  const k = state.sortKey;
  let x = k === "state" ? order[a.state] : a[k], y = k === "state" ? order[b.state] : b[k];
  if (x === null || x === undefined) x = typeof y === "number" ? -Infinity : "";
  if (y === null || y === undefined) y = typeof x === "number" ? -Infinity : "";
  const c = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
  return (state.ascending ? c : -c) || a.channelDatabase.localeCompare(b.channelDatabase);
}

function renderStores() {
  const wantState = document.getElementById("state-filter").value, wantGroup = document.getElementById("group-filter").value;
  const body = document.querySelector("#stores tbody");
  body.replaceChildren();
  for (const s of state.stores.filter(s => (!wantState || s.state === wantState) && (!wantGroup || s.dataGroup === wantGroup)).sort(compare)) {
    const row = body.insertRow();
    row.dataset.state = s.state;
    row.dataset.store = s.channelDatabase;
    const link = document.createElement("a");
    link.href = "status?store=" + encodeURIComponent(s.channelDatabase);
    link.textContent = s.channelDatabase;
    cell(row, "").appendChild(link);
    cell(row, s.dataGroup); badge(row, s.state);
    cell(row, time(s.lastContact) + (s.contactSource ? ` (${s.contactSource})` : ""));
    cell(row, s.pendingSessions, "num"); cell(row, age(s.oldestPendingSeconds), "num"); cell(row, s.failedSessions, "num");
    cell(row, s.blockingSession, "num"); cell(row, s.blockingReason, "text"); cell(row, s.lastAppliedSession, "num");
  }
  for (const th of document.querySelectorAll("#stores th[data-key]"))
    th.className = th.dataset.key === state.sortKey ? (state.ascending ? "asc" : "desc") : "";
}

function renderSummary() {
  const counts = {};
  for (const s of state.stores) counts[s.state] = (counts[s.state] || 0) + 1;
  const summary = document.getElementById("summary");
  summary.replaceChildren();
  for (const name of Object.keys(order)) {
    const span = document.createElement("span");
    span.textContent = `${name}: ${counts[name] || 0}`;
    span.className = "state " + name;
    summary.appendChild(span);
  }
  const groups = document.getElementById("group-filter"), chosen = groups.value;
  const names = [...new Set(state.stores.map(s => s.dataGroup))].sort();
  groups.replaceChildren(new Option("all", ""), ...names.map(n => new Option(n, n)));
  groups.value = names.includes(chosen) ? chosen : "";
}

function renderSchedules(rows) {
  const body = document.querySelector("#schedules tbody");
  body.replaceChildren();
  for (const s of rows) {
    const row = body.insertRow();
    cell(row, s.name); cell(row, s.active ? s.recurrence || "on demand" : "inactive"); cell(row, time(s.lastRun));
    badge(row, s.lastResult); cell(row, time(s.nextDue)); cell(row, s.lastMessage, "text");
  }
}

function renderSessions(selector, rows, withStore) {
  const body = document.querySelector(selector + " tbody");
  body.replaceChildren();
  for (const s of rows) {
    const row = body.insertRow();
    cell(row, s.id, "num"); cell(row, s.job);
    if (withStore) { cell(row, s.dataGroup); cell(row, s.channelDatabase); } else cell(row, s.kind);
    badge(row, s.status);
    if (withStore) cell(row, time(s.updatedAt || s.createdAt));
    else { cell(row, s.rowCount, "num"); cell(row, time(s.createdAt)); cell(row, time(s.updatedAt)); }
    cell(row, s.message, "text");
  }
}

async function load() {
  const store = new URLSearchParams(location.search).get("store");
  try {
    if (store) {
      const response = await fetch("status/sessions?channelDatabase=" + encodeURIComponent(store), { cache: "no-store" });
      if (!response.ok) throw new Error(`store ${store}: ${response.status}`);
      document.getElementById("overview").hidden = true;
      document.getElementById("store-sessions").hidden = false;
      document.getElementById("store-name").textContent = store;
      renderSessions("#sessions", await response.json(), false);
      document.getElementById("checked").textContent = time(new Date());
    } else {
      const response = await fetch("status/overview", { cache: "no-store" });
      if (!response.ok) throw new Error(`overview: ${response.status}`);
      const data = await response.json();
      state.stores = data.stores;
      renderSummary(); renderStores(); renderSchedules(data.schedules); renderSessions("#failures", data.failures, true);
      document.getElementById("checked").textContent = time(data.checkedAt);
    }
    document.getElementById("problem").textContent = "";
    document.body.dataset.loaded = "true";
  } catch (e) {
    document.getElementById("problem").textContent = "Could not read the status: " + e.message;
  }
}

document.getElementById("state-filter").addEventListener("change", renderStores);
document.getElementById("group-filter").addEventListener("change", renderStores);
for (const th of document.querySelectorAll("#stores th[data-key]"))
  th.addEventListener("click", () => {
    state.ascending = state.sortKey === th.dataset.key ? !state.ascending : true;
    state.sortKey = th.dataset.key;
    renderStores();
  });
load();
setInterval(load, 30000);
