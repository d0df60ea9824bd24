"""How values are shown to stewards, and how submitted text is kept from running.

The discrepancy record keeps ``expected`` and ``actual`` machine-readable
(``5178765``, ``0.04``: see :func:`checks.text.plain_number`). A steward reads
them beside messages that write ``5 178 765`` and ``0,04 %``, so the page and
the Excel files show them the way the messages do: digits grouped by a thin
non-breaking space (U+202F), a decimal comma, ``%`` after a share, durations
as ``ч:мм:сс`` (the rules already write them so). Only the families whose
figures are counts, shares or norms are reformatted; a passport's year or INN,
a label or a time as the submitter wrote it is shown as written.

Every text that comes from a submission is data: in a CSV a field starting
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is prefixed with
``'`` (OWASP's advice against CSV injection), so a spreadsheet opening the
file shows it instead of evaluating it. A text that is a plain number
(``-5``, ``0.04``) is left alone: it cannot be a formula.
"""

from __future__ import annotations

import functools
import math
import re
import tomllib
from importlib import resources
from typing import Any

#: Thin non-breaking space (U+202F): groups digits, never breaks a number across lines.
THIN = "\u202f"
#: Non-breaking space (U+00A0): between a number and ``%``.
NBSP = "\u00a0"
#: Families whose ``expected``/``actual`` are counts, shares or norm limits.
NUMBER_FAMILIES = frozenset({"total", "share", "norm"})
#: Rules whose ``expected``/``actual`` are shares in percent (``0.04`` means 0.04 %).
PERCENT_RULES = frozenset({"share-mismatch", "share-truncated", "share-unverifiable"})
#: Rules of those families whose ``actual`` is the submitter's text, shown as written.
AS_WRITTEN_RULES = frozenset({"share-invalid", "count-invalid"})

_NUMBER = re.compile(r"^(?P<sign>[-−]?)(?P<whole>\d+)(?:\.(?P<fraction>\d+))?$")
#: A comparison sign before the number: ``≤ 1000``, ``< 0:30:00``.
_SIGNED = re.compile(r"^(?P<op>[<>≤≥=]=?\s*)(?P<rest>.*)$")
_CSV_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def group_digits(digits: str) -> str:
    """Group a run of digits by three with thin non-breaking spaces.

    Args:
        digits: Digits only (``"5178765"``).

    Returns:
        ``"5 178 765"`` (the spaces are U+202F).
    """
    head = len(digits) % 3 or 3
    groups = [digits[:head], *(digits[i : i + 3] for i in range(head, len(digits), 3))]
    return THIN.join(groups)


def ru_number(text: str) -> str | None:
    """Write a plain number (``-4003597``, ``0.04``) the Russian way.

    Args:
        text: A number as the record writes it: an optional minus, digits, a
            dot and decimals.

    Returns:
        ``−4 003 597``, ``0,04``; ``None`` when ``text`` is not a plain number.
    """
    match = _NUMBER.match(text.strip())
    if match is None:
        return None
    sign = "−" if match["sign"] else ""
    fraction = f",{match['fraction']}" if match["fraction"] else ""
    return f"{sign}{group_digits(match['whole'])}{fraction}"


def _reformats(rule: str, family: str) -> bool:
    return family in NUMBER_FAMILIES and rule not in AS_WRITTEN_RULES


def shown_value(text: Any, rule: str, family: str) -> str:
    """Return ``expected`` or ``actual`` as a steward reads it beside the message.

    Args:
        text: The record's value (missing values give ``""``).
        rule: The finding's rule id.
        family: The finding's family.

    Returns:
        ``5 178 765`` for a count, ``0,04 %`` for a share, ``≤ 1 000`` for a
        bound; anything else unchanged.
    """
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    value = str(text)
    if not _reformats(rule, family):
        return value
    signed = _SIGNED.match(value)
    prefix, rest = (signed["op"], signed["rest"]) if signed else ("", value)
    number = ru_number(rest)
    if number is None:
        return value
    percent = f"{NBSP}%" if rule in PERCENT_RULES else ""
    return f"{prefix}{number}{percent}"


def excel_value(text: Any, rule: str, family: str) -> tuple[str | int | float, str | None]:
    """Return ``expected`` or ``actual`` as an Excel cell holds it: numbers as numbers.

    Args:
        text: The record's value.
        rule: The finding's rule id.
        family: The finding's family.

    Returns:
        The value and its number format: an ``int`` with ``# ##0`` for a
        count, a fraction with a percent format for a share (``0.04`` →
        ``0.0004`` shown ``0,04%``), a ``float`` with its decimals otherwise;
        text (and ``None``) where the value is not a plain number or the
        family is not a numeric one.
    """
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return "", None
    value = str(text)
    match = _NUMBER.match(value.strip())
    if match is None or not _reformats(rule, family):
        return value, None
    decimals = len(match["fraction"] or "")
    sign = -1 if match["sign"] else 1
    if rule in PERCENT_RULES:
        places = "." + "0" * decimals if decimals else ""
        return sign * float(f"{match['whole']}.{match['fraction'] or '0'}") / 100, f"0{places}%"
    if decimals == 0:
        return sign * int(match["whole"]), "#,##0"
    return sign * float(f"{match['whole']}.{match['fraction']}"), "#,##0." + "0" * decimals


def csv_safe(value: Any) -> Any:
    """Neutralise a text a spreadsheet would take for a formula (OWASP's CSV-injection advice).

    Args:
        value: A CSV field: text is checked, anything else (numbers, missing
            values) is returned as it is.

    Returns:
        The text with ``'`` in front when it starts with ``=``, ``+``, ``-``,
        ``@``, a tab or a carriage return and is not a plain number.
    """
    if not isinstance(value, str) or not value.startswith(_CSV_TRIGGERS):
        return value
    if _NUMBER.match(value) is not None:
        return value
    return "'" + value


LANGUAGES = ("ru", "en")


@functools.cache
def _all_texts() -> dict[str, Any]:
    source = resources.files("checks") / "templates" / "texts.toml"
    return tomllib.loads(source.read_text(encoding="utf-8"))


def texts(lang: str) -> dict[str, Any]:
    """Return the fixed texts of the steward's outputs in one language.

    They live in ``checks/templates/texts.toml`` (read once), so a wording can
    be changed without touching the code.

    Args:
        lang: ``"ru"`` or ``"en"`` (:data:`LANGUAGES`).

    Returns:
        The language's table: page texts, ``severity``, ``family``,
        ``status`` labels, the script's texts and the Excel headers.

    Raises:
        ValueError: ``lang`` is not one of :data:`LANGUAGES`.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: expected one of {', '.join(LANGUAGES)}")
    table: dict[str, Any] = _all_texts()[lang]
    return table


def root_indices(fingerprints: list[str], causes: list[str]) -> list[int | None]:
    """Find, for each finding, the root finding it follows from (issue 9's ``cause``).

    A finding whose ``cause`` names another finding's fingerprint follows
    from it; a chain (a follows from b, b from c) leads to its last link. A
    ``cause`` that names no finding of the list, or a loop of causes, leaves
    the finding a root: nothing is hidden under a finding that is not there.

    Args:
        fingerprints: Each finding's fingerprint.
        causes: Each finding's ``cause`` (``""`` for a root).

    Returns:
        Per finding, the index of its root, or ``None`` for a root.
    """
    where: dict[str, int] = {}
    for index, fp in enumerate(fingerprints):
        if fp:
            where.setdefault(fp, index)
    roots: list[int | None] = []
    for index, cause in enumerate(causes):
        seen = {index}
        root: int | None = None
        step = where.get(cause) if cause else None
        while step is not None and step not in seen:
            seen.add(step)
            root = step
            nxt = causes[step]
            step = where.get(nxt) if nxt else None
        roots.append(None if step is not None else root)
    return roots


_GROUP_SPACE = re.compile(r"(\d) (?=\d{3}(?!\d))")


def unbroken(text: str) -> str:
    """Keep the numbers of a message on one line: ``1 175 168`` with thin no-break spaces.

    The rules group digits with plain spaces, where a browser may break a line
    (``5`` at the end of one, ``178 765`` on the next).

    Args:
        text: A message.

    Returns:
        The message, the spaces inside digit groups replaced by U+202F.
    """
    return _GROUP_SPACE.sub(rf"\1{THIN}", text)
