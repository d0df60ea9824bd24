"""Family ``time-sum``: the combined in-person row is the sum of its two parts.

Where a period (and territory) has all three in-person rows, ``Очное —
консультация и кассовая операция`` equals ``консультация`` plus ``кассовая
операция``, for waiting and for service separately, within one second.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from checks import vocab
from checks.engines import ROW_ID, Suite, gap_within
from checks.findings import Finding, make
from checks.i18n import Bilingual, en
from checks.reader import METRIC_SERVICE, METRIC_WAITING
from checks.rules.time_format import METRIC_NAMES
from checks.tables import Tables, is_missing, records
from checks.text import fmt_seconds

TABLE = "time_sum"
TOLERANCE_S = 1.0
_POINT_FORMS = ("excel", "hms", "ms", "words")
#: The Great Expectations table's column: the combined time minus its parts, in seconds.
GAP = "gap_s"
#: Columns of the comparison table.
COLUMNS = (
    ROW_ID,
    "submission",
    "cell",
    "stated",
    "computed",
    "abs_diff",
    "tolerance",
    "month",
    "territory",
    "metric",
    "consult",
    "cash",
    "consult_cell",
    "cash_cell",
)


def period_name(month: Any) -> str:
    """Name a period for messages: ``Январь`` … ``Декабрь``, or ``Год``."""
    if is_missing(month):
        return vocab.YEAR_PERIOD
    return vocab.MONTHS[int(month) - 1]


def _where(month: Any, territory: Any) -> Bilingual:
    """Name the period, and the territory when the row gives one: ``Март (Север)``."""
    name = period_name(month)
    if is_missing(territory) or not territory:
        return Bilingual(name, en(name))
    return Bilingual(f"{name} ({territory})", f"{en(name)} ({territory})")


def durations(tables: Tables) -> pd.DataFrame:
    """Return the batch's readable point durations (ranges and unreadable left out)."""
    f = tables.figures
    return f[
        f["known"]
        & f["metric"].isin([METRIC_WAITING, METRIC_SERVICE])
        & f["form"].isin(_POINT_FORMS)
        & f["value"].notna()
    ]


def comparisons(tables: Tables) -> pd.DataFrame:
    """Build the table of combined in-person times against their parts.

    Args:
        tables: The batch.

    Returns:
        One row per period, territory and metric that has all three rows.
    """
    d = durations(tables)
    d = d[d["channel"].isin([vocab.TC_CONSULT, vocab.TC_CASH, vocab.TC_COMBINED])]
    key = ["submission", "month", "territory", "metric"]
    # Of a channel given twice in a period, the first row counts.
    d = d.drop_duplicates([*key, "channel"], keep="first")
    d = d.assign(_key=d.groupby(key, sort=False, dropna=False).ngroup())
    by_channel = {
        channel: d[d["channel"] == channel].set_index("_key")
        for channel in (vocab.TC_CONSULT, vocab.TC_CASH, vocab.TC_COMBINED)
    }
    combined = by_channel[vocab.TC_COMBINED]
    keys = (
        combined.index.intersection(by_channel[vocab.TC_CONSULT].index)
        .intersection(by_channel[vocab.TC_CASH].index)
        .sort_values()
    )
    if keys.empty:
        return pd.DataFrame([], columns=list(COLUMNS))
    row = combined.loc[keys]
    consult = by_channel[vocab.TC_CONSULT].loc[keys, "value"].to_numpy(dtype=float)
    cash = by_channel[vocab.TC_CASH].loc[keys, "value"].to_numpy(dtype=float)
    stated = row["value"].to_numpy(dtype=float)
    return pd.DataFrame(
        {
            ROW_ID: np.arange(len(keys)),
            "submission": row["submission"].to_numpy(),
            "cell": row["cell"].to_numpy(),
            "stated": stated,
            "computed": consult + cash,
            "abs_diff": np.abs(stated - consult - cash),
            "tolerance": TOLERANCE_S,
            "month": _months(row["month"]),
            "territory": row["territory"].to_numpy(),
            "metric": row["metric"].to_numpy(),
            "consult": consult,
            "cash": cash,
            "consult_cell": by_channel[vocab.TC_CONSULT].loc[keys, "cell"].to_numpy(),
            "cash_cell": by_channel[vocab.TC_CASH].loc[keys, "cell"].to_numpy(),
        },
        columns=list(COLUMNS),
    )


def _months(month: pd.Series) -> pd.Series:
    """The months as a table of plain values holds them: whole numbers, NaN for ``Год``.

    Args:
        month: The months (``Int64``, missing for a yearly row).

    Returns:
        ``int64`` when every row is a month, ``float64`` when some are yearly,
        ``None`` objects when all are.
    """
    if not month.isna().any():
        return month.astype("int64").reset_index(drop=True)
    if month.isna().all():
        return pd.Series([None] * len(month), dtype=object)
    return month.astype("float64").reset_index(drop=True)


def expectations() -> list[Any]:
    """Return the suite: the combined time minus its two parts is within ±1 s.

    Returns:
        The expectation, tagged with its rule id.
    """
    return [
        gap_within(
            "time-sum-mismatch",
            "время строки «Очное — консультация и кассовая операция» равно сумме строк "
            "«консультация» и «кассовая операция» того же периода с точностью 1 с: "
            f"{GAP} = stated − consult − cash, в секундах, от −1 до 1.",
            GAP,
            TOLERANCE_S,
            key="time-sum-mismatch",
        )
    ]


def findings(table: pd.DataFrame, failed: dict[str, set[int]], tables: Tables) -> list[Finding]:
    """Turn failing rows into findings at the combined row's cell.

    Args:
        table: The comparison table.
        failed: Rule id → failing row ids.
        tables: The batch.

    Returns:
        One finding per combined time that is not the sum of its parts.
    """
    bad = table[table[ROW_ID].isin(failed.get("time-sum-mismatch", set()))]
    return [
        make(
            "time-sum-mismatch",
            tables.sources[row["submission"]],
            sheet=vocab.TIMES,
            cell=row["cell"],
            expected=fmt_seconds(row["computed"]),
            actual=fmt_seconds(row["stated"]),
            period=_where(row["month"], row["territory"]),
            metric=METRIC_NAMES[row["metric"]].lower(),
            stated=fmt_seconds(row["stated"]),
            consult=fmt_seconds(row["consult"]),
            cash=fmt_seconds(row["cash"]),
            computed=fmt_seconds(row["computed"]),
            difference=fmt_seconds(row["stated"] - row["computed"]),
            locus=(row["month"], row["territory"], row["metric"]),
        )
        for row in records(bad)
    ]


def suite(table: pd.DataFrame) -> Suite:
    """Build the Great Expectations table: each combined time, its parts and the gap.

    Args:
        table: The comparison table of :func:`comparisons`.

    Returns:
        The suite of the family: ``row_id``, ``submission``, ``sheet``,
        ``cell``, ``month``, ``territory``, ``metric``, ``stated``,
        ``consult``, ``cash`` and ``gap_s`` (stated − consult − cash).
    """
    frame = table[
        [ROW_ID, "submission", "cell", "month", "territory", "metric", "stated", "consult", "cash"]
    ].assign(sheet=vocab.TIMES)
    frame[GAP] = frame["stated"] - frame["consult"] - frame["cash"]
    return Suite(
        TABLE,
        frame,
        expectations(),
        title="Время: очное обслуживание, консультация и кассовая операция вместе и по отдельности",
    )
