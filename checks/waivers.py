"""Waivers: a steward accepts a finding once, with a reason, and is not shown it again.

The waivers file is a CSV that stewards edit, one row per waiver:
``fingerprint``, ``reason``, ``by``, ``date`` and an optional ``until``. A
finding's fingerprint stays the same across reruns and across a resubmitted
file of the same organisation and year (see
:func:`checks.findings.fingerprint`), so a waiver holds until the finding is
gone or the waiver expires.

A new file is written the way a Russian Excel opens it directly: UTF-8 with a
byte-order mark and ``;`` between fields. Reading accepts ``;`` or ``,`` and
either encoding.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from checks.atomic import write_atomically
from checks.findings import Finding, Source, make

COLUMNS = ("fingerprint", "reason", "by", "date", "until")
#: The default waivers file's name; it lives beside the output folder (see :func:`beside`).
DEFAULT_NAME = "waivers.csv"
_FINGERPRINT = re.compile(r"^[0-9a-f]{16}$")
_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y")


class WaiverError(ValueError):
    """A waiver cannot be written; the message says why, in Russian (``en``: in English).

    Attributes:
        en: The reason in English.
    """

    def __init__(self, message: str, en: str = "") -> None:
        """Keep the reason in Russian (``str()``) and in English."""
        super().__init__(message)
        self.en = en or message


@dataclass(frozen=True, slots=True)
class Waiver:
    """One accepted finding.

    Attributes:
        fingerprint: The finding's fingerprint.
        reason: Why it is accepted.
        by: Who accepted it.
        date: When.
        until: The last day it applies, or ``None`` for no expiry.
        row: Its row in the waivers file (the header is row 1).
    """

    fingerprint: str
    reason: str
    by: str
    date: dt.date
    until: dt.date | None
    row: int

    def applies(self, today: dt.date) -> bool:
        """Tell whether the waiver is in force on ``today``."""
        return self.until is None or today <= self.until


def parse_date(text: str) -> dt.date | None:
    """Read ``2026-12-31`` or ``31.12.2026``; ``None`` if it is neither.

    Args:
        text: The date as written.

    Returns:
        The date, or ``None``.
    """
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


def beside(out: Path) -> Path:
    """Return the default waivers file of an output folder: ``waivers.csv`` beside it.

    The file is the stewards' data, so it lives outside the output folder a
    run rewrites, next to it (``<out>/../waivers.csv``), whatever folder the
    command runs from.

    Args:
        out: The output folder (``--out``).

    Returns:
        The waivers file's absolute path.
    """
    return out.resolve().parent / DEFAULT_NAME


def worklist_rows(worklist: Path, fingerprint: str) -> list[dict[str, str]]:
    """Return the worklist's rows of a fingerprint.

    Args:
        worklist: A run's ``discrepancies.csv``.
        fingerprint: The fingerprint sought (any case).

    Returns:
        The rows (column → text), possibly none.

    Raises:
        WaiverError: There is no worklist, or the file is not one.
    """
    if not worklist.is_file():
        raise WaiverError(
            f"списка замечаний {worklist} нет: сначала нужна проверка (sverka run) "
            "с той же папкой --out",
            f"there is no worklist {worklist}: run a check first (sverka run) with the same --out",
        )
    with worklist.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if "fingerprint" not in (reader.fieldnames or ()):
            raise WaiverError(
                f"{worklist} — не список замечаний: в нём нет столбца fingerprint",
                f"{worklist} is not a worklist: it has no fingerprint column",
            )
        wanted = fingerprint.strip().casefold()
        return [row for row in reader if (row.get("fingerprint") or "").casefold() == wanted]


def _dialect(text: str) -> str:
    first = text.split("\n", 1)[0]
    return ";" if first.count(";") > first.count(",") else ","


def load(path: Path) -> tuple[list[Waiver], list[Finding]]:
    """Read the waivers file; a missing file means no waivers.

    Args:
        path: The waivers CSV.

    Returns:
        The valid waivers, and a ``waiver-invalid`` finding for each row that
        cannot be used (its cell is that row in the file).
    """
    if not path.exists():
        return [], []
    text = path.read_text(encoding="utf-8-sig")
    source = Source(path.name, "")
    waivers: list[Waiver] = []
    problems: list[Finding] = []
    reader = csv.DictReader(io.StringIO(text), delimiter=_dialect(text))
    for number, row in enumerate(reader, start=2):
        values = {k.strip().casefold(): (v or "").strip() for k, v in row.items() if k}
        if not any(values.values()):
            continue
        fingerprint = values.get("fingerprint", "").casefold()
        date = parse_date(values.get("date", ""))
        until_text = values.get("until", "")
        until = parse_date(until_text) if until_text else None
        why = ""
        if not _FINGERPRINT.match(fingerprint):
            why = "отпечаток должен быть из 16 символов 0–9, a–f"
        elif not values.get("reason") or not values.get("by"):
            why = "не указаны причина (reason) или кто принял решение (by)"
        elif date is None:
            why = "дата (date) не читается: нужна ГГГГ-ММ-ДД или ДД.ММ.ГГГГ"
        elif until_text and until is None:
            why = "срок (until) не читается: нужна ГГГГ-ММ-ДД или ДД.ММ.ГГГГ"
        if why or date is None:
            problems.append(
                make(
                    "waiver-invalid",
                    source,
                    cell=f"A{number}",
                    why=why,
                    row=number,
                    locus=(number,),
                )
            )
            continue
        waivers.append(Waiver(fingerprint, values["reason"], values["by"], date, until, number))
    return waivers, problems


def review(
    present: set[str], waivers: list[Waiver], today: dt.date, waivers_name: str
) -> tuple[dict[str, Waiver], list[Finding]]:
    """Choose the waivers in force, and report those that no longer fit.

    Several rows for one fingerprint are decisions taken one after another:
    the latest by ``date`` holds (on the same date, the lower row, written
    later), whether it waives or has expired; the others do not apply, and a
    ``waiver-conflict`` finding names the row that holds.

    Args:
        present: The fingerprints of this run's findings.
        waivers: The waivers read.
        today: The day the run is for (expiry is checked against it).
        waivers_name: The waivers file's name, for the findings about it.

    Returns:
        Fingerprint → its waiver in force; ``waiver-expired`` findings for
        expired waivers whose finding is still there, ``waiver-unmatched``
        for waivers that match no finding (so the file does not rot),
        ``waiver-conflict`` for findings with several rows.
    """
    source = Source(waivers_name, "")
    rows: dict[str, list[Waiver]] = {}
    for waiver in waivers:
        rows.setdefault(waiver.fingerprint, []).append(waiver)
    active: dict[str, Waiver] = {}
    about: list[Finding] = []
    for fingerprint, decisions in rows.items():
        latest = max(decisions, key=lambda w: (w.date, w.row))
        cell = f"A{latest.row}"
        if fingerprint not in present:
            if latest.applies(today):
                about.append(
                    make(
                        "waiver-unmatched",
                        source,
                        cell=cell,
                        fingerprint=fingerprint,
                        reason=latest.reason,
                        locus=(fingerprint,),
                    )
                )
            continue
        if len(decisions) > 1:
            about.append(
                make(
                    "waiver-conflict",
                    source,
                    cell=cell,
                    fingerprint=fingerprint,
                    rows=", ".join(str(w.row) for w in sorted(decisions, key=lambda w: w.row)),
                    row=latest.row,
                    by=latest.by,
                    date=latest.date.strftime("%d.%m.%Y"),
                    locus=(fingerprint, "conflict"),
                )
            )
        if latest.applies(today):
            active[fingerprint] = latest
        else:
            about.append(
                make(
                    "waiver-expired",
                    source,
                    cell=cell,
                    fingerprint=fingerprint,
                    until=latest.until,
                    locus=(fingerprint,),
                )
            )
    return active, about


def mark(findings: pd.DataFrame, active: dict[str, Waiver]) -> pd.DataFrame:
    """Add the waiver columns to the findings table.

    Args:
        findings: The run's findings, with their ``fingerprint``.
        active: Fingerprint → waiver in force.

    Returns:
        The table with ``status`` (``open``/``waived``), ``waived_by``,
        ``waived_reason`` and ``waived_until``.
    """
    marked = findings.copy()
    matched = [active.get(fp) for fp in marked["fingerprint"]]
    marked["status"] = ["open" if w is None else "waived" for w in matched]
    marked["waived_by"] = ["" if w is None else w.by for w in matched]
    marked["waived_reason"] = ["" if w is None else w.reason for w in matched]
    marked["waived_until"] = [
        "" if w is None or w.until is None else w.until.isoformat() for w in matched
    ]
    return marked


def add(
    path: Path,
    *,
    fingerprint: str,
    reason: str,
    by: str,
    until: dt.date | None,
    today: dt.date,
) -> Waiver:
    """Append a waiver to the file (created, Excel-ready, if missing), atomically.

    Args:
        path: The waivers CSV.
        fingerprint: The finding's fingerprint, from the worklist.
        reason: Why it is accepted.
        by: Who accepts it.
        until: The last day it applies, or ``None``.
        today: The waiver's date.

    Returns:
        The waiver written.

    Raises:
        WaiverError: The fingerprint, reason or name is not usable.
    """
    fingerprint = fingerprint.strip().casefold()
    if not _FINGERPRINT.match(fingerprint):
        raise WaiverError(
            "отпечаток должен быть из 16 символов 0–9, a–f (столбец fingerprint)",
            "a fingerprint is 16 characters 0–9, a–f (the fingerprint column)",
        )
    if not reason.strip() or not by.strip():
        raise WaiverError(
            "нужны причина (--reason) и кто принял решение (--by)",
            "a reason (--reason) and who decided (--by) are needed",
        )
    existing = path.read_text(encoding="utf-8-sig") if path.exists() else ""
    delimiter = _dialect(existing) if existing.strip() else ";"
    rows = list(csv.reader(io.StringIO(existing), delimiter=delimiter)) if existing else []
    if not rows:
        rows = [list(COLUMNS)]
    rows.append(
        [
            fingerprint,
            reason.strip(),
            by.strip(),
            today.isoformat(),
            until.isoformat() if until else "",
        ]
    )

    def write(target: Path) -> None:
        with target.open("w", encoding="utf-8-sig", newline="") as handle:
            csv.writer(handle, delimiter=delimiter).writerows(rows)

    write_atomically(path, write)
    return Waiver(fingerprint, reason.strip(), by.strip(), today, until, len(rows))
