"""The contract's vocabularies: canonical Russian names and accepted aliases.

Every lookup goes through :func:`lookup`, which matches with
:func:`checks.text.normalize`, so a table here lists each name once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from checks.text import normalize

PASSPORT = "Паспорт"
APPEALS = "Обращения"
COMPLAINTS = "Жалобы"
TIMES = "Время"
SCHEDULE = "Режим работы"
MEASURES = "Мероприятия"

SHEETS: dict[str, tuple[str, ...]] = {
    PASSPORT: ("Passport",),
    APPEALS: ("Appeals",),
    COMPLAINTS: ("Complaints",),
    TIMES: ("Times",),
    SCHEDULE: ("Schedule",),
    MEASURES: ("Measures",),
}

KEY_ORGANISATION = "Организация"
KEY_INN = "ИНН"
KEY_YEAR = "Отчетный год"
KEY_SUBMITTED = "Дата представления"
KEY_PREPARED_BY = "Исполнитель"

PASSPORT_KEYS: dict[str, tuple[str, ...]] = {
    KEY_ORGANISATION: ("Organization", "Organisation"),
    KEY_INN: ("INN",),
    KEY_YEAR: ("Reporting year",),
    KEY_SUBMITTED: ("Submitted on",),
    KEY_PREPARED_BY: ("Prepared by",),
}
REQUIRED_KEYS = (KEY_ORGANISATION, KEY_YEAR)

CHANNEL_HEADER = "Канал"
TOTAL_COLUMN = "Итого"
GRAND_TOTAL = "Всего"

GROUP_IN_PERSON = "очные"
GROUP_REMOTE = "заочные"
GROUP_AUTOMATED = "автоматизированные"
GROUP_OTHER = "прочие"

#: Appeal channels of ``Обращения``: canonical name → (aliases, group).
CHANNELS: dict[str, tuple[tuple[str, ...], str]] = {
    "Очное обслуживание": (("In person",), GROUP_IN_PERSON),
    "Контакт-центр": (("Contact centre", "Contact center"), GROUP_REMOTE),
    "Онлайн-ЦОК": (("Online office",), GROUP_REMOTE),
    "Письменные обращения": (("Written",), GROUP_REMOTE),
    "Интерактивные сервисы": (("Interactive services",), GROUP_REMOTE),
    "Социальные сети": (("Social media",), GROUP_REMOTE),
    "IVR": ((), GROUP_AUTOMATED),
    "Автоматизированные сервисы": (("Automated services",), GROUP_AUTOMATED),
    "Прочее": (("Other",), GROUP_OTHER),
}

#: Group subtotal rows: canonical label → (aliases, group).
GROUP_ROWS: dict[str, tuple[tuple[str, ...], str]] = {
    "Итого очные": (("Total in person",), GROUP_IN_PERSON),
    "Итого заочные": (("Total remote",), GROUP_REMOTE),
    "Итого автоматизированные": (("Total automated",), GROUP_AUTOMATED),
    "Итого прочие": (("Total other",), GROUP_OTHER),
}

COMPLAINTS_ROW = "Претензии и жалобы"
LEGAL_ROW = "в т.ч. от юридических лиц"
SHARE_ROW = "Доля претензий и жалоб, %"

COMPLAINT_ROWS: dict[str, tuple[str, ...]] = {
    COMPLAINTS_ROW: ("Complaints",),
    LEGAL_ROW: ("of which from legal entities",),
    SHARE_ROW: ("Complaint share, %",),
}

COL_PERIOD = "Период"
COL_CHANNEL = "Канал"
COL_TERRITORY = "Территория"
COL_WAITING = "Ожидание"
COL_SERVICE = "Обслуживание"
COL_APPEALS = "Обращений"

TIME_COLUMNS: dict[str, tuple[str, ...]] = {
    COL_PERIOD: ("Period",),
    COL_CHANNEL: ("Channel",),
    COL_TERRITORY: ("Territory",),
    COL_WAITING: ("Waiting",),
    COL_SERVICE: ("Service",),
    COL_APPEALS: ("Appeals",),
}

TC_CONTACT = "Контакт-центр"
TC_CONSULT = "Очное — консультация"
TC_CASH = "Очное — кассовая операция"
TC_COMBINED = "Очное — консультация и кассовая операция"
TC_IN_PERSON = "Очное обслуживание"
TC_ONLINE = "Онлайн-ЦОК"
TC_WRITTEN = "Письменные обращения"
TC_INTERACTIVE = "Интерактивные сервисы"

#: Channels of ``Время``: canonical name → aliases.
TIME_CHANNELS: dict[str, tuple[str, ...]] = {
    TC_CONTACT: ("Contact centre", "Contact center"),
    TC_CONSULT: ("In person — consultation",),
    TC_CASH: ("In person — cash operation",),
    TC_COMBINED: ("In person — consultation and cash operation",),
    TC_IN_PERSON: ("In person",),
    TC_ONLINE: ("Online office",),
    TC_WRITTEN: ("Written",),
    TC_INTERACTIVE: ("Interactive services",),
}

#: Channels where a person serves the customer on the spot: a duration of a
#: day or more there cannot be right.
ON_THE_SPOT = frozenset({TC_CONTACT, TC_CONSULT, TC_CASH, TC_COMBINED, TC_IN_PERSON, TC_ONLINE})

MONTHS = (
    "Январь",
    "Февраль",
    "Март",
    "Апрель",
    "Май",
    "Июнь",
    "Июль",
    "Август",
    "Сентябрь",
    "Октябрь",
    "Ноябрь",
    "Декабрь",
)
_MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
YEAR_PERIOD = "Год"

SCHEDULE_COLUMNS: dict[str, tuple[str, ...]] = {
    "Канал": ("Channel",),
    "Режим работы": ("Schedule",),
}
MEASURE_COLUMNS: dict[str, tuple[str, ...]] = {
    "Раздел": ("Section",),
    "Мероприятие": ("Measure",),
    "Срок": ("When",),
}


def build_index(table: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """Map the matching key of every canonical name and alias to the canonical name.

    Args:
        table: Canonical name → its aliases.

    Returns:
        Normalised spelling → canonical name.
    """
    index: dict[str, str] = {}
    for canonical, aliases in table.items():
        index[normalize(canonical)] = canonical
        for alias in aliases:
            index[normalize(alias)] = canonical
    return index


SHEET_INDEX = build_index(SHEETS)
KEY_INDEX = build_index(PASSPORT_KEYS)
CHANNEL_INDEX = build_index({name: aliases for name, (aliases, _) in CHANNELS.items()})
GROUP_INDEX = build_index({name: aliases for name, (aliases, _) in GROUP_ROWS.items()})
COMPLAINT_INDEX = build_index(COMPLAINT_ROWS)
TIME_COLUMN_INDEX = build_index(TIME_COLUMNS)
TIME_CHANNEL_INDEX = build_index(TIME_CHANNELS)
SCHEDULE_COLUMN_INDEX = build_index(SCHEDULE_COLUMNS)
MEASURE_COLUMN_INDEX = build_index(MEASURE_COLUMNS)
TOTAL_COLUMN_KEYS = frozenset({normalize(TOTAL_COLUMN), "total"})
GRAND_TOTAL_KEYS = frozenset({normalize(GRAND_TOTAL), "all"})
MONTH_INDEX: dict[str, int] = {
    **{normalize(m): i for i, m in enumerate(MONTHS, start=1)},
    **{normalize(m): i for i, m in enumerate(_MONTHS_EN, start=1)},
}
YEAR_KEYS = frozenset({normalize(YEAR_PERIOD), "year"})


def lookup(index: Mapping[str, str], text: object) -> str | None:
    """Return the canonical name ``text`` stands for, or ``None``.

    Args:
        index: One of the ``*_INDEX`` tables of this module.
        text: The label as written.

    Returns:
        The canonical name, or ``None`` when the label is not in the table.
    """
    return index.get(normalize(text))


def channel_group(channel: str) -> str:
    """Return the group (``очные``, ``заочные``…) of a canonical channel name.

    Args:
        channel: A key of :data:`CHANNELS`.

    Returns:
        The group's name.
    """
    return CHANNELS[channel][1]


def group_of_row(label: str) -> str:
    """Return the group a subtotal row (``Итого заочные``) sums.

    Args:
        label: A key of :data:`GROUP_ROWS`.

    Returns:
        The group's name.
    """
    return GROUP_ROWS[label][1]
