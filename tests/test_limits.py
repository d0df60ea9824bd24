"""Judging a workbook from its zip directory: ``checks.limits``."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from checks.limits import (
    MIB,
    Limits,
    check_archive,
    file_too_large,
    megabytes,
    sheet_titles,
)
from tests.builders import PASSPORT, submission, write_workbook
from tests.hostile import APPEALS, sheet_part, zip_bomb


def judge(path: Path, limits: Limits | None = None) -> tuple[str, str] | None:
    """Return the refusal of a workbook in both languages, ``None`` if it is within limits."""
    with zipfile.ZipFile(path) as archive:
        refusal = check_archive(archive, limits or Limits())
    return None if refusal is None else (refusal.reason.ru, refusal.reason.en)


def test_an_ordinary_submission_is_within_the_limits(tmp_path: Path) -> None:
    """A report of a few sheets passes the zip checks."""
    assert judge(submission(tmp_path / "report.xlsx", appeals=APPEALS)) is None


def test_zip_bomb_is_refused_by_the_size_of_its_sheet(tmp_path: Path) -> None:
    """A sheet inflating past the part limit is refused by name, with its size and the limit."""
    path = zip_bomb(tmp_path / "bomb.xlsx", rows=2_400_000)
    assert path.stat().st_size < MIB
    refusal = judge(path)
    assert refusal is not None
    assert refusal[0] == (
        "файл слишком велик после распаковки: лист «Обращения» занимает 60 МБ, предел 50 МБ"
    )
    assert refusal[1] == (
        "the file is too large once unpacked: sheet «Обращения» takes 60 MB, the limit is 50 MB"
    )


def test_compression_past_the_ratio_is_refused(tmp_path: Path) -> None:
    """A part under the size limit but compressed hundreds of times is refused, ratio given."""
    path = zip_bomb(tmp_path / "bomb.xlsx", rows=400_000)
    refusal = judge(path)
    assert refusal is not None
    assert re.fullmatch(
        r"файл сжат подозрительно сильно: лист «Обращения» занимает 9,9 МБ при 0,\d МБ в архиве "
        r"\(в \d{3} раз больше, предел — в 100 раз\); так сжимаются только пустые строки",
        refusal[0],
    ), refusal[0]


def test_a_small_part_is_not_judged_by_its_ratio(tmp_path: Path) -> None:
    """Below the ratio floor a strongly compressed part is cheap and passes."""
    path = zip_bomb(tmp_path / "bomb.xlsx", rows=30_000)
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(sheet_part(path, "Обращения"))
    assert info.file_size / info.compress_size > 100
    assert info.file_size < MIB
    assert judge(path) is None


def test_parts_together_past_the_total_are_refused(tmp_path: Path) -> None:
    """The parts' sum is limited too, each part being within its own limit."""
    path = submission(tmp_path / "report.xlsx", appeals=APPEALS)
    refusal = judge(path, Limits(total_bytes=10_000))
    assert refusal is not None
    assert refusal[0].startswith("файл слишком велик после распаковки: все части книги вместе")
    assert refusal[0].endswith("предел 0,1 МБ")


def test_a_part_that_is_not_a_sheet_is_named_for_what_it_is(tmp_path: Path) -> None:
    """A bloated shared-strings part is named as the workbook's shared strings."""
    path = write_workbook(tmp_path / "report.xlsx", {"Паспорт": PASSPORT})
    staging = tmp_path / "staging.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(staging, "w") as target:
        for info in source.infolist():
            target.writestr(info, source.read(info.filename), zipfile.ZIP_DEFLATED)
        target.writestr("xl/sharedStrings.xml", b" " * 3 * MIB, zipfile.ZIP_DEFLATED)
    refusal = judge(staging, Limits(part_bytes=2 * MIB))
    assert refusal is not None
    assert refusal[0] == (
        "файл слишком велик после распаковки: общие строки книги занимают 3,0 МБ, предел 2,0 МБ"
    )


def test_sheet_titles_follow_the_workbook_relationships(tmp_path: Path) -> None:
    """Sheet parts are mapped to the titles a steward sees in Excel."""
    path = write_workbook(tmp_path / "report.xlsx", {"Паспорт": PASSPORT, "Обращения": APPEALS})
    with zipfile.ZipFile(path) as archive:
        assert sorted(sheet_titles(archive).values()) == ["Обращения", "Паспорт"]


def test_sheet_titles_refuse_a_workbook_description_with_entities(tmp_path: Path) -> None:
    """A workbook description declaring entities gives no titles (never expanded)."""
    path = submission(tmp_path / "report.xlsx")
    staging = tmp_path / "staging.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(staging, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/workbook.xml":
                data = data.replace(b"?>", b'?><!DOCTYPE workbook [<!ENTITY x "A">]>', 1)
                data = data.replace(b'name="', b'name="&x;', 1)
            target.writestr(info, data, zipfile.ZIP_DEFLATED)
    with zipfile.ZipFile(staging) as archive:
        assert sheet_titles(archive) == {}


@pytest.mark.parametrize(
    ("size", "ru", "en"),
    [
        pytest.param(700 * 1024, "0,7 МБ", "0.7 MB", id="below-one"),
        pytest.param(300 * MIB, "300 МБ", "300 MB", id="hundreds"),
        pytest.param(12, "0,1 МБ", "0.1 MB", id="tiny"),
    ],
)
def test_sizes_read_as_megabytes(size: int, ru: str, en: str) -> None:
    """Sizes are written in megabytes with a decimal comma in Russian."""
    assert (megabytes(size).ru, megabytes(size).en) == (ru, en)


def test_a_file_past_the_file_limit_is_refused_before_it_is_read() -> None:
    """A file larger than the file limit is refused with its size and the limit."""
    refusal = file_too_large(150 * MIB)
    assert refusal is not None
    assert refusal.reason.ru == "файл слишком велик: 150 МБ, предел 100 МБ"
    assert file_too_large(100 * MIB) is None
