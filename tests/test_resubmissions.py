"""Resubmissions: the latest file of an organisation and year supersedes the earlier."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from checks.batch import validate
from checks.reader import read_submission
from tests.builders import submission


def passport(submitted: dt.datetime) -> list[list[object]]:
    """A passport of the same organisation and year, submitted on a given day."""
    return [["Организация", "АО «Тест»"], ["Отчетный год", 2025], ["Дата представления", submitted]]


def test_later_version_supersedes_and_changes_are_listed(tmp_path: Path) -> None:
    """The later file replaces the earlier in the worklist; changes are new, fixed, still."""
    earlier = submission(
        tmp_path / "v1.xlsx",
        passport=passport(dt.datetime(2026, 2, 1)),
        appeals=[
            ["Канал", "Север", "Юг", "Итого"],
            ["Контакт-центр", 1, 2, 4],
            ["Онлайн-ЦОК", 1, 1, 3],
            ["Всего", 2, 3, 5],
        ],
    )
    later = submission(
        tmp_path / "v2.xlsx",
        passport=passport(dt.datetime(2026, 3, 1)),
        appeals=[
            ["Канал", "Север", "Юг", "Итого"],
            ["Контакт-центр", 1, 2, 3],
            ["Онлайн-ЦОК", 1, 1, 3],
            ["Всего", 2, 3, 6],
        ],
    )
    # Files listed newest first: the order of reading must not decide.
    result = validate([read_submission(later), read_submission(earlier)])
    assert set(result.findings["submission"]) == {"v2.xlsx"}
    assert set(result.figures["submission"]) == {"v2.xlsx"}
    table = result.submissions.set_index("submission")
    assert (table.loc["v1.xlsx", "superseded_by"], table.loc["v2.xlsx", "superseded_by"]) == (
        "v2.xlsx",
        "",
    )
    totals = result.changes[result.changes["rule"].str.startswith("total")]
    changes = sorted(zip(totals["change"], totals["rule"], totals["cell"], strict=True))
    assert changes == [
        ("fixed", "total-grand", "D4"),
        ("fixed", "total-row", "D2"),
        ("new", "total-grand-territories", "D4"),
        ("still", "total-row", "D3"),
    ]
    assert set(result.history["submission"]) == {"v1.xlsx", "v2.xlsx"}


def test_other_organisations_and_years_are_not_versions(tmp_path: Path) -> None:
    """Files of other organisations or years are separate submissions."""
    a = submission(tmp_path / "a.xlsx", passport=passport(dt.datetime(2026, 2, 1)))
    b = submission(
        tmp_path / "b.xlsx", passport=[["Организация", "АО «Другое»"], ["Отчетный год", 2025]]
    )
    c = submission(
        tmp_path / "c.xlsx", passport=[["Организация", "АО «Тест»"], ["Отчетный год", 2024]]
    )
    result = validate([read_submission(p) for p in (a, b, c)])
    assert list(result.submissions["superseded_by"]) == ["", "", ""]
    assert result.changes.empty
