"""Reading in worker processes: ``checks.isolation``.

The readers below stand in for a parser that crashes, hangs or exhausts
memory on one file. They are module-level functions because workers receive
the reader pickled, by reference, and import this module to find it.
"""

from __future__ import annotations

import hashlib
import os
import signal
import time
from pathlib import Path

import pytest

from checks.isolation import read_files
from checks.limits import Limits
from checks.reader import Submission, read_submission
from tests.builders import submission
from tests.hostile import APPEALS

ROOT = Path(__file__).resolve().parent.parent


def aborting(path: Path, name: str, limits: Limits) -> Submission:
    """Abort the process (as a crashing C parser does) on a file named ``bad*``."""
    if path.name.startswith("bad"):
        os.abort()
    return read_submission(path, name, limits)


def killed(path: Path, name: str, limits: Limits) -> Submission:
    """Die by SIGKILL (as the kernel's OOM killer does) on a file named ``bad*``."""
    if path.name.startswith("bad"):
        os.kill(os.getpid(), signal.SIGKILL)
    return read_submission(path, name, limits)


def hanging(path: Path, name: str, limits: Limits) -> Submission:
    """Never finish a file named ``bad*``."""
    if path.name.startswith("bad"):
        time.sleep(3600)
    return read_submission(path, name, limits)


def greedy(path: Path, name: str, limits: Limits) -> Submission:
    """Allocate without end on a file named ``bad*``."""
    if path.name.startswith("bad"):
        hoard = [bytearray(64 * 1024 * 1024) for _ in range(1024)]
        return read_submission(path, name + str(len(hoard)), limits)
    return read_submission(path, name, limits)


def buggy(path: Path, name: str, limits: Limits) -> Submission:
    """Fail with an exception of the program's own on a file named ``bad*``."""
    if path.name.startswith("bad"):
        raise KeyError("Итого")
    return read_submission(path, name, limits)


def inbox_with_one_bad_file(root: Path) -> list[tuple[Path, str]]:
    """Write five submissions, the third one named ``bad.xlsx``; return (path, name) of each."""
    root.mkdir()
    names = ["a.xlsx", "b.xlsx", "bad.xlsx", "c.xlsx", "d.xlsx"]
    return [(submission(root / name, appeals=APPEALS), name) for name in names]


def summary(subs: list[Submission]) -> list[tuple[str, list[str], int]]:
    """Flatten submissions to (name, rules, number of figures)."""
    return [(s.source.submission, [f.rule for f in s.findings], len(s.figures)) for s in subs]


@pytest.mark.parametrize(
    ("reader", "reason"),
    [
        pytest.param(
            aborting, "процесс чтения аварийно завершился на этом файле (SIGABRT)", id="abort"
        ),
        pytest.param(
            killed,
            "процесс чтения остановлен системой на этом файле "
            "(SIGKILL; обычно это нехватка памяти)",
            id="sigkill",
        ),
        pytest.param(greedy, "для чтения не хватило памяти (предел 512 МБ на файл)", id="memory"),
        pytest.param(
            buggy,
            "ошибка программы сверки при чтении (KeyError: 'Итого'); сообщите администратору",
            id="exception",
        ),
    ],
)
def test_a_file_that_kills_its_worker_is_one_finding_and_the_rest_is_read(
    tmp_path: Path, reader: object, reason: str
) -> None:
    """The file in progress when its worker dies is refused; the rest of its chunk is read."""
    files = inbox_with_one_bad_file(tmp_path / "inbox")
    subs = read_files(files, reader=reader, workers=1)  # type: ignore[arg-type]
    assert summary(subs) == [
        ("a.xlsx", ["sheet-missing"] * 4, 3),
        ("b.xlsx", ["sheet-missing"] * 4, 3),
        ("bad.xlsx", ["file-refused"], 0),
        ("c.xlsx", ["sheet-missing"] * 4, 3),
        ("d.xlsx", ["sheet-missing"] * 4, 3),
    ]
    bad = subs[2]
    assert bad.refused
    assert bad.findings[0].message == (
        f"Файл не прочитан, чтобы не остановить всю проверку: {reason}. Остальные файлы проверены."
    )
    assert bad.source.sha256 == hashlib.sha256(files[2][0].read_bytes()).hexdigest()
    assert not any(s.refused for s in subs if s is not bad)


def test_a_file_past_the_time_limit_is_refused_and_the_rest_is_read(tmp_path: Path) -> None:
    """A file still being read at the time limit is refused; its worker is replaced."""
    files = inbox_with_one_bad_file(tmp_path / "inbox")
    started = time.monotonic()
    subs = read_files(files, reader=hanging, workers=1, limits=Limits(seconds_per_file=3))
    assert time.monotonic() - started < 60
    assert [s.source.submission for s in subs if s.refused] == ["bad.xlsx"]
    assert subs[2].findings[0].message_en == (
        "File not read, so as not to stop the whole run: reading took longer than 3 s "
        "(the limit per file). The other files were checked."
    )
    assert [len(s.figures) for s in subs] == [3, 3, 0, 3, 3]


def test_workers_read_what_the_process_itself_reads() -> None:
    """Reading the sample inbox in workers gives exactly the submissions of an in-process read."""
    files = [(path, path.name) for path in sorted((ROOT / "inbox").glob("*.xlsx"))]
    assert len(files) == 4
    assert read_files(files, workers=2) == read_files(files, isolate=False)


def test_progress_is_reported_after_each_file(tmp_path: Path) -> None:
    """The progress callback hears (done, total) once per file, refused ones included."""
    files = inbox_with_one_bad_file(tmp_path / "inbox")
    heard: list[tuple[int, int]] = []
    read_files(files, reader=aborting, workers=2, progress=lambda d, n: heard.append((d, n)))
    assert heard == [(done, 5) for done in range(1, 6)]


def test_serial_read_reports_progress_too(tmp_path: Path) -> None:
    """Reading in the calling process also reports each file."""
    files = inbox_with_one_bad_file(tmp_path / "inbox")
    heard: list[tuple[int, int]] = []
    subs = read_files(files, isolate=False, progress=lambda d, n: heard.append((d, n)))
    assert heard == [(done, 5) for done in range(1, 6)]
    assert [s.source.submission for s in subs] == [name for _, name in files]


def test_nothing_to_read_starts_no_worker() -> None:
    """An empty list reads as an empty list."""
    assert read_files([]) == []


@pytest.mark.parametrize("position", [0, 4], ids=["first", "last"])
def test_the_file_in_progress_is_known_at_either_end_of_a_chunk(
    tmp_path: Path, position: int
) -> None:
    """A worker that dies on the first or the last file of its chunk costs that file alone."""
    root = tmp_path / "inbox"
    root.mkdir()
    names = ["a.xlsx", "b.xlsx", "c.xlsx", "d.xlsx"]
    names.insert(position, "bad.xlsx")
    files = [(submission(root / name, appeals=APPEALS), name) for name in names]
    subs = read_files(files, reader=aborting, workers=1)
    assert [s.source.submission for s in subs if s.refused] == ["bad.xlsx"]
    assert [s.source.submission for s in subs] == names
    assert [len(s.figures) for s in subs] == [0 if n == "bad.xlsx" else 3 for n in names]


def test_the_fork_server_stops_when_unused_and_starts_again() -> None:
    """After reading, the fork server's memory is let go; the next reading starts it again."""
    from multiprocessing import forkserver

    from checks.isolation import fork_server_in_use, stop_fork_server

    files = [(path, path.name) for path in sorted((ROOT / "inbox").glob("*.xlsx"))][:2]
    first = read_files(files, workers=2)
    assert forkserver._forkserver._forkserver_pid is not None
    with fork_server_in_use():  # another run of this process is reading: left running
        assert not stop_fork_server()
        assert forkserver._forkserver._forkserver_pid is not None
    assert stop_fork_server()
    assert forkserver._forkserver._forkserver_pid is None
    assert read_files(files, workers=2) == first
    assert forkserver._forkserver._forkserver_pid is not None
