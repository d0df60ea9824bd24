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

import operator

from checks import vocab
from checks.findings import Finding, make
from checks.i18n import Bilingual
from checks.rules.schedule import canonical_channel, day_names, readings
from checks.rules.time_format import METRIC_NAMES, plausible
from checks.rules.time_sum import period_name
from checks.tables import Tables, records
from checks.text import fmt_seconds
from checks.values import INVALID

OPERATOR_WORDS = {"<": "меньше", "<=": "не больше", ">": "больше", ">=": "не меньше"}
OPERATOR_SIGNS = {"<": "<", "<=": "≤", ">": ">", ">=": "≥"}
#: A norm's operator applied to a whole column (as :meth:`Norm.holds` to one figure).
COMPARE = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


def time_findings(tables: Tables) -> list[Finding]:
    """Check the ``Время`` durations against the time norms of each submission's standard.

    The comparison is vectorised per standard and norm; only the breaching
    rows become findings.

    Args:
        tables: The batch.

    Returns:
        One warning per figure that breaches a norm.
    """
    out: list[Finding] = []
    f = tables.figures
    durations = f[f["known"] & f["metric"].isin(list(METRIC_NAMES)) & (f["form"] != INVALID)]
    durations = durations[durations["value"].notna()]
    # An impossible figure is a time-format error; holding it to a norm would only repeat it.
    durations = durations[plausible(durations)]
    by_standard: dict[str, list[str]] = {}
    for submission, standard in tables.standards.items():
        by_standard.setdefault(standard.name, []).append(submission)
    for submissions in by_standard.values():
        standard = tables.standards[submissions[0]]
        mine = durations[durations["submission"].isin(submissions)]
        yearly = mine["month"].isna()
        for norm in standard.norms:
            if norm.kind != "time":
                continue
            in_period = (yearly & ("year" in norm.periods)) | (~yearly & ("month" in norm.periods))
            scope = mine[
                (mine["metric"] == norm.metric) & mine["channel"].isin(norm.channels) & in_period
            ]
            bound = scope["value_max"] if norm.operator in ("<", "<=") else scope["value"]
            breached = scope[~COMPARE[norm.operator](bound, norm.limit)]
            for row in records(breached):
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
                        what=Bilingual(norm.what, norm.what_en or norm.what),
                        stated=row["stated"],
                        standard=Bilingual(standard.name, standard.name_en or standard.name),
                        operator=OPERATOR_WORDS[norm.operator],
                        limit=norm.limit_text,
                        locus=(
                            row["channel"],
                            row["territory"],
                            row["month"],
                            row["metric"],
                            norm.id,
                        ),
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
                    what=Bilingual(norm.what, norm.what_en or norm.what),
                    value=shown,
                    week=f", {week.label}" if week.label else "",
                    standard=Bilingual(standard.name, standard.name_en or standard.name),
                    operator=OPERATOR_WORDS[norm.operator],
                    limit=f"{norm.limit:g}",
                    locus=(row["channel"], norm.id),
                )
            )
    return out
