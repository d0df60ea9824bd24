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
        template_en: The same message in English (``--lang en``); operands
            are translated by :func:`checks.i18n.en` where they are fixed text.
    """

    id: str
    family: Family
    severity: Severity
    template: str
    template_en: str = ""


RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        Rule(
            "file-unreadable",
            "structure",
            "error",
            "Файл не прочитан: {reason}. Остальные файлы проверены.",
            "File not read: {reason}. The other files were checked.",
        ),
        Rule(
            "passport-missing",
            "structure",
            "error",
            "В книге нет листа «Паспорт»: неизвестно, чей это отчёт и за какой год.",
            "The workbook has no «Паспорт» (Passport) sheet: whose report it is and for which year is unknown.",
        ),
        Rule(
            "sheet-missing",
            "structure",
            "info",
            "В книге нет листа «{sheet}»: проверки по нему не выполнялись.",
            "The workbook has no sheet «{sheet}»: its checks did not run.",
        ),
        Rule(
            "sheet-extra",
            "structure",
            "info",
            "Лист «{title}» не входит в формат и не проверялся.",
            "Sheet «{title}» is not part of the format and was not checked.",
        ),
        Rule(
            "sheet-too-large",
            "structure",
            "error",
            "На листе «{sheet}» больше {limit} заполненных ячеек: прочитаны только первые.",
            "Sheet «{sheet}» holds more than {limit} filled cells: only the first were read.",
        ),
        Rule(
            "file-refused",
            "structure",
            "error",
            "Файл не прочитан, чтобы не остановить всю проверку: {reason}. Остальные файлы проверены.",
            "File not read, so as not to stop the whole run: {reason}. The other files were checked.",
        ),
        Rule(
            "sheet-too-many-rows",
            "structure",
            "error",
            "На листе «{sheet}» больше {limit} строк (вместе с пустыми): прочитаны только первые.",
            "Sheet «{sheet}» holds more than {limit} rows (empty ones included): only the first were read.",
        ),
        Rule(
            "formula-uncomputed",
            "structure",
            "warning",
            "В ячейке {at} формула{formula} без вычисленного значения: эта цифра не проверена. "
            "Откройте файл в Excel или LibreOffice и один раз сохраните его — значения формул будут вычислены.",
            "Cell {at} holds a formula{formula} with no computed value: this figure was not checked. "
            "Open the file in Excel or LibreOffice and save it once so that the formulas are computed.",
        ),
        Rule(
            "file-arriving",
            "structure",
            "info",
            "Файл ещё не готов ({why}): он будет проверен при следующем запуске.",
            "The file is not ready yet ({why}): it will be checked at the next run.",
        ),
        Rule(
            "header-missing",
            "structure",
            "error",
            "На листе «{sheet}» не найдена строка заголовка ({need}): лист не проверялся.",
            "No header row found on sheet «{sheet}» ({need}): the sheet was not checked.",
        ),
        Rule(
            "column-extra",
            "structure",
            "info",
            "Столбец «{label}» на листе «{sheet}» не входит в формат и не проверялся.",
            "Column «{label}» on sheet «{sheet}» is not part of the format and was not checked.",
        ),
        Rule(
            "label-unknown",
            "structure",
            "error",
            "Строка «{label}» не из списка формата: её числа не входят ни в одну сумму.",
            "Row «{label}» is not in the format's list: its figures are left out of every sum.",
        ),
        Rule(
            "label-missing",
            "structure",
            "error",
            "В строке {row} есть числа, но нет названия строки: они не входят ни в одну сумму.",
            "Row {row} has figures but no row name: they are left out of every sum.",
        ),
        Rule(
            "row-duplicate",
            "structure",
            "error",
            "Строка «{label}» в столбце «{column}» указана дважды (первый раз в {first}).",
            "Row «{label}» appears twice in column «{column}» (first at {first}).",
        ),
        Rule(
            "territory-unknown",
            "structure",
            "warning",
            "Территории «{territory}» нет в заголовке листа «Обращения».",
            "Territory «{territory}» is not in the header of sheet «Обращения» (Appeals).",
        ),
        Rule(
            "period-invalid",
            "structure",
            "error",
            "Период «{stated}» не читается: нужен месяц (Январь…Декабрь или 1–12) или «Год».",
            "Period «{stated}» does not read: a month («Январь»…«Декабрь» or 1–12) or «Год» (Year) is needed.",
        ),
        Rule(
            "count-invalid",
            "structure",
            "error",
            "Количество «{stated}» должно быть целым неотрицательным числом{why}.",
            "Count «{stated}» must be a whole non-negative number{why}.",
        ),
        Rule(
            "passport-required",
            "passport",
            "error",
            "В паспорте не указано «{key}».",
            "The passport does not give «{key}».",
        ),
        Rule(
            "passport-year",
            "passport",
            "error",
            "Отчётный год «{stated}» должен быть целым годом от 2000 до 2100.",
            "Reporting year «{stated}» must be a whole year from 2000 to 2100.",
        ),
        Rule(
            "passport-inn",
            "passport",
            "error",
            "ИНН «{stated}» неверен: {why}.",
            "INN «{stated}» is invalid: {why}.",
        ),
        Rule(
            "passport-date",
            "passport",
            "warning",
            "Дата представления «{stated}» не читается как дата.",
            "Submission date «{stated}» does not read as a date.",
        ),
        Rule(
            "total-row",
            "total",
            "error",
            "{label}: Итого {stated} ≠ сумма территорий {computed}: {parts} "
            "(разница {difference}).",
            "{label}: Total {stated} ≠ sum of territories {computed}: {parts} (difference {difference}).",
        ),
        Rule(
            "total-column",
            "total",
            "error",
            "{column}: Всего {stated} ≠ сумма каналов {computed}: {parts} (разница {difference}).",
            "{column}: All {stated} ≠ sum of channels {computed}: {parts} (difference {difference}).",
        ),
        Rule(
            "total-group",
            "total",
            "error",
            "{label} {stated} ≠ сумма каналов {computed}: {parts} (разница {difference}).",
            "{label} {stated} ≠ sum of channels {computed}: {parts} (difference {difference}).",
        ),
        Rule(
            "total-grand",
            "total",
            "error",
            "Всего {stated} ≠ сумма каналов {computed}: {parts} (разница {difference}).",
            "All {stated} ≠ sum of channels {computed}: {parts} (difference {difference}).",
        ),
        Rule(
            "total-grand-territories",
            "total",
            "error",
            "Всего {stated} ≠ сумма «Всего» по территориям {computed}: {parts} "
            "(разница {difference}).",
            "All {stated} ≠ sum of the territories' All {computed}: {parts} (difference {difference}).",
        ),
        Rule(
            "total-culprit",
            "total",
            "error",
            "{label}, {column}: вероятно, ошибка в этой ячейке: указано {stated}, а при {corrected} "
            "сошлось бы всё, что вокруг неё не сходится ({checks}; разница {difference}).",
            "{label}, {column}: this cell is the likely mistake: it states {stated}, and {corrected} would make everything around it that does not add up agree ({checks}; difference {difference}).",
        ),
        Rule(
            "share-invalid",
            "share",
            "error",
            "Доля «{stated}» {why}.",
            "Share «{stated}» {why}.",
        ),
        Rule(
            "share-mismatch",
            "share",
            "error",
            "{column}: доля {stated} % ≠ расчётной {computed} % = 100 × {complaints} / "
            "{appeals} (допуск ±{tolerance}, знаков после запятой: {decimals}).",
            "{column}: share {stated} % ≠ computed {computed} % = 100 × {complaints} / {appeals} (tolerance ±{tolerance}, decimals: {decimals}).",
        ),
        Rule(
            "share-truncated",
            "share",
            "warning",
            "{column}: доля {stated} % отброшена, а не округлена: расчётная {computed} % "
            "= 100 × {complaints} / {appeals}.",
            "{column}: share {stated} % is cut, not rounded: computed {computed} % = 100 × {complaints} / {appeals}.",
        ),
        Rule(
            "share-unverifiable",
            "share",
            "warning",
            "{column}: долю {stated} % нельзя проверить: {why}.",
            "{column}: share {stated} % cannot be checked: {why}.",
        ),
        Rule(
            "share-complaints-exceed-appeals",
            "share",
            "error",
            "{column}: жалоб {stated} больше, чем обращений всего {bound}.",
            "{column}: {stated} complaints exceed the {bound} appeals in all.",
        ),
        Rule(
            "share-legal-exceed-complaints",
            "share",
            "error",
            "{column}: жалоб от юридических лиц {stated} больше, чем жалоб всего {bound}.",
            "{column}: {stated} complaints from legal entities exceed the {bound} complaints in all.",
        ),
        Rule(
            "time-unparsed",
            "time-format",
            "error",
            "{metric} «{stated}» не читается: {why}.",
            "{metric} «{stated}» does not read: {why}.",
        ),
        Rule(
            "time-out-of-range",
            "time-format",
            "error",
            "{metric} «{stated}» ({channel}) {why}.",
            "{metric} «{stated}» ({channel}) {why}.",
        ),
        Rule(
            "time-two-part",
            "time-format",
            "warning",
            "{metric}: ячеек со временем из двух частей — {count} ({cells}); они прочитаны "
            "как минуты:секунды (например, «{stated}» — это {seconds}), хотя в столбце время "
            "записано как ч:мм:сс.",
            "{metric}: {count} cells hold two-part times ({cells}); they were read as minutes:seconds (e.g. «{stated}» is {seconds}), though the column holds h:mm:ss.",
        ),
        Rule(
            "time-sum-mismatch",
            "time-sum",
            "error",
            "{period}, {metric}: консультация и кассовая операция {stated} ≠ "
            "{consult} + {cash} = {computed} (разница {difference}).",
            "{period}, {metric}: consultation and cash operation {stated} ≠ {consult} + {cash} = {computed} (difference {difference}).",
        ),
        Rule(
            "average-weighted",
            "average",
            "error",
            "{channel}, {metric} за год {stated} ≠ средневзвешенному по месяцам {computed} "
            "(веса: обращений по месяцам; разница {difference}).",
            "{channel}, yearly {metric} {stated} ≠ the months' weighted mean {computed} (weights: appeals per month; difference {difference}).",
        ),
        Rule(
            "average-unweighted",
            "average",
            "warning",
            "{channel}, {metric} за год {stated} отличается от среднего по {months} мес. "
            "{computed} больше чем на 5 % (разница {difference}).",
            "{channel}, yearly {metric} {stated} differs from the mean of {months} months {computed} by more than 5 % (difference {difference}).",
        ),
        Rule(
            "month-missing",
            "completeness",
            "warning",
            "{channel}{territory}: нет данных за {month}.",
            "{channel}{territory}: no data for {month}.",
        ),
        Rule(
            "norm-time",
            "norm",
            "warning",
            "{channel}, {period}: {what} {stated}, а по стандарту «{standard}» — "
            "{operator} {limit}.",
            "{channel}, {period}: {what} {stated}, while standard «{standard}» requires {operator} {limit}.",
        ),
        Rule(
            "norm-schedule",
            "norm",
            "warning",
            "{channel}: {what} — {value}{week}, а по стандарту «{standard}» — "
            "{operator} {limit} ч.",
            "{channel}: {what} — {value}{week}, while standard «{standard}» requires {operator} {limit} h.",
        ),
        Rule(
            "schedule-unreadable",
            "schedule",
            "warning",
            "Режим работы «{channel}» не прочитан: «{part}» — {why}.",
            "Schedule of «{channel}» not read: «{part}» — {why}.",
        ),
        Rule(
            "measures-when-missing",
            "measures",
            "warning",
            "Не указан срок мероприятия{count}: нужен квартал, «ежемесячно», «ежеквартально» "
            "или «в течение года».",
            "No term given for the measure{count}: a quarter, «ежемесячно» (monthly), «ежеквартально» (quarterly) or «в течение года» (during the year) is needed.",
        ),
        Rule(
            "measures-when-invalid",
            "measures",
            "warning",
            "Срок «{stated}» не из списка: нужен «1 квартал»…«4 квартал», «1-2 кварталы», "
            "«ежемесячно», «ежеквартально» или «в течение года».",
            "Term «{stated}» is not in the list: «1 квартал»…«4 квартал», «1-2 кварталы», «ежемесячно», «ежеквартально» or «в течение года» is needed.",
        ),
        Rule(
            "measures-text-missing",
            "measures",
            "warning",
            "В строке {row} указан раздел или срок, но нет самого мероприятия.",
            "Row {row} gives a section or a term but no measure.",
        ),
        Rule(
            "waiver-invalid",
            "structure",
            "warning",
            "Строка {row} файла исключений не применена: {why}.",
            "Row {row} of the waivers file was not applied: {why}.",
        ),
        Rule(
            "waiver-expired",
            "structure",
            "info",
            "Исключение для замечания {fingerprint} истекло {until}: замечание снова в списке.",
            "The waiver of finding {fingerprint} expired on {until}: the finding is open again.",
        ),
        Rule(
            "waiver-conflict",
            "structure",
            "info",
            "Для замечания {fingerprint} в файле исключений несколько строк ({rows}): "
            "действует строка {row} ({by}, {date}) как самое позднее решение, остальные нет.",
            "The waivers file has several rows ({rows}) for finding {fingerprint}: row {row} ({by}, {date}) applies as the latest decision, the others do not.",
        ),
        Rule(
            "waiver-unmatched",
            "structure",
            "info",
            "Исключение {fingerprint} («{reason}») не совпало ни с одним замечанием: "
            "замечание исправлено или изменилось, строку можно удалить.",
            "Waiver {fingerprint} («{reason}») matches no finding: the finding was fixed or changed, the row can be removed.",
        ),
        Rule(
            "period-duplicate",
            "completeness",
            "error",
            "{period}, {channel}{territory} указано дважды (первый раз в строке {first}).",
            "{period}, {channel}{territory} is given twice (first in row {first}).",
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
