"""Roots and follow-ons: which findings follow from which, and the likely culprit cell.

A steward should see one line per thing to fix. Every finding stays in the
worklist, but one that only follows from another names that root's
fingerprint in ``cause`` (a root leaves it empty). The links, read top to
bottom (:data:`FOLLOWS` says which rules follow from which):

1. **Culprit** (``total``, ``share``). Where one cell, changed by one amount,
   explains every failing sum around it and breaks no sum that holds (a
   row's ``Итого`` and a column's ``Всего`` off by the same amount; a subtotal
   and the grand total; a complaints count, its row's ``Итого`` and the share
   of its column), a ``total-culprit`` root points at that cell, says what it
   would have to hold, and the sums and shares it breaks follow from it.
   Two mistakes in one matrix get a culprit each unless they claim the same
   failing sum ambiguously; where no single cell fits, nothing is said.
2. **Unreadable value** (``structure``, ``share``, ``time-format``). Any other
   finding at the cell of a ``count-invalid``, ``share-invalid``,
   ``time-unparsed`` or ``time-out-of-range`` follows from it (a norm judged
   on an impossible time, a sum whose stated figure is a fraction); so does a
   sum with such a cell among its parts, a yearly average over a month whose
   time does not read or cannot be, and a combined in-person time over one.
3. **Rows kept out of the sums** (``structure`` → ``total``). A sum of channel
   rows in a column where a row with an unknown or missing label, or a
   repeated row, has figures, and off by exactly what (some of) those figures
   add up to, follows from that row's finding.
4. **Same cell, same difference** (``total``). Two sums stated in one cell and
   off by the same amount (``total-grand`` and ``total-grand-territories``;
   ``total-group`` and ``total-row`` of a subtotal) are one mistake: the later
   rule follows from the earlier.

A cause always names a root: a chain is followed to its top. A link that
:data:`FOLLOWS` does not declare is not made.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

from checks import vocab
from checks.findings import Finding, cell_sort_key, fingerprint, make
from checks.i18n import Bilingual
from checks.rules import share as share_rules
from checks.rules import total as total_rules
from checks.tables import Tables, is_missing, records
from checks.text import fmt_number, fmt_stated, plain_number

#: Follow-on rule → the rules it can follow from (the links above, per family).
FOLLOWS: dict[str, tuple[str, ...]] = {
    "total-row": ("total-culprit", "count-invalid", "total-group"),
    "total-column": (
        "total-culprit",
        "count-invalid",
        "label-unknown",
        "label-missing",
        "row-duplicate",
    ),
    "total-group": (
        "total-culprit",
        "count-invalid",
        "label-unknown",
        "label-missing",
        "row-duplicate",
    ),
    "total-grand": (
        "total-culprit",
        "count-invalid",
        "label-unknown",
        "label-missing",
        "row-duplicate",
    ),
    "total-grand-territories": ("total-culprit", "count-invalid", "total-grand"),
    "share-mismatch": ("total-culprit", "count-invalid"),
    "share-truncated": ("total-culprit", "count-invalid"),
    "share-complaints-exceed-appeals": ("total-culprit", "count-invalid"),
    "share-legal-exceed-complaints": ("total-culprit", "count-invalid"),
    "average-weighted": ("time-unparsed", "time-out-of-range"),
    "average-unweighted": ("time-unparsed", "time-out-of-range"),
    "time-sum-mismatch": ("time-out-of-range",),
    "norm-time": ("time-out-of-range",),
}
#: Findings whose cell holds a value that cannot be right: what else is said there follows.
VALUE_ROOTS = frozenset({"count-invalid", "share-invalid", "time-unparsed", "time-out-of-range"})
#: Findings about a row the reader kept out of every sum.
ROW_ROOTS = frozenset({"label-unknown", "label-missing", "row-duplicate"})
#: Sums of channel rows in one column (what a row kept out changes).
CHANNEL_SUMS = frozenset({"total-column", "total-grand", "total-group"})
#: Of two sums stated in one cell and off by the same amount, the earlier here is the root.
SAME_CELL_ORDER = (
    "total-grand",
    "total-group",
    "total-column",
    "total-row",
    "total-grand-territories",
)
#: Most rows kept out whose subsets are tried against a difference.
MAX_ROWS_TRIED = 10

Place = tuple[str, str]  # (sheet, A1)


@dataclass
class _Check:
    """One comparison of a submission: the cells it involves and whether it fails.

    Attributes:
        kind: ``sum`` (linear, exact), ``bound`` (bound − stated ≥ 0) or ``share``.
        finding: Index of its finding in the run's list, ``None`` when it holds.
        coefficients: Place → +1 for the stated figure, −1 for a part (sums).
        difference: Stated minus computed (sums); bound minus stated (bounds).
        row: The comparison row (for shares and names).
    """

    kind: str
    finding: int | None
    coefficients: dict[Place, int]
    difference: Fraction = Fraction(0)
    row: dict[str, Any] = field(default_factory=dict)


def link(
    found: list[Finding],
    tables: Tables,
    *,
    totals: pd.DataFrame,
    shares: pd.DataFrame,
    bounds: pd.DataFrame,
    time_sums: pd.DataFrame,
) -> list[Finding]:
    """Name each follow-on's root; add a ``total-culprit`` root where one cell explains a cluster.

    Args:
        found: Every finding of the run (reader's and rules'), none linked yet.
        tables: The batch.
        totals: The ``total`` comparison table.
        shares: The ``share`` comparison table.
        bounds: The ``share_bounds`` comparison table (complaints within appeals…).
        time_sums: The ``time_sum`` comparison table.

    Returns:
        The findings, culprits added, each with its ``cause`` (empty for a root).
    """
    findings = list(found)
    cause: dict[int, int] = {}
    checks = _checks(findings, totals, shares, bounds)
    # Only the figures a link can look at: the cells of the failing sums and shares,
    # of the unreadable values and of the yearly averages off their months.
    wanted = {
        (sub, *place)
        for sub, every in checks.items()
        for check in every
        if check.finding is not None
        for place in check.coefficients
    } | {
        (f.submission, f.sheet, f.cell)
        for f in findings
        if f.rule in VALUE_ROOTS or f.rule in ("average-weighted", "average-unweighted")
    }
    figures = _figure_index(tables.figures, wanted)
    _culprits(findings, cause, checks, figures, tables)
    _value_roots(findings, cause, checks, figures, time_sums)
    _rows_kept_out(findings, cause, checks, tables.figures)
    _same_cell(findings, cause)
    declared = {
        i: j for i, j in cause.items() if findings[j].rule in FOLLOWS.get(findings[i].rule, ())
    }
    prints = [fingerprint(f) for f in findings]
    out = []
    for i, finding in enumerate(findings):
        root = _top(i, declared)
        out.append(replace(finding, cause="" if root == i else prints[root]))
    return out


def _top(i: int, cause: dict[int, int]) -> int:
    seen = {i}
    while i in cause and cause[i] not in seen:
        i = cause[i]
        seen.add(i)
    return i


def _figure_index(
    figures: pd.DataFrame, wanted: set[tuple[str, str, str]]
) -> dict[tuple[str, str, str], dict[str, Any]]:
    """(submission, sheet, A1) → the figure there, for the wanted places only."""
    if not wanted:
        return {}
    figures = figures[figures["submission"].isin({sub for sub, _, _ in wanted})]
    places = pd.MultiIndex.from_arrays([figures["submission"], figures["sheet"], figures["cell"]])
    figures = figures[places.isin(list(wanted))]
    return {
        (str(r["submission"]), str(r["sheet"]), str(r["cell"])): r
        for r in records(
            figures[
                [
                    "submission",
                    "sheet",
                    "cell",
                    "value",
                    "label",
                    "territory",
                    "channel",
                    "metric",
                    "month",
                    "stated",
                    "known",
                    "row",
                ]
            ]
        )
    }


def _by_rule_place(findings: list[Finding]) -> dict[tuple[str, str, str, str], int]:
    return {
        (f.submission, f.sheet, f.cell, f.rule): i for i, f in reversed(list(enumerate(findings)))
    }


def _first_finding(findings: list[Finding], keys: pd.DataFrame) -> pd.Series:
    """The first finding at each (submission, sheet, cell, rule) of ``keys``, as an index.

    Args:
        findings: The run's findings.
        keys: Rows with ``submission``, ``sheet``, ``cell`` and ``rule``.

    Returns:
        Per row of ``keys`` (same index), the position of the first finding of
        that rule at that cell in ``findings``; ``-1`` where there is none.
    """
    place = ["submission", "sheet", "cell", "rule"]
    found = pd.DataFrame(
        [(f.submission, f.sheet, f.cell, f.rule) for f in findings], columns=place
    ).astype(object)
    found["finding"] = np.arange(len(found))
    found = found.drop_duplicates(place, keep="first")
    matched = keys[place].astype(object).merge(found, on=place, how="left")["finding"]
    return pd.Series(matched.fillna(-1).astype(int).to_numpy(), index=keys.index)


def _checks(
    findings: list[Finding], totals: pd.DataFrame, shares: pd.DataFrame, bounds: pd.DataFrame
) -> dict[str, list[_Check]]:
    """Every sum and share of each submission with one failing, its cells and finding if any.

    Which comparison failed is found with one merge per table; only the
    submissions where one did get their comparisons built one by one (a link
    is only ever made there).
    """
    total_found = _first_finding(findings, totals)
    share_keys = shares[["submission", "cell"]].assign(sheet=vocab.COMPLAINTS)
    mismatch = _first_finding(findings, share_keys.assign(rule="share-mismatch"))
    truncated = _first_finding(findings, share_keys.assign(rule="share-truncated"))
    share_found = mismatch.where(mismatch >= 0, truncated)
    bound_found = _first_finding(findings, bounds.assign(sheet=vocab.COMPLAINTS))
    failing = (
        set(totals["submission"][total_found >= 0])
        | set(shares["submission"][share_found >= 0])
        | set(bounds["submission"][bound_found >= 0])
    )
    out: dict[str, list[_Check]] = defaultdict(list)
    if not failing:
        return out

    def mine(frame: pd.DataFrame, found: pd.Series) -> list[tuple[dict[str, Any], int | None]]:
        keep = frame["submission"].isin(failing)
        return [
            (row, None if i < 0 else int(i))
            for row, i in zip(records(frame[keep]), found[keep], strict=True)
        ]

    for row, finding in mine(totals, total_found):
        sub, sheet = str(row["submission"]), str(row["sheet"])
        coefficients: dict[Place, int] = {(sheet, c): -1 for c in str(row["parts_cells"]).split()}
        coefficients[(sheet, str(row["cell"]))] = 1
        difference = share_rules.exact(row["stated"]) - share_rules.exact(row["computed"])
        out[sub].append(_Check("sum", finding, coefficients, difference, row))
    for row, finding in mine(shares, share_found):
        coefficients = {
            (vocab.COMPLAINTS, str(row["cell"])): 0,
            (vocab.COMPLAINTS, str(row["complaints_cell"])): 0,
            (vocab.APPEALS, str(row["appeals_cell"])): 0,
        }
        out[str(row["submission"])].append(_Check("share", finding, coefficients, row=row))
    for row, finding in mine(bounds, bound_found):
        coefficients = {
            (vocab.COMPLAINTS, str(row["cell"])): -1,
            (str(row["bound_sheet"]), str(row["bound_cell"])): 1,
        }
        difference = share_rules.exact(row["bound"]) - share_rules.exact(row["stated"])
        out[str(row["submission"])].append(_Check("bound", finding, coefficients, difference, row))
    return out


def _corrected_share(check: _Check, place: Place, value: Fraction) -> str:
    row = check.row
    complaints = share_rules.exact(row["complaints"])
    appeals = share_rules.exact(row["appeals"])
    if place == (vocab.COMPLAINTS, str(row["complaints_cell"])):
        complaints = value
    if place == (vocab.APPEALS, str(row["appeals_cell"])):
        appeals = value
    if appeals <= 0:
        return share_rules.MISMATCH
    return share_rules.share_verdict(
        complaints, appeals, share_rules.exact(row["stated"]), int(row["decimals"])
    )


def _explains(place: Place, correction: Fraction, value: Fraction, checks: list[_Check]) -> bool:
    """Tell whether changing ``place`` by ``correction`` settles every check it takes part in."""
    if value + correction < 0 or (value + correction).denominator != 1:
        return False
    for check in checks:
        if place not in check.coefficients:
            continue
        if check.kind == "sum":
            if check.difference + check.coefficients[place] * correction != 0:
                return False
        elif check.kind == "bound":
            if check.difference + check.coefficients[place] * correction < 0:
                return False
        elif _corrected_share(check, place, value + correction) != share_rules.OK:
            return False
    return True


def _culprits(
    findings: list[Finding],
    cause: dict[int, int],
    checks: dict[str, list[_Check]],
    figures: dict[tuple[str, str, str], dict[str, Any]],
    tables: Tables,
) -> None:
    """Name each cell that alone explains two or more failing checks, and link them to it.

    A cell qualifies when one change of it settles every check it takes part
    in (the failing ones agree, the holding ones still hold) and at least two
    of them fail now. Two qualifying cells that claim the same failing check
    are an ambiguity (the same amount off in two places): neither is named.
    """
    for sub, every in checks.items():
        involved: dict[Place, list[_Check]] = defaultdict(list)
        for check in every:
            if check.finding is not None:
                for place in check.coefficients:
                    involved[place].append(check)
        fits: dict[Place, tuple[Fraction, Fraction, list[_Check]]] = {}
        for place, mine in involved.items():
            sums = [c for c in mine if c.kind == "sum"]
            figure = figures.get((sub, *place))
            if len(mine) < 2 or not sums or figure is None or is_missing(figure["value"]):
                continue
            value = share_rules.exact(figure["value"])
            correction = -sums[0].difference / sums[0].coefficients[place]
            if correction != 0 and _explains(place, correction, value, every):
                fits[place] = (value, correction, mine)
        claims: dict[int, int] = defaultdict(int)
        for _, _, mine in fits.values():
            for check in mine:
                claims[id(check)] += 1
        for place in sorted(fits, key=lambda p: (p[0], cell_sort_key(p[1]))):
            value, correction, mine = fits[place]
            if any(claims[id(c)] > 1 for c in mine):
                continue
            figure = figures[(sub, *place)]
            findings.append(
                _culprit_finding(
                    tables,
                    sub=sub,
                    place=place,
                    figure=figure,
                    value=value,
                    correction=correction,
                    component=mine,
                )
            )
            root = len(findings) - 1
            for check in mine:
                assert check.finding is not None
                cause.setdefault(check.finding, root)
            for i, f in enumerate(findings[:root]):
                if f.submission == sub and (f.sheet, f.cell) == place:
                    cause.setdefault(i, root)


def _check_name(check: _Check) -> Bilingual:
    row = check.row
    label, column = str(row.get("label", "")), str(row.get("column", ""))
    if check.kind == "share":
        return Bilingual(
            f"доля жалоб в столбце «{column}»", f"complaint share in column «{column}»"
        )
    if check.kind == "bound":
        return Bilingual(
            f"жалоб не больше обращений в столбце «{column}»"
            if row["rule"] == "share-complaints-exceed-appeals"
            else f"жалоб юрлиц не больше жалоб в столбце «{column}»",
            f"complaints within appeals in column «{column}»"
            if row["rule"] == "share-complaints-exceed-appeals"
            else f"legal-entity complaints within complaints in column «{column}»",
        )
    names = {
        "total-row": (f"Итого строки «{label}»", f"Total of row «{label}»"),
        "total-column": (f"Всего столбца «{column}»", f"All of column «{column}»"),
        "total-group": (f"«{label}» в столбце «{column}»", f"«{label}» in column «{column}»"),
        "total-grand": ("Всего по каналам", "All by channels"),
        "total-grand-territories": ("Всего по территориям", "All by territories"),
    }
    ru, en = names[str(row["rule"])]
    return Bilingual(ru, en)


def _culprit_finding(
    tables: Tables,
    *,
    sub: str,
    place: Place,
    figure: dict[str, Any],
    value: Fraction,
    correction: Fraction,
    component: Iterable[_Check],
) -> Finding:
    names = [_check_name(c) for c in component]
    label = str(figure["label"])
    column = str(figure["territory"])
    return make(
        "total-culprit",
        tables.sources[sub],
        sheet=place[0],
        cell=place[1],
        expected=plain_number(float(value + correction)),
        actual=str(figure["stated"]),
        label=label,
        column=column,
        stated=fmt_stated(float(value), str(figure["stated"])),
        corrected=fmt_number(float(value + correction)),
        checks=Bilingual("; ".join(n.ru for n in names), "; ".join(n.en for n in names)),
        difference=total_rules.signed(float(-correction)),
        locus=(label, column),
    )


def _value_roots(
    findings: list[Finding],
    cause: dict[int, int],
    checks: dict[str, list[_Check]],
    figures: dict[tuple[str, str, str], dict[str, Any]],
    time_sums: pd.DataFrame,
) -> None:
    roots: dict[tuple[str, str, str], int] = {}
    for i, f in enumerate(findings):
        if f.rule in VALUE_ROOTS and f.cell:
            roots.setdefault((f.submission, f.sheet, f.cell), i)
    if not roots:
        return
    for i, f in enumerate(findings):
        root = roots.get((f.submission, f.sheet, f.cell))
        if root is not None and root != i and f.rule not in VALUE_ROOTS:
            cause.setdefault(i, root)
    for sub, every in checks.items():
        for check in every:
            if check.finding is None:
                continue
            for place in check.coefficients:
                root = roots.get((sub, *place))
                if root is not None and root != check.finding:
                    cause.setdefault(check.finding, root)
                    break
    series: dict[tuple[str, str, str, str], int] = {}
    for (sub, sheet, cell), i in roots.items():
        figure = figures.get((sub, sheet, cell))
        if sheet != vocab.TIMES or figure is None or is_missing(figure["month"]):
            continue
        key = (sub, str(figure["channel"]), str(figure["territory"]), str(figure["metric"]))
        series.setdefault(key, i)
    at = _by_rule_place(findings)
    for i, f in enumerate(findings):
        if f.rule not in ("average-weighted", "average-unweighted"):
            continue
        figure = figures.get((f.submission, f.sheet, f.cell))
        if figure is None:
            continue
        key = (
            f.submission,
            str(figure["channel"]),
            str(figure["territory"]),
            str(figure["metric"]),
        )
        if key in series:
            cause.setdefault(i, series[key])
    summed_at = {
        (f.submission, f.cell) for f in findings if f.rule == "time-sum-mismatch" and f.cell
    }
    keys = pd.MultiIndex.from_arrays([time_sums["submission"], time_sums["cell"]])
    for row in records(time_sums[keys.isin(list(summed_at))] if summed_at else time_sums[:0]):
        summed = at.get(
            (str(row["submission"]), vocab.TIMES, str(row["cell"]), "time-sum-mismatch")
        )
        if summed is None:
            continue
        for cell in (row["consult_cell"], row["cash_cell"], row["cell"]):
            part = roots.get((str(row["submission"]), vocab.TIMES, str(cell)))
            if part is not None:
                cause.setdefault(summed, part)
                break


def _subset_sums(values: list[tuple[int, Fraction]]) -> dict[Fraction, int]:
    """Every sum of a non-empty subset of the values → the first row of one such subset."""
    sums: dict[Fraction, int] = {}
    for size in range(1, len(values) + 1):
        for subset in itertools.combinations(values, size):
            sums.setdefault(sum((v for _, v in subset), Fraction(0)), subset[0][0])
    return sums


def _rows_kept_out(
    findings: list[Finding],
    cause: dict[int, int],
    checks: dict[str, list[_Check]],
    figures: pd.DataFrame,
) -> None:
    row_findings: dict[tuple[str, str, int], int] = {}
    for i, f in enumerate(findings):
        if f.rule in ROW_ROOTS and f.cell:
            row = int("".join(ch for ch in f.cell if ch.isdigit()))
            row_findings.setdefault((f.submission, f.sheet, row), i)
    if not row_findings:
        return
    out = figures[
        ~figures["known"]
        & figures["sheet"].isin([vocab.APPEALS, vocab.COMPLAINTS])
        & figures["value"].notna()
    ]
    kept_out: dict[tuple[str, str, str], list[tuple[int, Fraction]]] = defaultdict(list)
    for sub, sheet, territory, row, value in zip(
        out["submission"], out["sheet"], out["territory"], out["row"], out["value"], strict=True
    ):
        if (sub, sheet, int(row)) in row_findings:
            kept_out[(sub, sheet, territory)].append((int(row), share_rules.exact(value)))
    for sub, every in checks.items():
        for check in every:
            failing = check.finding
            if failing is None or failing in cause or check.row.get("rule") not in CHANNEL_SUMS:
                continue
            sheet, column = str(check.row["sheet"]), str(check.row["column"])
            values = kept_out.get((sub, sheet, column), [])[:MAX_ROWS_TRIED]
            first = _subset_sums(values).get(check.difference) if values else None
            if first is not None:
                cause[failing] = row_findings[(sub, sheet, first)]


def _same_cell(findings: list[Finding], cause: dict[int, int]) -> None:
    order = {rule: n for n, rule in enumerate(SAME_CELL_ORDER)}
    groups: dict[tuple[str, str, str, str], list[int]] = defaultdict(list)
    for i, f in enumerate(findings):
        if f.rule in order and f.cell and i not in cause:
            difference = _difference(f)
            groups[(f.submission, f.sheet, f.cell, difference)].append(i)
    for members in groups.values():
        if len(members) < 2:
            continue
        members.sort(key=lambda i: order[findings[i].rule])
        for i in members[1:]:
            cause[i] = members[0]


def _difference(f: Finding) -> str:
    try:
        return str(share_rules.exact(float(f.actual)) - share_rules.exact(float(f.expected)))
    except ValueError:
        return ""
