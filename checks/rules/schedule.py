"""Family ``schedule``: the ``Режим работы`` texts read into hours.

Rule: ``schedule-unreadable``, a warning quoting the part of the text that
could not be read and why (see :mod:`checks.schedules`). The hours read go to
the validated schedules table and feed the schedule norms.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from checks import vocab
from checks.findings import Finding, make
from checks.schedules import WEEKDAYS, Reading, read_schedule
from checks.tables import Tables, records
from checks.text import normalize

HOURS_COLUMNS = [f"hours_{day}" for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")]


def canonical_channel(name: str) -> str:
    """Return the contract's channel a schedule row names, or the name as written.

    Args:
        name: The ``Канал`` cell of ``Режим работы``.

    Returns:
        The canonical channel name when the name is one (or an alias).
    """
    return (
        vocab.lookup(vocab.TIME_CHANNEL_INDEX, name)
        or vocab.lookup(vocab.CHANNEL_INDEX, name)
        or name
    )


def readings(tables: Tables) -> list[tuple[dict[str, Any], Reading]]:
    """Read every schedule text of the batch.

    Args:
        tables: The batch.

    Returns:
        (schedule row, reading) pairs, rows with text only.
    """
    rows = records(tables.schedules) if not tables.schedules.empty else []
    # A batch repeats the same few texts: each is read once.
    read: dict[str, Reading] = {}
    return [
        (row, read.get(text) or read.setdefault(text, read_schedule(text)))
        for row in rows
        if row.get("schedule")
        for text in (str(row["schedule"]),)
    ]


def findings(tables: Tables) -> list[Finding]:
    """Report each part of a schedule text that could not be read.

    Args:
        tables: The batch.

    Returns:
        One warning per unreadable part, at the text's cell.
    """
    out: list[Finding] = []
    for row, reading in readings(tables):
        for part, why in reading.problems:
            out.append(
                make(
                    "schedule-unreadable",
                    tables.sources[row["submission"]],
                    sheet=vocab.SCHEDULE,
                    cell=row["schedule_cell"],
                    actual=part,
                    channel=row["channel"],
                    part=part,
                    why=why,
                    locus=(row["channel"], part),
                )
            )
    return out


def hours_table(tables: Tables) -> pd.DataFrame:
    """Add the hours read to the schedules table.

    Per row: whether it was read, the smallest and largest week, their weekend
    hours, the hours of each weekday in the smallest week, the weeks described.

    Args:
        tables: The batch.

    Returns:
        The schedules table with the hours columns (empty where unread).
    """
    if tables.schedules.empty:
        return tables.schedules
    read = {(row["submission"], row["row"]): reading for row, reading in readings(tables)}
    extra: list[dict[str, Any]] = []
    for row in records(tables.schedules):
        reading = read.get((row["submission"], row["row"]))
        weeks = reading.weeks if reading else []
        smallest = min(weeks, key=lambda w: w.total) if weeks else None
        extra.append(
            {
                "channel_canonical": canonical_channel(str(row["channel"])),
                "read": bool(reading and reading.readable),
                "hours_week_min": min(w.total for w in weeks) if weeks else None,
                "hours_week_max": max(w.total for w in weeks) if weeks else None,
                "weekend_hours_min": min(w.weekend for w in weeks) if weeks else None,
                "weekend_hours_max": max(w.weekend for w in weeks) if weeks else None,
                **{
                    column: smallest.hours[i] if smallest else None
                    for i, column in enumerate(HOURS_COLUMNS)
                },
                "weeks": "; ".join(f"{w.label or 'обычная неделя'}: {w.total:g} ч" for w in weeks),
                "holidays_noted": bool(reading and reading.holidays),
            }
        )
    return pd.concat([tables.schedules.reset_index(drop=True), pd.DataFrame(extra)], axis=1)


def day_names(days: list[int]) -> str:
    """Name weekdays for messages: ``пн, вт``."""
    return ", ".join(WEEKDAYS[d] for d in days)


def same_channel(a: str, b: str) -> bool:
    """Tell whether two channel names mean the same channel."""
    return normalize(canonical_channel(a)) == normalize(canonical_channel(b))
