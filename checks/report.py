"""The steward's report page: one self-contained HTML file of a run's findings.

The page is opened from a file share (``file://``), so it needs nothing from
the network: its style and script are inline, and a Content-Security-Policy
forbids every fetch and lets run only the page's own script and style (by
their hashes), so a value smuggled in through a submitted workbook cannot run
even if it slipped past escaping. The findings travel as one JSON blob the
script reads once; the rows are built from escaped strings in one
``innerHTML`` assignment, and the browser lays out only the rows on screen,
so a page of ten thousand findings opens in about a second.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pandas as pd

from checks.atomic import write_atomically
from checks.registry import FAMILIES, SEVERITIES
from checks.tables import is_missing, records

LANGUAGES = ("ru", "en")


@dataclass(frozen=True, slots=True)
class Texts:
    """Every fixed text of the page in one language.

    Templates are filled with :meth:`str.format`; the JS fills ``shown`` and
    ``fingerprint`` itself from the embedded JSON.
    """

    #: ``<html lang>``, and the locale the script sorts and lower-cases with.
    locale: str
    title: str
    heading: str
    audit: str
    audit_link: str
    summary: str
    #: ``{files}``, ``{findings}``; then `` ({parts}).`` or ``.``.
    totals: str
    #: ``{waived}``.
    waived: str
    by_severity: tuple[str, tuple[str, str, str]]
    by_family: tuple[str, tuple[str, str, str, str]]
    by_organisation: tuple[str, tuple[str, str, str, str, str]]
    no_organisation: str
    findings: str
    all: str
    search: str
    placeholder: str
    reset: str
    no_rows: str
    #: ``{shown}``, ``{total}`` (filled by the script).
    shown: str
    fingerprint: str
    columns: Mapping[str, str]
    severity: Mapping[str, str]
    family: Mapping[str, str]
    status: Mapping[str, str]
    resubmissions: str
    #: ``{current}``, ``{previous}``, ``{new}``, ``{fixed}``, ``{still}``.
    resubmission: str
    change_columns: tuple[str, str, str, str, str]
    change: Mapping[str, str]


TEXTS: dict[str, Texts] = {
    "ru": Texts(
        locale="ru",
        title="Сверка отчётов: замечания",
        heading="Сверка отчётов о качестве обслуживания: замечания",
        audit="Для аудиторов: ",
        audit_link="отчёт Great Expectations (Data Docs)",
        summary="Итоги",
        totals="Файлов: {files}. Замечаний: {findings}",
        waived=" Из них снято: {waived}.",
        by_severity=("По важности", ("Важность", "всего", "открыто")),
        by_family=(
            "По семействам правил",
            ("Семейство", "ошибки", "предупреждения", "сведения"),
        ),
        by_organisation=(
            "По организациям",
            ("Организация", "файлов", "ошибки", "предупреждения", "сведения"),
        ),
        no_organisation="(не указана)",
        findings="Замечания",
        all="все",
        search="Поиск по тексту",
        placeholder="файл, ячейка, сообщение…",
        reset="Сбросить",
        no_rows="Нет замечаний при выбранных условиях.",
        shown="показано {shown} из {total}",
        fingerprint="Отпечаток: ",
        columns={
            "submission": "Файл",
            "organisation": "Организация",
            "year": "Год",
            "severity": "Важность",
            "family": "Семейство",
            "rule": "Правило",
            "sheet": "Лист",
            "cell": "Ячейка",
            "expected": "Ожидалось",
            "actual": "Указано",
            "message": "Сообщение",
            "status": "Статус",
        },
        severity={"error": "Ошибка", "warning": "Предупреждение", "info": "Сведение"},
        family={
            "structure": "Структура",
            "passport": "Паспорт",
            "total": "Итоги",
            "share": "Доли",
            "time-format": "Формат времени",
            "time-sum": "Сумма времени",
            "average": "Средние",
            "completeness": "Полнота",
            "norm": "Нормативы",
            "schedule": "Режим работы",
            "measures": "Мероприятия",
        },
        status={"open": "открыто", "waived": "снято"},
        resubmissions="Повторно присланные отчёты",
        resubmission=(
            "{current} заменяет {previous}: новых {new}, исправлено {fixed}, осталось {still}"
        ),
        change_columns=("Изменение", "Правило", "Лист", "Ячейка", "Сообщение"),
        change={"new": "новое", "fixed": "исправлено", "still": "осталось"},
    ),
    "en": Texts(
        locale="en",
        title="Report check: findings",
        heading="Service quality report check: findings",
        audit="For auditors: ",
        audit_link="Great Expectations report (Data Docs)",
        summary="Summary",
        totals="Files: {files}. Findings: {findings}",
        waived=" Waived: {waived}.",
        by_severity=("By severity", ("Severity", "total", "open")),
        by_family=("By rule family", ("Family", "errors", "warnings", "infos")),
        by_organisation=(
            "By organisation",
            ("Organisation", "files", "errors", "warnings", "infos"),
        ),
        no_organisation="(not stated)",
        findings="Findings",
        all="all",
        search="Search text",
        placeholder="file, cell, message…",
        reset="Reset",
        no_rows="No findings match the chosen filters.",
        shown="showing {shown} of {total}",
        fingerprint="Fingerprint: ",
        columns={
            "submission": "File",
            "organisation": "Organisation",
            "year": "Year",
            "severity": "Severity",
            "family": "Family",
            "rule": "Rule",
            "sheet": "Sheet",
            "cell": "Cell",
            "expected": "Expected",
            "actual": "Stated",
            "message": "Message",
            "status": "Status",
        },
        severity={"error": "Error", "warning": "Warning", "info": "Info"},
        family={
            "structure": "Structure",
            "passport": "Passport",
            "total": "Totals",
            "share": "Shares",
            "time-format": "Time format",
            "time-sum": "Time sums",
            "average": "Averages",
            "completeness": "Completeness",
            "norm": "Norms",
            "schedule": "Opening hours",
            "measures": "Measures",
        },
        status={"open": "open", "waived": "waived"},
        resubmissions="Resubmitted reports",
        resubmission=(
            "{current} replaces {previous}: new {new}, fixed {fixed}, still there {still}"
        ),
        change_columns=("Change", "Rule", "Sheet", "Cell", "Message"),
        change={"new": "new", "fixed": "fixed", "still": "still there"},
    ),
}
# The Russian tables under their old names.
SEVERITY_LABELS = TEXTS["ru"].severity
FAMILY_LABELS = TEXTS["ru"].family
STATUS_LABELS = TEXTS["ru"].status
STATUSES = ("open", "waived")
#: What the embedded JSON holds per finding, in this order.
DATA_COLUMNS = (
    "submission",
    "submission_sha256",
    "organisation",
    "year",
    "severity",
    "family",
    "rule",
    "sheet",
    "cell",
    "expected",
    "actual",
    "message",
    "status",
    "fingerprint",
)
#: The findings table's columns, in order (their headers are in :attr:`Texts.columns`).
TABLE_COLUMNS = (
    "submission",
    "organisation",
    "year",
    "severity",
    "family",
    "rule",
    "sheet",
    "cell",
    "expected",
    "actual",
    "message",
    "status",
)
NO_ORGANISATION = TEXTS["ru"].no_organisation
_DIGITS = re.compile(r"(\d+)")

_CSS = """
:root { color-scheme: light; --line: #d0d4da; --muted: #5b6470; }
* { box-sizing: border-box; }
body { margin: 0; padding: 1rem 1.5rem; font: 14px/1.4 system-ui, "Segoe UI", Arial, sans-serif;
  color: #1b1f24; background: #fff; }
h1 { font-size: 1.4rem; margin: 0 0 .25rem; }
h2 { font-size: 1.1rem; margin: 1.25rem 0 .5rem; }
h3 { font-size: 1rem; margin: 0 0 .25rem; }
.run, .audit { color: var(--muted); margin: .25rem 0; }
.totals { font-size: 1.05rem; }
.summary-tables { display: flex; flex-wrap: wrap; gap: 1.5rem; align-items: flex-start; }
table { border-collapse: collapse; }
.summary-tables td, .summary-tables th { border: 1px solid var(--line); padding: .2rem .5rem; }
.summary-tables td.n { text-align: right; font-variant-numeric: tabular-nums; }
.controls { display: flex; flex-wrap: wrap; gap: .75rem; align-items: end; margin: .5rem 0; }
.controls label { display: flex; flex-direction: column; font-size: .85rem; color: var(--muted); }
.controls select, .controls input { font: inherit; padding: .2rem; max-width: 22rem; }
#shown-count { font-weight: 600; margin-left: auto; }
/* Each row is a grid of the same columns rather than a table row: the browser
   then lays out only the rows on screen (content-visibility), and ten thousand
   rows open in a fraction of the time a table layout takes. */
#findings, #findings thead, #findings tbody { display: block; min-width: 96rem; }
#findings tr { display: grid; border-bottom: 1px solid var(--line);
  grid-template-columns: 9.5rem 8.5rem 3.75rem 10.5rem 7.5rem 8rem 7rem 4.5rem 7rem 6.5rem
    minmax(18rem, 1fr) 5.5rem; }
#findings tbody tr { content-visibility: auto; contain-intrinsic-size: auto 4.5rem; }
#findings th, #findings td { padding: .25rem .35rem; text-align: left; overflow-wrap: break-word;
  min-width: 0; }
#findings thead { position: sticky; top: 0; z-index: 1; background: #eef1f5; }
#findings th button { all: unset; cursor: pointer; display: block; width: 100%; font-weight: 600; }
#findings th button:focus-visible { outline: 2px solid #1f5fbf; }
.arrow { margin-left: .2em; }
tr[data-status="waived"] td { color: var(--muted); }
.badge { display: inline-block; padding: 0 .3rem; font-size: .9em; border-radius: .25rem;
  border: 1px solid; font-weight: 600; }
.sev-error { background: #fde4e4; color: #8b0000; border-color: #d98c8c; }
.sev-error::before { content: "✖ "; }
.sev-warning { background: #fff1c2; color: #5c4100; border-color: #d6b44a; }
.sev-warning::before { content: "▲ "; }
.sev-info { background: #e3edfb; color: #17407a; border-color: #8fb0df; }
.sev-info::before { content: "● "; }
#no-rows { color: var(--muted); }
""".strip()

_JS = """
"use strict";
(() => {
  const data = JSON.parse(document.getElementById("report-data").textContent);
  const annotated = new Map(Object.entries(data.annotated));
  const ui = data.labels;
  const labels = {
    severity: new Map(Object.entries(data.labels.severity)),
    family: new Map(Object.entries(data.labels.family)),
    status: new Map(Object.entries(data.labels.status)),
  };
  const headers = [...document.querySelectorAll("#findings thead th")];
  const keys = headers.map((th) => th.dataset.key);
  const findings = data.rows.map((values, index) => {
    const f = { index };
    data.columns.forEach((name, j) => { f[name] = values[j]; });
    f.shown = {};
    for (const key of keys) {
      const value = f[key] === null ? "" : String(f[key]);
      f.shown[key] = labels[key] ? labels[key].get(value) || value : value;
    }
    f.haystack = [...Object.values(f.shown), f.fingerprint]
      .join("\\n")
      .toLocaleLowerCase(ui.locale);
    return f;
  });

  const ESC = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
  const esc = (value) => String(value).replace(/[&<>"']/g, (c) => ESC[c]);
  const BADGE = new Map([["error", "sev-error"], ["warning", "sev-warning"], ["info", "sev-info"]]);

  function cellHtml(f, key) {
    const text = esc(f.shown[key]);
    if (key === "submission") {
      const title = `title="SHA-256: ${esc(f.submission_sha256)}"`;
      const href = annotated.get(f.submission);
      return href === undefined
        ? `<td role="cell" ${title}>${text}</td>`
        : `<td role="cell" ${title}><a href="${esc(href)}">${text}</a></td>`;
    }
    if (key === "severity") {
      const badge = BADGE.get(f.severity) || "";
      return `<td role="cell"><span class="badge ${badge}">${text}</span></td>`;
    }
    if (key === "status" && f.fingerprint) {
      return `<td role="cell" title="${esc(ui.fingerprint + f.fingerprint)}">${text}</td>`;
    }
    return `<td role="cell">${text}</td>`;
  }

  function rowHtml(f) {
    const attributes = ["severity", "family", "organisation", "status"]
      .map((name) => `data-${name}="${esc(f[name])}"`).join(" ");
    return `<tr role="row" ${attributes}>${keys.map((key) => cellHtml(f, key)).join("")}</tr>`;
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
  let order = findings;

  function render() {
    const shown = order.filter(matches);
    tbody.innerHTML = shown.map((f) => f.html || (f.html = rowHtml(f))).join("");
    shownCount.textContent = ui.shown
      .replace("{shown}", String(shown.length))
      .replace("{total}", String(findings.length));
    noRows.hidden = shown.length > 0;
  }

  const collator = new Intl.Collator(ui.locale, { numeric: true });
  const SEVERITY_RANK = new Map([["error", 0], ["warning", 1], ["info", 2]]);
  const sortValue = {
    year: (f) => (f.year === null ? Infinity : f.year),
    severity: (f) => SEVERITY_RANK.get(f.severity) ?? 3,
  };
  let sortKey = null;
  let direction = 1;

  function sortBy(key) {
    direction = key === sortKey ? -direction : 1;
    sortKey = key;
    const value = sortValue[key] || ((f) => f.shown[key]);
    const keyed = findings.map((f) => [value(f), f]);
    // Ties keep the run's order whichever the direction: the sort is stable.
    keyed.sort(([x, a], [y, b]) => {
      const c = typeof x === "number" ? Math.sign(x - y) || 0 : collator.compare(x, y);
      return c * direction || a.index - b.index;
    });
    order = keyed.map(([, f]) => f);
    for (const th of headers) {
      const active = th.dataset.key === key;
      const way = direction > 0 ? "ascending" : "descending";
      th.setAttribute("aria-sort", active ? way : "none");
      th.querySelector(".arrow").textContent = active ? (direction > 0 ? "▲" : "▼") : "";
    }
    render();
  }

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
  document.getElementById("reset").addEventListener("click", () => {
    for (const [, select] of filters) select.selectedIndex = 0;
    search.value = "";
    query = "";
    render();
  });

  render();
  // Reading the layout makes the browser lay the table out now, so the time
  // recorded is the time until the rows are really there.
  void tbody.offsetHeight;
  window.__renderedAt = performance.now();
})();
""".strip()


def _text(value: Any) -> str:
    return "" if is_missing(value) else str(value)


def _year(value: Any) -> int | None:
    return None if is_missing(value) else int(value)


def _rows(findings: pd.DataFrame) -> list[list[str | int | None]]:
    """Turn the findings into the JSON's rows, in :data:`DATA_COLUMNS` order."""
    rows: list[list[str | int | None]] = []
    for row in records(findings):
        status = _text(row.get("status")) or "open"
        values: list[str | int | None] = []
        for column in DATA_COLUMNS:
            if column == "year":
                values.append(_year(row.get("year")))
            elif column == "status":
                values.append(status)
            else:
                values.append(_text(row.get(column)))
        rows.append(values)
    return rows


def _href(relative: str) -> str:
    """Make a relative path a link that a name with spaces, ``#`` or ``?`` cannot break."""
    return quote(relative.replace("\\", "/"), safe="/")


def _json_blob(payload: Mapping[str, Any]) -> str:
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    # Inside <script> only "</" (end tag) and "<!--" can end or confuse the
    # element; "\\u003c" is JSON's own escape for "<", so no "<" is left at all.
    return text.replace("<", "\\u003c")


def _csp_hash(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def _by_name(name: str) -> tuple[bool, list[str | int]]:
    """Sort key of organisation names: numbers by value (№2 before №10), unnamed last."""
    parts: list[str | int] = [
        int(part) if i % 2 else part.casefold() for i, part in enumerate(_DIGITS.split(name))
    ]
    return (name == "", parts)


def _ordered(values: Iterable[str], canonical: Iterable[str]) -> list[str]:
    """Order values: the canonical ones first in canonical order, then the rest sorted."""
    present = set(values)
    known = [v for v in canonical if v in present]
    return known + sorted(present - set(known))


def _options(
    values: list[str], counts: Counter[str], label: Callable[[str], str], everything: str
) -> str:
    options = [f'<option value="">{html.escape(everything)}</option>']
    for value in values:
        text = f"{label(value)} ({counts[value]})"
        options.append(f'<option value="{html.escape(value)}">{html.escape(text)}</option>')
    return "".join(options)


def _filter(key: str, title: str, options: str) -> str:
    return (
        f'<label for="filter-{key}">{html.escape(title)}'
        f'<select id="filter-{key}">{options}</select></label>'
    )


def _table(caption: str, header: Iterable[str], body: Iterable[Iterable[str | int]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    lines = []
    for cells in body:
        tds = "".join(
            f'<td class="n">{c}</td>' if isinstance(c, int) else f"<td>{html.escape(c)}</td>"
            for c in cells
        )
        lines.append(f"<tr>{tds}</tr>")
    return (
        f"<div><h3>{html.escape(caption)}</h3><table><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(lines)}</tbody></table></div>"
    )


def _summary(rows: list[list[str | int | None]], submissions: pd.DataFrame, t: Texts) -> str:
    column = {name: i for i, name in enumerate(DATA_COLUMNS)}
    severity = Counter(str(r[column["severity"]]) for r in rows)
    still_open = Counter(str(r[column["severity"]]) for r in rows if r[column["status"]] == "open")
    by_family: Counter[tuple[str, str]] = Counter(
        (str(r[column["family"]]), str(r[column["severity"]])) for r in rows
    )
    by_organisation: Counter[tuple[str, str]] = Counter(
        (str(r[column["organisation"]]), str(r[column["severity"]])) for r in rows
    )
    files = Counter(_text(o) for o in submissions["organisation"])
    severities = _ordered(severity, SEVERITIES)
    families = _ordered((f for f, _ in by_family), FAMILIES)
    organisations = sorted(set(files) | {o for o, _ in by_organisation}, key=_by_name)
    waived = len(rows) - still_open.total()
    parts = ", ".join(f"{t.severity.get(s, s).lower()}: {severity[s]}" for s in severities)
    totals = t.totals.format(files=len(submissions), findings=len(rows))
    totals += f" ({parts})." if parts else "."
    if waived:
        totals += t.waived.format(waived=waived)
    tables = [
        _table(
            t.by_severity[0],
            t.by_severity[1],
            [[t.severity.get(s, s), severity[s], still_open[s]] for s in severities],
        ),
        _table(
            t.by_family[0],
            t.by_family[1],
            [[t.family.get(f, f), *(by_family[f, s] for s in SEVERITIES)] for f in families],
        ),
        _table(
            t.by_organisation[0],
            t.by_organisation[1],
            [
                [o or t.no_organisation, files[o], *(by_organisation[o, s] for s in SEVERITIES)]
                for o in organisations
            ],
        ),
    ]
    return (
        f'<section id="summary"><h2>{html.escape(t.summary)}</h2>'
        f'<p class="totals">{html.escape(totals)}</p>'
        f'<div class="summary-tables">{"".join(tables)}</div></section>'
    )


def _controls(rows: list[list[str | int | None]], t: Texts) -> str:
    column = {name: i for i, name in enumerate(DATA_COLUMNS)}

    def counts(name: str) -> Counter[str]:
        return Counter(str(r[column[name]]) for r in rows)

    organisations, severities = counts("organisation"), counts("severity")
    families, statuses = counts("family"), counts("status")
    by_name = sorted(organisations, key=_by_name)
    filters = [
        _filter(
            "organisation",
            t.columns["organisation"],
            _options(by_name, organisations, lambda o: o or t.no_organisation, t.all),
        ),
        _filter(
            "severity",
            t.columns["severity"],
            _options(
                _ordered(severities, SEVERITIES),
                severities,
                lambda s: t.severity.get(s, s),
                t.all,
            ),
        ),
        _filter(
            "family",
            t.columns["family"],
            _options(_ordered(families, FAMILIES), families, lambda f: t.family.get(f, f), t.all),
        ),
        _filter(
            "status",
            t.columns["status"],
            _options(_ordered(statuses, STATUSES), statuses, lambda s: t.status.get(s, s), t.all),
        ),
    ]
    return (
        '<div class="controls">'
        + "".join(filters)
        + f'<label for="search">{html.escape(t.search)}<input id="search" type="search" '
        f'placeholder="{html.escape(t.placeholder)}" autocomplete="off"></label>'
        f'<button id="reset" type="button">{html.escape(t.reset)}</button>'
        '<span id="shown-count" aria-live="polite"></span></div>'
    )


def _resubmissions(changes: pd.DataFrame | None, t: Texts) -> str:
    """The section on resubmitted reports: per new version, what changed since the previous."""
    if changes is None or changes.empty:
        return ""
    parts = [f'<section id="resubmissions"><h2>{html.escape(t.resubmissions)}</h2>']
    for (current, previous), group in changes.groupby(["submission", "previous"], sort=True):
        counted = Counter(str(c) for c in group["change"])
        heading = t.resubmission.format(
            current=current,
            previous=previous,
            new=counted["new"],
            fixed=counted["fixed"],
            still=counted["still"],
        )
        body = [
            [
                t.change.get(str(r["change"]), str(r["change"])),
                _text(r["rule"]),
                _text(r["sheet"]),
                _text(r["cell"]),
                _text(r["message"]),
            ]
            for r in group.sort_values(["change", "sheet"]).to_dict("records")
        ]
        parts.append(_table(heading, t.change_columns, body))
    parts.append("</section>")
    return "".join(parts)


def _findings_table(t: Texts) -> str:
    heads = "".join(
        f'<th data-key="{key}" role="columnheader" aria-sort="none"><button type="button">'
        f'{html.escape(t.columns[key])}<span class="arrow"></span></button></th>'
        for key in TABLE_COLUMNS
    )
    return (
        f'<table id="findings" role="table">'
        f'<thead role="rowgroup"><tr role="row">{heads}</tr></thead>'
        '<tbody role="rowgroup"></tbody></table>'
        f'<p id="no-rows" hidden>{html.escape(t.no_rows)}</p>'
    )


def render_report(
    findings: pd.DataFrame,
    submissions: pd.DataFrame,
    out: Path,
    annotated: Mapping[str, str] | None = None,
    *,
    data_docs: str | None = None,
    run_label: str = "",
    changes: pd.DataFrame | None = None,
    lang: str = "ru",
) -> Path:
    """Write the steward's report page, ``out / "report.html"``.

    One self-contained file, in Russian or English: the run's summary
    (submissions, findings by severity, family and organisation), then every
    finding in a table with filters, a text search and sortable columns. It
    loads nothing from the network, so it opens from a file share.

    Args:
        findings: The run's findings: the contract's columns, ``organisation``
            and ``year``; ``fingerprint`` and ``status`` (``open``/``waived``)
            when there (a missing status counts as ``open``). Messages are
            shown as given, so pass them in the page's language.
        submissions: The submissions table (``checks.batch.SUBMISSION_COLUMNS``).
        out: The run's output folder; links are relative to it.
        annotated: Submission → its annotated workbook, relative to ``out``.
        data_docs: Relative link to the Great Expectations Data Docs, for auditors.
        run_label: Which run this is (date, time), shown under the heading.
        changes: Per resubmission, the findings new, fixed and still there
            (``checks.resubmissions.CHANGE_COLUMNS``); a section lists them.
        lang: The page's language, ``"ru"`` or ``"en"`` (:data:`LANGUAGES`).

    Returns:
        The path of the page written.

    Raises:
        ValueError: ``lang`` is not one of :data:`LANGUAGES`.
    """
    if lang not in TEXTS:
        raise ValueError(f"unknown language {lang!r}: expected one of {', '.join(LANGUAGES)}")
    t = TEXTS[lang]
    rows = _rows(findings)
    payload = {
        "columns": list(DATA_COLUMNS),
        "rows": rows,
        "annotated": {name: _href(path) for name, path in (annotated or {}).items()},
        "labels": {
            "locale": t.locale,
            "shown": t.shown,
            "fingerprint": t.fingerprint,
            "severity": dict(t.severity),
            "family": dict(t.family),
            "status": dict(t.status),
        },
    }
    csp = "; ".join(
        (
            "default-src 'none'",
            f"script-src {_csp_hash(_JS)}",
            f"style-src {_csp_hash(_CSS)}",
            "img-src data:",
            "base-uri 'none'",
            "form-action 'none'",
        )
    )
    title = t.title + (f" — {run_label}" if run_label else "")
    run = f'<p class="run">{html.escape(run_label)}</p>' if run_label else ""
    audit = (
        f'<p class="audit">{html.escape(t.audit)}'
        f'<a href="{html.escape(_href(data_docs))}">{html.escape(t.audit_link)}</a></p>'
        if data_docs
        else ""
    )
    page = "\n".join(
        (
            "<!DOCTYPE html>",
            f'<html lang="{t.locale}">',
            "<head>",
            '<meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{csp}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            '<link rel="icon" href="data:,">',
            f"<title>{html.escape(title)}</title>",
            f"<style>{_CSS}</style>",
            "</head>",
            "<body>",
            f"<h1>{html.escape(t.heading)}</h1>",
            run,
            audit,
            _summary(rows, submissions, t),
            _resubmissions(changes, t),
            f"<h2>{html.escape(t.findings)}</h2>",
            _controls(rows, t),
            _findings_table(t),
            f'<script type="application/json" id="report-data">{_json_blob(payload)}</script>',
            f"<script>{_JS}</script>",
            "</body>",
            "</html>",
            "",
        )
    )
    path = out / "report.html"
    data = page.encode("utf-8", errors="replace")

    def write(target: Path) -> None:
        target.write_bytes(data)

    write_atomically(path, write)
    return path
