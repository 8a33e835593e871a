/* Live progress of running (or about to start) campaigns (list rows, dashboard rows, details page).
 * Polls the JSON endpoint named by [data-progress-url] every few seconds while some
 * [data-campaign-id][data-running="1"] element is on the page; no library, no CDN. */
(function () {
  "use strict";
  var root = document.querySelector("[data-progress-url]");
  if (!root || !window.fetch) { return; }
  var url = root.getAttribute("data-progress-url");
  var INTERVAL_MS = 5000;
  var BADGES = {scheduled: "secondary", collecting: "info", sending: "primary", paused: "warning",
                completed: "success", canceled: "dark", failed: "danger"};

  function runningIds() {
    var ids = [];
    root.querySelectorAll('[data-campaign-id][data-running="1"]').forEach(function (el) {
      var id = el.getAttribute("data-campaign-id");
      if (ids.indexOf(id) < 0) { ids.push(id); }
    });
    return ids;
  }

  function text(value) {
    return typeof value === "number" ? value.toLocaleString("pt-BR") : (value || "");
  }

  /* The period's totals on the list page: add what the polled campaign counted since the page was drawn. */
  function updateTotals(p) {
    var row = root.querySelector('[data-campaign-id="' + p.id + '"][data-counters]');
    if (!row) { return; }
    var before;
    try { before = JSON.parse(row.getAttribute("data-counters")); } catch (e) { return; }
    document.querySelectorAll("[data-total]").forEach(function (total) {
      var key = total.getAttribute("data-total");
      if (!(key in p.counters) || !(key in before)) { return; }
      var current = parseInt(total.textContent.replace(/\D/g, ""), 10) || 0;
      total.textContent = text(current + p.counters[key] - before[key]);
    });
    row.setAttribute("data-counters", JSON.stringify(p.counters));
  }

  function apply(p) {
    updateTotals(p);
    root.querySelectorAll('[data-campaign-id="' + p.id + '"]').forEach(function (el) {
      el.setAttribute("data-running", p.watch ? "1" : "0");
      el.querySelectorAll("[data-field]").forEach(function (field) {
        var key = field.getAttribute("data-field");
        var value = key in p.counters ? p.counters[key] : (key in p.timeline ? (p.timeline[key] || "—") : p[key]);
        if (value !== undefined) { field.textContent = text(value); }
      });
      el.querySelectorAll("[data-badge]").forEach(function (badge) {
        badge.className = "badge badge-" + (BADGES[p.status] || "secondary");
      });
      el.querySelectorAll("[data-progress-wrap]").forEach(function (wrap) {
        wrap.classList.toggle("d-none", !p.running);
        wrap.title = p.phase;
      });
      el.querySelectorAll("[data-progress-bar]").forEach(function (bar) {
        bar.style.width = p.percent + "%";
        bar.setAttribute("aria-valuenow", p.percent);
        bar.textContent = p.percent + "%";
        bar.classList.toggle("progress-bar-animated", p.status !== "paused");
      });
    });
  }

  function tick() {
    var ids = runningIds();
    if (!ids.length) { return; }  // nothing running: stop polling
    var target = url + (url.indexOf("?") < 0 ? "?" : "&") + "ids=" + ids.join(",");
    fetch(target, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (data) { (data.campaigns || [data]).forEach(apply); }
        window.setTimeout(tick, INTERVAL_MS);
      })
      .catch(function () { window.setTimeout(tick, INTERVAL_MS * 2); });
  }

  window.setTimeout(tick, INTERVAL_MS);
})();
