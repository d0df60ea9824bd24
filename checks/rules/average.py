"""Family ``average``: a stated yearly average against the months it averages.

A ``Год`` row equals the mean of the same channel's (and territory's) months,
weighted by ``Обращений`` where every month gives it (then within one
second, else ``average-weighted``, an error); unweighted otherwise (then a
gap over 5 % of the mean is ``average-unweighted``, a warning).
"""

from __future__ import annotations

from typing import Any

import numpy as np
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
#: Columns of the comparison table.
COLUMNS = (
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
)


def comparisons(tables: Tables) -> pd.DataFrame:
    """Build the table of yearly averages against the months' mean.

    Args:
        tables: The batch.

    Returns:
        One row per channel, territory and metric with a ``Год`` row and months.
    """
    d = durations(tables)
    f = tables.figures
    key = ["submission", "channel", "territory", "metric"]
    counts = f[
        (f["metric"] == METRIC_TIME_APPEALS) & f["known"] & f["value"].notna() & f["month"].notna()
    ]
    # A month's count given twice: the last one counts.
    weights = counts.drop_duplicates(["submission", "channel", "territory", "month"], keep="last")
    weights = weights[["submission", "channel", "territory", "month", "value"]].rename(
        columns={"value": "weight"}
    )
    d = d.assign(_key=d.groupby(key, sort=False, dropna=False).ngroup())
    is_year = d["month"].isna()
    # Of a yearly row given twice, the first counts; every month row counts, in sheet order.
    yearly = d[is_year].drop_duplicates("_key", keep="first")
    months = d[~is_year & d["_key"].isin(yearly["_key"])]
    yearly = yearly[yearly["_key"].isin(months["_key"])]
    if yearly.empty:
        return pd.DataFrame([], columns=list(COLUMNS))
    months = months.merge(weights, on=["submission", "channel", "territory", "month"], how="left")
    row_of = pd.Series(np.arange(len(yearly)), index=yearly["_key"].to_numpy())
    at = row_of.loc[months["_key"].to_numpy()].to_numpy()
    position = months.groupby("_key", sort=False).cumcount().to_numpy()
    shape = (len(yearly), int(position.max()) + 1)
    value = np.zeros(shape)
    value[at, position] = months["value"].to_numpy(dtype=float)
    weight = np.zeros(shape)
    weight[at, position] = months["weight"].fillna(0.0).to_numpy(dtype=float)
    n = np.bincount(at, minlength=len(yearly))
    unweighed = np.bincount(at, weights=months["weight"].isna().to_numpy(), minlength=len(yearly))
    # Added month by month, left to right, as the steward would.
    total = np.zeros(len(yearly))
    product = np.zeros(len(yearly))
    plain = np.zeros(len(yearly))
    for j in range(shape[1]):
        total = total + weight[:, j]
        product = product + weight[:, j] * value[:, j]
        plain = plain + value[:, j]
    weighted = (unweighed == 0) & (total > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        computed = np.where(weighted, product / np.where(weighted, total, 1.0), plain / n)
    stated = yearly["value"].to_numpy(dtype=float)
    return pd.DataFrame(
        {
            ROW_ID: np.arange(len(yearly)),
            "submission": yearly["submission"].to_numpy(),
            "cell": yearly["cell"].to_numpy(),
            "channel": yearly["channel"].to_numpy(),
            "territory": yearly["territory"].to_numpy(),
            "metric": yearly["metric"].to_numpy(),
            "stated": stated,
            "computed": computed,
            "abs_diff": np.abs(stated - computed),
            "tolerance": np.where(weighted, WEIGHTED_TOLERANCE_S, UNWEIGHTED_TOLERANCE * computed),
            "rule": np.where(weighted, "average-weighted", "average-unweighted"),
            "months": n,
        },
        columns=list(COLUMNS),
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
