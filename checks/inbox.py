"""Finding the submissions in an inbox folder.

Every file under the inbox is a submission attempt, except hidden files and
Excel's lock files (``~$name.xlsx``, left behind while someone has the
workbook open in a shared folder): those are not submissions and are skipped.
A file that is not a workbook is still read, and becomes a ``structure``
finding. Nothing in the inbox is ever written, moved or deleted.
"""

from __future__ import annotations

from pathlib import Path

from checks.reader import Submission, read_submission


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


def read_inbox(inbox: Path) -> list[Submission]:
    """Read every submission under ``inbox``.

    A submission is named by its path relative to the inbox (its file name
    when it lies at the top), so two companies' ``report.xlsx`` in separate
    folders stay apart.

    Args:
        inbox: The inbox folder.

    Returns:
        One submission per file, unreadable ones included.
    """
    return [
        read_submission(path, name=path.relative_to(inbox).as_posix()) for path in discover(inbox)
    ]
