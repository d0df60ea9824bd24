"""English messages (``--lang en``) from the same templates."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from checks.batch import validate
from checks.i18n import en
from checks.inbox import read_inbox
from checks.registry import RULES

ROOT = Path(__file__).resolve().parent.parent
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
QUOTED = re.compile(r"«[^»]*»")


def test_every_rule_has_an_english_template() -> None:
    """Each rule's English template names the same operands as its Russian one."""
    names = re.compile(r"{(\w+)}")
    for rule in RULES.values():
        assert rule.template_en, rule.id
        assert set(names.findall(rule.template_en)) == set(names.findall(rule.template)), rule.id
        assert not CYRILLIC.search(QUOTED.sub("", rule.template_en)), rule.id


@pytest.mark.parametrize(
    ("ru", "english"),
    [
        ("Контакт-центр", "Contact centre"),
        ("Итого заочные", "Total remote"),
        (
            "Онлайн-ЦОК 71 050 + Контакт-центр 1 195 866",
            "Online office 71 050 + Contact centre 1 195 866",
        ),
        ("Очное обслуживание (Юг)", "In person (Юг)"),
        ("ноябрь", "November"),
        ("9 ч в пн, вт, ср, чт, пт", "9 h on Mon, Tue, Wed, Thu, Fri"),
        ("10 минут", "10 min"),
        (" (указано отрицательное)", " (a negative number is stated)"),
        (
            "на листе «Обращения» не указано «Всего» в столбце «Итого»",
            "sheet «Обращения» (Appeals) gives no «Всего» (All) in column «Total»",
        ),
        ("Северный филиал", "Северный филиал"),
    ],
)
def test_fixed_texts_translate_and_data_stays(ru: str, english: str) -> None:
    """Our fixed texts are translated; the submitter's own names stay as written."""
    assert en(ru) == english


def test_seed_messages_in_english_keep_only_data_in_russian() -> None:
    """Every seed finding reads in English; Cyrillic is left only in quoted or submitted names."""
    findings = validate(read_inbox(ROOT / "inbox")).findings
    organisations = set(findings["organisation"])
    for message in findings["message_en"]:
        rest = QUOTED.sub("", message)
        for organisation in organisations:
            rest = rest.replace(organisation, "")
        assert not CYRILLIC.search(rest), message
