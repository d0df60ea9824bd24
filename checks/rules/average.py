"""Family ``average``: a stated yearly average against the months it averages.

A ``Год`` row equals the mean of the same channel's (and territory's) months,
weighted by ``Обращений`` where every month gives it (then within one
second, else ``average-weighted``, an error); unweighted otherwise (then a
gap over 5 % of the mean is ``average-unweighted``, a warning).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from checks import vocab
from checks.engines import ROW_ID, Suite, gap_within
from checks.findings import Finding, make
from checks.reader import METRIC_TIME_APPEALS
from checks.rules.time_format import METRIC_NAMES
from checks.rules.time_sum import durations
from checks.tables import Tables, records
from checks.text import fmt_seconds

TABLE = "average"
WEIGHTED_TOLERANCE_S = 1.0
UNWEIGHTED_TOLERANCE = 0.05
#: The Great Expectations table's column: the yearly figure minus the months' mean, in seconds.
GAP = "gap_s"


def comparisons(tables: Tables) -> pd.DataFrame:
    """Build the table of yearly averages against the months' mean.

    Args:
        tables: The batch.

    Returns:
        One row per channel, territory and metric with a ``Год`` row and months.
    """
    d = durations(tables)
    f = tables.figures
    counts = f[
        (f["metric"] == METRIC_TIME_APPEALS) & f["known"] & f["value"].notna() & f["month"].notna()
    ]
    weights = {
        (s, c, t, int(m)): float(v)
        for s, c, t, m, v in zip(
            counts["submission"],
            counts["channel"],
            counts["territory"],
            counts["month"],
            counts["value"],
            strict=True,
        )
    }
    yearly: dict[tuple[str, str, str, str], tuple[float, str]] = {}
    monthly: dict[tuple[str, str, str, str], list[tuple[int, float]]] = {}
    for s, c, t, metric, month, value, cell in zip(
        d["submission"],
        d["channel"],
        d["territory"],
        d["metric"],
        d["month"],
        d["value"],
        d["cell"],
        strict=True,
    ):
        key = (s, c, t, metric)
        if pd.isna(month):
            yearly.setdefault(key, (float(value), cell))
        else:
            monthly.setdefault(key, []).append((int(month), float(value)))
    rows: list[dict[str, Any]] = []
    for key, (stated, cell) in yearly.items():
        months = monthly.get(key)
        if not months:
            continue
        s, c, t, metric = key
        w = [weights.get((s, c, t, m)) for m, _ in months]
        weighted = all(x is not None for x in w) and sum(x or 0.0 for x in w) > 0
        if weighted:
            total = sum(x or 0.0 for x in w)
            computed = sum((x or 0.0) * v for x, (_, v) in zip(w, months, strict=True)) / total
            tolerance = WEIGHTED_TOLERANCE_S
        else:
            computed = sum(v for _, v in months) / len(months)
            tolerance = UNWEIGHTED_TOLERANCE * computed
        rows.append(
            {
                ROW_ID: len(rows),
                "submission": s,
                "cell": cell,
                "channel": c,
                "territory": t,
                "metric": metric,
                "stated": stated,
                "computed": computed,
                "abs_diff": abs(stated - computed),
                "tolerance": tolerance,
                "rule": "average-weighted" if weighted else "average-unweighted",
                "months": len(months),
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            ROW_ID,
            "submission",
            "cell",
            "channel",
            "territory",
            "metric",
            "stated",
            "computed",
            "abs_diff",
            "tolerance",
            "rule",
            "months",
        ],
    )


def expectations() -> list[Any]:
    """Return the suite: the yearly figure is within its tolerance of the months' mean.

    The weighted mean's tolerance is fixed (1 s) and written in the
    expectation; the unweighted one is 5 % of the mean, a column of its own.
    Failures are read under ``average``.

    Returns:
        The expectations, each tagged with its rule id.
    """
    import great_expectations as gx

    from checks.engines import described, where_rule

    weighted = gap_within(
        "average-weighted",
        "среднее за год (строка «Год») равно среднему по месяцам, взвешенному по «Обращений», "
        f"с точностью 1 с: {GAP} = stated − computed, в секундах, от −1 до 1.",
        GAP,
        WEIGHTED_TOLERANCE_S,
        key=TABLE,
        only=True,
    )
    unweighted = gx.expectations.ExpectColumnPairValuesAToBeGreaterThanB(
        column_A="tolerance",
        column_B="abs_diff",
        or_equal=True,
        row_condition=where_rule("average-unweighted"),
        description=described(
            "average-unweighted",
            "среднее за год (строка «Год») отличается от простого среднего по месяцам "
            "(не все месяцы указали «Обращений») не более чем на 5 %: "
            "abs_diff = |stated − computed| не больше tolerance = 5 % × computed.",
        ),
        meta={"rule": "average-unweighted", "key": TABLE},
    )
    return [weighted, unweighted]


def findings(table: pd.DataFrame, failed: dict[str, set[int]], tables: Tables) -> list[Finding]:
    """Turn failing rows into findings at the ``Год`` row's cell.

    Args:
        table: The comparison table.
        failed: Rule id → failing row ids.
        tables: The batch.

    Returns:
        One finding per yearly average off its months.
    """
    bad = table[table[ROW_ID].isin(failed.get("average", set()))]
    return [
        make(
            row["rule"],
            tables.sources[row["submission"]],
            sheet=vocab.TIMES,
            cell=row["cell"],
            expected=fmt_seconds(row["computed"]),
            actual=fmt_seconds(row["stated"]),
            channel=row["channel"] + (f" ({row['territory']})" if row["territory"] else ""),
            metric=METRIC_NAMES[row["metric"]].lower(),
            stated=fmt_seconds(row["stated"]),
            computed=fmt_seconds(row["computed"]),
            difference=fmt_seconds(row["stated"] - row["computed"]),
            months=row["months"],
            locus=(row["channel"], row["territory"], row["metric"]),
        )
        for row in records(bad)
    ]


def suite(table: pd.DataFrame) -> Suite:
    """Build the Great Expectations table: each yearly figure beside the months' mean.

    Args:
        table: The comparison table of :func:`comparisons`.

    Returns:
        The suite of the family: the comparison table with ``sheet`` and
        ``gap_s`` (stated − computed) added.
    """
    frame = table.assign(sheet=vocab.TIMES)
    frame[GAP] = frame["stated"] - frame["computed"]
    return Suite(
        TABLE,
        frame,
        expectations(),
        title="Время: среднее за год и среднее по месяцам",
    )
