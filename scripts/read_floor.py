"""Time reading workbooks against the floor python-calamine sets.

For each workbook of a folder, three timings, each the best of ``--repeat``
runs (the machine is shared; the best run is the one least disturbed):

* ``floor``: python-calamine opening the bytes and reading every sheet
  (``to_python``), nothing else;
* ``read_workbook``: :func:`checks.workbook.read_workbook` on the same bytes,
  as the reader calls it (only the contract's sheets, when this version of
  the reader chooses them);
* ``read_submission``: :func:`checks.reader.read_submission` on the path (the
  file read from the page cache, hashed, read and turned into tables).

It prints milliseconds per file for each and their ratio to the floor: one
line per file with ``--per-file`` (or for a folder of 20 files or fewer), and
the mean, median and 90th percentile over the folder.

Usage::

    python scripts/read_floor.py FOLDER [--repeat 3] [--limit N] [--per-file]

Run it with the repository first on ``PYTHONPATH`` to time that checkout.
"""

from __future__ import annotations

import argparse
import inspect
import io
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from checks import reader
from checks.workbook import read_workbook


def calamine_floor(data: bytes) -> None:
    """Read every sheet of a workbook with python-calamine alone.

    Args:
        data: The file's bytes.
    """
    with CalamineWorkbook.from_filelike(io.BytesIO(data)) as book:
        for index in range(len(book.sheet_names)):
            book.get_sheet_by_index(index).to_python()


def best_of(repeat: int, run: Callable[[], object]) -> float:
    """Return the shortest of ``repeat`` runs, in milliseconds.

    Args:
        repeat: How many runs.
        run: What to time.

    Returns:
        Milliseconds.
    """
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter_ns()
        run()
        best = min(best, time.perf_counter_ns() - started)
    return best / 1e6


def reader_kwargs() -> dict[str, Any]:
    """Return how the reader calls ``read_workbook``, in the checkout being timed.

    Returns:
        ``select=`` the reader's choice of sheets when this version has one.
    """
    select = getattr(reader, "contract_sheets", None)
    if select is not None and "select" in inspect.signature(read_workbook).parameters:
        return {"select": select}
    return {}


def summary(label: str, values: Sequence[float], floor: Sequence[float]) -> str:
    """Describe one column of timings over the folder.

    Args:
        label: The column's name.
        values: Milliseconds per file.
        floor: The floor's milliseconds per file, in the same order.

    Returns:
        One line: mean, median and 90th percentile, and the ratio of the means.
    """
    p90 = statistics.quantiles(values, n=10)[-1] if len(values) > 1 else values[0]
    ratio = statistics.fmean(values) / statistics.fmean(floor)
    return (
        f"{label:<16} mean {statistics.fmean(values):8.3f} ms  "
        f"median {statistics.median(values):8.3f} ms  p90 {p90:8.3f} ms  "
        f"× floor {ratio:6.1f}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Time every workbook of a folder and print the table.

    Args:
        argv: Command-line arguments (``sys.argv[1:]`` by default).

    Returns:
        The exit status: 0, or 2 when the folder holds no workbook.
    """
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (best kept)")
    parser.add_argument("--limit", type=int, default=0, help="first N files only")
    parser.add_argument("--per-file", action="store_true", help="one line per file")
    args = parser.parse_args(argv)
    paths = sorted(p for p in args.folder.rglob("*") if p.suffix.lower() in {".xlsx", ".xlsm"})
    if args.limit:
        paths = paths[: args.limit]
    if not paths:
        print(f"no workbook in {args.folder}", file=sys.stderr)
        return 2
    kwargs = reader_kwargs()
    floor: list[float] = []
    workbook: list[float] = []
    submission: list[float] = []
    per_file = args.per_file or len(paths) <= 20
    if per_file:
        print(
            f"{'file':<40} {'floor':>8} {'workbook':>9} {'submission':>11} {'×wb':>6} {'×sub':>6}"
        )
    for path in paths:
        data = path.read_bytes()
        floor.append(best_of(args.repeat, lambda data=data: calamine_floor(data)))
        workbook.append(
            best_of(args.repeat, lambda data=data, path=path: read_workbook(data, path, **kwargs))
        )
        submission.append(best_of(args.repeat, lambda path=path: reader.read_submission(path)))
        if per_file:
            print(
                f"{path.name:<40} {floor[-1]:8.3f} {workbook[-1]:9.3f} {submission[-1]:11.3f} "
                f"{workbook[-1] / floor[-1]:6.1f} {submission[-1] / floor[-1]:6.1f}"
            )
    print(f"{len(paths)} files, best of {args.repeat} runs each, milliseconds per file")
    print(summary("floor (calamine)", floor, floor))
    print(summary("read_workbook", workbook, floor))
    print(summary("read_submission", submission, floor))
    return 0


if __name__ == "__main__":
    sys.exit(main())
