"""The batch's tidy tables, as the rule families receive them."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from checks.findings import Source
from checks.norms import Standard


@dataclass(slots=True)
class Tables:
    """All submissions of a run, concatenated.

    Attributes:
        figures: One row per figure read (see :data:`checks.reader.FIGURE_COLUMNS`).
        time_rows: One row per row of ``Время``.
        passports: One row per submission with its passport values and cells.
        schedules: One row per row of ``Режим работы``.
        measures: One row per row of ``Мероприятия``.
        standards: Submission → the service standard that applies to it.
        sources: Submission file name → its :class:`~checks.findings.Source`.
        territories: Submission → territory headers of its ``Обращения``.
        sheets: Submission → canonical names of the contract sheets it has.
    """

    figures: pd.DataFrame
    time_rows: pd.DataFrame
    passports: pd.DataFrame
    schedules: pd.DataFrame = field(default_factory=pd.DataFrame)
    measures: pd.DataFrame = field(default_factory=pd.DataFrame)
    standards: dict[str, Standard] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)
    territories: dict[str, list[str]] = field(default_factory=dict)
    sheets: dict[str, set[str]] = field(default_factory=dict)


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Return a table's rows as dicts (plain Python values, typed loosely on purpose).

    Args:
        frame: The table.

    Returns:
        One dict per row, column name → value.
    """
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def is_missing(value: Any) -> bool:
    """Tell whether a table value is missing (``None``, ``NaN``, ``pd.NA``).

    Args:
        value: A scalar from a table.

    Returns:
        ``True`` when no value is there.
    """
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))
