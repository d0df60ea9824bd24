"""Finding the submissions in an inbox folder, and reading them.

Every file under the inbox is a submission attempt, except hidden files and
Excel's lock files (``~$name.xlsx``, left behind while someone has the
workbook open in a shared folder): those are not submissions and are skipped.
A file that is not a workbook is still read, and becomes a ``structure``
finding. Nothing in the inbox is ever written, moved or deleted.

A file still arriving is not read: one modified less than ``settle_seconds``
ago (it may still be being copied), or named like a download or a copy in
progress (``*.part``, ``*.tmp``, ``*.crdownload``). It waits for the next run
and is listed as one ``file-arriving`` info. A modification time in the future
(a share whose clock runs ahead) counts as just modified while it is within
``settle_seconds`` of now, and as settled beyond that, so a wrong clock
cannot keep a file out of every run.

The files are read by :func:`checks.isolation.read_files`, each chunk in a
worker process of its own, within the limits of :mod:`checks.limits`.
"""

from __future__ import annotations

import time
from pathlib import Path

from checks.findings import Source, make
from checks.i18n import Bilingual
from checks.isolation import Progress, read_files
from checks.limits import Limits
from checks.reader import Submission

#: Names of files that are still being downloaded or copied.
ARRIVING_SUFFIXES = (".part", ".tmp", ".crdownload")


def is_skipped(relative: Path) -> bool:
    """Tell whether a path under the inbox is not a submission.

    Args:
        relative: The path relative to the inbox.

    Returns:
        ``True`` for hidden files and folders and Excel lock files.
    """
    return any(part.startswith((".", "~$")) for part in relative.parts)


def discover(inbox: Path) -> list[Path]:
    """List the submission files under ``inbox``, sorted by relative path.

    Args:
        inbox: The inbox folder.

    Returns:
        The files to read.
    """
    found = [p for p in inbox.rglob("*") if p.is_file() and not is_skipped(p.relative_to(inbox))]
    return sorted(found, key=lambda p: p.relative_to(inbox).as_posix())


def submission_name(inbox: Path, path: Path) -> str:
    r"""Name a submission by its path relative to the inbox, printable whatever its bytes.

    A file name that is not valid UTF-8 keeps its odd bytes as ``\\xNN``, so
    that the name can be written to every output and still tells files apart.

    Args:
        inbox: The inbox folder.
        path: A file under it.

    Returns:
        ``report.xlsx``, or ``north/report.xlsx`` for a file in a subfolder.
    """
    relative = path.relative_to(inbox).as_posix()
    return relative.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def arriving(path: Path, settle_seconds: float, now: float) -> Bilingual | None:
    """Tell whether a file is still arriving, and why.

    Args:
        path: The file.
        settle_seconds: How long a file must have been left unchanged.
        now: The current time (seconds since the epoch).

    Returns:
        Why the file waits for the next run, or ``None`` when it is ready.
    """
    suffix = path.suffix.lower()
    if suffix in ARRIVING_SUFFIXES:
        return Bilingual(
            f"имя оканчивается на «{suffix}»: так называются файлы, которые ещё загружаются "
            "или копируются",
            f"its name ends in «{suffix}», as files still being downloaded or copied do",
        )
    if settle_seconds <= 0:
        return None
    try:
        age = now - path.stat().st_mtime
    except OSError:
        return None  # the reader reports a file that cannot be opened
    if -settle_seconds < age < settle_seconds:
        shown, limit = f"{max(age, 0.0):.0f}", f"{settle_seconds:g}"
        return Bilingual(
            f"изменён {shown} с назад, меньше {limit} с: возможно, его ещё копируют",
            f"modified {shown} s ago, less than {limit} s: it may still be being copied",
        )
    return None


def arriving_submission(path: Path, name: str, why: Bilingual) -> Submission:
    """Return the submission of a file left for the next run: one ``file-arriving`` info.

    Args:
        path: The file (not opened).
        name: The submission's name.
        why: Why it waits.

    Returns:
        The submission, marked refused so that no later step opens the file.
    """
    sub = Submission(path=path, source=Source(name, ""), refused=True)
    sub.findings.append(make("file-arriving", sub.source, why=why))
    return sub


def openable(submissions: list[Submission]) -> dict[str, Path]:
    """Map each submission that later steps may open (the annotated copies) to its file.

    A file refused by a limit, or still arriving, is left out: opening it again
    in the run's own process would undo the isolation it was read in.

    Args:
        submissions: The run's submissions.

    Returns:
        Submission name → file.
    """
    return {sub.source.submission: sub.path for sub in submissions if not sub.refused}


def read_inbox(
    inbox: Path,
    *,
    settle_seconds: float = 0.0,
    progress: Progress | None = None,
    limits: Limits | None = None,
    isolate: bool = True,
    workers: int | None = None,
) -> list[Submission]:
    """Read every submission under ``inbox``.

    A submission is named by its path relative to the inbox (its file name
    when it lies at the top), so two companies' ``report.xlsx`` in separate
    folders stay apart.

    Args:
        inbox: The inbox folder.
        settle_seconds: A file modified less than this long ago waits for the
            next run (0 reads every file, however fresh).
        progress: Called after each file read with (files done, files to read);
            files still arriving are not counted.
        limits: The limits to read within (:class:`checks.limits.Limits` by default).
        isolate: Read in worker processes (the default) or in this process.
        workers: How many worker processes at once (see :func:`checks.isolation.read_files`).

    Returns:
        One submission per file, in the order of :func:`discover`: unreadable,
        refused and still-arriving files included.
    """
    now = time.time()
    found = [(path, submission_name(inbox, path)) for path in discover(inbox)]
    waiting = {
        index: why
        for index, (path, _) in enumerate(found)
        if (why := arriving(path, settle_seconds, now)) is not None
    }
    ready = [item for index, item in enumerate(found) if index not in waiting]
    read = iter(
        read_files(ready, limits=limits, progress=progress, isolate=isolate, workers=workers)
    )
    return [
        arriving_submission(path, name, waiting[index]) if index in waiting else next(read)
        for index, (path, name) in enumerate(found)
    ]
