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
    for sub, channel, territory, month in missing_months(frame).itertuples(index=False):
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


def missing_months(frame: pd.DataFrame) -> pd.DataFrame:
    """List the months missing from each channel (and territory) reported monthly.

    Every series given by month is set against the twelve months at once; a
    series is named by the territory as its first row writes it.

    Args:
        frame: The rows of ``Время`` with their matching keys (see :func:`select`).

    Returns:
        ``submission``, ``channel``, ``territory``, ``month`` per missing month,
        by submission, channel and territory key, then month.
    """
    series = ["submission", "channel", "territory_key"]
    # As a groupby sees them: a row without a channel or territory key is in no series.
    monthly = frame[frame["period_key"] > 0].dropna(subset=series)
    first = monthly.drop_duplicates(series, keep="first")[[*series, "territory"]]
    first = first.assign(_order=first.groupby(series, sort=True).ngroup())
    every = first.merge(pd.DataFrame({"period_key": range(1, 13)}), how="cross")
    given = monthly[[*series, "period_key"]].drop_duplicates()
    every = every.merge(given, on=[*series, "period_key"], how="left", indicator=True)
    missing = every[(every["_merge"] == "left_only").to_numpy()].sort_values(
        ["_order", "period_key"], kind="stable"
    )
    return pd.DataFrame(
        {
            "submission": missing["submission"].to_numpy(),
            "channel": missing["channel"].to_numpy(),
            "territory": missing["territory"].astype(str).to_numpy(),
            "month": missing["period_key"].to_numpy(dtype="int64"),
        }
    )
