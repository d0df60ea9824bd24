"""The read cache and partitioned validation: the same results, fewer files opened."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from checks import cache as read_cache
from checks.batch import CacheLoader, validate
from checks.inbox import lookup, read_inbox, survey
from checks.outputs import write_figures
from checks.reader import Submission
from tests.builders import PASSPORT, submission

ROOT = Path(__file__).resolve().parent.parent
SEED_INBOX = ROOT / "inbox"

APPEALS = [
    ["Канал", "Москва", "Тверь", "Итого"],
    ["Очно", 10, 20, 30],
    ["Контакт-центр", 5, 5, 11],
    ["Всего", 15, 25, 41],
]


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed reports, a resubmission, two more companies, one file that is not a workbook."""
    folder = tmp_path_factory.mktemp("inbox")
    for path in SEED_INBOX.iterdir():
        shutil.copy2(path, folder / path.name)
    submission(folder / "a.xlsx", appeals=APPEALS)
    second = [["Организация", "ООО «Другая»"], *PASSPORT[1:]]
    submission(folder / "b.xlsx", passport=second, appeals=APPEALS[:3])
    (folder / "notes.xlsx").write_bytes(b"not a workbook")
    return folder


def _frame(subs: list[Submission], **options: object) -> tuple[pd.DataFrame, pd.DataFrame]:
    result = validate(subs, **options)  # type: ignore[arg-type]
    figures = result.figures.sort_values(["submission", "sheet", "cell"]).reset_index(drop=True)
    return result.findings, figures


def test_tables_come_back_from_the_cache_as_read(inbox: Path, tmp_path: Path) -> None:
    """Every field of every submission, and the figures' frame, round-trip exactly."""
    whole = read_inbox(inbox, isolate=False)
    cache = read_cache.root(tmp_path)
    name, kept = read_cache.store(cache, whole)
    assert name
    assert kept == {s.source.sha256 for s in whole if read_cache.keepable(s)}
    index = read_cache.Index(cache)
    heads = [index.header(s.source.sha256, s.path, s.source.submission) or s for s in whole]
    loaded, figures = read_cache.tables(cache, heads, index.where(heads))
    for before, after in zip(whole, loaded, strict=True):
        for field in dataclasses.fields(Submission):
            if field.name != "figures":
                assert getattr(before, field.name) == getattr(after, field.name), field.name
    assert figures is not None
    expected = pd.DataFrame([f for s in whole for f in s.figures])
    assert len(figures) == len(expected)
    assert list(figures["cell"]) == list(expected["cell"])
    assert figures["value"].equals(expected["value"].astype("float64"))


def test_cached_run_finds_what_a_fresh_read_finds(inbox: Path, tmp_path: Path) -> None:
    """Validating headers loaded from the cache equals validating whole submissions."""
    cache = read_cache.root(tmp_path)
    first = read_inbox(inbox, isolate=False, cache=cache)
    second = read_inbox(inbox, isolate=False, cache=cache)
    assert all(not s.figures for s in second if read_cache.keepable(s))
    index = read_cache.Index(cache)
    findings, figures = _frame(second, load=CacheLoader(cache, index.where(second)))
    fresh_findings, fresh_figures = _frame(read_inbox(inbox, isolate=False))
    pd.testing.assert_frame_equal(findings, fresh_findings)
    pd.testing.assert_frame_equal(figures, fresh_figures)
    assert len(first) == len(second)


def test_changed_file_is_read_again_renamed_copy_is_not(inbox: Path, tmp_path: Path) -> None:
    """A hit needs the same bytes: a change is a miss, a new name for the same bytes a hit."""
    folder = tmp_path / "inbox"
    shutil.copytree(inbox, folder)
    cache = read_cache.root(tmp_path / "out")
    read_inbox(folder, isolate=False, cache=cache)
    shutil.copy2(folder / "a.xlsx", folder / "a-copy.xlsx")
    submission(folder / "b.xlsx", appeals=APPEALS)  # new bytes under an old name
    found = lookup(survey(folder).ready, read_cache.Index(cache))
    assert [name for _, name in found.misses] == ["b.xlsx"]
    names = {s.source.submission for s in found.hits.values()}
    assert {"a.xlsx", "a-copy.xlsx"} <= names
    copy = next(s for s in found.hits.values() if s.source.submission == "a-copy.xlsx")
    assert all(f.submission == "a-copy.xlsx" for f in copy.findings)


def test_unreadable_file_is_kept_refused_file_is_not(inbox: Path, tmp_path: Path) -> None:
    """A file that is not a workbook reads the same every time; a limit's refusal is tried again."""
    cache = read_cache.root(tmp_path)
    subs = read_inbox(inbox, isolate=False, cache=cache)
    notes = next(s for s in subs if s.source.submission == "notes.xlsx")
    assert read_cache.keepable(notes)
    refused = dataclasses.replace(notes, findings=[])
    refused.findings.append(dataclasses.replace(notes.findings[0], rule="file-refused"))
    assert not read_cache.keepable(refused)


def test_damaged_or_deleted_cache_changes_nothing_but_time(inbox: Path, tmp_path: Path) -> None:
    """A cache file that no longer parses is a miss; deleting the cache reads everything again."""
    cache = read_cache.root(tmp_path)
    read_inbox(inbox, isolate=False, cache=cache)
    for path in cache.glob("*.parquet"):
        path.write_bytes(b"damaged")
    assert lookup(survey(inbox).ready, read_cache.Index(cache)).hits == {}
    shutil.rmtree(tmp_path / ".sverka")
    assert lookup(survey(inbox).ready, read_cache.Index(cache)).hits == {}


def test_prune_keeps_what_the_inbox_still_holds(inbox: Path, tmp_path: Path) -> None:
    """Cache files none of whose files are still read go; so do other reader versions."""
    cache = read_cache.root(tmp_path)
    subs = read_inbox(inbox, isolate=False, cache=cache)
    old_version = cache.parent / "0000000000000000"
    old_version.mkdir()
    assert read_cache.prune(tmp_path, {s.source.sha256 for s in subs}) == 0
    assert not old_version.exists()
    assert read_cache.prune(tmp_path, set()) == 1
    assert not list(cache.glob("*.parquet"))


def test_parts_find_what_the_whole_batch_finds(inbox: Path) -> None:
    """Checking one submission per part gives the findings and figures of one whole batch."""
    subs = read_inbox(inbox, isolate=False)
    whole = _frame(subs, part_size=10_000)
    for size in (1, 2, 3):
        parted = _frame(subs, part_size=size)
        pd.testing.assert_frame_equal(parted[0], whole[0])
        pd.testing.assert_frame_equal(parted[1], whole[1])


def test_a_resubmission_is_never_split_from_its_first_version(tmp_path: Path) -> None:
    """Both versions of one organisation's year land in one part, whatever the part size."""
    from checks.batch import plan

    submission(tmp_path / "v1.xlsx", appeals=APPEALS)
    submission(tmp_path / "v2.xlsx", appeals=APPEALS[:3])
    other = [["Организация", "ООО «Другая»"], *PASSPORT[1:]]
    submission(tmp_path / "z.xlsx", passport=other, appeals=APPEALS)
    subs = read_inbox(tmp_path, isolate=False)
    parts = plan(subs, size=1)
    assert [[s.source.submission for s in part] for part in parts] == [
        ["v1.xlsx", "v2.xlsx"],
        ["z.xlsx"],
    ]
    result = validate(subs, part_size=1)
    assert result.submissions.set_index("submission").loc["v1.xlsx", "superseded_by"] == "v2.xlsx"


def test_figures_csv_is_left_out_past_its_limit(inbox: Path, tmp_path: Path) -> None:
    """Past the CSV limit only the Parquet dataset is written, partitioned by year."""
    result = validate(read_inbox(inbox, isolate=False), part_size=2)
    written = write_figures(result.parts, tmp_path / "validated", csv_max_rows=10)
    assert not written.csv
    assert not (tmp_path / "validated" / "figures.csv").exists()
    years = sorted(p.name for p in (tmp_path / "validated" / "figures").iterdir())
    assert "year=2025" in years
    back = pd.read_parquet(tmp_path / "validated" / "figures")
    assert len(back) == written.rows == len(result.figures)
    small = write_figures(result.parts, tmp_path / "again", csv_max_rows=10**9)
    assert small.csv
    assert len(pd.read_csv(tmp_path / "again" / "figures.csv")) == small.rows


def test_kept_results_of_unchanged_partitions_equal_checking_again(
    inbox: Path, tmp_path: Path
) -> None:
    """A partition whose files did not change is not checked again, and finds the same."""
    from checks.reuse import Checked

    subs = read_inbox(inbox, isolate=False)
    fresh = validate(subs, part_size=2)
    first = Checked(tmp_path / "checked")
    validate(subs, part_size=2, kept=first)
    assert first.hits == 0
    again = Checked(tmp_path / "checked")
    kept = validate(subs, part_size=2, kept=again)
    assert again.hits == len(first.used) > 0
    pd.testing.assert_frame_equal(kept.findings, fresh.findings)
    pd.testing.assert_frame_equal(kept.schedules, fresh.schedules)
    pd.testing.assert_frame_equal(kept.measures, fresh.measures)
    pd.testing.assert_frame_equal(kept.submissions, fresh.submissions)
    changed = [
        dataclasses.replace(s, source=dataclasses.replace(s.source, sha256="0" * 64))
        if s.source.submission == "a.xlsx"
        else s
        for s in subs
    ]
    third = Checked(tmp_path / "checked")
    validate(changed, part_size=2, kept=third)
    assert third.hits == again.hits - 1  # a.xlsx's partition is checked again


def test_figures_sent_as_arrow_come_back_as_read(inbox: Path) -> None:
    """A file read for the cache but not kept (a full disk) comes back exactly as read."""
    from checks.limits import Limits
    from checks.reader import read_submission

    for path in sorted(inbox.iterdir()):
        read = read_cache.read_for_cache(path, path.name, Limits())
        plain = read_submission(path, path.name, Limits())
        if read_cache.keepable(plain):
            assert isinstance(read.figure_table, read_cache.Kept)
            assert (read.figures, read.time_rows, read.schedules, read.measures) == ([], [], [], [])
        assert read_cache.whole_figures(read) == plain


def _published(folder: Path) -> Path:
    """Give a written output folder the manifest a publication gives it."""
    import json

    from checks.publish import file_list

    manifest = {"files": file_list(folder)}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


def test_unchanged_figure_parts_are_linked_from_the_published_run(
    inbox: Path, tmp_path: Path
) -> None:
    """A part whose files and findings did not change is taken from the last run, the same."""
    from checks.outputs import earlier_parts

    subs = read_inbox(inbox, isolate=False)
    result = validate(subs, part_size=2)
    first = write_figures(result.parts, tmp_path / "first" / "validated")
    assert first.taken == 0
    earlier = earlier_parts(_published(tmp_path / "first"))
    keyed = [key for key, build in result.parts.keyed() if key and not build().empty]
    assert keyed
    assert set(keyed) <= set(earlier)
    again = write_figures(result.parts, tmp_path / "again" / "validated", earlier=earlier)
    assert again.taken == len(keyed)
    assert again.rows == first.rows == len(result.figures)
    for name in ("figures.csv",):
        assert (tmp_path / "again" / "validated" / name).read_bytes() == (
            tmp_path / "first" / "validated" / name
        ).read_bytes()
    keys = ["submission", "sheet", "cell"]
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "again" / "validated" / "figures")
        .sort_values(keys)
        .reset_index(drop=True),
        pd.read_parquet(tmp_path / "first" / "validated" / "figures")
        .sort_values(keys)
        .reset_index(drop=True),
    )
    # a.xlsx changed: its part is written anew, every other part is taken.
    changed = validate(
        [
            dataclasses.replace(s, source=dataclasses.replace(s.source, sha256="0" * 64))
            if s.source.submission == "a.xlsx"
            else s
            for s in subs
        ],
        part_size=2,
    )
    third = write_figures(changed.parts, tmp_path / "third" / "validated", earlier=earlier)
    assert third.taken == len(keyed) - 1
    # A file damaged since its run is written anew, not linked.
    damaged = next((tmp_path / "first" / "validated" / "figures").rglob("*.parquet"))
    damaged.write_bytes(damaged.read_bytes()[:-1] + b"\0")
    fourth = write_figures(
        result.parts,
        tmp_path / "fourth" / "validated",
        earlier=earlier_parts(tmp_path / "first"),
    )
    assert fourth.taken == len(keyed) - 1


def test_figure_parts_end_by_content_so_a_new_file_moves_no_other_part(inbox: Path) -> None:
    """Adding a partition changes the part it falls in; the other parts stay as they were."""
    from checks.batch import figure_parts

    subs = read_inbox(inbox, isolate=False)
    many = [
        dataclasses.replace(
            s,
            source=dataclasses.replace(
                s.source,
                submission=f"{n:03d}-{s.source.submission}",
                organisation=f"{s.source.organisation} {n}",
            ),
        )
        for n in range(60)
        for s in subs[:1]
    ]
    before = [[s.source.submission for s in part] for part in figure_parts(many, size=8)]
    added = [
        *many[:30],
        dataclasses.replace(
            many[0],
            source=dataclasses.replace(
                many[0].source, submission="030a-new.xlsx", organisation="Новая"
            ),
        ),
        *many[30:],
    ]
    after = [[s.source.submission for s in part] for part in figure_parts(added, size=8)]
    assert len(before) > 3
    assert len([p for p in after if p not in before]) == 1
    assert len([p for p in before if p not in after]) == 1


def test_figure_rows_are_the_cached_columns_in_order() -> None:
    """A figure row holds the cache's figure columns, in the cache's order."""
    from checks.reader import ROW_COLUMNS

    assert tuple(read_cache.FIGURE_TYPES) == ROW_COLUMNS


def test_files_read_for_the_cache_are_kept_as_files_read_here(inbox: Path, tmp_path: Path) -> None:
    """What a reading process encodes is stored exactly as the same files read in this process."""
    from checks.limits import Limits

    files = sorted(inbox.iterdir())
    encoded = [read_cache.read_for_cache(path, path.name, Limits()) for path in files]
    plain = read_inbox(inbox, isolate=False)
    first, kept = read_cache.store(tmp_path / "a", encoded)
    second, same = read_cache.store(tmp_path / "b", plain)
    assert kept == same
    assert kept == {s.source.sha256 for s in plain if read_cache.keepable(s)}
    one = pq.read_table(tmp_path / "a" / first)
    other = pq.read_table(tmp_path / "b" / second)
    assert one.equals(other)
    assert one.schema.metadata == other.schema.metadata


def test_a_figure_of_an_odd_type_keeps_its_file_out_and_the_others_in(tmp_path: Path) -> None:
    """A submission whose figure does not fit its column is not kept; the rest of the chunk is."""
    from checks.reader import read_submission

    good = read_submission(submission(tmp_path / "a.xlsx", appeals=APPEALS))
    odd = read_submission(submission(tmp_path / "b.xlsx", appeals=APPEALS[:3]))
    odd.figures[0]["value"] = "сто"
    name, kept = read_cache.store(tmp_path / "cache", [good, odd])
    assert kept == {good.source.sha256}
    assert pq.read_table(tmp_path / "cache" / name).num_rows == len(good.figures)
