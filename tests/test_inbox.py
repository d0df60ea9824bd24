"""Reading an inbox: the hostile corpus, files still arriving, odd names (``checks.inbox``)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from checks.inbox import openable, read_inbox, submission_name
from tests.builders import PASSPORT, submission, write_workbook
from tests.hostile import APPEALS, billion_laughs, encrypted, far_cell, truncated, zip_bomb

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "inbox").glob("*.xlsx"))
GIB = 1024**3
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
QUOTED = re.compile(r"«[^»]*»")
ODD_NAME = "отчёт «Ёлка» 2025 🙂.xlsx"

#: File → the reader's findings expected of it, as (rule, severity); ``sheet-missing`` left out.
EXPECTED: dict[str, list[tuple[str, str]]] = {
    **{seed.name: [] for seed in SEEDS},
    "good.xlsx": [],
    ODD_NAME: [],
    "empty.xlsx": [("file-unreadable", "error")],
    "not-a-zip.xlsx": [("file-unreadable", "error")],
    "truncated.xlsx": [("file-unreadable", "error")],
    "old.xls": [("file-unreadable", "error")],
    "report.csv": [("file-unreadable", "error")],
    "laughs.xlsx": [("file-unreadable", "error")],
    "locked.xlsx": [("file-unreadable", "error")],
    "bomb.xlsx": [("file-refused", "error")],
    "far.xlsx": [],
    "no-passport.xlsx": [("passport-missing", "error")],
    "formulas.xlsx": [("formula-uncomputed", "warning")],
    "download.xlsx.part": [("file-arriving", "info")],
}
#: What each hostile file's message says, in part.
SAYS = {
    "empty.xlsx": "файл пустой",
    "not-a-zip.xlsx": "не является книгой Excel",
    "truncated.xlsx": "повреждён",
    "old.xls": "старого формата Excel (.xls)",
    "report.csv": "файл CSV",
    "laughs.xlsx": "объявлены XML-сущности",
    "locked.xlsx": "защищена паролем",
    "bomb.xlsx": "лист «Обращения» занимает 298 МБ, предел 50 МБ",
    "no-passport.xlsx": "нет листа «Паспорт»",
    "formulas.xlsx": "формула «=SUM(B2:B3)» без вычисленного значения",
    "download.xlsx.part": "имя оканчивается на «.part»",
}


def complete(path: Path) -> Path:
    """Write a submission with every contract sheet, consistent."""
    return write_workbook(
        path,
        {
            "Паспорт": PASSPORT,
            "Обращения": APPEALS,
            "Жалобы": [["Канал", "Итого"], ["Претензии и жалобы", 1]],
            "Время": [["Период", "Канал", "Ожидание"], ["Январь", "Контакт-центр", "0:01:00"]],
            "Режим работы": [["Канал", "Режим работы"], ["Контакт-центр", "Круглосуточно"]],
            "Мероприятия": [["Раздел", "Мероприятие", "Срок"], ["Обучение", "Курсы", "1 квартал"]],
        },
    )


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the hostile corpus beside valid files, once for this module."""
    inbox = tmp_path_factory.mktemp("corpus") / "inbox"
    inbox.mkdir()
    for seed in SEEDS:
        shutil.copy(seed, inbox / seed.name)
    complete(inbox / "good.xlsx")
    complete(inbox / ODD_NAME)
    (inbox / "empty.xlsx").write_bytes(b"")
    (inbox / "not-a-zip.xlsx").write_text("Отчёт пришлём позже.\n", encoding="utf-8")
    truncated(inbox / "truncated.xlsx")
    (inbox / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    (inbox / "report.csv").write_text("Канал;Итого\nКонтакт-центр;100\n", encoding="utf-8")
    billion_laughs(inbox / "laughs.xlsx")
    encrypted(inbox / "locked.xlsx")
    zip_bomb(inbox / "bomb.xlsx")
    far_cell(inbox / "far.xlsx")
    write_workbook(inbox / "no-passport.xlsx", {"Обращения": APPEALS})
    submission(
        inbox / "formulas.xlsx",
        appeals=[
            ["Канал", "Итого"],
            ["Контакт-центр", 1],
            ["Онлайн-ЦОК", 2],
            ["Всего", "=SUM(B2:B3)"],
        ],
    )
    complete(inbox / "download.xlsx.part")
    (inbox / "~$good.xlsx").write_bytes(b"\x00" * 165)
    return inbox


def reader_findings(inbox: Path, **kwargs: object) -> dict[str, list[tuple[str, str]]]:
    """Read an inbox; return each file's findings as (rule, severity), ``sheet-missing`` out."""
    subs = read_inbox(inbox, **kwargs)  # type: ignore[arg-type]
    return {
        s.source.submission: [(f.rule, f.severity) for f in s.findings if f.rule != "sheet-missing"]
        for s in subs
    }


def test_each_hostile_file_is_its_finding_and_valid_files_read(corpus: Path) -> None:
    """Every hostile file is one finding of its own; the valid files beside them read cleanly."""
    assert reader_findings(corpus) == EXPECTED


def test_hostile_findings_say_what_is_wrong(corpus: Path) -> None:
    """Each hostile file's message names what is wrong with it, in Russian and in English."""
    subs = {s.source.submission: s for s in read_inbox(corpus)}
    for name, says in SAYS.items():
        (finding,) = [f for f in subs[name].findings if f.rule != "sheet-missing"]
        assert says in finding.message, (name, finding.message)
        assert not CYRILLIC.search(QUOTED.sub("", finding.message_en)), finding.message_en
    assert {name for name, sub in subs.items() if sub.refused} == {
        "bomb.xlsx",
        "download.xlsx.part",
    }
    assert sorted(openable(list(subs.values()))) == sorted(
        set(EXPECTED)
        - {
            "bomb.xlsx",
            "download.xlsx.part",
        }
    )


def test_serial_read_finds_the_same(corpus: Path) -> None:
    """Reading the corpus in the calling process gives the same findings as in workers."""
    assert reader_findings(corpus, isolate=False) == EXPECTED


def test_whole_read_with_the_zip_bomb_stays_under_one_gibibyte(corpus: Path) -> None:
    """The corpus reads in under 1 GiB: the reader, the fork server and two workers together."""
    script = """
import json, resource, sys, time
from multiprocessing import forkserver
from pathlib import Path
from checks.inbox import read_inbox
started = time.monotonic()
subs = read_inbox(Path(sys.argv[1]))
seconds = time.monotonic() - started
forkserver._forkserver._stop()  # reap the fork server: its children's peak joins ours
print(json.dumps({
    "files": len(subs),
    "seconds": seconds,
    "self": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    "children": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024,
}))
"""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", script, str(corpus)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=ROOT,
        timeout=600,
    )
    measured = json.loads(done.stdout.strip().splitlines()[-1])
    assert measured["files"] == len(EXPECTED)
    assert measured["children"] > 0
    # The reader and, at once, the fork server and two workers at their largest.
    assert measured["self"] + 3 * measured["children"] < GIB, measured
    assert measured["seconds"] < 300, measured


def test_a_file_modified_within_the_settle_time_waits(tmp_path: Path) -> None:
    """A fresh file waits as one info; a settled one and a far-future one are read."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    fresh = complete(inbox / "fresh.xlsx")
    old = complete(inbox / "old.xlsx")
    future = complete(inbox / "future.xlsx")
    now = time.time()
    os.utime(fresh, (now - 5, now - 5))
    os.utime(old, (now - 120, now - 120))
    os.utime(future, (now + 3600, now + 3600))
    heard: list[tuple[int, int]] = []
    subs = read_inbox(inbox, settle_seconds=60, progress=lambda d, n: heard.append((d, n)))
    found = {s.source.submission: [(f.rule, f.severity) for f in s.findings] for s in subs}
    assert found == {
        "fresh.xlsx": [("file-arriving", "info")],
        "future.xlsx": [],
        "old.xlsx": [],
    }
    (waiting,) = subs[0].findings
    assert re.fullmatch(
        r"Файл ещё не готов \(изменён [4-9] с назад, меньше 60 с: возможно, его ещё копируют\): "
        r"он будет проверен при следующем запуске\.",
        waiting.message,
    ), waiting.message
    assert (waiting.submission_sha256, subs[0].figures, subs[0].refused) == ("", [], True)
    assert heard == [(1, 2), (2, 2)]


def test_without_a_settle_time_every_file_is_read(tmp_path: Path) -> None:
    """With no settle time (``sverka run``), a file written a moment ago is read."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    complete(inbox / "fresh.xlsx")
    assert reader_findings(inbox) == {"fresh.xlsx": []}


@pytest.mark.parametrize("name", ["report.xlsx.part", "report.TMP", "report.xlsx.crdownload"])
def test_a_download_in_progress_waits_whatever_its_age(tmp_path: Path, name: str) -> None:
    """Files named as downloads or copies in progress wait, even without a settle time."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    path = complete(inbox / name)
    os.utime(path, (time.time() - 3600, time.time() - 3600))
    assert reader_findings(inbox) == {name: [("file-arriving", "info")]}


def test_a_name_that_is_not_utf8_stays_printable_and_distinct(tmp_path: Path) -> None:
    r"""A file name with bytes that are not UTF-8 gets ``\xNN`` escapes, so outputs can hold it."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    odd = os.fsdecode(b"otch\xe5t.xlsx")
    complete(inbox / odd)
    complete(inbox / "otchet.xlsx")
    subs = read_inbox(inbox)
    assert [s.source.submission for s in subs] == ["otchet.xlsx", "otch\\xe5t.xlsx"]
    assert [s.findings for s in subs] == [[], []]
    assert submission_name(inbox, inbox / odd).encode("utf-8") == b"otch\\xe5t.xlsx"
