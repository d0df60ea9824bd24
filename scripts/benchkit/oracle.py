"""Expected against found: the planted mistakes and the rows of ``discrepancies.csv``.

A finding is compared as ``(severity, rule, sheet, cell)`` per submission. A
corrupted file must yield exactly the findings the generator recorded for its
mistake; a consistent file must yield none. Anything missing is a false
negative; an unexpected ``error`` is a false positive; an unexpected warning
or info is counted apart; findings for a file the generator did not write are
listed too. The verdict holds only if all four are empty.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .generate import Expected, Generated


@dataclass(frozen=True, slots=True)
class FileDiff:
    """One file whose findings differ from what was planted.

    Attributes:
        name: The submission.
        injection: The planted mistake, empty for a consistent file.
        missing: Expected findings that were not found.
        extra: Findings found that were not expected.
    """

    name: str
    injection: str
    missing: tuple[Expected, ...]
    extra: tuple[Expected, ...]


@dataclass(slots=True)
class Verdict:
    """The comparison of a whole run with what the generator planted.

    Attributes:
        corrupted: Files with a planted mistake.
        exact: Corrupted files whose findings are exactly the expected ones.
        consistent: Files without a planted mistake.
        quiet: Consistent files without any finding.
        false_negatives: Expected findings not found.
        false_positives: Unexpected findings of severity ``error``.
        other: Unexpected warnings and infos.
        unknown: Submissions with findings that the generator did not write.
        diffs: The files that differ, in the generator's order.
        matched: The corrupted files found exactly as planted, with their mistake.
    """

    corrupted: int = 0
    exact: int = 0
    consistent: int = 0
    quiet: int = 0
    false_negatives: int = 0
    false_positives: int = 0
    other: int = 0
    unknown: list[str] = field(default_factory=list)
    diffs: list[FileDiff] = field(default_factory=list)
    matched: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether exactly the planted findings were found, and nothing else."""
        return not (self.false_negatives or self.false_positives or self.other or self.unknown)


def read_worklist(worklist: Path) -> list[dict[str, str]]:
    """Read a ``discrepancies.csv`` (UTF-8 with a BOM).

    Args:
        worklist: The CSV file.

    Returns:
        Its rows.
    """
    with worklist.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def found_by_file(rows: Iterable[dict[str, str]]) -> dict[str, set[Expected]]:
    """Group the rows of ``discrepancies.csv`` by submission.

    Args:
        rows: The rows.

    Returns:
        Submission → its findings as ``(severity, rule, sheet, cell)``.
    """
    found: dict[str, set[Expected]] = {}
    for row in rows:
        key = (row["severity"], row["rule"], row["sheet"], row["cell"])
        found.setdefault(row["submission"], set()).add(key)
    return found


def compare(generated: Sequence[Generated], rows: Iterable[dict[str, str]]) -> Verdict:
    """Compare the findings with what the generator planted, file by file.

    Args:
        generated: What each file of the inbox holds.
        rows: The rows of ``discrepancies.csv``.

    Returns:
        The counts, and every file that differs.
    """
    found = found_by_file(rows)
    verdict = Verdict()
    for g in generated:
        expected, got = set(g.expected), found.get(g.name, set())
        missing, extra = expected - got, got - expected
        extra_errors = {e for e in extra if e[0] == "error"}
        verdict.false_negatives += len(missing)
        verdict.false_positives += len(extra_errors)
        verdict.other += len(extra) - len(extra_errors)
        if g.injection:
            verdict.corrupted += 1
        else:
            verdict.consistent += 1
        if missing or extra:
            verdict.diffs.append(
                FileDiff(g.name, g.injection, tuple(sorted(missing)), tuple(sorted(extra)))
            )
        elif g.injection:
            verdict.exact += 1
            verdict.matched.append((g.name, g.injection))
        else:
            verdict.quiet += 1
    verdict.unknown = sorted(set(found) - {g.name for g in generated})
    return verdict


def describe(verdict: Verdict, limit: int = 20) -> list[str]:
    """Write the verdict as lines for the terminal.

    Args:
        verdict: The comparison.
        limit: How many differing files to show in full (the counts cover all).

    Returns:
        The lines: the files that differ, then the counts.
    """
    lines = []
    for diff in verdict.diffs[:limit]:
        lines.append(f"  DIFF {diff.name}  {diff.injection or 'consistent'}")
        lines += [f"         missing  {s} {r} {sh}!{c}" for s, r, sh, c in diff.missing]
        lines += [f"         extra    {s} {r} {sh}!{c}" for s, r, sh, c in diff.extra]
    if len(verdict.diffs) > limit:
        lines.append(f"  … and {len(verdict.diffs) - limit} more files that differ")
    lines.append(
        f"  Corrupted files: {verdict.corrupted}, found exactly as planted: {verdict.exact}. "
        f"Consistent files: {verdict.consistent}, without any finding: {verdict.quiet}."
    )
    lines.append(
        f"  Missing findings (false negatives): {verdict.false_negatives}; unexpected errors "
        f"(false positives): {verdict.false_positives}; unexpected warnings/infos: "
        f"{verdict.other}."
    )
    if verdict.unknown:
        lines.append(
            f"  Findings for files the generator did not write: {', '.join(verdict.unknown)}"
        )
    return lines
