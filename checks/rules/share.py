"""Family ``share``: complaint percentages against the counts they come from.

The stated share S, given with d decimals (as written, or as the percent
format shows it), is checked against C = 100 × complaints / appeals of the
same column (appeals: that column's ``Всего`` in ``Обращения``).
|C − S| ≤ ½·10⁻ᵈ is consistent (rounded); 0 < C − S < 10⁻ᵈ is consistent
with a figure cut rather than rounded (``share-truncated``, a warning);
anything else is ``share-mismatch``. Both together say S must lie in
(C − 10⁻ᵈ, C + ½·10⁻ᵈ]: the comparison table carries those bounds, and the
suite checks them. S is the decimal as written or as Excel shows it, and the
bounds are worked out exactly (fractions, not binary floats); each bound
column holds the float nearest the exact bound that orders against the
stated float as the exact bound orders against S, so the engine's float
comparison gives the exact verdict, even on a boundary. Where the appeals
total is not reported the share cannot be checked, and
``share-unverifiable`` says so. Complaints may not exceed
appeals, nor legal-entity complaints the complaints.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from checks import vocab
from checks.engines import ROW_ID, Suite
from checks.findings import Finding, make
from checks.i18n import Bilingual, en
from checks.reader import METRIC_APPEALS, METRIC_COMPLAINTS, METRIC_LEGAL, METRIC_SHARE
from checks.tables import Tables, is_missing, records
from checks.text import fmt_decimal, fmt_number, normalize, plain_number
from checks.values import INVALID

SHARES = "share"
#: Columns of the share comparison table.
SHARE_COLUMNS = [
    ROW_ID,
    "submission",
    "cell",
    "column",
    "stated",
    "computed",
    "decimals",
    "complaints",
    "appeals",
    "cut_low",
    "round_low",
    "round_high",
    "verdict",
    "complaints_cell",
    "appeals_cell",
]
#: Columns of the bound comparison table.
BOUND_COLUMNS = [
    ROW_ID,
    "submission",
    "cell",
    "rule",
    "stated",
    "bound",
    "column",
    "bound_sheet",
    "bound_cell",
]
BOUNDS = "share_bounds"
OK = "ok"
TRUNCATED = "truncated"
MISMATCH = "mismatch"


def exact(value: float) -> Fraction:
    """Return the decimal a float was read from, as a fraction (0.1 is 1/10, not 0.1000…0555).

    Args:
        value: A figure read from a cell (a share as shown, a count).

    Returns:
        Its shortest decimal representation, exactly.
    """
    return Fraction(Decimal(repr(float(value))))


def share_verdict(complaints: Fraction, appeals: Fraction, stated: Fraction, decimals: int) -> str:
    """Judge a stated share against the counts it comes from, exactly.

    Args:
        complaints: The complaints of the column.
        appeals: The appeals of the column (not zero).
        stated: The share S as written or shown, in percent.
        decimals: The decimals d it is given with.

    Returns:
        ``ok`` when |C − S| ≤ ½·10⁻ᵈ, ``truncated`` when 0 < C − S < 10⁻ᵈ
        otherwise, ``mismatch`` for anything else (C = 100 × complaints / appeals).
    """
    computed = 100 * complaints / appeals
    unit = Fraction(1, 10**decimals)
    if abs(computed - stated) <= unit / 2:
        return OK
    if 0 < computed - stated < unit:
        return TRUNCATED
    return MISMATCH


def _float_bound(bound: Fraction, stated: Fraction, upper: bool) -> float:
    """The float of ``bound`` that orders against ``float(stated)`` as ``bound`` does against S.

    Args:
        bound: The exact bound.
        stated: The exact stated share.
        upper: ``True`` for an upper bound (S ≤ bound holds), else a lower one (S ≥ bound).

    Returns:
        ``float(bound)``, or the stated float itself (or its neighbour) where
        binary rounding would put them on the wrong side of each other.
    """
    value, near = float(bound), float(stated)
    holds = stated <= bound if upper else stated >= bound
    if upper:
        if holds and value < near:
            return near
        if not holds and value >= near:
            return math.nextafter(near, -math.inf)
    else:
        if holds and value > near:
            return near
        if not holds and value <= near:
            return math.nextafter(near, math.inf)
    return value


class ShareFigures(pa.DataFrameModel):
    """Stated shares: readable, and a percent between 0 and 100."""

    value: Series[float] = pa.Field(nullable=True)
    form: Series[str]

    @pa.dataframe_check(name="share-invalid")
    def share_invalid(cls, df: pd.DataFrame) -> pd.Series:  # noqa: N805 (pandera's classmethod)
        """A share reads as a number from 0 to 100 %."""
        readable = df["form"] != INVALID
        in_range = df["value"].isna() | df["value"].between(0, 100)
        return readable & in_range


def select(tables: Tables) -> pd.DataFrame:
    """Return the stated shares of the batch (the rows :class:`ShareFigures` validates)."""
    f = tables.figures
    return f[(f["metric"] == METRIC_SHARE) & f["known"]]


def domain_findings(
    frame: pd.DataFrame, failed: dict[str, set[Any]], tables: Tables
) -> list[Finding]:
    """Turn ``share-invalid`` failures into findings.

    Args:
        frame: The validated share figures.
        failed: Check name → failing index labels.
        tables: The batch.

    Returns:
        One finding per unreadable or out-of-range share.
    """
    out = []
    for idx in sorted(failed.get("share-invalid", set())):
        row = frame.loc[idx]
        if row["form"] == INVALID:
            why = Bilingual(
                f"не читается как процент: {row['reason']}",
                f"does not read as a percentage: {en(str(row['reason']))}",
            )
        else:
            read = fmt_decimal(row["value"], 0 if is_missing(row["decimals"]) else row["decimals"])
            why = Bilingual(
                f"читается как {read} %, а доля должна быть от 0 до 100 %",
                f"reads as {read} %, but a share must be from 0 to 100 %",
            )
        out.append(
            make(
                "share-invalid",
                tables.sources[row["submission"]],
                sheet=vocab.COMPLAINTS,
                cell=row["cell"],
                actual=row["stated"],
                stated=row["stated"],
                why=why,
                locus=(row["territory"], row["metric"]),
            )
        )
    return out


def _cells(frame: pd.DataFrame) -> pd.DataFrame:
    """Key matrix figures by submission, metric and matching key of the column.

    Of a figure given twice, the last counts, in the place of the first.

    Args:
        frame: Figures of ``Жалобы`` or ``Обращения``.

    Returns:
        One row per key: ``submission``, ``metric``, ``key``, ``column`` (as
        written), ``value``, ``cell``, ``form``, ``decimals`` (0 if unknown).
    """
    territory = frame["territory"]
    names = pd.Series(territory.unique())
    keys = pd.Series(names.map(normalize).to_numpy(), index=names.to_numpy())
    cells = pd.DataFrame(
        {
            "submission": frame["submission"].to_numpy(),
            "metric": frame["metric"].to_numpy(),
            "key": keys.loc[territory.to_numpy()].to_numpy() if len(frame) else [],
            "column": territory.to_numpy(),
            "value": frame["value"].to_numpy(dtype=float),
            "cell": frame["cell"].to_numpy(),
            "form": frame["form"].to_numpy(),
            "decimals": frame["decimals"].fillna(0).to_numpy(dtype="int64"),
        }
    )
    place = ["submission", "metric", "key"]
    cells["_first"] = cells.groupby(place, sort=False, dropna=False).ngroup()
    return (
        cells.drop_duplicates(place, keep="last")
        .sort_values("_first", kind="stable")
        .drop(columns="_first")
        .reset_index(drop=True)
    )


def share_bounds(
    complaints: Fraction, appeals: Fraction, stated: Fraction, decimals: int
) -> dict[str, Any]:
    """Return the comparison row's bound columns and the exact verdict.

    The suite passes a share when ``stated ≥ cut_low`` and ``round_high ≥
    stated`` (else ``share-mismatch``) and, of those, flags ``stated <
    round_low`` as ``share-truncated``. Compared as floats, these columns
    give exactly :func:`share_verdict`'s answer.

    Args:
        complaints: The complaints of the column.
        appeals: The appeals of the column (not zero).
        stated: The share S as written or shown.
        decimals: The decimals d it is given with.

    Returns:
        ``cut_low``, ``round_low``, ``round_high`` (floats) and ``verdict``.
    """
    computed = 100 * complaints / appeals
    unit = Fraction(1, 10**decimals)
    near = float(stated)
    # S > C − 10⁻ᵈ is strict: on the bound itself the float just above it is the limit.
    cut_low = (
        math.nextafter(near, math.inf)
        if stated == computed - unit
        else _float_bound(computed - unit, stated, upper=False)
    )
    return {
        "cut_low": cut_low,
        "round_low": _float_bound(computed - unit / 2, stated, upper=False),
        "round_high": _float_bound(computed + unit / 2, stated, upper=True),
        "verdict": share_verdict(complaints, appeals, stated, decimals),
    }


def _why_unverifiable(
    shares: pd.DataFrame, has_appeals: pd.Series, appeals: pd.Series, complaints: pd.Series
) -> pd.Series:
    """Say, per stated share, why it cannot be checked (``""`` where it can).

    Args:
        shares: The stated shares, with ``column``.
        has_appeals: Whether the submission has ``Обращения``.
        appeals: The column's ``Всего`` in ``Обращения`` (NaN where not stated).
        complaints: The column's complaints (NaN where not stated).

    Returns:
        The reason, in Russian, per share.
    """
    column = shares["column"].astype(object)
    return pd.Series(
        np.select(
            [
                ~has_appeals.to_numpy(),
                appeals.isna().to_numpy(),
                (appeals == 0).to_numpy(),
                complaints.isna().to_numpy(),
            ],
            [
                "в книге нет листа «Обращения», число обращений неизвестно",
                ("на листе «Обращения» не указано «Всего» в столбце «" + column + "»").to_numpy(),
                ("на листе «Обращения» «Всего» в столбце «" + column + "» равно 0").to_numpy(),
                "не указано число претензий и жалоб",
            ],
            default="",
        ),
        index=shares.index,
    )


def comparisons(tables: Tables) -> tuple[dict[str, pd.DataFrame], list[Finding]]:
    """Build the share and bound comparison tables, and the unverifiable shares.

    The columns are matched with merges; only the share itself is worked out
    one by one, exactly (see :func:`share_bounds`).

    Args:
        tables: The batch.

    Returns:
        (table name → comparison table, ``share-unverifiable`` findings).
    """
    f = tables.figures
    figures = _cells(f[(f["sheet"] == vocab.COMPLAINTS) & f["known"] & (f["form"] != "empty")])
    appeals = _cells(
        f[
            (f["sheet"] == vocab.APPEALS)
            & f["known"]
            & (f["metric"] == METRIC_APPEALS)
            & (f["label"] == vocab.GRAND_TOTAL)
            & (f["form"] != "empty")
        ]
    )
    place = ["submission", "key"]
    appeals = appeals.drop_duplicates(place, keep="last")[[*place, "value", "cell"]]
    complaints = figures[figures["metric"] == METRIC_COMPLAINTS][[*place, "value", "cell"]]
    both = figures.merge(
        appeals.rename(columns={"value": "appeals", "cell": "appeals_cell"}), on=place, how="left"
    ).merge(
        complaints.rename(columns={"value": "complaints", "cell": "complaints_cell"}),
        on=place,
        how="left",
    )
    both["appeals_found"] = both["appeals_cell"].notna()
    both["complaints_found"] = both["complaints_cell"].notna()
    bounds = _bounds(both)
    shares = both[
        (both["metric"] == METRIC_SHARE)
        & both["value"].notna()
        & (both["form"] != INVALID)
        & both["value"].between(0, 100)  # share-invalid says so; a comparison would only repeat it
    ]
    with_appeals = {sub for sub, sheets in tables.sheets.items() if vocab.APPEALS in sheets}
    why = _why_unverifiable(
        shares,
        shares["submission"].isin(with_appeals),
        shares["appeals"],
        shares["complaints"],
    )
    unverifiable = [
        make(
            "share-unverifiable",
            tables.sources[row["submission"]],
            sheet=vocab.COMPLAINTS,
            cell=row["cell"],
            actual=plain_number(row["value"]),
            column=row["column"],
            stated=fmt_decimal(row["value"], row["decimals"]),
            why=reason,
            locus=(row["column"], row["metric"]),
        )
        for row, reason in zip(records(shares[why != ""]), why[why != ""], strict=True)
    ]
    checked = shares[why == ""]
    verdicts = [
        share_bounds(exact(c), exact(a), exact(v), int(d))
        for c, a, v, d in zip(
            checked["complaints"],
            checked["appeals"],
            checked["value"],
            checked["decimals"],
            strict=True,
        )
    ]
    computed = [
        float(100 * exact(c) / exact(a))
        for c, a in zip(checked["complaints"], checked["appeals"], strict=True)
    ]
    share_table = pd.DataFrame(
        {
            ROW_ID: np.arange(len(checked)),
            "submission": checked["submission"].to_numpy(),
            "cell": checked["cell"].to_numpy(),
            "column": checked["column"].to_numpy(),
            "stated": checked["value"].to_numpy(dtype=float),
            "computed": np.array(computed, dtype=float),
            "decimals": checked["decimals"].to_numpy(dtype="int64"),
            "complaints": checked["complaints"].to_numpy(dtype=float),
            "appeals": checked["appeals"].to_numpy(dtype=float),
            **{
                name: np.array([v[name] for v in verdicts], dtype=float)
                for name in ("cut_low", "round_low", "round_high")
            },
            "verdict": np.array([v["verdict"] for v in verdicts], dtype=object),
            "complaints_cell": checked["complaints_cell"].to_numpy(),
            "appeals_cell": checked["appeals_cell"].to_numpy(),
        },
        columns=SHARE_COLUMNS,
    )
    return {
        SHARES: share_table if len(checked) else pd.DataFrame([], columns=SHARE_COLUMNS),
        BOUNDS: bounds,
    }, unverifiable


def _bounds(both: pd.DataFrame) -> pd.DataFrame:
    """Pair each count with the count it may not exceed: complaints with appeals, legal with all.

    Args:
        both: The complaint figures with their column's appeals and complaints.

    Returns:
        The bound comparison table, in the figures' order.
    """
    complaints = both["metric"] == METRIC_COMPLAINTS
    legal = both["metric"] == METRIC_LEGAL
    bound = np.where(complaints, both["appeals"], both["complaints"])
    bound_cell = np.where(complaints, both["appeals_cell"], both["complaints_cell"])
    keep = (complaints | legal) & both["value"].notna() & pd.notna(bound)
    rows = both[keep]
    return (
        pd.DataFrame(
            {
                ROW_ID: np.arange(len(rows)),
                "submission": rows["submission"].to_numpy(),
                "cell": rows["cell"].to_numpy(),
                "rule": np.where(
                    complaints[keep],
                    "share-complaints-exceed-appeals",
                    "share-legal-exceed-complaints",
                ),
                "stated": rows["value"].to_numpy(dtype=float),
                "bound": bound[keep.to_numpy()].astype(float),
                "column": rows["column"].to_numpy(),
                "bound_sheet": np.where(complaints[keep], vocab.APPEALS, vocab.COMPLAINTS),
                "bound_cell": bound_cell[keep.to_numpy()],
            },
            columns=BOUND_COLUMNS,
        )
        if len(rows)
        else pd.DataFrame([], columns=BOUND_COLUMNS)
    )


def expectations() -> dict[str, list[Any]]:
    """Return the suites: the share within its bounds, the parts within their totals.

    The share's bounds come from a division the family makes (C = 100 ×
    complaints / appeals); the counts' bounds are stated figures, compared
    as they are. Bound failures are read under ``share-bound``.

    Returns:
        Table name → expectations tagged with their rule ids.
    """
    import great_expectations as gx

    from checks.engines import described, where_rule

    pair = gx.expectations.ExpectColumnPairValuesAToBeGreaterThanB
    mismatch = (
        "доля претензий и жалоб S, указанная с d знаками, сходится с C = 100 × complaints / "
        "appeals того же столбца: округлена (|C − S| ≤ ½·10⁻ᵈ) или усечена (0 < C − S < 10⁻ᵈ)"
    )
    return {
        SHARES: [
            pair(
                column_A="stated",
                column_B="cut_low",
                or_equal=True,
                description=described(
                    "share-mismatch", f"{mismatch}: S не меньше cut_low = C − 10⁻ᵈ."
                ),
                meta={"rule": "share-mismatch"},
            ),
            pair(
                column_A="round_high",
                column_B="stated",
                or_equal=True,
                description=described(
                    "share-mismatch", f"{mismatch}: S не больше round_high = C + ½·10⁻ᵈ."
                ),
                meta={"rule": "share-mismatch"},
            ),
            pair(
                column_A="stated",
                column_B="round_low",
                or_equal=True,
                description=described(
                    "share-truncated",
                    "доля S округлена, а не усечена: S не меньше round_low = C − ½·10⁻ᵈ "
                    "(строка, не прошедшая и share-mismatch, — ошибка share-mismatch).",
                ),
                meta={"rule": "share-truncated"},
            ),
        ],
        BOUNDS: [
            pair(
                column_A="bound",
                column_B="stated",
                or_equal=True,
                row_condition=where_rule(rule_id),
                description=described(rule_id, meaning),
                meta={"rule": rule_id, "key": "share-bound"},
            )
            for rule_id, meaning in (
                (
                    "share-complaints-exceed-appeals",
                    "претензий и жалоб (stated) не больше, чем обращений «Всего» "
                    "того же столбца на листе «Обращения» (bound).",
                ),
                (
                    "share-legal-exceed-complaints",
                    "претензий и жалоб от юридических лиц (stated) не больше, "
                    "чем всех претензий и жалоб того же столбца (bound).",
                ),
            )
        ],
    }


def findings(
    tables_cmp: dict[str, pd.DataFrame], failed: dict[str, dict[str, set[int]]], tables: Tables
) -> list[Finding]:
    """Turn the failing share and bound rows into findings.

    Args:
        tables_cmp: The comparison tables.
        failed: Table name → rule id → failing row ids.
        tables: The batch.

    Returns:
        ``share-mismatch`` errors, ``share-truncated`` warnings and bound errors.
    """
    out: list[Finding] = []
    share_failed = failed.get(SHARES, {})
    mismatch = share_failed.get("share-mismatch", set())
    truncated = share_failed.get("share-truncated", set()) - mismatch
    table = tables_cmp[SHARES]
    for rule_id, ids in (("share-mismatch", mismatch), ("share-truncated", truncated)):
        for row in records(table[table[ROW_ID].isin(ids)]):
            d = int(row["decimals"])
            out.append(
                make(
                    rule_id,
                    tables.sources[row["submission"]],
                    sheet=vocab.COMPLAINTS,
                    cell=row["cell"],
                    expected=f"{row['computed']:.{d}f}",
                    actual=plain_number(row["stated"]),
                    column=row["column"],
                    stated=fmt_decimal(row["stated"], d),
                    computed=fmt_decimal(row["computed"], max(d + 2, 2)),
                    complaints=fmt_number(row["complaints"]),
                    appeals=fmt_number(row["appeals"]),
                    tolerance=fmt_decimal(0.5 * 10.0**-d, d + 1),
                    decimals=d,
                    locus=(row["column"],),
                )
            )
    bounds = tables_cmp[BOUNDS]
    bound_failed = failed.get(BOUNDS, {}).get("share-bound", set())
    for row in records(bounds[bounds[ROW_ID].isin(bound_failed)]):
        out.append(
            make(
                row["rule"],
                tables.sources[row["submission"]],
                sheet=vocab.COMPLAINTS,
                cell=row["cell"],
                expected=f"≤ {plain_number(row['bound'])}",
                actual=plain_number(row["stated"]),
                column=row["column"],
                stated=fmt_number(row["stated"]),
                bound=fmt_number(row["bound"]),
                locus=(row["column"], row["rule"]),
            )
        )
    return out


def suites(tables_cmp: dict[str, pd.DataFrame]) -> list[Suite]:
    """Build the Great Expectations tables of the family: shares and bounds.

    Args:
        tables_cmp: The comparison tables of :func:`comparisons`.

    Returns:
        The two suites, each table with ``sheet`` added (all on ``Жалобы``).
    """
    suites = expectations()
    titles = {
        SHARES: "Жалобы: указанная доля и доля, вычисленная по числам",
        BOUNDS: "Жалобы: число и его предел (обращения, все жалобы)",
    }
    return [
        Suite(name, tables_cmp[name].assign(sheet=vocab.COMPLAINTS), suites[name], titles[name])
        for name in (SHARES, BOUNDS)
    ]
