"""The calamine read floor: the least any reader must spend on the same files.

What is measured: in this process, with ``python_calamine`` already imported,
the wall time of opening every file of an inbox with
``CalamineWorkbook.from_path`` and turning every sheet into Python values with
``to_python()``, one file after the other. Before timing, every file's bytes
are read once, so the files are in the operating system's cache, as they are
for the runs measured just after. The floor is that time divided by the number
of files: milliseconds per file. It excludes interpreter start-up, imports,
validation and writing, which is why a run is compared with it per extra file.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Floor:
    """The calamine floor on one set of files.

    Attributes:
        files: How many files were read.
        sheets: How many sheets were read in all.
        cells: How many cells (rows × columns of the used ranges) were read.
        seconds: Wall time of reading them all.
    """

    files: int
    sheets: int
    cells: int
    seconds: float

    @property
    def ms_per_file(self) -> float:
        """Milliseconds per file."""
        return 1000 * self.seconds / self.files if self.files else 0.0


def warm_cache(paths: Sequence[Path]) -> int:
    """Read every file's bytes once, so the timed passes find them in the page cache.

    Args:
        paths: The files.

    Returns:
        How many bytes were read.
    """
    return sum(len(path.read_bytes()) for path in paths)


def read_floor(paths: Sequence[Path]) -> Floor:
    """Read every sheet of every file with calamine, timed.

    Args:
        paths: The ``.xlsx`` files.

    Returns:
        The files, sheets and cells read, and the time it took.
    """
    from python_calamine import CalamineWorkbook

    warm_cache(paths)
    sheets = cells = 0
    start = time.perf_counter()
    for path in paths:
        workbook = CalamineWorkbook.from_path(str(path))
        for name in workbook.sheet_names:
            rows = workbook.get_sheet_by_name(name).to_python()
            sheets += 1
            cells += sum(len(row) for row in rows)
        workbook.close()
    seconds = time.perf_counter() - start
    return Floor(files=len(paths), sheets=sheets, cells=cells, seconds=seconds)
