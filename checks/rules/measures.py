"""Family ``measures``: the year's improvement measures, each with a valid ``Срок``.

Rules (all warnings): ``measures-when-missing`` (no ``Срок``; when no measure
of the sheet has one, a single finding says so for all of them),
``measures-when-invalid`` (a ``Срок`` outside the contract's vocabulary:
``1 квартал``…``4 квартал``, ranges such as ``1-2 кварталы``, ``ежемесячно``,
``ежеквартально``, ``в течение года``) and ``measures-text-missing`` (a row
with a section or a ``Срок`` but no measure).
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from checks import vocab
from checks.findings import Finding, make
from checks.tables import Tables, records
from checks.text import normalize

_WHEN_WORDS = frozenset({"ежемесячно", "ежеквартально", "в течение года"})
_QUARTER = re.compile(r"^([1-4]) квартал$")
_QUARTERS = re.compile(r"^([1-4])-([1-4]) квартал(?:ы|ов)?$")


def when_valid(text: str) -> bool:
    """Tell whether a ``Срок`` is in the contract's vocabulary.

    Args:
        text: The cell as written.

    Returns:
        ``True`` for a quarter, an ordered range of quarters or a listed word.
    """
    key = normalize(text)
    if key in _WHEN_WORDS or _QUARTER.match(key):
        return True
    match = _QUARTERS.match(key)
    return bool(match and int(match.group(1)) < int(match.group(2)))


def findings(tables: Tables) -> list[Finding]:
    """Check every row of ``Мероприятия``.

    Args:
        tables: The batch.

    Returns:
        The measures warnings.
    """
    out: list[Finding] = []
    if tables.measures.empty:
        return out
    by_submission: dict[str, list[dict[str, Any]]] = {}
    for row in records(tables.measures):
        by_submission.setdefault(str(row["submission"]), []).append(row)
    for submission, table in by_submission.items():
        source = tables.sources[submission]
        missing = [r for r in table if r.get("measure") and not r.get("when")]
        with_measure = [r for r in table if r.get("measure")]
        if missing and len(missing) == len(with_measure) > 1:
            out.append(
                make(
                    "measures-when-missing",
                    source,
                    sheet=vocab.MEASURES,
                    cell=str(missing[0].get("when_cell", "")),
                    count=f" ни у одного из {len(missing)} мероприятий",
                    locus=("все",),
                )
            )
            missing = []
        for row in table:
            if not row.get("measure"):
                out.append(
                    make(
                        "measures-text-missing",
                        source,
                        sheet=vocab.MEASURES,
                        cell=str(row.get("measure_cell", "")),
                        row=row["row"],
                        locus=(row.get("section"), row["row"]),
                    )
                )
            elif row in missing:
                out.append(
                    make(
                        "measures-when-missing",
                        source,
                        sheet=vocab.MEASURES,
                        cell=str(row.get("when_cell", "")),
                        count="",
                        locus=(row.get("section"), row.get("measure")),
                    )
                )
            elif row.get("when") and not when_valid(str(row["when"])):
                out.append(
                    make(
                        "measures-when-invalid",
                        source,
                        sheet=vocab.MEASURES,
                        cell=str(row["when_cell"]),
                        actual=str(row["when"]),
                        stated=row["when"],
                        locus=(row.get("section"), row.get("measure")),
                    )
                )
    return out


def with_validity(measures: pd.DataFrame) -> pd.DataFrame:
    """Add ``when_valid`` to the measures table for the reporting teams.

    Args:
        measures: The rows of ``Мероприятия``.

    Returns:
        The table with a boolean ``when_valid`` column.
    """
    if measures.empty:
        return measures
    when = measures["when"] if "when" in measures else pd.Series("", index=measures.index)
    when = when.fillna("")
    # Each distinct text is judged once: a batch repeats the same few.
    texts = pd.Series(when.unique())
    valid = pd.Series([bool(w) and when_valid(w) for w in texts], index=texts, dtype=bool)
    return measures.assign(when_valid=valid.reindex(when.to_numpy()).to_numpy())
