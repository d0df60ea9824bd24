"use strict";
(() => {
  const data = JSON.parse(document.getElementById("report-data").textContent);
  const annotated = new Map(Object.entries(data.annotated));
  const ui = data.labels;
  const fill = (template, values) =>
    template.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
  const labels = {
    severity: new Map(Object.entries(ui.severity)),
    family: new Map(Object.entries(ui.family)),
    status: new Map(Object.entries(ui.status)),
  };
  const label = (kind, value) => labels[kind].get(value) || value;
  const THIN = "\u202f";
  // A date as the page's readers write it: 31.12.2026 in Russian, as given in English.
  const day = (text) =>
    (ui.locale === "ru" && /^\d{4}-\d{2}-\d{2}$/.test(text) ? text.split("-").reverse().join(".") : text);
  // Messages group digits with plain spaces (1 175 168); on the page the number
  // must not break across lines, so those spaces become thin non-breaking ones.
  const unbroken = (text) => text.replace(/(\d) (?=\d{3}(?!\d))/g, `$1${THIN}`);
  const grouped = (n) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, THIN);

  const findings = data.rows.map((values, index) => {
    const f = { index, children: [] };
    data.columns.forEach((name, j) => { f[name] = values[j] === null ? "" : values[j]; });
    f.haystack = [
      f.submission, f.organisation, f.year, label("severity", f.severity),
      label("family", f.family), f.rule, f.sheet, f.cell, f.expected_shown, f.actual_shown,
      f.message, label("status", f.status), f.fingerprint, f.waived_by, f.waived_reason,
    ].join("\n").toLocaleLowerCase(ui.locale);
    return f;
  });
  // A follow-on hangs under its root (computed by the page's writer); it is
  // shown when its root is unfolded, or on its own when a filter keeps it but
  // not its root.
  for (const f of findings) {
    f.root = f.root_index === "" ? null : findings[f.root_index];
    if (f.root) f.root.children.push(f);
  }
  const roots = findings.filter((f) => !f.root);

  const ESC = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
  const esc = (value) => String(value).replace(/[&<>"']/g, (c) => ESC[c]);
  const BADGE = new Map([["error", "sev-error"], ["warning", "sev-warning"], ["info", "sev-info"]]);
  const headers = [...document.querySelectorAll("#findings thead th")];
  const keys = headers.map((th) => th.dataset.key);
  const expanded = new Set();

  function statusHtml(f) {
    const parts = [esc(label("status", f.status))];
    if (f.status === "waived") {
      if (f.waived_by) parts.push(`<span class="waiver">${esc(fill(ui.waived_by, { by: f.waived_by }))}</span>`);
      if (f.waived_reason) {
        parts.push(`<span class="waiver">${esc(fill(ui.waived_reason, { reason: f.waived_reason }))}</span>`);
      }
      const until = f.waived_until ? fill(ui.waived_until, { until: day(f.waived_until) }) : ui.no_end;
      parts.push(`<span class="waiver">${esc(until)}</span>`);
    }
    if (f.fingerprint) {
      parts.push(
        `<span class="sub">${esc(ui.copy)} <button type="button" class="copy" data-copy="fingerprint" data-index="${f.index}"`
        + ` title="${esc(ui.copy_fingerprint_title)}">${esc(ui.copy_fingerprint)}</button>`
        + `<button type="button" class="copy" data-copy="command" data-index="${f.index}"`
        + ` title="${esc(ui.copy_command_title)}">${esc(ui.copy_command)}</button></span>`,
      );
    }
    return parts.join("");
  }

  function messageHtml(f) {
    const parts = [`<span class="text">${esc(unbroken(f.message))}</span>`];
    const values = [f.expected_shown && `${ui.expected}: ${f.expected_shown}`,
      f.actual_shown && `${ui.actual}: ${f.actual_shown}`].filter(Boolean).join("; ");
    if (values) parts.push(`<span class="values">${esc(values)}</span>`);
    parts.push(`<span class="sub">${esc(label("family", f.family))} · ${esc(f.rule)}</span>`);
    if (f.root) {
      const where = [f.root.sheet, f.root.cell].filter(Boolean).join(" ") || f.root.rule;
      parts.push(`<span class="sub">${esc(fill(ui.follow, { cell: where }))}</span>`);
    }
    if (f.children.length) {
      const text = fill(expanded.has(f.index) ? ui.hide_follow : ui.show_follow,
        { count: f.children.length });
      parts.push(`<button type="button" class="toggle" data-index="${f.index}"`
        + ` aria-expanded="${expanded.has(f.index)}">${esc(text)}</button>`);
    }
    return parts.join("");
  }

  function cellHtml(f, key) {
    if (key === "severity") {
      const badge = BADGE.get(f.severity) || "";
      return `<td role="cell"><span class="badge ${badge}">${esc(label("severity", f.severity))}</span></td>`;
    }
    if (key === "submission") {
      const href = annotated.get(f.submission);
      const file = href === undefined
        ? `<span class="name">${esc(f.submission)}</span>`
        : `<a class="name" href="${esc(href)}">${esc(f.submission)}</a>`;
      const year = f.year === "" ? "" : ` · ${esc(f.year)}`;
      return `<td role="cell" title="SHA-256: ${esc(f.submission_sha256)}">`
        + `${esc(f.organisation || ui.no_organisation)}<span class="sub file">${file}${year}</span></td>`;
    }
    if (key === "sheet") {
      return `<td role="cell">${esc(f.sheet)}<span class="sub">${esc(f.cell)}</span></td>`;
    }
    if (key === "expected" || key === "actual") {
      return `<td role="cell" class="value">${esc(f[`${key}_shown`])}</td>`;
    }
    if (key === "message") return `<td role="cell">${messageHtml(f)}</td>`;
    if (key === "status") return `<td role="cell">${statusHtml(f)}</td>`;
    return `<td role="cell">${esc(f[key])}</td>`;
  }

  function rowHtml(f) {
    const attributes = ["severity", "family", "organisation", "status", "fingerprint"]
      .map((name) => `data-${name}="${esc(f[name])}"`).join(" ");
    const kind = f.root ? ' class="follow"' : "";
    return `<tr role="row"${kind} data-index="${f.index}" ${attributes}>`
      + `${keys.map((key) => cellHtml(f, key)).join("")}</tr>`;
  }

  const filters = ["organisation", "severity", "family", "status"]
    .map((key) => [key, document.getElementById(`filter-${key}`)]);
  const search = document.getElementById("search");
  let query = "";
  // The first option of every filter ("all") lets everything through.
  const matches = (f) =>
    filters.every(([key, select]) => select.selectedIndex === 0 || f[key] === select.value)
    && (query === "" || f.haystack.includes(query));

  const tbody = document.querySelector("#findings tbody");
  const shownCount = document.getElementById("shown-count");
  const noRows = document.getElementById("no-rows");
  let order = roots;

  function visible() {
    const shown = [];
    for (const root of order) {
      if (matches(root)) {
        shown.push(root);
        if (expanded.has(root.index)) shown.push(...root.children);
      } else {
        for (const child of root.children) if (matches(child)) shown.push(child);
      }
    }
    return shown;
  }

  function render() {
    const shown = visible();
    tbody.innerHTML = shown.map((f) => f.html || (f.html = rowHtml(f))).join("");
    shownCount.textContent = fill(ui.shown,
      { shown: grouped(shown.length), total: grouped(findings.length) });
    noRows.hidden = shown.length > 0;
  }

  const collator = new Intl.Collator(ui.locale, { numeric: true });
  const SEVERITY_RANK = new Map([["error", 0], ["warning", 1], ["info", 2]]);
  const number = (text) => (/^-?\d+(\.\d+)?$/.test(text) ? Number(text) : null);
  const sortValue = {
    severity: (f) => SEVERITY_RANK.get(f.severity) ?? 3,
    submission: (f) => `${f.organisation}\n${f.submission}`,
    sheet: (f) => `${f.sheet}\n${f.cell}`,
    expected: (f) => number(f.expected) ?? f.expected_shown,
    actual: (f) => number(f.actual) ?? f.actual_shown,
    message: (f) => f.message,
    status: (f) => label("status", f.status),
  };
  let sortKey = null;
  let direction = 1;

  function compare(x, y) {
    if (typeof x === "number" && typeof y === "number") return Math.sign(x - y);
    if (typeof x === "number") return -1;
    if (typeof y === "number") return 1;
    return collator.compare(x, y);
  }

  function sortBy(key, way) {
    direction = way ?? (key === sortKey ? -direction : 1);
    sortKey = key;
    const value = sortValue[key] || ((f) => String(f[key]));
    const keyed = roots.map((f) => [value(f), f]);
    // Ties keep the run's order whichever the direction: the sort is stable.
    keyed.sort(([x, a], [y, b]) => compare(x, y) * direction || a.index - b.index);
    order = keyed.map(([, f]) => f);
    for (const th of headers) {
      const active = th.dataset.key === key;
      th.setAttribute("aria-sort", active ? (direction > 0 ? "ascending" : "descending") : "none");
      th.querySelector(".arrow").textContent = active ? (direction > 0 ? "▲" : "▼") : "";
    }
    render();
  }

  const toast = document.getElementById("copied");
  let hideToast;
  function tell(text) {
    toast.textContent = text;
    toast.hidden = false;
    clearTimeout(hideToast);
    hideToast = setTimeout(() => { toast.hidden = true; }, 6000);
  }

  function copyByHand(text) {
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    document.body.append(area);
    area.select();
    let done = false;
    try { done = document.execCommand("copy"); } catch { done = false; }
    area.remove();
    return done;
  }

  async function copy(text) {
    let done = false;
    try {
      await navigator.clipboard.writeText(text);
      done = true;
    } catch {
      done = copyByHand(text);
    }
    tell(fill(done ? ui.copied : ui.copy_failed, { text }));
  }

  tbody.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button) return;
    const f = findings[Number(button.dataset.index)];
    if (button.classList.contains("toggle")) {
      if (expanded.has(f.index)) expanded.delete(f.index); else expanded.add(f.index);
      f.html = null;
      render();
    } else if (button.dataset.copy === "fingerprint") {
      copy(f.fingerprint);
    } else if (button.dataset.copy === "command") {
      copy(fill(ui.command, { fingerprint: f.fingerprint }));
    }
  });

  for (const th of headers) {
    th.querySelector("button").addEventListener("click", () => sortBy(th.dataset.key));
  }
  for (const [, select] of filters) select.addEventListener("change", render);
  let pending;
  search.addEventListener("input", () => {
    clearTimeout(pending);
    pending = setTimeout(() => {
      query = search.value.trim().toLocaleLowerCase(ui.locale);
      render();
    }, 200);
  });
  const organisationFilter = document.getElementById("filter-organisation");
  const organisationRows = [...document.querySelectorAll("#organisations tbody tr")];
  function chooseOrganisation(name) {
    const options = [...organisationFilter.options];
    const index = options.findIndex((o, i) => i > 0 && o.value === name);
    organisationFilter.selectedIndex = Math.max(index, 0);
    for (const row of organisationRows) row.classList.toggle("chosen", index > 0 && row.dataset.organisation === name);
    render();
  }
  for (const row of organisationRows) {
    row.addEventListener("click", () => {
      chooseOrganisation(row.dataset.organisation);
      document.getElementById("findings-heading").scrollIntoView();
    });
  }
  organisationFilter.addEventListener("change", () => {
    for (const row of organisationRows) row.classList.remove("chosen");
  });
  document.getElementById("reset").addEventListener("click", () => {
    for (const [, select] of filters) select.selectedIndex = 0;
    for (const row of organisationRows) row.classList.remove("chosen");
    search.value = "";
    query = "";
    render();
  });

  // Errors first, then warnings and infos; within a severity the run's order.
  sortBy("severity", 1);
  // Reading the layout makes the browser lay the table out now, so the time
  // recorded is the time until the rows are really there.
  void tbody.offsetHeight;
  window.__renderedAt = performance.now();
})();
