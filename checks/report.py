"""The steward's report page: one self-contained HTML file of a run's findings.

The page is opened from a file share (``file://``), so it needs nothing from
the network: its style and script are inline, and a Content-Security-Policy
forbids every fetch and lets run only the page's own script and style (by
their hashes), so a value smuggled in through a submitted workbook cannot run
even if it slipped past escaping. The findings travel as one JSON blob the
script reads once; the rows are built from escaped strings in one
``innerHTML`` assignment, and the browser lays out only the rows on screen,
so a page of ten thousand findings opens in about a second.

The page's markup, style, script and texts are files in ``checks/templates/``
(``report.html.j2``, ``report.css``, ``report.js``, ``texts.toml``); this
module only computes what they show. Jinja2 escapes every value it fills in.

What the steward sees first: errors, then warnings, then infos (within a
severity, the run's order: file, sheet, cell); a finding that follows from
another (its ``cause`` names the other's fingerprint) is folded under its
root, and every count leads with the roots. Waived findings stay listed, with
who waived them, why and until when, and are counted apart everywhere.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
import pandas as pd
from markupsafe import Markup

from checks.atomic import write_atomically
from checks.present import (
    LANGUAGES,
    group_digits,
    root_indices,
    shown_value,
    texts,
    unbroken,
)
from checks.registry import FAMILIES, SEVERITIES
from checks.tables import is_missing, records

__all__ = ["DATA_COLUMNS", "LANGUAGES", "TABLE_COLUMNS", "render_report"]

STATUSES = ("open", "waived")
#: What the embedded JSON holds per finding, in this order. ``*_shown`` are
#: ``expected``/``actual`` as the page shows them; ``root_index`` is the row
#: of the root a follow-on is folded under (``None`` for a root).
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
    "cause",
    "waived_by",
    "waived_reason",
    "waived_until",
    "expected_shown",
    "actual_shown",
    "root_index",
)
#: The findings table's columns, in order (their headers are in ``texts.toml``,
#: ``columns``). Organisation, file and year share a column, as do sheet and
#: cell; family and rule are written under the message: the table fits a
#: 1366 px screen without scrolling sideways.
TABLE_COLUMNS = ("severity", "submission", "sheet", "expected", "actual", "message", "status")
_DIGITS = re.compile(r"(\d+)")
_TEMPLATES = "templates"


def _text(value: Any) -> str:
    return "" if is_missing(value) else str(value)


def _year(value: Any) -> int | None:
    return None if is_missing(value) else int(value)


@dataclass(frozen=True, slots=True)
class _Row:
    """One finding as the summary counts it."""

    organisation: str
    severity: str
    family: str
    status: str
    root: bool


def _rows(findings: pd.DataFrame) -> tuple[list[list[str | int | None]], list[_Row]]:
    """Turn the findings into the JSON's rows (:data:`DATA_COLUMNS`) and the summary's."""
    plain = records(findings)
    causes = [_text(row.get("cause")) for row in plain]
    roots = root_indices([_text(row.get("fingerprint")) for row in plain], causes)
    rows: list[list[str | int | None]] = []
    counted: list[_Row] = []
    for row, root in zip(plain, roots, strict=True):
        status = _text(row.get("status")) or "open"
        rule, family = _text(row.get("rule")), _text(row.get("family"))
        values: list[str | int | None] = []
        for column in DATA_COLUMNS:
            if column == "year":
                values.append(_year(row.get("year")))
            elif column == "status":
                values.append(status)
            elif column in ("expected_shown", "actual_shown"):
                values.append(shown_value(row.get(column.removesuffix("_shown")), rule, family))
            elif column == "root_index":
                values.append(root)
            else:
                values.append(_text(row.get(column)))
        rows.append(values)
        counted.append(
            _Row(
                _text(row.get("organisation")),
                _text(row.get("severity")),
                family,
                status,
                root is None,
            )
        )
    return rows, counted


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


@functools.cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("checks", _TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


@functools.cache
def _asset(name: str) -> str:
    """The text of a template file (the page's style or script)."""
    return (resources.files("checks") / _TEMPLATES / name).read_text(encoding="utf-8")


def _n(count: int) -> str:
    return group_digits(str(count))


class _Tally:
    """The summary's counts: open roots by severity, open follow-ons, waived."""

    def __init__(self, rows: list[_Row]) -> None:
        self.roots: Counter[tuple[str, str, str]] = Counter()
        self.follow: Counter[tuple[str, str]] = Counter()
        self.waived: Counter[tuple[str, str]] = Counter()
        for r in rows:
            for axis, key in (("s", r.severity), ("f", r.family), ("o", r.organisation)):
                if r.status == "waived":
                    self.waived[axis, key] += 1
                elif r.root:
                    self.roots[axis, key, r.severity] += 1
                else:
                    self.follow[axis, key] += 1
        self.with_follow = any(not r.root for r in rows)

    def open(self, axis: str, key: str, severity: str) -> int:
        return self.roots[axis, key, severity]

    def tail(self, axis: str, key: str) -> list[str]:
        """The follow-on (when any) and waived counts of a row, formatted."""
        counts = [self.follow[axis, key]] if self.with_follow else []
        return [_n(c) for c in (*counts, self.waived[axis, key])]


def _summary(rows: list[_Row], submissions: pd.DataFrame, t: Mapping[str, Any]) -> dict[str, Any]:
    tally = _Tally(rows)
    open_roots = {s: tally.open("s", s, s) for s in SEVERITIES}
    follow = sum(1 for r in rows if r.status != "waived" and not r.root)
    waived = sum(1 for r in rows if r.status == "waived")
    parts = [t["files"].format(files=_n(len(submissions)))]
    if not rows:
        parts.append(t["none"])
    else:
        line = t["open"].format(open=_n(sum(open_roots.values())))
        line += t["open_parts"].format(**{s: _n(n) for s, n in open_roots.items()})
        if follow:
            line += t["follow_ons"].format(follow=_n(follow))
        parts.append(line + ".")
        if waived:
            parts.append(t["waived"].format(waived=_n(waived)))
    severities = [
        {
            "label": t["severity"].get(s, s),
            "counts": [_n(tally.open("s", s, s)), *tally.tail("s", s)],
        }
        for s in _ordered((r.severity for r in rows), SEVERITIES)
    ]
    families = [
        {
            "label": t["family"].get(f, f),
            "counts": [_n(tally.open("f", f, s)) for s in SEVERITIES] + tally.tail("f", f),
        }
        for f in _ordered((r.family for r in rows), FAMILIES)
    ]
    files = Counter(_text(o) for o in submissions["organisation"])
    found = {r.organisation for r in rows}

    def worst_first(name: str) -> tuple[Any, ...]:
        opened = [-tally.open("o", name, s) for s in SEVERITIES]
        return (*opened, -tally.follow["o", name], -tally.waived["o", name], _by_name(name))

    organisations = [
        {
            "value": o,
            "label": o or t["no_organisation"],
            "counts": [
                _n(files[o]),
                *(_n(tally.open("o", o, s)) for s in SEVERITIES),
                *tally.tail("o", o),
            ],
        }
        for o in sorted(found, key=worst_first)
    ]
    clean = sorted((o for o in files if o not in found), key=_by_name)
    return {
        "totals": " ".join(parts),
        "with_follow": tally.with_follow,
        "severities": severities,
        "families": families,
        "organisations": organisations,
        "clean": [o or t["no_organisation"] for o in clean],
        "clean_summary": t["clean"].format(count=_n(len(clean))),
    }


def _filters(rows: list[_Row], t: Mapping[str, Any]) -> list[dict[str, Any]]:
    def options(values: Iterable[str], order: list[str], label: Mapping[str, str]) -> list[Any]:
        counts = Counter(values)
        return [
            {"value": v, "label": f"{label.get(v, v) or t['no_organisation']} ({_n(counts[v])})"}
            for v in order
        ]

    organisations = sorted({r.organisation for r in rows}, key=_by_name)
    return [
        {
            "key": "organisation",
            "title": t["columns"]["organisation"],
            "options": options((r.organisation for r in rows), organisations, {}),
        },
        {
            "key": "severity",
            "title": t["columns"]["severity"],
            "options": options(
                (r.severity for r in rows),
                _ordered((r.severity for r in rows), SEVERITIES),
                t["severity"],
            ),
        },
        {
            "key": "family",
            "title": t["columns"]["family"],
            "options": options(
                (r.family for r in rows),
                _ordered((r.family for r in rows), FAMILIES),
                t["family"],
            ),
        },
        {
            "key": "status",
            "title": t["columns"]["status"],
            "options": options(
                (r.status for r in rows),
                _ordered((r.status for r in rows), STATUSES),
                t["status"],
            ),
        },
    ]


def _resubmissions(changes: pd.DataFrame | None, t: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Per new version of a report, what changed since the previous one."""
    if changes is None or changes.empty:
        return []
    parts = []
    for (current, previous), group in changes.groupby(["submission", "previous"], sort=True):
        counted = Counter(str(c) for c in group["change"])
        heading = t["resubmission"].format(
            current=current,
            previous=previous,
            new=_n(counted["new"]),
            fixed=_n(counted["fixed"]),
            still=_n(counted["still"]),
        )
        body = [
            [
                t["change"].get(str(r["change"]), str(r["change"])),
                _text(r["rule"]),
                _text(r["sheet"]),
                _text(r["cell"]),
                unbroken(_text(r["message"])),
            ]
            for r in group.sort_values(["change", "sheet"]).to_dict("records")
        ]
        parts.append({"heading": heading, "rows": body})
    return parts


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

    One self-contained file, in Russian or English: the run's summary (open
    findings by severity, family and organisation, the organisations with the
    most open errors first, each row a filter; waived findings and findings
    that follow from another counted apart), then every finding, errors
    first, with filters, a text search, sortable columns, who waived what,
    and buttons that copy a finding's fingerprint and a ready ``sverka
    waive`` command. It loads nothing from the network, so it opens from a
    file share.

    Args:
        findings: The run's findings: the contract's columns, ``organisation``
            and ``year``; ``fingerprint``, ``status`` (``open``/``waived``),
            ``waived_by``/``waived_reason``/``waived_until`` and ``cause``
            when there (a missing status counts as ``open``, a missing cause
            makes every finding a root). Messages are shown as given, so pass
            them in the page's language.
        submissions: The submissions table (``checks.batch.SUBMISSION_COLUMNS``).
        out: The run's output folder; links are relative to it.
        annotated: Submission → its annotated workbook, relative to ``out``.
        data_docs: Relative link to the Great Expectations Data Docs, for auditors.
        run_label: Which run this is (date, time, run id), shown under the heading.
        changes: Per resubmission, the findings new, fixed and still there
            (``checks.resubmissions.CHANGE_COLUMNS``); a section lists them.
        lang: The page's language, ``"ru"`` or ``"en"`` (:data:`LANGUAGES`).

    Returns:
        The path of the page written.

    Raises:
        ValueError: ``lang`` is not one of :data:`LANGUAGES`.
    """
    t = texts(lang)
    rows, counted = _rows(findings)
    css, js = _asset("report.css"), _asset("report.js")
    payload = {
        "columns": list(DATA_COLUMNS),
        "rows": rows,
        "annotated": {name: _href(path) for name, path in (annotated or {}).items()},
        "labels": {
            **t["script"],
            "locale": t["locale"],
            "no_organisation": t["no_organisation"],
            "expected": t["columns"]["expected"],
            "actual": t["columns"]["actual"],
            "severity": t["severity"],
            "family": t["family"],
            "status": t["status"],
        },
    }
    csp = "; ".join(
        (
            "default-src 'none'",
            f"script-src {_csp_hash(js)}",
            f"style-src {_csp_hash(css)}",
            "img-src data:",
            "base-uri 'none'",
            "form-action 'none'",
        )
    )
    page = (
        _environment()
        .get_template("report.html.j2")
        .render(
            t=t,
            csp=Markup(csp),  # noqa: S704 (hashes and keywords of our own)
            title=t["title"] + (f" — {run_label}" if run_label else ""),
            run_label=run_label,
            data_docs=_href(data_docs) if data_docs else "",
            css=Markup(css),  # noqa: S704 (our own file, hashed into the policy)
            js=Markup(js),  # noqa: S704
            data=Markup(_json_blob(payload)),  # noqa: S704 (JSON with every "<" escaped)
            columns=TABLE_COLUMNS,
            filters=_filters(counted, t),
            resubmissions=_resubmissions(changes, t),
            **_summary(counted, submissions, t),
        )
    )
    path = out / "report.html"
    data = page.encode("utf-8", errors="replace")

    def write(target: Path) -> None:
        target.write_bytes(data)

    write_atomically(path, write)
    return path
