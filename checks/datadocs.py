"""The Data Docs index an auditor opens: every check of a run, readable offline.

Great Expectations writes one page per validation result under
``<data_docs>/validations/``; those pages show their content without the
network but take their styles and scripts from the web, and its own
``index.html`` builds its list with scripts from the web, so offline it shows
an empty page. This module replaces that index with a page of our own, with
no scripts and no external resources: for each phase of the run (the rules,
then the published tables), each suite with its rows, each expectation with
its rule id, its meaning and its result, and a link to Great Expectations'
page; then the pandera checks with their rule ids and what they mean.

What a phase found is kept in ``<data_docs>/sverka-manifest.json`` so that
the second phase's index still lists the first one's results.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandera.pandas as pa

from checks.atomic import write_atomically
from checks.registry import RULES
from checks.rules import completeness, passport, share, structure, time_format

if TYPE_CHECKING:
    from checks.engines import Outcome, Suite

MANIFEST = "sverka-manifest.json"
INDEX = "index.html"
PHASES = {
    "rules": "Правила: сверка указанных чисел (Great Expectations)",
    "published": "Договор опубликованных таблиц validated/ (Great Expectations)",
}
#: The pandera models, in the order the run applies them, with the table each checks.
PANDERA_MODELS: tuple[tuple[type[pa.DataFrameModel], str], ...] = (
    (structure.CountFigures, "числа (количества) листов «Обращения» и «Жалобы»"),
    (passport.Passports, "паспорта (лист «Паспорт»)"),
    (time_format.DurationFigures, "длительности листа «Время»"),
    (completeness.TimeRows, "строки листа «Время»"),
    (share.ShareFigures, "доли листа «Жалобы»"),
)
#: What each pandera check means, in Russian, by rule id.
PANDERA_MEANINGS = {
    "count-invalid": "количество читается как целое число не меньше нуля",
    "passport-required": "в паспорте указаны организация и отчётный год",
    "passport-year": "отчётный год — целый год от 2000 до 2100",
    "passport-inn": "ИНН из 10 или 12 цифр с верными контрольными цифрами",
    "passport-date": "дата представления читается как дата",
    "time-unparsed": "длительность записана в одной из форм договора",
    "time-out-of-range": "длительность не меньше нуля; при очном обслуживании, в контакт-центре "
    "и онлайн-ЦОК — меньше 24 часов",
    "time-two-part": "двухчастное «м:сс» не смешано в столбце с «ч:мм:сс»",
    "period-duplicate": "период, канал и территория указаны один раз",
    "share-invalid": "доля читается как число от 0 до 100 %",
}
_STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 1.5rem auto; max-width: 72rem;
       padding: 0 1rem; color: #1a1a1a; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
h3 { font-size: 1.05rem; margin-bottom: .3rem; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem; }
th, td { border: 1px solid #c8c8c8; padding: .3rem .5rem; text-align: left;
         vertical-align: top; }
th { background: #f0f0f0; } code { font-size: .92em; }
.fail { background: #EAAE80; } .ok { background: #e6f2e6; } .muted { color: #555; }
"""


def pandera_checks() -> list[tuple[str, str, str]]:
    """List the pandera checks the run applies.

    Returns:
        (rule id, model name, table it checks), in the order the run applies them.
    """
    out: list[tuple[str, str, str]] = []
    for model, table in PANDERA_MODELS:
        schema = model.to_schema()
        names = [str(c.name) for c in schema.checks]
        for column in schema.columns.values():
            names += [str(c.name) for c in column.checks]
        out += [(name, model.__name__, table) for name in dict.fromkeys(names)]
    return out


def clear_pages(data_docs: Path, suite: str) -> None:
    """Remove a suite's Great Expectations pages of earlier runs.

    Args:
        data_docs: The Data Docs folder.
        suite: The suite's name.
    """
    shutil.rmtree(data_docs / "validations" / suite, ignore_errors=True)
    (data_docs / "expectations" / f"{suite}.html").unlink(missing_ok=True)


def _page(data_docs: Path, suite: str) -> str:
    pages = sorted((data_docs / "validations" / suite).glob("**/*.html"))
    return pages[-1].relative_to(data_docs).as_posix() if pages else ""


def record(
    data_docs: Path,
    phase: str,
    run_time: dt.datetime,
    suites: Sequence[Suite],
    outcomes: Sequence[Outcome],
) -> None:
    """Write what a phase found to the manifest, beside the phase's other suites.

    Args:
        data_docs: The Data Docs folder (its pages already built).
        phase: ``rules`` or ``published``.
        run_time: When the phase ran.
        suites: The suites of the phase.
        outcomes: What their expectations found.
    """
    manifest = _read_manifest(data_docs)
    entries = []
    for spec in suites:
        found = [o for o in outcomes if o.suite == spec.name]
        if found:
            expectations = [
                {
                    "rule": o.rule,
                    "description": o.description,
                    "success": o.success,
                    "rows": o.rows,
                    "failing": len(o.failing),
                    "observed": None if o.observed is None else str(o.observed),
                }
                for o in found
            ]
        else:
            expectations = [
                {
                    "rule": str((e.meta or {}).get("rule", "")),
                    "description": str(e.description or ""),
                    "success": None,
                    "rows": 0,
                    "failing": 0,
                    "observed": None,
                }
                for e in spec.expectations
            ]
        entries.append(
            {
                "name": spec.name,
                "title": spec.title,
                "rows": len(spec.table),
                "page": _page(data_docs, spec.name) if found else "",
                "expectations": expectations,
            }
        )
    # A phase run in parts (a large run checks its submissions part by part) adds
    # its suites to those already recorded; a suite run again replaces its entry.
    names = {entry["name"] for entry in entries}
    earlier = [e for e in manifest.get(phase, {}).get("suites", []) if e["name"] not in names]
    manifest[phase] = {
        "run_time": run_time.isoformat(timespec="seconds"),
        "suites": [*earlier, *entries],
    }
    text = json.dumps(manifest, ensure_ascii=False, indent=1)
    write_atomically(data_docs / MANIFEST, lambda p: _write_text(p, text))


def _read_manifest(data_docs: Path) -> dict[str, Any]:
    path = data_docs / MANIFEST
    if not path.exists():
        return {}
    loaded = json.loads(path.read_text(encoding="utf-8"))
    return loaded if isinstance(loaded, dict) else {}


def _meaning(description: str, rule: str) -> str:
    prefix = f"{rule}: "
    return description[len(prefix) :] if description.startswith(prefix) else description


def _result(expectation: Mapping[str, Any]) -> tuple[str, str]:
    rows = expectation["rows"]
    if expectation["success"] is None or rows == 0:
        return "", "не проверялось: нет строк"
    if expectation["success"]:
        return "ok", "выполнено" + (f", строк: {rows}" if rows is not None else "")
    if rows is None:
        return "fail", f"не выполнено: получено {expectation['observed']}"
    return "fail", f"не выполнено: строк {expectation['failing']} из {rows}"


def _phase_html(phase: str, entry: Mapping[str, Any]) -> list[str]:
    e = html.escape
    lines = [
        f"<h2>{e(PHASES.get(phase, phase))}</h2>",
        f"<p class=muted>{e(entry['run_time'])}</p>",
    ]
    for suite in entry["suites"]:
        link = (
            f' — <a href="{e(suite["page"])}">страница Great Expectations</a>'
            if suite["page"]
            else ""
        )
        lines += [
            f"<h3>{e(suite['title'] or suite['name'])}</h3>",
            f"<p>Набор <code>{e(suite['name'])}</code>, строк: {suite['rows']}{link}</p>",
            "<table><tr><th>правило</th><th>что проверяется</th><th>итог</th></tr>",
        ]
        for x in suite["expectations"]:
            css, verdict = _result(x)
            lines.append(
                f"<tr><td><code>{e(x['rule'])}</code></td>"
                f"<td>{e(_meaning(x['description'], x['rule']))}</td>"
                f'<td class="{css}">{e(verdict)}</td></tr>'
            )
        lines.append("</table>")
    return lines


def write_index(data_docs: Path, counts: Mapping[str, int] | None = None) -> Path:
    """Write our own ``index.html`` over Great Expectations' one.

    Args:
        data_docs: The Data Docs folder.
        counts: Rule id → findings of the run, shown beside the pandera
            checks (not shown if ``None``).

    Returns:
        The index page.
    """
    e = html.escape
    manifest = _read_manifest(data_docs)
    lines = [
        "<!doctype html>",
        '<html lang="ru"><head><meta charset="utf-8">',
        "<title>Сверка: проверки Great Expectations и pandera</title>",
        f"<style>{_STYLE}</style></head><body>",
        "<h1>Сверка: проверки Great Expectations и pandera</h1>",
        "<p>Каждая проверка названа идентификатором правила из <code>checks/registry.py</code>. "
        "Строка, не прошедшая проверку, названа файлом, листом и ячейкой "
        "(<code>submission</code>, <code>sheet</code>, <code>cell</code>) на странице Great "
        "Expectations. Эта страница открывается без сети; страницы Great Expectations тоже, "
        "но их оформление загружается из сети: без неё они без стилей, с тем же "
        "содержанием.</p>",
    ]
    for phase in PHASES:
        if phase in manifest:
            lines += _phase_html(phase, manifest[phase])
    head = "<th>найдено в этом запуске</th>" if counts is not None else ""
    lines += [
        "<h2>Проверки pandera: форма и значения таблиц</h2>",
        "<p>Каждая проверка — функция модели pandera с именем правила; "
        "каждая не прошедшая строка — замечание этого правила в discrepancies.csv.</p>",
        "<table><tr><th>правило</th><th>что проверяется</th><th>таблица</th>"
        f"<th>модель</th><th>серьёзность</th>{head}</tr>",
    ]
    for rule_id, model, table in pandera_checks():
        severity = RULES[rule_id].severity if rule_id in RULES else ""
        cell = f"<td>{(counts or {}).get(rule_id, 0)}</td>" if counts is not None else ""
        lines.append(
            f"<tr><td><code>{e(rule_id)}</code></td><td>{e(PANDERA_MEANINGS.get(rule_id, ''))}</td>"
            f"<td>{e(table)}</td><td><code>{e(model)}</code></td><td>{e(severity)}</td>{cell}</tr>"
        )
    lines += ["</table>", "</body></html>", ""]
    text = "\n".join(lines)
    index = data_docs / INDEX
    write_atomically(index, lambda p: _write_text(p, text))
    return index


def _write_text(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
