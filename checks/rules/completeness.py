"""Family ``completeness``: a yearly submission has every month, each once.

Rules: ``month-missing`` (a channel reported monthly lacks a month: one
warning per month) and ``period-duplicate`` (a period, channel and territory
given twice: an error at the second row).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from checks import vocab
from checks.findings import Finding, make
from checks.tables import Tables

KEYS = ["submission", "period_key", "channel", "territory_key"]


class TimeRows(pa.DataFrameModel):
    """Rows of ``Время``: no period, channel and territory twice."""

    submission: Series[str]
    channel: Series[str]

    @pa.dataframe_check(name="period-duplicate")
    def period_duplicate(cls, df: pd.DataFrame) -> pd.Series:  # noqa: N805
        """Each period, channel and territory appears once per submission."""
        return ~df.duplicated(KEYS, keep="first")


def select(tables: Tables) -> pd.DataFrame:
    """Return the readable rows of ``Время`` with their matching keys."""
    rows = tables.time_rows
    rows = rows[rows["known"]]
    return rows.assign(
        period_key=rows["month"].fillna(0).astype(int),
        territory_key=rows["territory"].str.casefold(),
    )


def findings(frame: pd.DataFrame, failed: dict[str, set[Any]], tables: Tables) -> list[Finding]:
    """Report duplicated rows (from pandera) and missing months (counted here).

    Args:
        frame: The validated rows of ``Время``.
        failed: Check name → failing index labels.
        tables: The batch.

    Returns:
        The completeness findings.
    """
    out: list[Finding] = []
    first_row = frame.drop_duplicates(KEYS, keep="first").set_index(KEYS)["row"]
    for idx in sorted(failed.get("period-duplicate", set())):
        row = frame.loc[idx]
        month = int(row["period_key"])
        out.append(
            make(
                "period-duplicate",
                tables.sources[row["submission"]],
                sheet=vocab.TIMES,
                cell=row["cell"],
                period=vocab.MONTHS[month - 1] if month else vocab.YEAR_PERIOD,
                channel=row["channel"],
                territory=f" ({row['territory']})" if row["territory"] else "",
                first=int(first_row.loc[tuple(row[k] for k in KEYS)]),
                locus=(row["period_key"], row["channel"], row["territory_key"], "повтор"),
            )
        )
    monthly = frame[frame["period_key"] > 0]
    for (sub, channel, _), group in monthly.groupby(
        ["submission", "channel", "territory_key"], sort=True
    ):
        territory = str(group["territory"].iloc[0])
        for month in sorted(set(range(1, 13)) - set(group["period_key"])):
            out.append(
                make(
                    "month-missing",
                    tables.sources[str(sub)],
                    sheet=vocab.TIMES,
                    expected=vocab.MONTHS[month - 1],
                    channel=channel,
                    territory=f" ({territory})" if territory else "",
                    month=vocab.MONTHS[month - 1].lower(),
                    locus=(channel, territory, month),
                )
            )
    return out
