"""Validating a batch of submissions at once, and the tables a run emits.

All submissions of a run are concatenated into one set of tables and each
engine runs once over them, so the cost of the Great Expectations suite does
not grow with the number of files.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from checks import causes, resubmissions, vocab
from checks.engines import gx_failures, pandera_failures
from checks.findings import Finding, fingerprint, to_frame
from checks.norms import Standard, load_standard
from checks.reader import FIGURE_COLUMNS, Submission, passport_date
from checks.rules import (
    average,
    completeness,
    measures,
    norm,
    passport,
    schedule,
    share,
    structure,
    time_format,
    time_sum,
    total,
)
from checks.tables import Tables
from checks.text import normalize
from checks.values import is_not_reported, stated_text
from checks.waivers import Waiver, mark, review

TIME_ROW_COLUMNS = (
    "submission",
    "month",
    "channel",
    "territory",
    "territory_cell",
    "row",
    "cell",
    "known",
)
PASSPORT_COLUMNS = (
    "submission",
    "has_passport",
    "organisation",
    "organisation_cell",
    "year_stated",
    "year",
    "year_cell",
    "inn",
    "inn_cell",
    "date_stated",
    "date_ok",
    "date_cell",
)
SUBMISSION_COLUMNS = (
    "submission",
    "sha256",
    "organisation",
    "year",
    "inn",
    "errors",
    "warnings",
    "infos",
    "waived",
    "standard",
    "superseded_by",
)


@dataclass(slots=True)
class BatchResult:
    """What a run produces.

    Attributes:
        findings: Every finding, sorted by submission, sheet, cell.
        figures: The tidy figures with ``status`` and ``rules``.
        submissions: One row per file: digest, organisation, year, counts.
        schedules: The rows of ``Режим работы``.
        measures: The rows of ``Мероприятия``.
        changes: Per resubmission, the findings new, fixed and still there.
        history: The findings of every version read, superseded ones included.
        waivers_file: The waivers file applied, as given (``""`` when none was).
    """

    findings: pd.DataFrame
    figures: pd.DataFrame
    submissions: pd.DataFrame
    schedules: pd.DataFrame
    measures: pd.DataFrame
    changes: pd.DataFrame
    history: pd.DataFrame
    waivers_file: str = ""


def _passport_row(sub: Submission) -> dict[str, Any]:
    def value(key: str) -> tuple[str, str]:
        raw, cell = sub.passport.get(key, (None, ""))
        if key == vocab.KEY_INN and isinstance(raw, int | float) and not isinstance(raw, bool):
            text = str(int(raw))
            # Excel drops a leading zero of an INN typed as a number.
            return (text.zfill(10) if len(text) == 9 else text), cell
        # The contract's not-reported markers (``—``, ``н/д``) hold here as everywhere.
        return ("" if is_not_reported(raw) else stated_text(raw).strip()), cell

    organisation, organisation_cell = value(vocab.KEY_ORGANISATION)
    year_stated, year_cell = value(vocab.KEY_YEAR)
    inn, inn_cell = value(vocab.KEY_INN)
    date_stated, date_cell = value(vocab.KEY_SUBMITTED)
    return {
        "submission": sub.source.submission,
        "has_passport": vocab.PASSPORT in sub.sheets,
        "organisation": organisation,
        "organisation_cell": organisation_cell,
        "year_stated": year_stated,
        "year": float(sub.source.year) if sub.source.year is not None else None,
        "year_cell": year_cell,
        "inn": inn,
        "inn_cell": inn_cell,
        "date_stated": date_stated,
        "date_ok": passport_date(sub.passport.get(vocab.KEY_SUBMITTED, (None, ""))[0]) is not None,
        "date_cell": date_cell,
    }


def build_tables(subs: list[Submission], standards: dict[str, Standard] | None = None) -> Tables:
    """Concatenate the submissions' tidy tables.

    Args:
        subs: The submissions read in this run.
        standards: Submission → the service standard that applies to it.

    Returns:
        The batch's tables.
    """
    figures = pd.DataFrame([f for sub in subs for f in sub.figures], columns=list(FIGURE_COLUMNS))
    figures = figures.astype(
        {
            "value": "float64",
            "value_max": "float64",
            "month": "Int64",
            "decimals": "Int64",
            "year": "Int64",
            "known": "bool",
            "row": "int64",
        }
    )
    time_rows = pd.DataFrame(
        [r for sub in subs for r in sub.time_rows], columns=list(TIME_ROW_COLUMNS)
    ).astype({"month": "Int64", "known": "bool"})
    passports = pd.DataFrame([_passport_row(sub) for sub in subs], columns=list(PASSPORT_COLUMNS))
    passports = passports.astype({"year": "float64", "has_passport": "bool", "date_ok": "bool"})
    return Tables(
        figures=figures,
        time_rows=time_rows,
        passports=passports,
        schedules=pd.DataFrame([r for sub in subs for r in sub.schedules]),
        measures=pd.DataFrame([r for sub in subs for r in sub.measures]),
        standards=standards or {},
        sources={sub.source.submission: sub.source for sub in subs},
        territories={sub.source.submission: sub.territories for sub in subs},
        sheets={sub.source.submission: sub.sheets for sub in subs},
    )


def run_rules(
    tables: Tables, data_docs: Path | None = None, read: list[Finding] | None = None
) -> list[Finding]:
    """Apply every rule family to the batch, then link follow-ons to their roots.

    Args:
        tables: The batch.
        data_docs: Where to build the Great Expectations Data Docs, if anywhere.
        read: The reader's findings (unknown labels and the like), which
            the rules' findings may follow from.

    Returns:
        The reader's findings and the rules', each with its ``cause``
        (see :mod:`checks.causes`), ``total-culprit`` roots added.
    """
    found: list[Finding] = list(read or [])
    for family in (structure, passport, time_format, completeness):
        frame = family.select(tables)
        found += family.findings(frame, pandera_failures(_model(family), frame), tables)
    shares_frame = share.select(tables)
    found += share.domain_findings(
        shares_frame, pandera_failures(share.ShareFigures, shares_frame), tables
    )
    share_tables, unverifiable = share.comparisons(tables)
    found += unverifiable
    comparison = {
        total.TABLE: total.comparisons(tables),
        time_sum.TABLE: time_sum.comparisons(tables),
        average.TABLE: average.comparisons(tables),
        **share_tables,
    }
    suites = [
        total.suite(comparison[total.TABLE], tables),
        time_sum.suite(comparison[time_sum.TABLE]),
        average.suite(comparison[average.TABLE]),
        *share.suites(share_tables),
    ]
    failed = gx_failures(suites, data_docs)
    found += total.findings(comparison[total.TABLE], failed[total.TABLE], tables)
    found += time_sum.findings(comparison[time_sum.TABLE], failed[time_sum.TABLE], tables)
    found += average.findings(comparison[average.TABLE], failed[average.TABLE], tables)
    found += share.findings(share_tables, failed, tables)
    found += schedule.findings(tables)
    found += norm.time_findings(tables)
    found += norm.schedule_findings(tables)
    found += measures.findings(tables)
    return causes.link(
        found,
        tables,
        totals=comparison[total.TABLE],
        shares=comparison[share.SHARES],
        bounds=comparison[share.BOUNDS],
        time_sums=comparison[time_sum.TABLE],
    )


def _model(family: Any) -> Any:
    models = {
        structure: structure.CountFigures,
        passport: passport.Passports,
        time_format: time_format.DurationFigures,
        completeness: completeness.TimeRows,
    }
    return models[family]


def choose_standards(
    subs: list[Submission],
    default: Standard | None = None,
    by_organisation: dict[str, Standard] | None = None,
) -> dict[str, Standard]:
    """Choose the service standard of each submission.

    Args:
        subs: The submissions.
        default: The standard for organisations not mapped; the default
            standard of ``seeds/004`` when ``None``.
        by_organisation: Matching key of an organisation's name → its standard.

    Returns:
        Submission → standard.
    """
    fallback = default or load_standard()
    mapping = by_organisation or {}
    return {
        sub.source.submission: mapping.get(normalize(sub.source.organisation), fallback)
        for sub in subs
    }


@dataclass(frozen=True, slots=True)
class WaiverInput:
    """The waivers a run applies.

    Attributes:
        waivers: The valid waivers read.
        problems: Findings about unusable rows of the waivers file.
        name: The waivers file's name.
        today: The day expiry is checked against.
        path: The waivers file's path, for the run's summary (the name if not given).
    """

    waivers: list[Waiver]
    problems: list[Finding]
    name: str
    today: dt.date
    path: str = ""


def validate(
    subs: list[Submission],
    default: Standard | None = None,
    by_organisation: dict[str, Standard] | None = None,
    waivers: WaiverInput | None = None,
    data_docs: Path | None = None,
) -> BatchResult:
    """Validate a batch of submissions and build the run's output tables.

    Every submission is checked; an earlier version of the same organisation
    and year is then set aside (see :mod:`checks.resubmissions`), waivers are
    applied to the current versions' findings, and only open findings flag
    figures.

    Args:
        subs: The submissions read in this run (unreadable files included).
        default: The service standard for the norms (the default one if ``None``).
        by_organisation: Organisations held to another standard.
        waivers: The waivers to apply, if any.
        data_docs: Where to build the Great Expectations Data Docs, if anywhere.

    Returns:
        Findings, figures with their status, and the submissions table.
    """
    standards = choose_standards(subs, default, by_organisation)
    tables = build_tables(subs, standards)
    found = run_rules(tables, data_docs, [f for sub in subs for f in sub.findings])
    versions = resubmissions.order(subs)
    every_version = to_frame(found)
    found = [f for f in found if f.submission not in versions.superseded_by]
    waiving = waivers or WaiverInput([], [], "", dt.date.today())
    present = {fingerprint(f) for f in found}
    active, about = review(present, waiving.waivers, waiving.today, waiving.name)
    findings = mark(to_frame(found + waiving.problems + about), active)
    figures = tables.figures[~tables.figures["submission"].isin(versions.superseded_by)]
    figures = figures.drop(columns=["known", "row", "group"]).assign(known=figures["known"])
    open_findings = findings[findings["status"] == "open"]
    flagged = (
        open_findings[open_findings["cell"] != ""]
        .groupby(["submission", "sheet", "cell"])["rule"]
        .agg(lambda rules: ",".join(sorted(set(rules))))
        .rename("rules")
    )
    figures = figures.join(flagged, on=["submission", "sheet", "cell"])
    figures["rules"] = figures["rules"].fillna("")
    figures["status"] = figures["rules"].map(lambda r: "flagged" if r else "ok")
    counts = every_version.assign(
        severity=every_version["severity"].where(
            ~every_version["fingerprint"].isin(active)
            | every_version["submission"].isin(versions.superseded_by),
            "waived",
        )
    ).pivot_table(
        index="submission", columns="severity", values="rule", aggfunc="size", fill_value=0
    )
    rows = []
    for sub in subs:
        name = sub.source.submission
        by_severity: dict[str, int] = (
            {str(k): int(v) for k, v in counts.loc[name].to_dict().items()}
            if name in counts.index
            else {}
        )
        inn = sub.passport.get(vocab.KEY_INN, (None, ""))[0]
        rows.append(
            {
                "submission": name,
                "sha256": sub.source.sha256,
                "organisation": sub.source.organisation,
                "year": sub.source.year,
                "inn": "" if inn is None else stated_text(inn),
                "errors": int(by_severity.get("error", 0)),
                "warnings": int(by_severity.get("warning", 0)),
                "infos": int(by_severity.get("info", 0)),
                "waived": int(by_severity.get("waived", 0)),
                "standard": standards[name].name,
                "superseded_by": versions.superseded_by.get(name, ""),
            }
        )
    submissions = pd.DataFrame(rows, columns=list(SUBMISSION_COLUMNS)).astype({"year": "Int64"})
    hours = schedule.hours_table(tables)
    listed = measures.with_validity(tables.measures)
    if not hours.empty:
        hours = hours[~hours["submission"].isin(versions.superseded_by)]
    if not listed.empty:
        listed = listed[~listed["submission"].isin(versions.superseded_by)]
    return BatchResult(
        findings,
        figures,
        submissions,
        hours,
        listed,
        resubmissions.changes(every_version, versions),
        every_version,
        waivers_file=(waiving.path or waiving.name) if waivers is not None else "",
    )
