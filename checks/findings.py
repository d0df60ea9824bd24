"""The one record type for every finding: the contract's discrepancy record."""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, fields
from typing import Any

import pandas as pd

from checks import vocab
from checks.i18n import Bilingual, en
from checks.registry import rule
from checks.text import normalize

#: The contract's fields, in the contract's order; more columns follow them.
CONTRACT_FIELDS = (
    "submission",
    "submission_sha256",
    "rule",
    "family",
    "severity",
    "sheet",
    "cell",
    "expected",
    "actual",
    "message",
)


@dataclass(frozen=True, slots=True)
class Source:
    """Which submission a finding is about.

    Attributes:
        submission: The workbook's file name.
        sha256: Hex digest of its bytes.
        organisation: From the passport, empty if unknown.
        year: From the passport, ``None`` if unknown.
    """

    submission: str
    sha256: str
    organisation: str = ""
    year: int | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    """One discrepancy record (the contract's fields, then ours).

    Attributes:
        submission: The workbook's file name.
        submission_sha256: Hex digest of its bytes.
        rule: The rule id.
        family: The rule's family.
        severity: ``error``, ``warning`` or ``info``.
        sheet: The canonical sheet name (empty for the whole file).
        cell: The A1 reference to look at, empty where no one cell fits.
        expected: What the rule derived.
        actual: What the submission states.
        message: One sentence for a data steward, in Russian.
        organisation: The submitting organisation, from the passport.
        year: The reporting year, from the passport.
        locus: Where, by the workbook's own labels (row and column names,
            period, channel), not by cell address: what the fingerprint uses.
        message_en: The same sentence in English (``--lang en``).
        cause: The fingerprint of the root finding this one follows from
            (a sum broken by an unknown label, a yearly average over a month
            that does not read); empty for a root. See :mod:`checks.causes`.
    """

    submission: str
    submission_sha256: str
    rule: str
    family: str
    severity: str
    sheet: str
    cell: str
    expected: str
    actual: str
    message: str
    organisation: str
    year: int | None
    locus: str = ""
    message_en: str = ""
    cause: str = ""


def make(
    rule_id: str,
    source: Source,
    *,
    sheet: str = "",
    cell: str = "",
    expected: str = "",
    actual: str = "",
    locus: tuple[object, ...] = (),
    **operands: Any,
) -> Finding:
    """Build a finding of a registered rule, its message filled with the operands.

    Args:
        rule_id: A key of :data:`checks.registry.RULES`.
        source: The submission it is about.
        sheet: The canonical sheet name.
        cell: The A1 reference of the cell to look at.
        expected: What the rule derived.
        actual: What the submission states.
        locus: The labels that place the finding (row, column, period…); the
            cell address is used only where no label fits.
        **operands: The template's named operands (``sheet`` is passed too).

    Returns:
        The finding.
    """
    registered = rule(rule_id)
    ru = {k: v.ru if isinstance(v, Bilingual) else v for k, v in operands.items()}
    english = {
        k: v.en if isinstance(v, Bilingual) else en(v) if isinstance(v, str) else v
        for k, v in operands.items()
    }
    message = registered.template.format(sheet=sheet, **ru)
    message_en = registered.template_en.format(sheet=en(sheet), **english)
    return Finding(
        submission=source.submission,
        submission_sha256=source.sha256,
        rule=registered.id,
        family=registered.family,
        severity=registered.severity,
        sheet=sheet,
        cell=cell,
        expected=expected,
        actual=actual,
        message=message,
        organisation=source.organisation,
        year=source.year,
        locus=" | ".join(str(part) for part in locus if _present(part)),
        message_en=message_en,
    )


def _present(part: object) -> bool:
    """Tell whether a label part is there (not ``None``, NaN, ``pd.NA`` or empty)."""
    if part is None or part is pd.NA or part == "":
        return False
    return not (isinstance(part, float) and part != part)  # noqa: PLR0124 (NaN)


def fingerprint(finding: Finding) -> str:
    """Return the finding's fingerprint: the same across reruns and resubmissions.

    It is built from the organisation, year, rule, sheet and the labels that
    place the finding, never from the cell address or the file name, so a
    corrected file of the same organisation and year keeps the fingerprints of
    the findings that are still there. Only where neither organisation nor
    labels are known (an unreadable file) does the file name stand in.

    Args:
        finding: The finding.

    Returns:
        16 hex digits.
    """
    place = normalize(finding.locus) or finding.cell
    who = normalize(finding.organisation) or finding.submission
    key = "\x1f".join((who, str(finding.year or ""), finding.rule, finding.sheet, place))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


FINDING_COLUMNS = tuple(f.name for f in fields(Finding))
#: Findings are listed in the workbook's own order of sheets, file-level ones first.
SHEET_ORDER = {
    name: i
    for i, name in enumerate(
        (
            "",
            vocab.PASSPORT,
            vocab.APPEALS,
            vocab.COMPLAINTS,
            vocab.TIMES,
            vocab.SCHEDULE,
            vocab.MEASURES,
        )
    )
}
_A1 = re.compile(r"^([A-Z]+)(\d+)$")


def cell_sort_key(cell: str) -> tuple[int, int]:
    """Order A1 references by row, then column (``A2`` before ``A10``).

    Args:
        cell: An A1 reference or the empty string.

    Returns:
        (row, column number); the empty reference sorts first.
    """
    match = _A1.match(cell)
    if match is None:
        return (0, 0)
    letters, row = match.groups()
    column = 0
    for letter in letters:
        column = column * 26 + ord(letter) - 64
    return (int(row), column)


def to_frame(findings: list[Finding]) -> pd.DataFrame:
    """Turn findings into the discrepancy table, sorted by submission, sheet, cell.

    Args:
        findings: All findings of a run.

    Returns:
        One row per finding, the contract's columns first.
    """
    frame = pd.DataFrame([asdict(f) for f in findings], columns=list(FINDING_COLUMNS))
    frame["fingerprint"] = [fingerprint(f) for f in findings]
    frame["year"] = frame["year"].astype("Int64")
    if frame.empty:
        return frame
    keys = frame["cell"].map(cell_sort_key)
    frame["_sheet"] = frame["sheet"].map(lambda s: SHEET_ORDER.get(s, len(SHEET_ORDER)))
    frame["_row"] = keys.map(lambda k: k[0])
    frame["_col"] = keys.map(lambda k: k[1])
    frame = frame.sort_values(
        ["submission", "_sheet", "sheet", "_row", "_col", "rule"], kind="stable"
    ).drop(columns=["_sheet", "_row", "_col"])
    return frame.reset_index(drop=True)
