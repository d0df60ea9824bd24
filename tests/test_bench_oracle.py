"""The benchmark's oracle: the pipeline finds exactly the mistakes the generator plants."""

from __future__ import annotations

from pathlib import Path

import pytest

from checks.batch import validate
from checks.inbox import read_inbox
from checks.outputs import write_outputs
from scripts.benchkit import floor, generate, oracle

#: 30 files, half of them with a planted mistake: with seed 20 that is every kind of
#: change the generator makes (row, column, subtotal and grand totals, shares, times).
SAMPLE_FILES = 30
SAMPLE_SEED = 20
SAMPLE_CORRUPTED = 0.5
PLANTED_RULES = {
    "total-row",
    "total-column",
    "total-group",
    "total-grand",
    "total-grand-territories",
    "total-culprit",
    "share-mismatch",
    "share-truncated",
    "time-sum-mismatch",
}


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[generate.Generated]]:
    """The sample inbox and what the generator planted in it."""
    inbox = tmp_path_factory.mktemp("bench-inbox")
    planted = generate.write_sample(inbox, SAMPLE_FILES, SAMPLE_SEED, SAMPLE_CORRUPTED)
    return inbox, planted


@pytest.fixture(scope="module")
def found(
    sample: tuple[Path, list[generate.Generated]], tmp_path_factory: pytest.TempPathFactory
) -> list[dict[str, str]]:
    """The rows of ``discrepancies.csv`` after the pure pipeline ran on the sample."""
    inbox, _ = sample
    out = tmp_path_factory.mktemp("bench-out")
    write_outputs(validate(read_inbox(inbox, isolate=False)), out)
    return oracle.read_worklist(out / "discrepancies.csv")


def test_sample_plants_every_kind(sample: tuple[Path, list[generate.Generated]]) -> None:
    """The sample holds corrupted and clean files, and every rule a mistake can trigger."""
    _, planted = sample
    kinds = {g.injection.split()[0] for g in planted if g.injection}
    rules = {rule for g in planted for _, rule, _, _ in g.expected}
    assert kinds == {"total", "share", "time-sum"}
    assert rules == PLANTED_RULES
    assert any(not g.injection for g in planted)


def test_pipeline_finds_exactly_what_was_planted(
    sample: tuple[Path, list[generate.Generated]], found: list[dict[str, str]]
) -> None:
    """Every planted finding is found, nothing else is, and clean files have no finding."""
    _, planted = sample
    verdict = oracle.compare(planted, found)
    assert [(d.name, d.missing, d.extra) for d in verdict.diffs] == []
    assert verdict.unknown == []
    assert verdict.exact == verdict.corrupted > 0
    assert verdict.quiet == verdict.consistent > 0
    assert verdict.ok


@pytest.mark.parametrize(
    ("change", "counts"),
    [
        ("nothing", (0, 0, 0, 0)),
        ("drop-first-planted", (1, 0, 0, 0)),
        ("error-on-clean-file", (0, 1, 0, 0)),
        ("warning-on-clean-file", (0, 0, 1, 0)),
        ("unknown-file", (0, 0, 0, 1)),
    ],
)
def test_oracle_counts_each_kind_of_difference(
    sample: tuple[Path, list[generate.Generated]],
    change: str,
    counts: tuple[int, int, int, int],
) -> None:
    """A missing finding, an unexpected error, warning or file each count where they should."""
    _, planted = sample
    rows = [
        {"submission": g.name, "severity": s, "rule": r, "sheet": sh, "cell": c}
        for g in planted
        for s, r, sh, c in g.expected
    ]
    clean = next(g.name for g in planted if not g.injection)
    extra = {"rule": "total-row", "sheet": "Обращения", "cell": "B2"}
    if change == "drop-first-planted":
        rows = rows[1:]
    elif change == "error-on-clean-file":
        rows.append({"submission": clean, "severity": "error", **extra})
    elif change == "warning-on-clean-file":
        rows.append({"submission": clean, "severity": "warning", **extra})
    elif change == "unknown-file":
        rows.append({"submission": "other.xlsx", "severity": "error", **extra})
    verdict = oracle.compare(planted, rows)
    got = (verdict.false_negatives, verdict.false_positives, verdict.other, len(verdict.unknown))
    assert got == counts
    assert verdict.ok == (change == "nothing")


def test_floor_reads_every_sheet_of_every_file(
    sample: tuple[Path, list[generate.Generated]],
) -> None:
    """The calamine floor opens each file and reads its six sheets."""
    inbox, planted = sample
    measured = floor.read_floor(sorted(inbox.iterdir()))
    assert (measured.files, measured.sheets) == (len(planted), 6 * len(planted))
    assert measured.cells > 0
