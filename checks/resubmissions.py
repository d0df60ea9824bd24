"""Resubmissions: a corrected file of the same organisation and year supersedes the earlier one.

Within a run, submissions are grouped by organisation (matched like labels)
and reporting year. The latest of a group is current: latest by the
passport's ``Дата представления``, then by the file's modification time, then
by name. The earlier versions stay in the run's history (the submissions
table names what superseded them); the worklist and the validated figures
hold the current version only. Each current version is compared with the
one before it by finding fingerprints: new, fixed and still there.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from checks import vocab
from checks.reader import Submission, passport_date
from checks.text import normalize

CHANGE_COLUMNS = (
    "submission",
    "previous",
    "change",
    "fingerprint",
    "rule",
    "severity",
    "sheet",
    "cell",
    "message",
)


@dataclass(frozen=True, slots=True)
class Versions:
    """Which submissions are current, and what each superseded one gave way to.

    Attributes:
        superseded_by: Earlier submission → the one that superseded it.
        previous: Current submission → the version just before it.
    """

    superseded_by: dict[str, str]
    previous: dict[str, str]


def submitted_on(sub: Submission) -> dt.date | None:
    """Return the passport's ``Дата представления`` as a date, if it reads as one.

    Args:
        sub: The submission.

    Returns:
        The date, or ``None``.
    """
    return passport_date(sub.passport.get(vocab.KEY_SUBMITTED, (None, ""))[0])


def order(subs: list[Submission]) -> Versions:
    """Find the versions of each organisation's report for a year.

    Args:
        subs: The run's submissions.

    Returns:
        What superseded what.
    """
    groups: dict[tuple[str, int], list[Submission]] = {}
    for sub in subs:
        if sub.source.organisation and sub.source.year is not None:
            groups.setdefault((normalize(sub.source.organisation), sub.source.year), []).append(sub)
    superseded_by: dict[str, str] = {}
    previous: dict[str, str] = {}
    for versions in groups.values():
        if len(versions) < 2:
            continue
        versions.sort(
            key=lambda s: (
                submitted_on(s) or dt.date.min,
                s.path.stat().st_mtime if s.path.exists() else 0.0,
                s.source.submission,
            )
        )
        current = versions[-1].source.submission
        for sub in versions[:-1]:
            superseded_by[sub.source.submission] = current
        previous[current] = versions[-2].source.submission
    return Versions(superseded_by, previous)


def changes(findings: pd.DataFrame, versions: Versions) -> pd.DataFrame:
    """Compare each resubmission's findings with its previous version's.

    Args:
        findings: The findings of every version, with fingerprints.
        versions: What superseded what.

    Returns:
        One row per finding that is ``new``, ``fixed`` or ``still`` there.
    """
    rows: list[dict[str, object]] = []
    for current, previous in versions.previous.items():
        now = findings[findings["submission"] == current]
        before = findings[findings["submission"] == previous]
        now_fp, before_fp = set(now["fingerprint"]), set(before["fingerprint"])
        for change, frame, keep in (
            ("new", now, now_fp - before_fp),
            ("still", now, now_fp & before_fp),
            ("fixed", before, before_fp - now_fp),
        ):
            for row in frame[frame["fingerprint"].isin(keep)].to_dict("records"):
                rows.append(
                    {
                        "submission": current,
                        "previous": previous,
                        "change": change,
                        **{k: row[k] for k in CHANGE_COLUMNS[3:]},
                    }
                )
    return pd.DataFrame(rows, columns=list(CHANGE_COLUMNS))
