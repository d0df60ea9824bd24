"""Family ``norm``: did the reported service meet the applicable standard?

A breach is a warning: a finding about the service, not about the data. The
standard is configuration (:mod:`checks.norms`), chosen per submission.

Rules: ``norm-time`` (a waiting or service time of the ``Время`` sheet against
a limit; a range like ``от 3 до 30 дней`` breaches an upper limit only by its
upper bound, a lower limit only by its lower bound) and ``norm-schedule``
(the hours read from ``Режим работы`` against the standard's daily, weekly
or weekend hours; the smallest week counts).
"""

from __future__ import annotations

from checks import vocab
from checks.findings import Finding, make
from checks.norms import Norm
from checks.rules.schedule import canonical_channel, day_names, readings
from checks.rules.time_format import METRIC_NAMES
from checks.rules.time_sum import period_name
from checks.tables import Tables, is_missing, records
from checks.text import fmt_seconds
from checks.values import INVALID

OPERATOR_WORDS = {"<": "меньше", "<=": "не больше", ">": "больше", ">=": "не меньше"}
OPERATOR_SIGNS = {"<": "<", "<=": "≤", ">": ">", ">=": "≥"}


def _bound(norm: Norm, low: float, high: float) -> float:
    """The end of a reported range that a limit is compared with."""
    return high if norm.operator in ("<", "<=") else low


def time_findings(tables: Tables) -> list[Finding]:
    """Check the ``Время`` durations against the time norms of each submission's standard.

    Args:
        tables: The batch.

    Returns:
        One warning per figure that breaches a norm.
    """
    out: list[Finding] = []
    f = tables.figures
    durations = f[f["known"] & f["metric"].isin(list(METRIC_NAMES)) & (f["form"] != INVALID)]
    durations = durations[durations["value"].notna()]
    for row in records(durations):
        standard = tables.standards.get(row["submission"])
        if standard is None:
            continue
        period = "year" if is_missing(row["month"]) else "month"
        for norm in standard.norms:
            if (
                norm.kind != "time"
                or norm.metric != row["metric"]
                or row["channel"] not in norm.channels
                or period not in norm.periods
            ):
                continue
            value = _bound(norm, float(row["value"]), float(row["value_max"]))
            if norm.holds(value):
                continue
            territory = f" ({row['territory']})" if row["territory"] else ""
            out.append(
                make(
                    "norm-time",
                    tables.sources[row["submission"]],
                    sheet=vocab.TIMES,
                    cell=row["cell"],
                    expected=f"{OPERATOR_SIGNS[norm.operator]} {fmt_seconds(norm.limit)}",
                    actual=row["stated"],
                    channel=f"{row['channel']}{territory}",
                    period=period_name(row["month"]),
                    what=norm.what,
                    stated=row["stated"],
                    standard=standard.name,
                    operator=OPERATOR_WORDS[norm.operator],
                    limit=norm.limit_text,
                )
            )
    return out


def schedule_findings(tables: Tables) -> list[Finding]:
    """Check the hours read from ``Режим работы`` against the schedule norms.

    Args:
        tables: The batch.

    Returns:
        One warning per channel and norm breached.
    """
    out: list[Finding] = []
    for row, reading in readings(tables):
        standard = tables.standards.get(row["submission"])
        if standard is None or not reading.weeks:
            continue
        channel = canonical_channel(str(row["channel"]))
        smallest = min(reading.weeks, key=lambda w: w.total)
        for norm in standard.norms:
            if norm.kind == "time" or channel not in norm.channels:
                continue
            if norm.kind == "day":
                worst = min(
                    ((w, d) for w in reading.weeks for d in norm.days),
                    key=lambda p: p[0].hours[p[1]],
                )
                week, value = worst[0], worst[0].hours[worst[1]]
                failing = sorted({d for d in norm.days if not norm.holds(week.hours[d])})
                shown = f"{value:g} ч в {day_names(failing)}"
            else:
                week = smallest
                value = week.total if norm.kind == "week" else week.weekend
                shown = f"{value:g} ч"
            if norm.holds(value):
                continue
            out.append(
                make(
                    "norm-schedule",
                    tables.sources[row["submission"]],
                    sheet=vocab.SCHEDULE,
                    cell=row["schedule_cell"],
                    expected=f"{OPERATOR_SIGNS[norm.operator]} {norm.limit:g}",
                    actual=f"{value:g}",
                    channel=row["channel"],
                    what=norm.what,
                    value=shown,
                    week=f", {week.label}" if week.label else "",
                    standard=standard.name,
                    operator=OPERATOR_WORDS[norm.operator],
                    limit=f"{norm.limit:g}",
                )
            )
    return out
