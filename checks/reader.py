"""Reading a submission into tidy tables, each figure with its source cell.

The reader finds the contract's sheets, headers and labels, parses every
value (never judging it: that is for the rules) and reports what it cannot
place: an unreadable file, a missing sheet or header, a label outside the
vocabulary. Those layout findings (family ``structure``) are the only ones
it makes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from checks import vocab
from checks.findings import Finding, Source, make
from checks.limits import Limits, Refusal, file_too_large
from checks.text import memo, normalize
from checks.values import (
    EMPTY,
    is_not_reported,
    parse_count,
    parse_duration,
    parse_percent,
    stated_text,
)
from checks.workbook import (
    RawCell,
    RawSheet,
    RefusedWorkbookError,
    UnreadableWorkbookError,
    a1,
    read_workbook,
)

METRIC_APPEALS = "appeals"
METRIC_COMPLAINTS = "complaints"
METRIC_LEGAL = "complaints_legal"
METRIC_SHARE = "complaint_share"
METRIC_WAITING = "waiting_time"
METRIC_SERVICE = "service_time"
METRIC_TIME_APPEALS = "time_appeals"

UNIT_COUNT = "count"
UNIT_PERCENT = "percent"
UNIT_SECONDS = "s"

ROW_CHANNEL = "channel"
ROW_GROUP = "group"
ROW_GRAND = "grand"
ROW_COMPLAINTS = "complaints"
ROW_TIME = "time"
ROW_UNKNOWN = "unknown"

_COMPLAINT_METRICS = {
    vocab.COMPLAINTS_ROW: (METRIC_COMPLAINTS, UNIT_COUNT),
    vocab.LEGAL_ROW: (METRIC_LEGAL, UNIT_COUNT),
    vocab.SHARE_ROW: (METRIC_SHARE, UNIT_PERCENT),
}
_TIME_METRICS = {
    vocab.COL_WAITING: (METRIC_WAITING, UNIT_SECONDS),
    vocab.COL_SERVICE: (METRIC_SERVICE, UNIT_SECONDS),
    vocab.COL_APPEALS: (METRIC_TIME_APPEALS, UNIT_COUNT),
}


@dataclass(slots=True)
class Submission:
    """Everything read from one submitted file.

    Attributes:
        path: Where the file was read from.
        source: File name, digest, organisation and year.
        passport: Canonical key → (value, A1 cell of the value).
        sheets: Canonical names of the contract sheets found.
        territories: Territory headers of ``Обращения``, as written.
        figures: Tidy figures, one dict per figure (see :data:`FIGURE_COLUMNS`).
        time_rows: One dict per row of ``Время``.
        schedules: One dict per row of ``Режим работы``.
        measures: One dict per row of ``Мероприятия``.
        findings: The reader's ``structure`` findings.
        refused: The file was not read, or its reading was stopped, by a limit
            (size, time, memory, a crash) or because it is still arriving: no
            later step may open it (the annotated copies skip it).
        figure_table: What the read cache keeps of the file, encoded in the
            reading process (a :class:`checks.cache.Kept`: figures, rows and
            header), in place of ``figures`` and the rows, on their way to the
            cache (:func:`checks.cache.read_for_cache`); ``None`` otherwise.
    """

    path: Path
    source: Source
    passport: dict[str, tuple[Any, str]] = field(default_factory=dict)
    sheets: set[str] = field(default_factory=set)
    territories: list[str] = field(default_factory=list)
    figures: list[dict[str, Any]] = field(default_factory=list)
    time_rows: list[dict[str, Any]] = field(default_factory=list)
    schedules: list[dict[str, Any]] = field(default_factory=list)
    measures: list[dict[str, Any]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    refused: bool = False
    figure_table: Any = field(default=None, repr=False, compare=False)


FIGURE_COLUMNS = (
    "submission",
    "organisation",
    "year",
    "territory",
    "channel",
    "label",
    "period",
    "month",
    "metric",
    "value",
    "value_max",
    "unit",
    "sheet",
    "cell",
    "stated",
    "form",
    "decimals",
    "reason",
    "row_kind",
    "group",
    "known",
    "row",
)
#: The columns of a figure row (:func:`read_rows`): :data:`FIGURE_COLUMNS` but the
#: submission's name, organisation and year, which all its figures share.
ROW_COLUMNS = FIGURE_COLUMNS[3:]
#: One figure as read: the values of :data:`ROW_COLUMNS`, in order.
FigureRow = tuple[Any, ...]
#: The pandas types of the figure columns that are not text (the rest are ``str``).
FIGURE_DTYPES = {
    "value": "float64",
    "value_max": "float64",
    "month": "Int64",
    "decimals": "Int64",
    "year": "Int64",
    "known": "bool",
    "row": "int64",
}


def contract_sheets(titles: Sequence[str]) -> list[int]:
    """Choose the sheets the reader reads: the first one of each contract sheet.

    Any other sheet (outside the contract, or a contract sheet given twice)
    becomes a ``sheet-extra`` finding by its title alone: its cells are not read.

    Args:
        titles: The workbook's sheet titles, in order.

    Returns:
        The indexes of the sheets to read.
    """
    seen: set[str] = set()
    chosen: list[int] = []
    for index, title in enumerate(titles):
        canonical = vocab.lookup(vocab.SHEET_INDEX, title)
        if canonical is not None and canonical not in seen:
            seen.add(canonical)
            chosen.append(index)
    return chosen


#: Labels already cleaned, and periods already read: submissions repeat the same few.
_LABELS: dict[str, str] = {}
_PERIODS: dict[str, int | str | None] = {}


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _clean_label(raw: object) -> str:
    if type(raw) is str:
        return memo(_LABELS, raw, _collapse)
    return " ".join(str(raw).split()) if raw is not None else ""


def _read_passport(sub: Submission, sheet: RawSheet) -> None:
    for r, cells in sheet.by_row().items():
        cols = sorted(cells)
        key = vocab.lookup(vocab.KEY_INDEX, cells[cols[0]].value)
        if key is None or key in sub.passport:
            continue
        value_col = next((c for c in cols[1:]), None)
        if value_col is None:
            sub.passport[key] = (None, a1(r, cols[0] + 1))
        else:
            sub.passport[key] = (cells[value_col].value, a1(r, value_col))


def passport_year(raw: object) -> int | None:
    """Read the reporting year from its passport value, ``None`` if it is not one.

    Args:
        raw: The value of ``Отчетный год``.

    Returns:
        The whole year; range checks are the passport rules' business.
    """
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    if isinstance(raw, str):
        text = raw.strip().removesuffix("г.").removesuffix("год").strip()
        if text.isdigit():
            return int(text)
    return None


def _header_columns(
    header: dict[int, RawCell], label_col: int
) -> tuple[list[tuple[int, str]], int | None]:
    """Split a matrix header into territory columns and the ``Итого`` column."""
    territories: list[tuple[int, str]] = []
    total_col: int | None = None
    seen: set[str] = set()
    for c, cell in sorted(header.items()):
        if c <= label_col:
            continue
        if normalize(cell.value) in vocab.TOTAL_COLUMN_KEYS and total_col is None:
            total_col = c
            continue
        name = _clean_label(cell.value)
        while normalize(name) in seen:
            name = f"{name} (повтор)"
        seen.add(normalize(name))
        territories.append((c, name))
    return territories, total_col


def _read_matrix(
    sub: Submission, sheet: RawSheet, canonical: str, figures: list[FigureRow]
) -> None:
    rows = sheet.by_row()
    header_row = next(
        (
            r
            for r, cells in rows.items()
            if any(normalize(c.value) in vocab.TOTAL_COLUMN_KEYS for c in cells.values())
        ),
        None,
    )
    if header_row is None:
        sub.findings.append(
            make(
                "header-missing",
                sub.source,
                sheet=canonical,
                need="«Канал», территории, «Итого»",
            )
        )
        return
    label_col = min(c for (r, c) in sheet.cells if r >= header_row)
    territories, total_col = _header_columns(rows[header_row], label_col)
    columns = [*territories, *([(total_col, vocab.TOTAL_COLUMN)] if total_col else [])]
    if canonical == vocab.APPEALS:
        sub.territories = [name for _, name in territories]
    seen_labels: dict[str, int] = {}
    appeals = canonical == vocab.APPEALS
    year = sub.source.year
    period = "" if year is None else str(year)
    append = figures.append
    for r, cells in rows.items():
        if r <= header_row:
            continue
        label_cell = cells.get(label_col)
        label = _clean_label(label_cell.value if label_cell else None)
        if appeals:
            kind, canon, group = _classify_appeal_row(label)
            metric, unit = METRIC_APPEALS, UNIT_COUNT
        else:
            canon = vocab.lookup(vocab.COMPLAINT_INDEX, label) or ""
            kind, group = (ROW_COMPLAINTS, "") if canon else (ROW_UNKNOWN, "")
            metric, unit = _COMPLAINT_METRICS.get(canon, (METRIC_COMPLAINTS, UNIT_COUNT))
        known = kind != ROW_UNKNOWN
        if not label:
            if any(c in cells and not is_not_reported(cells[c].value) for c, _ in columns):
                sub.findings.append(
                    make("label-missing", sub.source, sheet=canonical, cell=a1(r, label_col), row=r)
                )
            known = False
        elif not known:
            sub.findings.append(
                make(
                    "label-unknown",
                    sub.source,
                    sheet=canonical,
                    cell=a1(r, label_col),
                    label=label,
                    actual=label,
                    locus=(label,),
                )
            )
        elif canon in seen_labels:
            sub.findings.append(
                make(
                    "row-duplicate",
                    sub.source,
                    sheet=canonical,
                    cell=a1(r, label_col),
                    label=canon,
                    column=sheet.title,
                    first=a1(seen_labels[canon], label_col),
                    locus=(canon, "повтор"),
                )
            )
            known = False
        else:
            seen_labels[canon] = r
        channel = canon if appeals else ""
        shown_label = canon or label
        percent = unit == UNIT_PERCENT and known
        for c, territory in columns:
            raw = cells.get(c)
            if raw is None:
                parsed = parse_count(None)
            elif percent:
                parsed = parse_percent(raw.value, raw.number_format)
            else:
                parsed = parse_count(raw.value)
            if parsed.form == EMPTY and not known:
                continue
            append(
                (
                    territory,
                    channel,
                    shown_label,
                    period,
                    None,
                    metric,
                    parsed.value,
                    parsed.value_max,
                    unit,
                    canonical,
                    a1(r, c),
                    parsed.shown or ("" if raw is None else stated_text(raw.value)),
                    parsed.form,
                    parsed.decimals,
                    parsed.reason,
                    kind,
                    group,
                    known,
                    r,
                )
            )


def _classify_appeal_row(label: str) -> tuple[str, str, str]:
    channel = vocab.lookup(vocab.CHANNEL_INDEX, label)
    if channel is not None:
        return ROW_CHANNEL, channel, vocab.channel_group(channel)
    group_row = vocab.lookup(vocab.GROUP_INDEX, label)
    if group_row is not None:
        return ROW_GROUP, group_row, vocab.group_of_row(group_row)
    if normalize(label) in vocab.GRAND_TOTAL_KEYS:
        return ROW_GRAND, vocab.GRAND_TOTAL, ""
    return ROW_UNKNOWN, label, ""


#: Column names of the schedule and measure tables in the validated outputs.
TEXT_TABLE_COLUMNS = {
    "Канал": "channel",
    "Режим работы": "schedule",
    "Раздел": "section",
    "Мероприятие": "measure",
    "Срок": "when",
}


def _find_header(
    rows: dict[int, dict[int, RawCell]], index: dict[str, str], required: tuple[str, ...]
) -> tuple[int, dict[int, str], list[tuple[int, str]]] | None:
    """Find the first row naming all ``required`` columns; return it with its columns."""
    for r, cells in rows.items():
        named: dict[int, str] = {}
        extra: list[tuple[int, str]] = []
        for c, cell in cells.items():
            canon = vocab.lookup(index, cell.value)
            if canon is not None and canon not in named.values():
                named[c] = canon
            else:
                extra.append((c, _clean_label(cell.value)))
        if all(name in named.values() for name in required):
            return r, named, extra
    return None


def _parse_period(raw: object) -> int | str | None:
    """Return a month 1–12, ``0`` for the year, or the text for an invalid period."""
    if type(raw) is str:
        return memo(_PERIODS, raw, _read_period)
    return _read_period(raw)


def _read_period(raw: object) -> int | str | None:
    if isinstance(raw, bool):
        return stated_text(raw)
    if isinstance(raw, int | float) and float(raw).is_integer() and 1 <= raw <= 12:
        return int(raw)
    key = normalize(raw)
    if key in vocab.YEAR_KEYS:
        return 0
    if key in vocab.MONTH_INDEX:
        return vocab.MONTH_INDEX[key]
    if key.isdigit() and 1 <= int(key) <= 12:
        return int(key)
    return stated_text(raw)


def _read_times(sub: Submission, sheet: RawSheet, figures: list[FigureRow]) -> None:
    rows = sheet.by_row()
    found = _find_header(rows, vocab.TIME_COLUMN_INDEX, (vocab.COL_PERIOD, vocab.COL_CHANNEL))
    if found is None:
        sub.findings.append(
            make("header-missing", sub.source, sheet=vocab.TIMES, need="«Период», «Канал»")
        )
        return
    header_row, named, extra = found
    for c, label in extra:
        sub.findings.append(
            make(
                "column-extra",
                sub.source,
                sheet=vocab.TIMES,
                cell=a1(header_row, c),
                label=label,
                locus=(label,),
            )
        )
    col_of = {name: c for c, name in named.items()}
    period_col = col_of[vocab.COL_PERIOD]
    channel_col = col_of[vocab.COL_CHANNEL]
    territory_col = col_of.get(vocab.COL_TERRITORY)
    time_columns = [
        (col_of[column], metric, unit)
        for column, (metric, unit) in _TIME_METRICS.items()
        if column in col_of
    ]
    year = sub.source.year
    year_period = "" if year is None else str(year)
    append = figures.append
    for r, cells in rows.items():
        if r <= header_row:
            continue
        period_cell = cells.get(period_col)
        channel_cell = cells.get(channel_col)
        territory_cell = None if territory_col is None else cells.get(territory_col)
        period = _parse_period(period_cell.value if period_cell else None)
        channel_label = _clean_label(channel_cell.value if channel_cell else None)
        channel = vocab.lookup(vocab.TIME_CHANNEL_INDEX, channel_label)
        territory = _clean_label(territory_cell.value if territory_cell else None)
        known = True
        period_a1 = a1(r, period_col)
        if isinstance(period, str):
            sub.findings.append(
                make(
                    "period-invalid",
                    sub.source,
                    sheet=vocab.TIMES,
                    cell=period_a1,
                    stated=period,
                    actual=period,
                    locus=(period, channel_label, territory),
                )
            )
            known = False
        if channel is None:
            sub.findings.append(
                make(
                    "label-unknown",
                    sub.source,
                    sheet=vocab.TIMES,
                    cell=a1(r, channel_col),
                    label=channel_label,
                    actual=channel_label,
                    locus=(
                        channel_label,
                        stated_text(period_cell.value if period_cell else ""),
                        territory,
                    ),
                )
            )
            known = False
        month = period if isinstance(period, int) else None
        sub.time_rows.append(
            {
                "submission": sub.source.submission,
                "month": month,
                "channel": channel or channel_label,
                "territory": territory,
                "territory_cell": "" if territory_col is None else a1(r, territory_col),
                "row": r,
                "cell": period_a1,
                "known": known,
            }
        )
        name = channel or channel_label
        if not month:
            period_text = year_period
        else:
            period_text = f"{year if year is not None else '????'}-{month:02d}"
        for time_col, metric, unit in time_columns:
            raw = cells.get(time_col)
            value = None if raw is None else raw.value
            parsed = parse_count(value) if unit == UNIT_COUNT else parse_duration(value)
            if parsed.form == EMPTY:
                continue
            append(
                (
                    territory,
                    name,
                    name,
                    period_text,
                    month or None,
                    metric,
                    parsed.value,
                    parsed.value_max,
                    unit,
                    vocab.TIMES,
                    a1(r, time_col),
                    parsed.shown or ("" if raw is None else stated_text(value)),
                    parsed.form,
                    parsed.decimals,
                    parsed.reason,
                    ROW_TIME,
                    "",
                    known,
                    r,
                )
            )


def _read_text_table(
    sub: Submission,
    sheet: RawSheet,
    *,
    canonical: str,
    index: dict[str, str],
    required: tuple[str, ...],
    target: list[dict[str, Any]],
) -> None:
    rows = sheet.by_row()
    found = _find_header(rows, index, required)
    if found is None:
        sub.findings.append(
            make(
                "header-missing",
                sub.source,
                sheet=canonical,
                need=", ".join(f"«{n}»" for n in required),
            )
        )
        return
    header_row, named, _ = found
    for r, cells in rows.items():
        if r <= header_row:
            continue
        record: dict[str, Any] = {
            "submission": sub.source.submission,
            "organisation": sub.source.organisation,
            "year": sub.source.year,
            "row": r,
        }
        for c, name in named.items():
            cell = cells.get(c)
            column = TEXT_TABLE_COLUMNS[name]
            record[column] = _clean_label(cell.value) if cell else ""
            record[f"{column}_cell"] = a1(r, c)
        if any(record[TEXT_TABLE_COLUMNS[name]] for name in named.values()):
            target.append(record)


def sha256_of(path: Path) -> str:
    """Hash a file in blocks, without holding it in memory.

    Args:
        path: The file.

    Returns:
        The hex digest of its bytes; empty when it cannot be read.
    """
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            while block := handle.read(1 << 20):
                digest.update(block)
    except OSError:
        return ""
    return digest.hexdigest()


def refused_submission(path: Path, name: str, refusal: Refusal, sha256: str = "") -> Submission:
    """Return the submission of a file a limit kept from being read: one ``file-refused`` error.

    Args:
        path: The file.
        name: The submission's name.
        refusal: Which limit.
        sha256: The file's digest, when it is known.

    Returns:
        The submission, marked :attr:`Submission.refused`.
    """
    sub = Submission(path=path, source=Source(name, sha256), refused=True)
    sub.findings.append(make("file-refused", sub.source, reason=refusal.reason))
    return sub


def _formula_findings(sub: Submission, sheet: RawSheet, canonical: str) -> None:
    for row, column, formula in sheet.uncomputed:
        cell = a1(row, column)
        sub.findings.append(
            make(
                "formula-uncomputed",
                sub.source,
                sheet=canonical,
                cell=cell,
                actual=f"={formula}" if formula else "",
                at=cell,
                formula=f" «={formula}»" if formula else "",
            )
        )


def read_submission(
    path: Path, name: str | None = None, limits: Limits | None = None
) -> Submission:
    """Read one submitted file. Never raises for bad content.

    Args:
        path: The file; it is read once and never modified.
        name: The submission's name in findings; the file name by default.
        limits: The limits to read within (:class:`checks.limits.Limits` by default).

    Returns:
        The submission, with ``structure`` findings for what could not be placed.
    """
    sub, rows = read_rows(path, name, limits)
    sub.figures = figure_dicts(sub.source, rows)
    return sub


def figure_dicts(source: Source, rows: Iterable[FigureRow]) -> list[dict[str, Any]]:
    """Turn figure rows into the dicts of :attr:`Submission.figures`.

    Args:
        source: The submission the figures are of.
        rows: Its figures, as :func:`read_rows` gives them.

    Returns:
        One dict per figure, keyed by :data:`FIGURE_COLUMNS` in order.
    """
    shared = (source.submission, source.organisation, source.year)
    return [dict(zip(FIGURE_COLUMNS, shared + row, strict=True)) for row in rows]


def read_rows(
    path: Path, name: str | None = None, limits: Limits | None = None
) -> tuple[Submission, list[FigureRow]]:
    """Read one submitted file, its figures as rows: :func:`read_submission` without the dicts.

    A figure is a tuple, not a dict, until someone needs the dict: the read
    cache turns the rows straight into Arrow columns.

    Args:
        path: The file; it is read once and never modified.
        name: The submission's name in findings; the file name by default.
        limits: The limits to read within (:class:`checks.limits.Limits` by default).

    Returns:
        The submission (its ``figures`` empty) and its figures, each the values
        of :data:`ROW_COLUMNS` in order.
    """
    limits = limits or Limits()
    name = name or path.name
    try:
        too_large = file_too_large(path.stat().st_size, limits)
        if too_large is not None:
            return refused_submission(path, name, too_large, sha256_of(path)), []
        data = path.read_bytes()
    except OSError as exc:
        sub = Submission(path=path, source=Source(name, ""))
        sub.findings.append(
            make("file-unreadable", sub.source, reason=f"файл не открывается ({exc.strerror})")
        )
        return sub, []
    sha = hashlib.sha256(data).hexdigest()
    try:
        raw_sheets = read_workbook(data, path, limits, select=contract_sheets)
    except RefusedWorkbookError as exc:
        return refused_submission(path, name, exc.refusal, sha), []
    except UnreadableWorkbookError as exc:
        sub = Submission(path=path, source=Source(name, sha))
        sub.findings.append(make("file-unreadable", sub.source, reason=exc.reason))
        return sub, []
    finally:
        del data
    sub = Submission(path=path, source=Source(name, sha))
    by_name: dict[str, RawSheet] = {}
    for raw in raw_sheets:
        canonical = vocab.lookup(vocab.SHEET_INDEX, raw.title)
        if canonical is None or canonical in by_name:
            sub.findings.append(
                make("sheet-extra", sub.source, title=raw.title, locus=(raw.title,))
            )
            continue
        by_name[canonical] = raw
        if raw.truncated:
            sub.findings.append(
                make("sheet-too-large", sub.source, sheet=canonical, limit=limits.cells_per_sheet)
            )
        if raw.rows_truncated:
            sub.findings.append(
                make(
                    "sheet-too-many-rows", sub.source, sheet=canonical, limit=limits.rows_per_sheet
                )
            )
        _formula_findings(sub, raw, canonical)
    sub.sheets = set(by_name)
    if vocab.PASSPORT in by_name:
        _read_passport(sub, by_name[vocab.PASSPORT])
    else:
        sub.findings.append(make("passport-missing", sub.source, sheet=vocab.PASSPORT))
    organisation = sub.passport.get(vocab.KEY_ORGANISATION, (None, ""))[0]
    year = passport_year(sub.passport.get(vocab.KEY_YEAR, (None, ""))[0])
    sub.source = Source(
        sub.source.submission,
        sha,
        "" if is_not_reported(organisation) else _clean_label(organisation),
        year if year is not None and 1900 <= year <= 9999 else None,
    )
    sub.findings = [
        replace(f, organisation=sub.source.organisation, year=sub.source.year) for f in sub.findings
    ]
    for sheet_name in (
        vocab.APPEALS,
        vocab.COMPLAINTS,
        vocab.TIMES,
        vocab.SCHEDULE,
        vocab.MEASURES,
    ):
        if sheet_name not in by_name:
            sub.findings.append(make("sheet-missing", sub.source, sheet=sheet_name))
    figures: list[FigureRow] = []
    if vocab.APPEALS in by_name:
        _read_matrix(sub, by_name[vocab.APPEALS], vocab.APPEALS, figures)
    if vocab.COMPLAINTS in by_name:
        _read_matrix(sub, by_name[vocab.COMPLAINTS], vocab.COMPLAINTS, figures)
    if vocab.TIMES in by_name:
        _read_times(sub, by_name[vocab.TIMES], figures)
    if vocab.SCHEDULE in by_name:
        _read_text_table(
            sub,
            by_name[vocab.SCHEDULE],
            canonical=vocab.SCHEDULE,
            index=vocab.SCHEDULE_COLUMN_INDEX,
            required=("Канал", "Режим работы"),
            target=sub.schedules,
        )
    if vocab.MEASURES in by_name:
        _read_text_table(
            sub,
            by_name[vocab.MEASURES],
            canonical=vocab.MEASURES,
            index=vocab.MEASURE_COLUMN_INDEX,
            required=("Мероприятие",),
            target=sub.measures,
        )
    return sub, figures


def passport_date(raw: object) -> dt.date | None:
    """Read a ``Дата представления`` value as a date.

    Args:
        raw: The passport value.

    Returns:
        The date for an Excel date or text ``ДД.ММ.ГГГГ``, ``ГГГГ-ММ-ДД``,
        ``ДД.ММ.ГГ`` or ``ДД/ММ/ГГГГ``; ``None`` for anything else.
    """
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, str):
        for fmt in ("%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y", "%d/%m/%Y"):
            try:
                return dt.datetime.strptime(raw.strip(), fmt).date()
            except ValueError:
                continue
    return None
