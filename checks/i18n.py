"""English for the stewards' messages (``--lang en``), from the same templates.

Every rule has a Russian and an English template (:mod:`checks.registry`).
The operands are what the rules computed; those that are fixed text of ours
(a reason, a month, a canonical channel or sheet name) are translated here by
:func:`en`: exact phrases first, then a few patterns with a variable part,
then a canonical label at the start of the text (``Контакт-центр (Север)``).
Anything else is the submitter's own text (a territory, an unknown label, a
number) and stays as written. An operand that only the caller can translate
(a standard's name from its file) is passed as :class:`Bilingual`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from checks import vocab

LANGS = ("ru", "en")


@dataclass(frozen=True, slots=True)
class Bilingual:
    """An operand given in both languages by its caller.

    Attributes:
        ru: The Russian text.
        en: The English text.
    """

    ru: str
    en: str

    def __str__(self) -> str:
        return self.ru


def _aliases() -> dict[str, str]:
    """Canonical names → their English alias, from the contract's vocabularies."""
    tables = (
        vocab.SHEETS,
        vocab.PASSPORT_KEYS,
        {name: aliases for name, (aliases, _) in vocab.CHANNELS.items()},
        {name: aliases for name, (aliases, _) in vocab.GROUP_ROWS.items()},
        vocab.COMPLAINT_ROWS,
        vocab.TIME_CHANNELS,
    )
    labels = {name: aliases[0] for table in tables for name, aliases in table.items() if aliases}
    labels |= {vocab.GRAND_TOTAL: "All", vocab.TOTAL_COLUMN: "Total", vocab.YEAR_PERIOD: "Year"}
    return labels


_MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_WEEKDAYS_EN = {"пн": "Mon", "вт": "Tue", "ср": "Wed", "чт": "Thu", "пт": "Fri", "сб": "Sat",
                "вс": "Sun"}  # fmt: skip

LABELS: dict[str, str] = {
    **_aliases(),
    **dict(zip(vocab.MONTHS, _MONTHS_EN, strict=True)),
    **{m.lower(): e for m, e in zip(vocab.MONTHS, _MONTHS_EN, strict=True)},
    "Ожидание": "Waiting",
    "Обслуживание": "Service",
    "ожидание": "waiting",
    "обслуживание": "service",
}

PHRASES: dict[str, str] = {
    # values.py
    "логическое значение вместо числа": "a logical value instead of a number",
    "не число": "not a number",
    "текст не читается как число": "the text does not read as a number",
    "дата или время вместо числа": "a date or time instead of a number",
    "логическое значение вместо процента": "a logical value instead of a percentage",
    "текст не читается как процент": "the text does not read as a percentage",
    "дата или время вместо процента": "a date or time instead of a percentage",
    "дата вместо длительности": "a date instead of a duration",
    "число без формата времени: неизвестно, минуты это или часы": (
        "a number without a time format: whether minutes or hours is unknown"
    ),
    "значение не читается как длительность": "the value does not read as a duration",
    "минут или секунд больше 59": "minutes or seconds over 59",
    "секунд больше 59": "seconds over 59",
    "текст не читается как длительность": "the text does not read as a duration",
    # workbook.py
    "файл старого формата Excel (.xls); нужен .xlsx": "an old Excel file (.xls); .xlsx is needed",
    "файл пустой": "the file is empty",
    "файл CSV, а не книга Excel (.xlsx)": "a CSV file, not an Excel workbook (.xlsx)",
    "файл не является книгой Excel (.xlsx)": "the file is not an Excel workbook (.xlsx)",
    "файл повреждён: архив .xlsx не читается": "the file is damaged: the .xlsx archive does not read",
    # reader.py
    "«Канал», территории, «Итого»": "«Канал», territories, «Итого»",
    # structure, share, passport, time-format
    " (указано отрицательное)": " (a negative number is stated)",
    " (указано дробное)": " (a fraction is stated)",
    ": доля должна быть от 0 до 100 %": ": a share must be from 0 to 100 %",
    "в книге нет листа «Обращения», число обращений неизвестно": (
        "the workbook has no sheet «Обращения» (Appeals): the number of appeals is unknown"
    ),
    "не указано число претензий и жалоб": "the number of complaints is not given",
    "нужно 10 цифр (организация) или 12 цифр (предприниматель)": (
        "10 digits (an organisation) or 12 digits (an entrepreneur) are needed"
    ),
    "не сходится контрольная цифра": "the check digit does not match",
    "не сходятся контрольные цифры": "the check digits do not match",
    "меньше нуля": "is below zero",
    "не меньше суток, а на этом канале клиента обслуживают сразу": (
        "is a day or more, on a channel where the customer is served on the spot"
    ),
    # schedules.py
    "нет часа закрытия": "no closing hour",
    "не указано время работы": "no hours given",
    "не указаны дни недели": "no weekdays given",
    "не найдено ни дней, ни часов работы": "neither days nor hours found",
    "не найдено ни одного рабочего часа": "no working hour found",
    # norms
    "меньше": "less than",
    "не больше": "at most",
    "больше": "more than",
    "не меньше": "at least",
    # waivers.py
    "отпечаток должен быть из 16 символов 0–9, a–f": "a fingerprint is 16 characters 0–9, a–f",
    "не указаны причина (reason) или кто принял решение (by)": "no reason or no name (by) given",
    "дата (date) не читается: нужна ГГГГ-ММ-ДД или ДД.ММ.ГГГГ": (
        "the date does not read: YYYY-MM-DD or DD.MM.YYYY is needed"
    ),
    "срок (until) не читается: нужна ГГГГ-ММ-ДД или ДД.ММ.ГГГГ": (
        "until does not read: YYYY-MM-DD or DD.MM.YYYY is needed"
    ),
}


def _days(text: str) -> str:
    return ", ".join(_WEEKDAYS_EN.get(d.strip(), d.strip()) for d in text.split(","))


_UNITS = (
    (r"минут\w*|мин\.?", "min"),
    (r"секунд\w*|сек\.?", "s"),
    (r"час\w*|ч\.?", "h"),
    (r"(?:календарн\w+\s+)?(?:дн(?:я|ей)|день)", "days"),
)

PATTERNS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (re.compile(r"^ \((.+)\)$"), lambda m: f" ({en(m.group(1))})"),
    (re.compile(r"^: (.+)$"), lambda m: f": {en(m.group(1))}"),
    (
        re.compile(r"^файл повреждён или не является книгой Excel \((.+)\)$"),
        lambda m: f"the file is damaged or not an Excel workbook ({m.group(1)})",
    ),
    (
        re.compile(r"^книга не читается \((.+)\)$"),
        lambda m: f"the workbook does not read ({m.group(1)})",
    ),
    (
        re.compile(r"^лист книги не читается \((.+)\)$"),
        lambda m: f"a sheet does not read ({m.group(1)})",
    ),
    (
        re.compile(r"^файл не открывается \((.+)\)$"),
        lambda m: f"the file does not open ({m.group(1)})",
    ),
    (
        re.compile(r"^на листе «Обращения» не указано «Всего» в столбце «(.+)»$"),
        lambda m: (
            f"sheet «Обращения» (Appeals) gives no «Всего» (All) in column «{en(m.group(1))}»"
        ),
    ),
    (
        re.compile(r"^на листе «Обращения» «Всего» в столбце «(.+)» равно 0$"),
        lambda m: (
            f"sheet «Обращения» (Appeals) gives «Всего» (All) = 0 in column «{en(m.group(1))}»"
        ),
    ),
    (
        re.compile(r"^ ни у одного из (\d+) мероприятий$"),
        lambda m: f" — none of the {m.group(1)} measures has one",
    ),
    (re.compile(r"^… ещё (\d+)$"), lambda m: f"… {m.group(1)} more"),
    (re.compile(r"^(\S+) ч в (.+)$"), lambda m: f"{m.group(1)} h on {_days(m.group(2))}"),
    (re.compile(r"^(\S+) ч$"), lambda m: f"{m.group(1)} h"),
    (re.compile(r"^, с (\d+) по (\d+) число$"), lambda m: f", days {m.group(1)}–{m.group(2)}"),
    (
        re.compile(r"^, с (\d+) числа до конца месяца$"),
        lambda m: f", day {m.group(1)} to the month's end",
    ),
    *(
        (
            re.compile(rf"^(\d+(?:[.,]\d+)?)\s*(?:{ru})$", re.IGNORECASE),
            lambda m, unit=unit: f"{m.group(1)} {unit}",
        )
        for ru, unit in _UNITS
    ),
)


def en(text: str) -> str:
    """Translate one of our fixed texts into English; leave the submitter's text alone.

    Args:
        text: An operand of a message, in Russian.

    Returns:
        Its English, or the text unchanged when it is not ours to translate.
    """
    if text in PHRASES:
        return PHRASES[text]
    if text in LABELS:
        return LABELS[text]
    for pattern, render in PATTERNS:
        match = pattern.match(text)
        if match:
            return render(match)
    if " + " in text:
        return " + ".join(en(part) for part in text.split(" + "))
    for label in sorted(LABELS, key=len, reverse=True):
        if text.startswith(label + " "):
            return LABELS[label] + text[len(label) :]
    return text
