"""The Data Docs index: every check of a run, readable without the network."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from checks.batch import validate
from checks.datadocs import PANDERA_MEANINGS, pandera_checks
from checks.outputs import write_outputs
from checks.published import check_published
from checks.reader import read_submission
from checks.registry import RULES
from tests.builders import submission

APPEALS = [
    ["Канал", "Север", "Юг", "Итого"],
    ["Контакт-центр", 1, 2, 3],
    ["Онлайн-ЦОК", 4, 5, 10],
    ["Всего", 5, 7, 13],
]


def test_every_pandera_check_is_listed_with_its_meaning() -> None:
    """Each named pandera check is a registry rule with a Russian meaning on the index."""
    listed = [rule_id for rule_id, _, _ in pandera_checks()]
    assert set(listed) == set(PANDERA_MEANINGS)
    assert len(listed) == 10
    assert all(rule_id in RULES for rule_id in listed)


def test_index_lists_both_phases_offline(tmp_path: Path) -> None:
    """The index links each phase's pages, names every rule and loads nothing from outside."""
    path = submission(tmp_path / "s.xlsx", appeals=APPEALS)
    docs = tmp_path / "docs"
    result = validate([read_submission(path)], data_docs=docs)
    check_published(result, docs)
    page = (docs / "index.html").read_text(encoding="utf-8")
    assert "<script" not in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    links = re.findall(r'href="([^"]+)"', page)
    assert {link.split("/")[1] for link in links} == {
        "total",
        "published_figures",
        "published_submissions",
    }
    assert all((docs / link).is_file() for link in links)
    for rule_id in ("total-row", "total-grand", "time-sum-mismatch", "count-invalid"):
        assert f"<code>{rule_id}</code>" in page
    assert "не выполнено: строк 1 из 1" in page
    row = re.search(r"<tr><td><code>total-row</code>.*?</tr>", page, re.S)
    assert row is not None
    assert "не выполнено" in row.group(0)


def test_figures_checked_as_written_have_their_pages(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The published figures, checked part by part as they are written, each get a page."""
    path = submission(tmp_path / "s.xlsx", appeals=APPEALS)
    out = tmp_path / "out"
    result = validate([read_submission(path)], data_docs=out / "data_docs")
    with caplog.at_level(logging.ERROR):
        write_outputs(result, out)
    assert not [r for r in caplog.records if r.name.startswith("great_expectations")]
    page = (out / "data_docs" / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'href="([^"]+)"', page)
    figures = [link for link in links if link.split("/")[1] == "published_figures"]
    assert figures
    assert all((out / "data_docs" / link).is_file() for link in links)
