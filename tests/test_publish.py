"""Publishing a run's outputs all at once (``checks.publish``)."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from checks import publish


def _stage(out: Path, run_id: str, files: dict[str, str]) -> Path:
    staging = publish.begin(out, run_id)
    for relative, text in files.items():
        path = staging / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return staging


def _published(out: Path) -> dict[str, str]:
    """Every file a user sees under ``out``, following the links, housekeeping aside."""
    seen = {}
    for root, dirs, files in os.walk(out, followlinks=True):
        dirs[:] = [d for d in dirs if d != ".sverka"]
        for name in files:
            path = Path(root) / name
            seen[path.relative_to(out).as_posix()] = path.read_text(encoding="utf-8")
    return dict(sorted(seen.items()))


def test_the_published_set_is_the_staged_one_with_its_manifest(tmp_path: Path) -> None:
    """After publication every output opens under ``out/`` and the manifest lists it."""
    out = tmp_path / "out"
    staging = _stage(out, "r1", {"discrepancies.csv": "a", "validated/figures.csv": "b"})
    manifest = publish.publish(out, staging, {"run_id": "r1"})
    assert _published(out) == {
        "discrepancies.csv": "a",
        "validated/figures.csv": "b",
        "manifest.json": (out / "manifest.json").read_text(encoding="utf-8"),
    }
    assert [f["path"] for f in manifest["files"]] == ["discrepancies.csv", "validated/figures.csv"]
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["run_id"] == "r1"
    assert publish.verify(out) == []


def test_a_second_publication_replaces_every_file_and_drops_names_gone(tmp_path: Path) -> None:
    """An annotated copy of a file no longer in the inbox goes with the old set."""
    out = tmp_path / "out"
    first = {"discrepancies.csv": "old", "annotated/gone.xlsx": "x", "annotated/kept.xlsx": "k1"}
    publish.publish(out, _stage(out, "r1", first), {"run_id": "r1"})
    second = {"discrepancies.csv": "new", "annotated/kept.xlsx": "k2"}
    publish.publish(out, _stage(out, "r2", second), {"run_id": "r2"})
    seen = _published(out)
    seen.pop("manifest.json")
    assert seen == second
    assert publish.read_manifest(out)["run_id"] == "r2"  # type: ignore[index]


def test_a_name_present_only_in_the_old_set_loses_its_link(tmp_path: Path) -> None:
    """A top-level output the new run does not write disappears instead of dangling."""
    out = tmp_path / "out"
    publish.publish(out, _stage(out, "r1", {"a.csv": "1", "letters/x.docx": "l"}), {})
    publish.publish(out, _stage(out, "r2", {"a.csv": "2"}), {})
    assert not (out / "letters").exists()
    assert not (out / "letters").is_symlink()


def test_an_unfinished_staging_folder_changes_nothing_published(tmp_path: Path) -> None:
    """A run killed before its switch leaves the previous set whole and matching its manifest."""
    out = tmp_path / "out"
    publish.publish(out, _stage(out, "r1", {"discrepancies.csv": "complete"}), {"run_id": "r1"})
    _stage(out, "r2", {"discrepancies.csv": "half"})
    assert _published(out)["discrepancies.csv"] == "complete"
    assert publish.verify(out) == []
    assert publish.clean_leftovers(out) == ["r2.partial"]
    assert not (publish.runs_folder(out) / "r2.partial").exists()


def test_leftovers_keep_the_published_set_and_the_one_before(tmp_path: Path) -> None:
    """Starting a run removes sets older than the previous one, never the published one."""
    out = tmp_path / "out"
    for run in ("r1", "r2", "r3"):
        publish.publish(out, _stage(out, run, {"a.csv": run}), {"run_id": run})
    assert publish.clean_leftovers(out) == ["r1"]
    assert sorted(p.name for p in publish.runs_folder(out).iterdir()) == ["r2", "r3"]
    assert (out / "a.csv").read_text(encoding="utf-8") == "r3"


def test_files_follow_the_umask(tmp_path: Path) -> None:
    """Outputs get 0644 and folders 0755 under umask 022, even files written 0600."""
    out = tmp_path / "out"
    staging = _stage(out, "r1", {"validated/figures.csv": "x"})
    os.chmod(staging / "validated" / "figures.csv", 0o600)
    previous = os.umask(0o022)
    try:
        publish.publish(out, staging, {})
    finally:
        os.umask(previous)
    assert stat.S_IMODE((out / "validated" / "figures.csv").stat().st_mode) == 0o644
    assert stat.S_IMODE((out / "validated").resolve().stat().st_mode) == 0o755
    assert stat.S_IMODE((out / "manifest.json").stat().st_mode) == 0o644


def test_an_earlier_layout_of_plain_files_is_replaced(tmp_path: Path) -> None:
    """Plain outputs of an earlier version give way to the published set's links."""
    out = tmp_path / "out"
    (out / "validated").mkdir(parents=True)
    (out / "validated" / "figures.csv").write_text("stale", encoding="utf-8")
    (out / "discrepancies.csv").write_text("stale", encoding="utf-8")
    publish.publish(out, _stage(out, "r1", {"discrepancies.csv": "new"}), {})
    assert (out / "discrepancies.csv").read_text(encoding="utf-8") == "new"
    assert not (out / "validated").exists()


def test_a_foreign_file_in_the_way_stops_the_publication(tmp_path: Path) -> None:
    """A file of someone else's under a name the run writes is never deleted."""
    out = tmp_path / "out"
    (out / "notes").mkdir(parents=True)
    (out / "notes" / "mine.txt").write_text("keep", encoding="utf-8")
    staging = _stage(out, "r1", {"notes/x.txt": "ours"})
    with pytest.raises(publish.PublicationError, match="notes"):
        publish.publish(out, staging, {})
    assert (out / "notes" / "mine.txt").read_text(encoding="utf-8") == "keep"


def test_verify_names_a_file_changed_after_publication(tmp_path: Path) -> None:
    """A published file edited afterwards no longer matches the manifest, and says so."""
    out = tmp_path / "out"
    publish.publish(out, _stage(out, "r1", {"discrepancies.csv": "a"}), {})
    (out / "discrepancies.csv").write_text("edited", encoding="utf-8")
    assert publish.verify(out) == ["файл discrepancies.csv не совпадает с описью"]
