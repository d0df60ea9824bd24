"""Atomic file writes: a reader never sees half a file."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def current_umask() -> int:
    """Return the process's umask without changing it for other threads.

    Linux shows it in ``/proc/self/status``; elsewhere it is read by setting
    and restoring it at once.

    Returns:
        The umask, e.g. ``0o022``.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def file_mode() -> int:
    """Return the mode a new file gets under the umask (``0o644`` under ``022``)."""
    return 0o666 & ~current_umask()


def write_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """Write a file through a temporary sibling and an atomic rename.

    ``tempfile.mkstemp`` creates its file with mode 0600 whatever the umask;
    the file is given the mode any new file would get, so colleagues on a
    shared folder can open it.

    Args:
        path: The file to (re)place.
        write: Writes the content to the path it is given.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, file_mode())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
