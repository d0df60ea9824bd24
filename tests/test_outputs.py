"""Writing a run's outputs (:mod:`checks.outputs`)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook

from checks.batch import validate
from checks.findings import CONTRACT_FIELDS
from checks.inbox import read_inbox
from checks.outputs import write_outputs

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("lang", "message_start", "notes_sheet", "page_lang"),
    [
        ("ru", "Всего 1 175 168 ≠ сумма каналов", "Замечания", 'lang="ru"'),
        ("en", "All 1 175 168 ≠ sum of channels", "Findings", 'lang="en"'),
    ],
)
def test_outputs_in_the_language_asked_for(
    tmp_path: Path, lang: str, message_start: str, notes_sheet: str, page_lang: str
) -> None:
    """The worklist, the report page and the annotated copies speak the language asked for."""
    subs = read_inbox(ROOT / "inbox")
    written = write_outputs(
        validate(subs), tmp_path, {s.source.submission: s.path for s in subs}, lang
    )
    with written.worklist.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0])[: len(CONTRACT_FIELDS)] == CONTRACT_FIELDS
    assert "message_en" not in rows[0]
    assert rows[0]["message"].startswith(message_start)
    assert page_lang in (tmp_path / "report.html").read_text(encoding="utf-8")
    annotated = load_workbook(tmp_path / written.annotated["seed-000-lugansk-2025.xlsx"])
    assert annotated.sheetnames[0] == notes_sheet
    assert sorted(p.name for p in (tmp_path / "validated").glob("*.parquet")) == [
        "figures.parquet",
        "measures.parquet",
        "resubmissions.parquet",
        "schedules.parquet",
        "submissions.parquet",
    ]
