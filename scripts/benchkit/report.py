"""The benchmark's figures: per size, marginal cost, targets, table and JSON.

Definitions, as printed and written to ``results.json``:

* ``cold``: ``sverka run`` into a fresh, empty output folder, on ``N`` files;
* ``warm``: the same command on the same output folder after ``N/100`` new
  files (``--warm-percent``) were added to the inbox;
* ``marginal ms/workbook``: ``(cold(N₂) − cold(N₁)) / (N₂ − N₁)`` for two
  consecutive sizes, so start-up and fixed costs cancel out;
* ``× floor``: the marginal cost divided by the calamine floor in ms per file
  measured on the larger size's files (:mod:`.floor`);
* ``held MiB``: the memory the process tree holds at its peak, each page
  once: the larger of the sampled sum of the proportional set sizes and the
  largest single process's ``ru_maxrss`` (:mod:`.measure`). The memory
  target is judged on it;
* ``RSS-sum MiB``: the sampled sum of the resident sets of the tree, an upper
  bound that counts a page shared by the forked workers and the main process
  once per process;
* ``load``: the machine's one-minute load average as the cold and the warm
  run started; on a shared machine a run under load is slower.
"""

from __future__ import annotations

import itertools
import os
import platform
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .floor import Floor
from .measure import Measured
from .oracle import Verdict

COLD_MS_PER_WORKBOOK = 5.0
COLD_TIMES_FLOOR = 15.0
WARM_SHARE_OF_COLD = 0.20
PEAK_MIB = 1024.0
PEAK_AT_FILES = 10_000
COMPLETES_AT_FILES = 50_000


@dataclass(slots=True)
class SizeResult:
    """Everything measured at one size.

    Attributes:
        files: ``N``, the files of the cold run.
        added: The files added before the warm run.
        cold: The cold run.
        warm: The warm run, ``None`` if the cold run failed.
        floor: The calamine floor on the ``N`` files.
        cold_verdict: The oracle on the cold run's findings.
        warm_verdict: The oracle on the warm run's findings.
    """

    files: int
    added: int
    cold: Measured
    warm: Measured | None
    floor: Floor
    cold_verdict: Verdict | None = None
    warm_verdict: Verdict | None = None

    @property
    def warm_share(self) -> float | None:
        """The warm run's wall time as a share of the cold run's."""
        if self.warm is None or not self.warm.ok or not self.cold.ok:
            return None
        return self.warm.wall / self.cold.wall


@dataclass(frozen=True, slots=True)
class Marginal:
    """The cost of one more workbook between two sizes.

    Attributes:
        low: The smaller size.
        high: The larger size.
        ms_per_workbook: ``(cold(high) − cold(low)) / (high − low)`` in ms.
        floor_ms: The floor per file on the larger size's files.
    """

    low: int
    high: int
    ms_per_workbook: float
    floor_ms: float

    @property
    def times_floor(self) -> float:
        """The marginal cost as a multiple of the floor."""
        return self.ms_per_workbook / self.floor_ms if self.floor_ms else float("inf")


@dataclass(frozen=True, slots=True)
class Target:
    """One target of the issue and whether this run met it.

    Attributes:
        text: The target.
        measured: What was measured, as text.
        met: ``True``, ``False``, or ``None`` when this run did not measure it.
    """

    text: str
    measured: str
    met: bool | None

    @property
    def status(self) -> str:
        """``met``, ``missed`` or ``not measured``."""
        return {True: "met", False: "missed", None: "not measured"}[self.met]


@dataclass(slots=True)
class Results:
    """A whole benchmark run.

    Attributes:
        machine: Where it ran (see :func:`machine`).
        sizes: The results per size, smallest first.
        marginals: The marginal cost between consecutive sizes.
        targets: The issue's targets, judged.
    """

    machine: dict[str, Any]
    sizes: list[SizeResult]
    marginals: list[Marginal] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)


def marginals(sizes: Sequence[SizeResult]) -> list[Marginal]:
    """Return the marginal cost between each pair of consecutive sizes that both ran.

    Args:
        sizes: The results per size, smallest first.

    Returns:
        One marginal per pair.
    """
    done = [s for s in sizes if s.cold.ok]
    return [
        Marginal(
            low.files,
            high.files,
            1000 * (high.cold.wall - low.cold.wall) / (high.files - low.files),
            high.floor.ms_per_file,
        )
        for low, high in itertools.pairwise(done)
    ]


def judge(sizes: Sequence[SizeResult], margins: Sequence[Marginal]) -> list[Target]:
    """Judge the issue's targets.

    Args:
        sizes: The results per size.
        margins: The marginal costs.

    Returns:
        One line per target and per size or pair it applies to.
    """
    targets = []
    if not margins:
        targets.append(Target(f"cold ≤ {COLD_MS_PER_WORKBOOK:g} ms per extra workbook", "-", None))
        targets.append(Target(f"cold ≤ {COLD_TIMES_FLOOR:g}× the calamine floor", "-", None))
    for m in margins:
        pair = f"{m.low:,}→{m.high:,}"
        # The larger size ran faster: the sizes are too close for the noise, nothing is shown.
        noise = " (noise: the larger size ran faster)" if m.ms_per_workbook < 0 else ""
        targets.append(
            Target(
                f"cold ≤ {COLD_MS_PER_WORKBOOK:g} ms per extra workbook ({pair})",
                f"{m.ms_per_workbook:.2f} ms{noise}",
                None if noise else m.ms_per_workbook <= COLD_MS_PER_WORKBOOK,
            )
        )
        targets.append(
            Target(
                f"cold ≤ {COLD_TIMES_FLOOR:g}× the calamine floor ({pair})",
                f"{m.times_floor:.1f}× ({m.floor_ms:.2f} ms/file floor){noise}",
                None if noise else m.times_floor <= COLD_TIMES_FLOOR,
            )
        )
    for s in sizes:
        share = s.warm_share
        targets.append(
            Target(
                f"warm after {s.added:,} new files ≤ {WARM_SHARE_OF_COLD:.0%} of cold "
                f"({s.files:,})",
                "-" if share is None else f"{share:.0%}",
                None if share is None else share <= WARM_SHARE_OF_COLD,
            )
        )
    at_peak = [s for s in sizes if s.files >= PEAK_AT_FILES and s.cold.ok]
    runs = [r for s in at_peak for r in (s.cold, s.warm) if r is not None and r.ok]
    peak = max((r.held_mib for r in runs), default=None)
    targets.append(
        Target(
            f"peak memory held < {PEAK_MIB / 1024:g} GiB at {PEAK_AT_FILES:,} files"
            + (f" (largest size {max(s.files for s in at_peak):,})" if at_peak else ""),
            "-" if peak is None else f"{peak:.0f} MiB",
            None if peak is None else peak < PEAK_MIB,
        )
    )
    big = [s for s in sizes if s.files >= COMPLETES_AT_FILES]
    targets.append(
        Target(
            f"a {COMPLETES_AT_FILES:,}-file run completes",
            ", ".join(f"{s.files:,}: exit {s.cold.returncode}" for s in big) or "-",
            all(s.cold.ok for s in big) if big else None,
        )
    )
    return targets


def _git(repo: Path, *args: str) -> str:
    """Run a read-only git command in ``repo``; its output, or ``unknown``."""
    git = shutil.which("git")
    if git is None:
        return "unknown"
    done = subprocess.run(  # noqa: S603 (fixed git commands)
        [git, "-C", str(repo), *args], capture_output=True, text=True, check=False
    )
    return done.stdout.strip() or "unknown"


def code_version(repo: Path) -> str:
    """Name the checkout: ``git describe --always --dirty`` of the repository.

    Args:
        repo: The repository.

    Returns:
        The commit (``-dirty`` when the working tree has changes), or ``unknown``.
    """
    return _git(repo, "describe", "--always", "--dirty", "--abbrev=12")


def measured_code(repo: Path) -> str:
    """Name the code the runs execute: the last commit that changed ``checks/`` or ``flows/``.

    Args:
        repo: The repository.

    Returns:
        The commit, ``-dirty`` when either folder has uncommitted changes.
    """
    commit = _git(repo, "log", "-1", "--format=%h", "--abbrev=12", "--", "checks", "flows")
    changed = _git(repo, "status", "--porcelain", "--", "checks", "flows")
    return commit + ("-dirty" if changed not in ("", "unknown") else "")


def machine(repo: Path) -> dict[str, Any]:
    """Describe where the benchmark runs.

    Args:
        repo: The repository measured.

    Returns:
        Date, commit of the checkout and of the measured code (``checks/`` and
        ``flows/``), processor, processors usable, memory, Python and system.
    """
    cpu = platform.processor() or "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory_gib = None
    meminfo = Path("/proc/meminfo")
    if meminfo.is_file():
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gib = round(int(line.split()[1]) / 1024**2, 1)
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": code_version(repo),
        "measured_code": measured_code(repo),
        "cpu": cpu,
        "cores": usable,
        "memory_gib": memory_gib,
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
    }


def _run_json(run: Measured | None) -> dict[str, Any] | None:
    """A measured run as JSON."""
    if run is None:
        return None
    return {
        "wall_s": round(run.wall, 3),
        "largest_rss_mib": round(run.largest_rss_mib, 1),
        "tree_peak_mib": None if run.tree_peak_mib is None else round(run.tree_peak_mib, 1),
        "tree_pss_peak_mib": (
            None if run.tree_pss_peak_mib is None else round(run.tree_pss_peak_mib, 1)
        ),
        "held_mib": round(run.held_mib, 1),
        "returncode": run.returncode,
        "load_at_start": round(run.load, 2),
        "log": run.log,
    }


def _verdict_json(verdict: Verdict | None) -> dict[str, Any] | None:
    """An oracle's verdict as JSON (counts only)."""
    if verdict is None:
        return None
    return {
        "ok": verdict.ok,
        "corrupted": verdict.corrupted,
        "exact": verdict.exact,
        "consistent": verdict.consistent,
        "quiet": verdict.quiet,
        "false_negatives": verdict.false_negatives,
        "false_positives": verdict.false_positives,
        "other": verdict.other,
        "unknown": len(verdict.unknown),
    }


def to_json(results: Results) -> dict[str, Any]:
    """Return the results as a JSON-ready dictionary.

    Args:
        results: The run.

    Returns:
        Machine, sizes, marginals and targets.
    """
    return {
        "machine": results.machine,
        "sizes": [
            {
                "files": s.files,
                "added_for_warm": s.added,
                "cold": _run_json(s.cold),
                "warm": _run_json(s.warm),
                "warm_share_of_cold": None if s.warm_share is None else round(s.warm_share, 4),
                "floor": {
                    "files": s.floor.files,
                    "sheets": s.floor.sheets,
                    "cells": s.floor.cells,
                    "seconds": round(s.floor.seconds, 3),
                    "ms_per_file": round(s.floor.ms_per_file, 3),
                },
                "oracle_cold": _verdict_json(s.cold_verdict),
                "oracle_warm": _verdict_json(s.warm_verdict),
            }
            for s in results.sizes
        ],
        "marginals": [
            {
                "from": m.low,
                "to": m.high,
                "ms_per_workbook": round(m.ms_per_workbook, 3),
                "floor_ms_per_file": round(m.floor_ms, 3),
                "times_floor": round(m.times_floor, 2),
            }
            for m in results.marginals
        ],
        "targets": [
            {"target": t.text, "measured": t.measured, "status": t.status} for t in results.targets
        ],
    }


def _mib(run: Measured | None) -> str:
    """A run's peak memory as table text: held / summed resident sets."""
    if run is None:
        return "-"
    return f"{run.held_mib:.0f} / {run.peak_mib:.0f}" + ("" if run.ok else " FAILED")


def _wall(run: Measured | None) -> str:
    """A run's wall time as table text."""
    if run is None:
        return "-"
    return f"{run.wall:.1f}" + ("" if run.ok else " FAILED")


def rows(results: Results) -> list[list[str]]:
    """The table of sizes, header first.

    Args:
        results: The run.

    Returns:
        Rows of text cells.
    """
    table = [
        [
            "files",
            "cold s",
            "warm s",
            "warm/cold",
            "held / RSS-sum MiB cold",
            "held / RSS-sum MiB warm",
            "floor ms/file",
            "load",
        ]
    ]
    for s in results.sizes:
        share = s.warm_share
        table.append(
            [
                f"{s.files:,} (+{s.added:,})",
                _wall(s.cold),
                _wall(s.warm),
                "-" if share is None else f"{share:.0%}",
                _mib(s.cold),
                _mib(s.warm),
                f"{s.floor.ms_per_file:.2f}",
                "/".join(f"{r.load:.1f}" for r in (s.cold, s.warm) if r is not None),
            ]
        )
    return table


def plain(results: Results) -> list[str]:
    """The results as aligned text for the terminal.

    Args:
        results: The run.

    Returns:
        The lines: the table, the marginal costs, the targets.
    """
    table = rows(results)
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    lines = []
    for n, row in enumerate(table):
        lines.append("  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)))
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    lines.append("")
    for m in results.marginals:
        lines.append(
            f"marginal {m.low:,}→{m.high:,}: {m.ms_per_workbook:.2f} ms per workbook, "
            f"{m.times_floor:.1f}× the floor ({m.floor_ms:.2f} ms/file)"
        )
    lines.append("")
    width = max((len(t.text) for t in results.targets), default=0)
    for t in results.targets:
        lines.append(f"{t.status:>12}  {t.text.ljust(width)}  {t.measured}")
    return lines


def markdown(results: Results) -> list[str]:
    """The results as Markdown for the README.

    Args:
        results: The run.

    Returns:
        The lines: machine, table, marginal costs and targets.
    """
    m = results.machine
    lines = [
        f"Measured {m['date']}, code of commit `{m['measured_code']}` (benchmark "
        f"`{m['commit']}`): {m['cores']} cores ({m['cpu']}), "
        f"{m['memory_gib']} GiB, Python {m['python']}, {m['system']}.",
        "",
    ]
    table = rows(results)
    lines.append("| " + " | ".join(table[0]) + " |")
    lines.append("|" + "|".join("---:" for _ in table[0]) + "|")
    lines += ["| " + " | ".join(row) + " |" for row in table[1:]]
    lines.append("")
    for mg in results.marginals:
        lines.append(
            f"- Marginal cost {mg.low:,}→{mg.high:,}: "
            f"**{mg.ms_per_workbook:.2f} ms per workbook**, "
            f"{mg.times_floor:.1f}× the calamine floor ({mg.floor_ms:.2f} ms/file)."
        )
    lines.append("")
    lines.append("| target | measured | |")
    lines.append("|---|---|---|")
    lines += [f"| {t.text} | {t.measured} | {t.status} |" for t in results.targets]
    return lines
