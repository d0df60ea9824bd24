"""Validating a batch of submissions, partition by partition, and the tables a run emits.

A *partition* is what a resubmission belongs to: one organisation's reports
for one year (a file whose passport names neither is a partition of its
own). Every rule looks within one submission, so partitions can be checked
apart. :func:`plan` packs whole partitions into *parts* of at most
:data:`PART_SUBMISSIONS` files; :func:`check_part` concatenates a part's
tidy tables and runs each engine once over them (so the fixed cost of the
Great Expectations suites is paid per part, not per file), and
:func:`conclude` does what needs the whole batch: which version supersedes
which, waivers, counts. Memory therefore holds one part's tables at a time
plus every finding; the validated figures are given out part by part
(:class:`FigureParts`), to be written as they come.

:func:`validate` does it all in one process; a flow may run the parts as
tasks of their own, on other processes or machines (``flows/pipeline.py``).
The parts' results are the same as one whole-batch run's (tested).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from checks import cache as read_cache
from checks import causes, resubmissions, vocab
from checks.engines import gx_failures, pandera_failures
from checks.findings import Finding, fingerprint, to_frame
from checks.memory import release
from checks.norms import Standard, load_standard
from checks.reader import FIGURE_COLUMNS, FIGURE_DTYPES, Submission, passport_date
from checks.reuse import Checked, rules_version
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


#: Most submissions validated at once: a part's tables take about 0.3 MB per
#: submission, so a part stays near 150 MB; whole partitions are never split.
PART_SUBMISSIONS = 500
#: The validated figures are written in parts whose ends are chosen by their
#: content (a part ends after a partition whose key's hash is a multiple of
#: this), so that a new or changed file changes the part it falls in and no
#: other: a nightly run links the unchanged parts' files of the last run
#: instead of writing and checking them again (:func:`checks.outputs.write_figures`).
#: Parts then hold about 220 files on average, at most :data:`PART_SUBMISSIONS`.
FIGURE_CUT_EVERY = 250

#: Gives a part's submissions whole: the submissions with their tables, and
#: the figures of those whose tables are kept elsewhere as one frame (or None).
Loader = Callable[[Sequence["Submission"]], tuple[list["Submission"], "pd.DataFrame | None"]]


def in_memory(subs: Sequence[Submission]) -> tuple[list[Submission], pd.DataFrame | None]:
    """The loader of submissions read whole: they are given back as they are.

    Args:
        subs: Whole submissions.

    Returns:
        The same submissions, and no separate figures.
    """
    return list(subs), None


@dataclass(frozen=True, slots=True)
class CacheLoader:
    """The loader of headers whose tables are in the read cache (:mod:`checks.cache`).

    Attributes:
        cache: The cache folder.
        files: Digest → cache file, for every header to load.
    """

    cache: Path
    files: dict[str, str]

    def __call__(self, subs: Sequence[Submission]) -> tuple[list[Submission], pd.DataFrame | None]:
        """Load the tables of a part's submissions.

        Args:
            subs: Headers, and whole submissions that were not kept.

        Returns:
            See :func:`checks.cache.tables`.
        """
        return read_cache.tables(self.cache, subs, self.files)


@dataclass(slots=True)
class FigureParts:
    """The validated figures, given out one part at a time.

    Iterating loads each part's figures again (from the read cache, where
    they are: cheap), drops superseded versions and sets each figure's
    ``status`` and ``rules`` from the open findings at its cell.
    """

    parts: list[list[Submission]]
    load: Loader
    flagged: pd.Series
    superseded: set[str]

    def __iter__(self) -> Iterator[pd.DataFrame]:
        """Yield each part's validated figures (parts without figures are skipped)."""
        for _, make in self.keyed():
            frame = make()
            if not frame.empty:
                yield frame

    def keyed(self) -> Iterator[tuple[str, Callable[[], pd.DataFrame]]]:
        """Yield each part's key and a function that builds its validated figures.

        The key is the digest of everything the part's figures are made from:
        its current files (names and SHA-256), the open findings at their
        cells, and the checking code (:func:`checks.reuse.rules_version`); two
        runs giving a part the same key give it the same figures. A part with
        a file whose digest is unknown (refused by a limit, still arriving)
        has the key ``""``: it is always built.

        Yields:
            (key, build) per part with a current file; ``build`` may give an empty frame.
        """
        lines: dict[str, str] = {}
        if len(self.flagged):
            rows = self.flagged.reset_index()
            rows["line"] = rows["sheet"] + "\x1f" + rows["cell"] + "\x1f" + rows["rules"]
            joined = rows.groupby("submission", sort=False)["line"].agg("\x1e".join)
            lines = {str(k): str(v) for k, v in joined.items()}
        for part in self.parts:
            current = [s for s in part if s.source.submission not in self.superseded]
            if not current:
                continue
            key = ""
            if all(read_cache.keepable(s) for s in current):
                digest = hashlib.sha256(f"figures\x1d{rules_version()}".encode())
                for sub in current:
                    name = sub.source.submission
                    digest.update(f"\x1d{name}\x1f{sub.source.sha256}\x1f".encode())
                    digest.update(lines.get(name, "").encode())
                key = digest.hexdigest()[:32]
            yield key, functools.partial(self._build, current)

    def _build(self, current: Sequence[Submission]) -> pd.DataFrame:
        whole, kept = self.load(current)
        frame = _figures_frame(whole, kept)
        return frame if frame.empty else _flag(frame, self.flagged)

    @property
    def count(self) -> int:
        """How many parts there are."""
        return len(self.parts)

    def empty(self) -> pd.DataFrame:
        """Return a validated figures frame with no rows (the columns of one that has)."""
        return _flag(_figures_frame([], None), self.flagged)


@dataclass(frozen=True, slots=True)
class FixedFigures:
    """Validated figures already in memory, one frame per part (tests, tools).

    Attributes:
        frames: The parts' frames, none empty.
    """

    frames: list[pd.DataFrame]

    def __iter__(self) -> Iterator[pd.DataFrame]:
        """Yield each part's frame."""
        yield from self.frames

    def keyed(self) -> Iterator[tuple[str, Callable[[], pd.DataFrame]]]:
        """Yield each part's frame with no key (they are never taken from a run before)."""
        for frame in self.frames:
            yield "", functools.partial(_same, frame)

    @property
    def count(self) -> int:
        """How many parts there are."""
        return len(self.frames)

    def empty(self) -> pd.DataFrame:
        """Return a frame with no rows (the first part's columns)."""
        return self.frames[0].iloc[:0] if self.frames else pd.DataFrame()


def _same(frame: pd.DataFrame) -> pd.DataFrame:
    return frame


def _flag(figures: pd.DataFrame, flagged: pd.Series) -> pd.DataFrame:
    figures = figures.drop(columns=["known", "row", "group"]).assign(known=figures["known"])
    figures = figures.join(flagged, on=["submission", "sheet", "cell"])
    figures["rules"] = figures["rules"].fillna("")
    figures["status"] = np.where(figures["rules"] != "", "flagged", "ok")
    return figures


@dataclass(slots=True)
class BatchResult:
    """What a run produces.

    Attributes:
        findings: Every finding, sorted by submission, sheet, cell.
        parts: The validated figures, part by part (see :class:`FigureParts`);
            :attr:`figures` concatenates them.
        submissions: One row per file: digest, organisation, year, counts.
        schedules: The rows of ``Режим работы``.
        measures: The rows of ``Мероприятия``.
        changes: Per resubmission, the findings new, fixed and still there.
        history: The findings of every version read, superseded ones included.
        waivers_file: The waivers file applied, as given (``""`` when none was).
    """

    findings: pd.DataFrame
    parts: FigureParts | FixedFigures
    submissions: pd.DataFrame
    schedules: pd.DataFrame
    measures: pd.DataFrame
    changes: pd.DataFrame
    history: pd.DataFrame
    waivers_file: str = ""

    @property
    def figures(self) -> pd.DataFrame:
        """The validated figures of the whole batch, in one frame (all in memory).

        Returns:
            One row per figure of the current versions, with ``status`` and ``rules``.
        """
        frames = list(self.parts)
        if not frames:
            return self.parts.empty()
        return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


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


def _figures_frame(subs: Sequence[Submission], kept: pd.DataFrame | None) -> pd.DataFrame:
    """The typed figures frame of submissions, plus figures loaded apart."""
    figures = pd.DataFrame([f for sub in subs for f in sub.figures], columns=list(FIGURE_COLUMNS))
    figures = figures.astype(FIGURE_DTYPES)
    if kept is None or kept.empty:
        return figures
    if figures.empty:
        return kept.reset_index(drop=True)
    return pd.concat([kept, figures], ignore_index=True)


def build_tables(
    subs: Sequence[Submission],
    standards: dict[str, Standard] | None = None,
    figures: pd.DataFrame | None = None,
) -> Tables:
    """Concatenate the submissions' tidy tables.

    Args:
        subs: The submissions (a part of the run, or all of it).
        standards: Submission → the service standard that applies to it.
        figures: Figures loaded apart (from the read cache), added to those
            the submissions hold.

    Returns:
        The tables.
    """
    time_rows = pd.DataFrame(
        [r for sub in subs for r in sub.time_rows], columns=list(TIME_ROW_COLUMNS)
    ).astype({"month": "Int64", "known": "bool"})
    passports = pd.DataFrame([_passport_row(sub) for sub in subs], columns=list(PASSPORT_COLUMNS))
    passports = passports.astype({"year": "float64", "has_passport": "bool", "date_ok": "bool"})
    return Tables(
        figures=_figures_frame(subs, figures),
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
    tables: Tables,
    data_docs: Path | None = None,
    read: list[Finding] | None = None,
    part: str = "",
) -> list[Finding]:
    """Apply every rule family to the batch, then link follow-ons to their roots.

    Args:
        tables: The batch.
        data_docs: Where to build the Great Expectations Data Docs, if anywhere.
        read: The reader's findings (unknown labels and the like), which
            the rules' findings may follow from.
        part: Which part of the run this is (``2/5``), when there are several:
            its Great Expectations suites are named after it, so that every
            part's pages stay in the Data Docs.

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
    if part:
        suites = [
            dataclasses.replace(x, name=f"{x.name}.{part.replace('/', '-of-')}") for x in suites
        ]
        title = f" (часть {part})"
        suites = [dataclasses.replace(x, title=f"{x.title}{title}") for x in suites]
    failed = {k.split(".", 1)[0]: v for k, v in gx_failures(suites, data_docs).items()}
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


def partition(sub: Submission) -> str:
    """Return the partition a submission belongs to: its organisation and year.

    Args:
        sub: A submission (or its header).

    Returns:
        The matching key of the organisation and the year; the file's own
        name when the passport names neither (it can't be a resubmission).
    """
    if sub.source.organisation and sub.source.year is not None:
        return f"{normalize(sub.source.organisation)}\x1f{sub.source.year}"
    return f"\x1e{sub.source.submission}"


def plan(
    subs: Sequence[Submission], size: int | None = None, *, cut_every: int | None = None
) -> list[list[Submission]]:
    """Pack whole partitions into parts of at most ``size`` submissions, in the run's order.

    Args:
        subs: The run's submissions.
        size: Most submissions in a part (a larger partition is a part of its own);
            :data:`PART_SUBMISSIONS` if not given.
        cut_every: Also end a part after each partition whose key hashes to a
            multiple of this (content-defined ends: a partition added or changed
            leaves the other parts as they were); ``None``: only ``size`` ends a part.

    Returns:
        The parts, none empty.
    """
    size = size or PART_SUBMISSIONS
    groups: dict[str, list[Submission]] = {}
    for sub in subs:
        groups.setdefault(partition(sub), []).append(sub)
    parts: list[list[Submission]] = []
    current: list[Submission] = []
    for key, group in groups.items():
        if current and len(current) + len(group) > size:
            parts.append(current)
            current = []
        current += group
        if cut_every and _cuts_after(key, cut_every):
            parts.append(current)
            current = []
    if current:
        parts.append(current)
    return parts


def figure_parts(subs: Sequence[Submission], size: int | None = None) -> list[list[Submission]]:
    """Plan the parts the validated figures are written in (content-defined ends).

    Args:
        subs: The run's submissions.
        size: Most submissions in a part (:data:`PART_SUBMISSIONS` if not given).
            A part also ends after a partition whose key hashes to a multiple of
            ``min(FIGURE_CUT_EVERY, size // 2)``.

    Returns:
        The parts, none empty.
    """
    size = size or PART_SUBMISSIONS
    return plan(subs, size, cut_every=max(1, min(FIGURE_CUT_EVERY, size // 2)))


def _cuts_after(key: str, every: int) -> bool:
    digest = hashlib.blake2b(key.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % every == 0


@dataclass(slots=True)
class PartResult:
    """What checking one part found.

    Attributes:
        findings: The reader's and the rules' findings, causes linked.
        hours: The part's schedules, read into hours (see :mod:`checks.rules.schedule`).
        measures: The part's measures, with ``when_valid``.
    """

    findings: list[Finding]
    hours: pd.DataFrame = field(default_factory=pd.DataFrame)
    measures: pd.DataFrame = field(default_factory=pd.DataFrame)


def check_part(
    subs: Sequence[Submission],
    standards: dict[str, Standard],
    load: Loader = in_memory,
    data_docs: Path | None = None,
    part: str = "",
) -> PartResult:
    """Check one part of a run: every rule over its submissions' tables at once.

    Args:
        subs: The part's submissions (headers, when ``load`` loads their tables).
        standards: Submission → its service standard (the whole run's map will do).
        load: Gives the submissions whole (:func:`in_memory`, :class:`CacheLoader`).
        data_docs: Where to build the Great Expectations Data Docs, if anywhere.
        part: Which part this is (``2/5``) when there are several.

    Returns:
        The part's findings, schedules and measures.
    """
    whole, kept = load(subs)
    names = {s.source.submission for s in whole}
    tables = build_tables(whole, {k: v for k, v in standards.items() if k in names}, kept)
    found = run_rules(tables, data_docs, [f for sub in whole for f in sub.findings], part)
    return PartResult(found, schedule.hours_table(tables), measures.with_validity(tables.measures))


def _concat(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    filled = [f for f in frames if not f.empty]
    if not filled:
        return pd.DataFrame()
    return pd.concat(filled, ignore_index=True) if len(filled) > 1 else filled[0]


def conclude(
    subs: Sequence[Submission],
    parts: list[list[Submission]],
    checked: Sequence[PartResult],
    standards: dict[str, Standard],
    *,
    waivers: WaiverInput | None = None,
    load: Loader = in_memory,
) -> BatchResult:
    """Do what needs the whole batch: versions, waivers, counts, the submissions table.

    Args:
        subs: The run's submissions (headers will do).
        parts: The parts the figures are written in (:func:`figure_parts`).
        checked: What checking each part found, in the order of ``parts``.
        standards: Submission → its service standard.
        waivers: The waivers to apply, if any.
        load: The loader the parts were checked with (the figures are loaded again
            from it, part by part, when they are written).

    Returns:
        The run's result.
    """
    found = [f for result in checked for f in result.findings]
    versions = resubmissions.order(list(subs))
    every_version = to_frame(found)
    found = [f for f in found if f.submission not in versions.superseded_by]
    waiving = waivers or WaiverInput([], [], "", dt.date.today())
    present = {fingerprint(f) for f in found}
    active, about = review(present, waiving.waivers, waiving.today, waiving.name)
    findings = mark(to_frame(found + waiving.problems + about), active)
    open_findings = findings[findings["status"] == "open"]
    flagged = (
        open_findings[open_findings["cell"] != ""]
        .groupby(["submission", "sheet", "cell"])["rule"]
        .agg(lambda rules: ",".join(sorted(set(rules))))
        .rename("rules")
    )
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
    hours = _concat([r.hours for r in checked])
    listed = _concat([r.measures for r in checked])
    if not hours.empty:
        hours = hours[~hours["submission"].isin(versions.superseded_by)].reset_index(drop=True)
    if not listed.empty:
        listed = listed[~listed["submission"].isin(versions.superseded_by)].reset_index(drop=True)
    return BatchResult(
        findings,
        FigureParts(parts, load, flagged, set(versions.superseded_by)),
        submissions,
        hours,
        listed,
        resubmissions.changes(every_version, versions),
        every_version,
        waivers_file=(waiving.path or waiving.name) if waivers is not None else "",
    )


def _partition_key(group: Sequence[Submission], standards: dict[str, Standard]) -> str:
    """A partition's key for kept results; ``""`` when one of its files must be checked anew."""
    files = []
    for sub in group:
        if not read_cache.keepable(sub):
            return ""  # no digest, refused by a limit, still arriving
        name = sub.source.submission
        files.append((name, sub.source.sha256, repr(standards.get(name))))
    return Checked.key(files)


@dataclass(slots=True)
class Checking:
    """Which partitions of a run are to be checked, and what was found so far.

    The findings are held per partition; the schedules and measures as the
    blocks they came in (a checked part's tables, the kept results' tables),
    put in the run's order once, by :meth:`results`: a run of 10,000 one-file
    partitions builds no frame per partition.

    Attributes:
        groups: Partition → its submissions, in the run's order.
        keys: Partition → its key for kept results (partitions that may be kept).
        found: Partition → the findings of checking it (kept or checked in this run).
        todo: The parts still to check (whole partitions, :func:`plan`).
        kept: Where results are kept between runs (``None``: nowhere).
        hours: The blocks of schedules with hours found so far.
        measures: The blocks of measures found so far.
    """

    groups: dict[str, list[Submission]]
    keys: dict[str, str]
    found: dict[str, list[Finding]]
    todo: list[list[Submission]]
    kept: Checked | None = None
    hours: list[pd.DataFrame] = field(default_factory=list)
    measures: list[pd.DataFrame] = field(default_factory=list)

    def take(self, part: Sequence[Submission], result: PartResult) -> None:
        """Record what checking a part found, partition by partition, and keep it.

        Args:
            part: The part's submissions.
            result: What checking it found.
        """
        owner = {sub.source.submission: partition(sub) for sub in part}
        for name in dict.fromkeys(owner.values()):
            self.found[name] = []
        for finding in result.findings:
            self.found[owner[finding.submission]].append(finding)
        self.hours.append(result.hours)
        self.measures.append(result.measures)
        if self.kept is not None:
            self._keep(owner, result)
        release()  # what checking the part built is garbage now (checks.memory)

    def _keep(self, owner: dict[str, str], result: PartResult) -> None:
        """Keep what checking a part found, for the partitions that may be kept."""
        assert self.kept is not None
        keyed = {
            name: self.keys[name] for name in dict.fromkeys(owner.values()) if name in self.keys
        }
        key_of = {sub: keyed[name] for sub, name in owner.items() if name in keyed}
        self.kept.save(
            {key: [dataclasses.asdict(f) for f in self.found[name]] for name, key in keyed.items()},
            _keyed(result.hours, key_of),
            _keyed(result.measures, key_of),
        )

    def results(self) -> list[PartResult]:
        """What every partition found, as one result in the run's order."""
        rank: dict[str, int] = {}
        for number, group in enumerate(self.groups.values()):
            rank.update(dict.fromkeys((s.source.submission for s in group), number))
        return [
            PartResult(
                [f for name in self.groups for f in self.found[name]],
                _in_order(self.hours, rank),
                _in_order(self.measures, rank),
            )
        ]


def _keyed(frame: pd.DataFrame, key_of: dict[str, str]) -> pd.DataFrame:
    """The rows of a part's table whose partition may be kept, with its key."""
    if frame.empty or "submission" not in frame or not key_of:
        return pd.DataFrame()
    keys = frame["submission"].map(key_of)
    chosen = keys.notna()
    return frame[chosen].assign(**{Checked.KEY_COLUMN: keys[chosen]}).reset_index(drop=True)


def _in_order(blocks: Sequence[pd.DataFrame], rank: dict[str, int]) -> pd.DataFrame:
    """Join blocks of a table and put their rows in the run's order of partitions.

    Rows of one partition keep their order (a stable sort), so the table is
    the same whether a partition was checked in this run or kept from another.
    """
    whole = _concat(blocks)
    if whole.empty or "submission" not in whole:
        return whole
    order = whole["submission"].map(rank).to_numpy()
    return whole.iloc[np.argsort(order, kind="stable")].reset_index(drop=True)


def start_checking(
    subs: Sequence[Submission],
    standards: dict[str, Standard],
    kept: Checked | None = None,
    part_size: int | None = None,
) -> Checking:
    """Take the kept results of unchanged partitions and plan the parts of the others.

    Args:
        subs: The run's submissions.
        standards: Submission → its service standard.
        kept: Results kept by earlier runs (:class:`checks.reuse.Checked`), if any.
        part_size: Most submissions in a part.

    Returns:
        The partitions, those already found, and the parts to check.
    """
    groups: dict[str, list[Submission]] = {}
    for sub in subs:
        groups.setdefault(partition(sub), []).append(sub)
    keys: dict[str, str] = {}
    if kept is not None:
        for name, group in groups.items():
            key = _partition_key(group, standards)
            if key:
                keys[name] = key
    checking = Checking(groups, keys, {}, [], kept)
    if kept is not None and keys:
        findings, hours, listed = kept.load(keys.values())
        partition_of = {key: name for name, key in keys.items()}
        for key, kept_findings in findings.items():
            checking.found[partition_of[key]] = [Finding(**f) for f in kept_findings]
        checking.hours.append(hours.drop(columns=[Checked.KEY_COLUMN], errors="ignore"))
        checking.measures.append(listed.drop(columns=[Checked.KEY_COLUMN], errors="ignore"))
    checking.todo = plan(
        [s for name, group in groups.items() if name not in checking.found for s in group],
        part_size,
    )
    return checking


def part_labels(parts: Sequence[object]) -> list[str]:
    """Name the parts of a run for the Data Docs: none when there is only one.

    Args:
        parts: The parts.

    Returns:
        ``["1/3", "2/3", "3/3"]``, or ``[""]`` for a single part.
    """
    if len(parts) <= 1:
        return [""] * len(parts)
    return [f"{i}/{len(parts)}" for i in range(1, len(parts) + 1)]


def validate(
    subs: list[Submission],
    default: Standard | None = None,
    by_organisation: dict[str, Standard] | None = None,
    waivers: WaiverInput | None = None,
    data_docs: Path | None = None,
    *,
    load: Loader = in_memory,
    part_size: int | None = None,
    kept: Checked | None = None,
) -> BatchResult:
    """Validate a batch of submissions and build the run's output tables.

    Every submission is checked, part by part (:func:`plan`, :func:`check_part`);
    an earlier version of the same organisation and year is then set aside
    (see :mod:`checks.resubmissions`), waivers are applied to the current
    versions' findings, and only open findings flag figures (:func:`conclude`).

    Args:
        subs: The submissions read in this run (unreadable files included);
            headers when ``load`` loads their tables.
        default: The service standard for the norms (the default one if ``None``).
        by_organisation: Organisations held to another standard.
        waivers: The waivers to apply, if any.
        data_docs: Where to build the Great Expectations Data Docs, if anywhere.
        load: Gives a part's submissions whole (:class:`CacheLoader` for headers).
        part_size: Most submissions checked at once (:data:`PART_SUBMISSIONS` if not given).
        kept: Results of unchanged partitions kept by earlier runs
            (:class:`checks.reuse.Checked`): those partitions are not checked again.

    Returns:
        Findings, figures with their status, and the submissions table.
    """
    standards = choose_standards(subs, default, by_organisation)
    checking = start_checking(subs, standards, kept, part_size)
    for part, label in zip(checking.todo, part_labels(checking.todo), strict=True):
        checking.take(part, check_part(part, standards, load, data_docs, label))
    parts = figure_parts(subs, part_size)
    return conclude(subs, parts, checking.results(), standards, waivers=waivers, load=load)
