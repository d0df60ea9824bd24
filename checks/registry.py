"""Every rule the pipeline applies, in one table a reader can scan top to bottom.

A rule id is a stable slug: it is never reused for another meaning. The
message template is Russian, for data stewards, and names its operands in
braces; :func:`checks.findings.make` fills them in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning", "info"]
Family = Literal[
    "structure",
    "passport",
    "total",
    "share",
    "time-format",
    "time-sum",
    "average",
    "completeness",
    "norm",
    "schedule",
    "measures",
]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
FAMILIES: tuple[Family, ...] = (
    "structure",
    "passport",
    "total",
    "share",
    "time-format",
    "time-sum",
    "average",
    "completeness",
    "norm",
    "schedule",
    "measures",
)


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule of the contract.

    Attributes:
        id: The stable slug, e.g. ``total-group``.
        family: The contract's rule family.
        severity: ``error``, ``warning`` or ``info``.
        template: The Russian message with ``{named}`` operands.
    """

    id: str
    family: Family
    severity: Severity
    template: str


RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        Rule(
            "file-unreadable",
            "structure",
            "error",
            "Файл не прочитан: {reason}. Остальные файлы проверены.",
        ),
        Rule(
            "passport-missing",
            "structure",
            "error",
            "В книге нет листа «Паспорт»: неизвестно, чей это отчёт и за какой год.",
        ),
        Rule(
            "sheet-missing",
            "structure",
            "info",
            "В книге нет листа «{sheet}»: проверки по нему не выполнялись.",
        ),
        Rule(
            "sheet-extra",
            "structure",
            "info",
            "Лист «{title}» не входит в формат и не проверялся.",
        ),
        Rule(
            "sheet-too-large",
            "structure",
            "error",
            "На листе «{sheet}» больше {limit} заполненных ячеек: прочитаны только первые.",
        ),
        Rule(
            "header-missing",
            "structure",
            "error",
            "На листе «{sheet}» не найдена строка заголовка ({need}): лист не проверялся.",
        ),
        Rule(
            "column-extra",
            "structure",
            "info",
            "Столбец «{label}» на листе «{sheet}» не входит в формат и не проверялся.",
        ),
        Rule(
            "label-unknown",
            "structure",
            "error",
            "Строка «{label}» не из списка формата: её числа не входят ни в одну сумму.",
        ),
        Rule(
            "label-missing",
            "structure",
            "error",
            "В строке {row} есть числа, но нет названия строки: они не входят ни в одну сумму.",
        ),
        Rule(
            "row-duplicate",
            "structure",
            "error",
            "Строка «{label}» в столбце «{column}» указана дважды (первый раз в {first}).",
        ),
        Rule(
            "territory-unknown",
            "structure",
            "warning",
            "Территории «{territory}» нет в заголовке листа «Обращения».",
        ),
        Rule(
            "period-invalid",
            "structure",
            "error",
            "Период «{stated}» не читается: нужен месяц (Январь…Декабрь или 1–12) или «Год».",
        ),
        Rule(
            "count-invalid",
            "structure",
            "error",
            "Количество «{stated}» должно быть целым неотрицательным числом{why}.",
        ),
        Rule(
            "passport-required",
            "passport",
            "error",
            "В паспорте не указано «{key}».",
        ),
        Rule(
            "passport-year",
            "passport",
            "error",
            "Отчётный год «{stated}» должен быть целым годом от 2000 до 2100.",
        ),
        Rule(
            "passport-inn",
            "passport",
            "error",
            "ИНН «{stated}» неверен: {why}.",
        ),
        Rule(
            "passport-date",
            "passport",
            "warning",
            "Дата представления «{stated}» не читается как дата.",
        ),
        Rule(
            "total-row",
            "total",
            "error",
            "{label}: Итого {stated} ≠ сумма территорий {computed}: {parts} "
            "(разница {difference}).",
        ),
        Rule(
            "total-column",
            "total",
            "error",
            "{column}: Всего {stated} ≠ сумма каналов {computed}: {parts} (разница {difference}).",
        ),
        Rule(
            "total-group",
            "total",
            "error",
            "{label} {stated} ≠ сумма каналов {computed}: {parts} (разница {difference}).",
        ),
        Rule(
            "total-grand",
            "total",
            "error",
            "Всего {stated} ≠ сумма каналов {computed}: {parts} (разница {difference}).",
        ),
        Rule(
            "total-grand-territories",
            "total",
            "error",
            "Всего {stated} ≠ сумма «Всего» по территориям {computed}: {parts} "
            "(разница {difference}).",
        ),
        Rule(
            "share-invalid",
            "share",
            "error",
            "Доля «{stated}» не читается как процент{why}.",
        ),
        Rule(
            "share-mismatch",
            "share",
            "error",
            "{column}: доля {stated} % ≠ расчётной {computed} % = 100 × {complaints} / "
            "{appeals} (допуск ±{tolerance}, знаков после запятой: {decimals}).",
        ),
        Rule(
            "share-truncated",
            "share",
            "warning",
            "{column}: доля {stated} % отброшена, а не округлена: расчётная {computed} % "
            "= 100 × {complaints} / {appeals}.",
        ),
        Rule(
            "share-unverifiable",
            "share",
            "warning",
            "{column}: долю {stated} % нельзя проверить: {why}.",
        ),
        Rule(
            "share-complaints-exceed-appeals",
            "share",
            "error",
            "{column}: жалоб {stated} больше, чем обращений всего {bound}.",
        ),
        Rule(
            "share-legal-exceed-complaints",
            "share",
            "error",
            "{column}: жалоб от юридических лиц {stated} больше, чем жалоб всего {bound}.",
        ),
        Rule(
            "time-unparsed",
            "time-format",
            "error",
            "{metric} «{stated}» не читается: {why}.",
        ),
        Rule(
            "time-out-of-range",
            "time-format",
            "error",
            "{metric} «{stated}» ({channel}) {why}.",
        ),
        Rule(
            "time-two-part",
            "time-format",
            "warning",
            "{metric} «{stated}» записано двумя частями и прочитано как минуты:секунды "
            "({seconds}), хотя в столбце время записано как ч:мм:сс.",
        ),
        Rule(
            "time-sum-mismatch",
            "time-sum",
            "error",
            "{period}, {metric}: консультация и кассовая операция {stated} ≠ "
            "{consult} + {cash} = {computed} (разница {difference}).",
        ),
        Rule(
            "average-weighted",
            "average",
            "error",
            "{channel}, {metric} за год {stated} ≠ средневзвешенному по месяцам {computed} "
            "(веса: обращений по месяцам; разница {difference}).",
        ),
        Rule(
            "average-unweighted",
            "average",
            "warning",
            "{channel}, {metric} за год {stated} отличается от среднего по {months} мес. "
            "{computed} больше чем на 5 % (разница {difference}).",
        ),
        Rule(
            "month-missing",
            "completeness",
            "warning",
            "{channel}{territory}: нет данных за {month}.",
        ),
        Rule(
            "norm-time",
            "norm",
            "warning",
            "{channel}, {period}: {what} {stated}, а по стандарту «{standard}» — "
            "{operator} {limit}.",
        ),
        Rule(
            "norm-schedule",
            "norm",
            "warning",
            "{channel}: {what} — {value}{week}, а по стандарту «{standard}» — "
            "{operator} {limit} ч.",
        ),
        Rule(
            "schedule-unreadable",
            "schedule",
            "warning",
            "Режим работы «{channel}» не прочитан: «{part}» — {why}.",
        ),
        Rule(
            "measures-when-missing",
            "measures",
            "warning",
            "Не указан срок мероприятия{count}: нужен квартал, «ежемесячно», «ежеквартально» "
            "или «в течение года».",
        ),
        Rule(
            "measures-when-invalid",
            "measures",
            "warning",
            "Срок «{stated}» не из списка: нужен «1 квартал»…«4 квартал», «1-2 кварталы», "
            "«ежемесячно», «ежеквартально» или «в течение года».",
        ),
        Rule(
            "measures-text-missing",
            "measures",
            "warning",
            "В строке {row} указан раздел или срок, но нет самого мероприятия.",
        ),
        Rule(
            "waiver-invalid",
            "structure",
            "warning",
            "Строка {row} файла исключений не применена: {why}.",
        ),
        Rule(
            "waiver-expired",
            "structure",
            "info",
            "Исключение для замечания {fingerprint} истекло {until}: замечание снова в списке.",
        ),
        Rule(
            "waiver-unmatched",
            "structure",
            "info",
            "Исключение {fingerprint} («{reason}») не совпало ни с одним замечанием: "
            "замечание исправлено или изменилось, строку можно удалить.",
        ),
        Rule(
            "period-duplicate",
            "completeness",
            "error",
            "{period}, {channel}{territory} указано дважды (первый раз в строке {first}).",
        ),
    )
}


def rule(rule_id: str) -> Rule:
    """Return the registered rule ``rule_id``.

    Args:
        rule_id: A key of :data:`RULES`.

    Returns:
        The rule.

    Raises:
        KeyError: No such rule (a programming mistake, not bad data).
    """
    return RULES[rule_id]
