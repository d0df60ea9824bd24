"""Annotated copies kept between runs: copied while nothing changed, made again otherwise."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from checks.annotate import annotate_all
from checks.batch import validate
from checks.inbox import openable, read_inbox
from checks.reuse import Kept

ROOT = Path(__file__).resolve().parent.parent


def test_unchanged_copies_are_reused_changed_ones_made_again(tmp_path: Path) -> None:
    """The second run copies every kept copy; a changed message makes that copy again."""
    subs = read_inbox(ROOT / "inbox", isolate=False)
    findings = validate(subs).findings
    sources = openable(subs)
    first = Kept(tmp_path / "kept")
    made = annotate_all(sources, findings, tmp_path / "run1", kept=first)
    assert made
    assert first.hits == 0
    second = Kept(tmp_path / "kept")
    again = annotate_all(sources, findings, tmp_path / "run2", kept=second)
    assert second.hits == len(made)
    for name, path in again.items():
        before = load_workbook(made[name]).worksheets[0]
        after = load_workbook(path).worksheets[0]
        assert [[c.value for c in r] for r in before.iter_rows()] == [
            [c.value for c in r] for r in after.iter_rows()
        ]
    name = sorted(made)[0]
    changed = findings.copy()
    first_row = changed.index[changed["submission"] == name][0]
    changed.loc[first_row, "message"] = "Другое сообщение"
    third = Kept(tmp_path / "kept")
    annotate_all(sources, changed, tmp_path / "run3", kept=third)
    assert third.hits == len(made) - 1
    assert third.prune() == 1  # the copy of the first wording is not used any more
