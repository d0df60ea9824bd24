"""Write the four seed reports as contract workbooks into the inbox.

The seed documents ``seeds/000_*.txt`` … ``seeds/003_*.txt`` are yearly
customer-service quality reports of Russian electricity retail companies. This
script transcribes each of them into one workbook laid out as
``submission-format.md`` (version 1) asks, so that the pipeline has real
submissions to check:

========================================  ===================================
file                                      source document
========================================  ===================================
``seed-000-lugansk-2025.xlsx``            ``000_*.txt`` (2025)
``seed-001-donetsk-2024.xlsx``            ``001_*.txt`` (2024)
``seed-002-tyumen-2025.xlsx``             ``002_*.txt`` (2025)
``seed-003-vostok-2023.xlsx``             ``003_*.txt`` (2023)
========================================  ===================================

The transcription is faithful: every figure is written as the document states
it, including the document's own inconsistencies (000's channel groups do not
add up to its total; 003's remote-appeals total equals the contact centre's
alone; 003's grand total leaves out social media). Nothing is corrected and
nothing is invented. Decisions taken where the document does not fit the
contract one to one:

* ``Паспорт`` holds only ``Организация`` and ``Отчетный год``: no seed states
  an INN, a submission date or a contact person. 000, 001 and 002 do not name
  the organisation; a descriptive name is used (Луганск and Донецк after the
  e-mail domains, Тюмень after the towns in the measures).
* A sheet is written only when the document has data for it; a cell is left
  empty where the document does not state that figure (empty = not reported).
* Counts are numbers, except in 003 where they are text with a space thousands
  separator, exactly as printed (the contract accepts both).
* Durations are text exactly as written (``00:01:11``, ``0:31``, ``10 минут``,
  ``от 3 до 30 дней``). 002 gives "average per calendar month" figures for the
  year without months: they are written with period ``Год``.
* Channel names are mapped to the contract's channels (the list of app,
  personal account, site, Telegram bot and e-mail → ``Интерактивные
  сервисы``; the VK account → ``Социальные сети``; the contact centre's
  operator → ``Контакт-центр``; the contact centre's interactive assistant →
  ``IVR``). Phone numbers and e-mail addresses in channel names have no place
  in the contract and are left out.
* Schedule text is copied as written, the document's line breaks joined with
  ``", "`` (or ``" "`` where a line break cuts a phrase).
* Measures: ``Раздел`` is the section heading without its number and trailing
  colon; one row per bullet (nested bullets too), bullet marks and
  ``[bookmark: …]`` markup stripped, the text otherwise verbatim (its trailing
  ``;`` or ``.`` included). ``Срок`` is empty where the document gives none.

Usage::

    python scripts/make_seed_inbox.py [--out DIR]

``DIR`` defaults to the repository's ``inbox/``. The output is deterministic:
the document properties and the zip entries carry a fixed timestamp, so the
same script writes the same bytes.
"""

from __future__ import annotations

import argparse
import io
import os
import zipfile
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

# openpyxl picks its XML writer when imported: lxml's when lxml is installed (it comes
# with python-docx), the standard library's otherwise, and the two write different
# bytes. The seeds are always written with the standard library's, so the same script
# writes the same files wherever it runs.
os.environ["OPENPYXL_LXML"] = "False"

from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

Cell = str | int | None
Row = tuple[Cell, ...]
Sheet = tuple[str, list[Row]]

FIXED_TIMESTAMP = datetime(2026, 1, 1)
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "inbox"

MONTHS = (
    "Январь", "Февраль", "Март", "Апрель", "Май", "Июнь",
    "Июль", "Август", "Сентябрь", "Октябрь", "Ноябрь", "Декабрь",
)  # fmt: skip

APPEALS_HEADER: Row = ("Канал", "Итого")
COMPLAINTS_HEADER: Row = ("Показатель", "Итого")
TIMES_HEADER: Row = ("Период", "Канал", "Территория", "Ожидание", "Обслуживание", "Обращений")
SCHEDULE_HEADER: Row = ("Канал", "Режим работы")
MEASURES_HEADER: Row = ("Раздел", "Мероприятие", "Срок")

# The three in-person columns of the office tables of 000 and 001, in the
# documents' order: consultation, cash operation, consultation and cash operation.
OFFICE_CHANNELS = (
    "Очное — консультация",
    "Очное — кассовая операция",
    "Очное — консультация и кассовая операция",
)

# A contact-centre month: (month, waiting for the operator, service).
CcMonth = tuple[str, str, str]
# An office month: (month, then waiting in the queue and service ("Прием") for
# each of OFFICE_CHANNELS in turn).
OfficeMonth = tuple[str, str, str, str, str, str, str]


# ---------------------------------------------------------------------------
# 000: Луганск, 2025
# ---------------------------------------------------------------------------

LUGANSK_CC: list[CcMonth] = [
    ("Январь", "00:01:11", "00:02:30"),
    ("Февраль", "00:01:36", "00:02:29"),
    ("Март", "00:01:23", "00:02:37"),
    ("Апрель", "00:01:33", "00:02:54"),
    ("Май", "00:01:52", "00:02:41"),
    ("Июнь", "00:01:01", "00:02:28"),
    ("Июль", "00:01:05", "00:01:42"),
    ("Август", "00:01:35", "00:02:11"),
    ("Сентябрь", "00:01:30", "00:02:00"),
    ("Октябрь", "00:01:29", "00:02:05"),
    ("Ноябрь", "00:01:46", "00:01:59"),
    ("Декабрь", "00:01:32", "00:01:36"),
]

LUGANSK_OFFICE: list[OfficeMonth] = [
    ("Январь", "0:07:31", "0:08:11", "0:04:59", "0:02:23", "0:12:30", "0:10:34"),
    ("Февраль", "0:07:41", "0:05:10", "0:06:51", "0:02:53", "0:14:32", "0:08:03"),
    ("Март", "0:08:02", "0:07:41", "0:04:34", "0:02:10", "0:12:36", "0:09:51"),
    ("Апрель", "0:09:29", "0:07:22", "0:04:12", "0:02:15", "0:13:41", "0:09:37"),
    ("Май", "0:09:18", "0:05:57", "0:10:22", "0:02:21", "0:19:40", "0:08:18"),
    ("Июнь", "0:07:51", "0:07:17", "0:04:25", "0:02:54", "0:12:16", "0:10:11"),
    ("Июль", "0:08:25", "0:08:30", "0:04:47", "0:03:01", "0:13:12", "0:11:31"),
    ("Август", "0:06:15", "0:07:55", "0:05:55", "0:02:18", "0:12:10", "0:10:13"),
    ("Сентябрь", "0:06:11", "0:08:18", "0:04:18", "0:03:03", "0:10:29", "0:11:21"),
    ("Октябрь", "0:07:46", "0:05:37", "0:04:52", "0:03:40", "0:12:38", "0:09:17"),
    ("Ноябрь", "0:08:35", "0:06:49", "0:05:22", "0:02:24", "0:13:57", "0:09:13"),
    ("Декабрь", "0:08:18", "0:04:13", "0:04:30", "0:02:33", "0:12:48", "0:06:46"),
]

LUGANSK_MEASURES: list[tuple[str, list[str]]] = [
    ("Обновление центров обслуживания клиентов", [
        ("6 центров обслуживания клиентов обновлены в соответствии с современными"
         " архитектурно-планировочными решениями;"),
        "запущено 3 мобильных центра обслуживания клиентов.",
    ]),
    ("Модернизация Контакт-центра", [
        "внедрен короткий бесплатный номер, доступный для абонентов сотового оператора МКС;",
    ]),
    ("Доработка мобильного приложения для физических лиц", [
        "Осуществлен переход на новый протокол платежной системы Сбера;",
        ("Добавлен функционал сохранения данных банковской карты при оплате и подключения"
         " автоплатежа;"),
        "Добавлена возможность указания периода оплаты;",
        ("Предварительное начисление после передачи показаний с разбивкой начисления по"
         " дифференцированным тарифам;"),
        ("Добавлена возможность настраивать интерфейс мобильного приложения: отображение пунктов"
         " меню, выбор темной/светлой темы;"),
        "Добавлена кнопка «Нет света» с информацией о плановых отключениях;",
        "Доработан раздел с акциями для клиентов;",
        ("Изменения в отображении баланса – на главной странице выводится итоговая сумма к"
         " оплате."),
    ]),
    ("Разработка и внедрение электронного счета для юридических лиц", [
        "произведен тестовый запуск личного кабинета для юридических лиц.",
    ]),
    ("Доработка сайта", [
        "на сайте добавлен раздел об акциях.",
    ]),
    ("Разработка и реализация мероприятий по улучшению качества обслуживания клиентов", [
        ("проведены выездные проверки центров обслуживания клиентов, фото-аудиты, проверки"
         " методом «тайный покупатель»;"),
        "организована система оценки качества очного и заочного обслуживания клиентов;",
        # The last two are nested one level deeper in the document.
        ("проведена оценка уровня лояльности и удовлетворенности клиентов посредством опросов NPS"
         " и CSI;"),
        "проводится регулярное обучение бренд-персонала.",
    ]),
]  # fmt: skip


def lugansk_2025() -> list[Sheet]:
    """Build the sheets of seed 000 (Луганск, 2025).

    Returns:
        The workbook's sheets, each a name and its rows (header first).
    """
    return [
        ("Паспорт", [
            ("Организация", "Энергосбыт (Луганск)"),
            ("Отчетный год", 2025),
        ]),
        # "Общее количество обращений за 2025 год составило - 1 175 168 (948109 – очных;
        # 167212 – заочных, 4063444 – автоматизированных)": the groups do not add up.
        ("Обращения", [
            APPEALS_HEADER,
            ("Итого очные", 948109),
            ("Итого заочные", 167212),
            ("Итого автоматизированные", 4063444),
            ("Всего", 1175168),
        ]),
        ("Жалобы", [
            COMPLAINTS_HEADER,
            ("Претензии и жалобы", 11),
        ]),
        ("Время", [TIMES_HEADER, *monthly_times(LUGANSK_CC, LUGANSK_OFFICE)]),
        ("Режим работы", [
            SCHEDULE_HEADER,
            # Мобильное приложение, личный кабинет, сайт, Телеграмм-бот, электронная почта.
            ("Интерактивные сервисы", "Круглосуточно"),
            ("Социальные сети", "пн. – чт. с 08:00 до 17:00, пт.: с 08:00 до 15:45"),
            ("Контакт-центр", "Оператор: пн. – пт. с 08:00 до 17:00"),
            ("IVR", "Круглосуточно"),  # "Интерактивный помощник в КЦ"
        ]),
        ("Мероприятия", [MEASURES_HEADER, *sectioned_measures(LUGANSK_MEASURES)]),
    ]  # fmt: skip


# ---------------------------------------------------------------------------
# 001: Донецк, 2024
# ---------------------------------------------------------------------------

# The contact-centre times are two-part text in the document: kept as written.
DONETSK_CC: list[CcMonth] = [
    ("Январь", "0:31", "2:01"),
    ("Февраль", "1:10", "3:19"),
    ("Март", "1:02", "2:50"),
    ("Апрель", "2:29", "4:01"),
    ("Май", "0:38", "1:22"),
    ("Июнь", "1:09", "2:29"),
    ("Июль", "1:45", "3:30"),
    ("Август", "0:50", "2:25"),
    ("Сентябрь", "2:01", "2:38"),
    ("Октябрь", "0:29", "2:51"),
    ("Ноябрь", "0:46", "3:20"),
    ("Декабрь", "1:43", "1:48"),
]

DONETSK_OFFICE: list[OfficeMonth] = [
    ("Январь", "0:09:23", "0:05:43", "0:05:18", "0:02:48", "0:14:41", "0:08:31"),
    ("Февраль", "0:08:48", "0:06:06", "0:04:15", "0:03:19", "0:13:03", "0:09:25"),
    ("Март", "0:04:28", "0:04:17", "0:03:35", "0:05:08", "0:08:03", "0:09:25"),
    ("Апрель", "0:07:12", "0:09:51", "0:04:29", "0:03:28", "0:11:41", "0:13:19"),
    ("Май", "0:09:56", "0:08:40", "0:03:48", "0:02:13", "0:13:44", "0:10:53"),
    ("Июнь", "0:08:48", "0:07:18", "0:04:39", "0:02:40", "0:13:27", "0:09:58"),
    ("Июль", "0:05:42", "0:09:11", "0:02:25", "0:04:55", "0:08:07", "0:14:06"),
    ("Август", "0:06:19", "0:09:50", "0:03:17", "0:05:48", "0:09:36", "0:15:38"),
    ("Сентябрь", "0:03:54", "0:10:36", "0:04:46", "0:04:18", "0:08:40", "0:14:54"),
    ("Октябрь", "0:08:22", "0:08:42", "0:02:00", "0:04:45", "0:10:22", "0:13:27"),
    ("Ноябрь", "0:09:16", "0:06:49", "0:03:59", "0:02:17", "0:13:15", "0:09:06"),
    ("Декабрь", "0:07:28", "0:10:38", "0:04:29", "0:03:34", "0:11:57", "0:14:12"),
]

DONETSK_MEASURES: list[tuple[str, list[str]]] = [
    ("Обновление центров обслуживания клиентов", [
        ("5 центров обслуживания клиентов обновлены в соответствии с современными"
         " архитектурно-планировочными решениями."),
    ]),
    ("Организация и модернизация Контакт-центра", [
        "организован Контакт-центр;",
        "внедрено IVR (интерактивное голосовое меню);",
        "внедрена голосовая автоматизированная передача показаний;",
        "внедрена автоматизированная передача показаний через СМС-сообщения.",
    ]),
    ("Разработка и выпуск мобильного приложения для физических лиц", [
        "выпущена версия мобильного приложения для Android в формате APK;",
        "выпущена версия мобильного приложения в Google play;",
        "выпущена версия мобильного приложения в App Store;",
        "выпущена версия мобильного приложения в RuStore.",
    ]),
    ("Развитие и доработка личного кабинета для физических лиц", [
        "добавлена возможность подключения электронной квитанции на сайте без регистрации.",
    ]),
    ("Доработка сайта", [
        "на сайте добавлен раздел о плановых ограничениях электроснабжения.",
    ]),
    ("Внедрение электронной очереди", [
        "в 3-х центрах обслуживания клиентов установлены электронные очереди.",
    ]),
    ("Организация зоны самообслуживания", [
        "в 25-ти центрах обслуживания клиентов установлены планшеты для самообслуживания.",
    ]),
    ("Разработка и реализация мероприятий по улучшению качества обслуживания клиентов", [
        ("проведены выездные проверки центров обслуживания клиентов, фото-аудиты, проверки"
         " методом «тайный покупатель»;"),
        "организована система оценки качества очного и заочного обслуживания клиентов;",
        ("проведена оценка уровня лояльности и удовлетворенности клиентов посредством опросов NPS"
         " и CSI;"),
        "проводится регулярное обучение бренд-персонала.",
    ]),
]  # fmt: skip


def donetsk_2024() -> list[Sheet]:
    """Build the sheets of seed 001 (Донецк, 2024).

    Returns:
        The workbook's sheets, each a name and its rows (header first).
    """
    return [
        ("Паспорт", [
            ("Организация", "Энергосбыт (Донецк)"),
            ("Отчетный год", 2024),
        ]),
        # "Общее количество обращений за 2024 год составило 1138405": no breakdown given.
        ("Обращения", [
            APPEALS_HEADER,
            ("Всего", 1138405),
        ]),
        ("Жалобы", [
            COMPLAINTS_HEADER,
            ("Претензии и жалобы", 126),
        ]),
        ("Время", [TIMES_HEADER, *monthly_times(DONETSK_CC, DONETSK_OFFICE)]),
        ("Режим работы", [
            SCHEDULE_HEADER,
            # Мобильное приложение, личный кабинет, сайт, Телеграмм-бот, электронная почта.
            ("Интерактивные сервисы", "Круглосуточно"),
            # Already one line in the document, "Ежедневно" and all.
            ("Социальные сети", "Ежедневно: пн. – чт. с 08:00 до 17:00 пт. с 08:00 до 15:45"),
            ("Контакт-центр", "Оператор: пн. – пт. с 08:00 до 17:00"),  # "КЦ +7 (856) …"
            ("IVR", "Круглосуточно"),  # "Интерактивный помощник в КЦ"
        ]),
        ("Мероприятия", [MEASURES_HEADER, *sectioned_measures(DONETSK_MEASURES)]),
    ]  # fmt: skip


# ---------------------------------------------------------------------------
# 002: Тюмень, 2025
# ---------------------------------------------------------------------------

TYUMEN_QUALITY = "МЕРОПРИЯТИЯ, НАПРАВЛЕННЫЕ НА ПОВЫШЕНИЕ КАЧЕСТВА ОБСЛУЖИВАНИЯ"
TYUMEN_SERVICES = "МЕРОПРИЯТИЯ, НАПРАВЛЕННЫЕ НА СОВЕРШЕНСТВОВАНИЕ СЕРВИСОВ ОБСЛУЖИВАНИЯ"
TYUMEN_LITERACY = (
    "МЕРОПРИЯТИЯ, НАПРАВЛЕННЫЕ НА ПОВЫШЕНИЕ ГРАМОТНОСТИ НАСЕЛЕНИЯ"
    " В СФЕРЕ ЖИЛИЩНО-КОММУНАЛЬНОГО ХОЗЯЙСТВА"
)
TYUMEN_ACCOUNT = (
    "МЕРОПРИЯТИЯ, НАПРАВЛЕННЫЕ НА ПОВЫШЕНИЕ УДОВЛЕТВОРЕННОСТИ ПО КАТЕГОРИИ «ЛИЧНЫЙ КАБИНЕТ КЛИЕНТА»"
)

# (measure, when) per block heading, in the document's order.
TYUMEN_MEASURES: list[tuple[str, list[tuple[str, str]]]] = [
    (TYUMEN_QUALITY, [
        (("Проведено ежегодное анкетирование потребителей в целях исследования уровня"
          " удовлетворенности качеством обслуживания и оценки лояльности потребителей"),
         "4 квартал"),
        (("Проведен контроль качества консультирования потребителей методом «Тайный покупатель»"
          " через сервисы телефонного и интерактивного обслуживания"),
         "ежемесячно"),
        (("Проведен контроль качества исполнения требований приема и обработки обращений через"
          " сервисы телефонного и интерактивного обслуживания"),
         "в течение года"),
        (("Внедрена «Система речевой аналитики» для оценки и контроля качества работы операторов,"
          " анализа обратной связи"),
         "2 квартал"),
        (("Размещена информация на внутреннем корпоративном ресурсе, используемая сотрудниками"
          " клиентской поддержки и клиентского офиса для подготовки устных и письменных ответов"
          " на часто поступающие обращения потребителей (корпоративный ресурс «База знаний»)"),
         "в течение года"),
        (("Запущен и успешно завершён пилотный проект интерактивного обслуживания потребителей"
          " посредством терминалов дистанционного обслуживания, установленных в г. Югорск"),
         "1-2 кварталы"),
        (("Организован процесс обслуживания потребителей в г. Тюмень посредством установки"
          " терминалов дистанционного обслуживания в центре обслуживания клиентов и в торговом"
          " центре «Клен»"),
         "4 квартал"),
        (("В платежных документах размещены QR-код единого лицевого счета для единовременной"
          " оплаты жилищно-коммунальных услуг по всем поставщикам и отдельные QR-коды для оплаты"
          " услуг по каждому поставщику жилищно-коммунальных услуг отдельно"),
         "2-3 кварталы"),
        (("В личном кабинете клиента и в мобильном приложении размещены единый лицевой счет для"
          " единовременной оплаты жилищно-коммунальных услуг по всем поставщикам и отдельные"
          " лицевые счета для оплаты услуг по каждому поставщику жилищно-коммунальных услуг"
          " отдельно"),
         "2-3 кварталы"),
        (("Реализована возможность бесконтактной оплаты жилищно-коммунальных услуг посредством"
          " QR-кода СБП (системы быстрых платежей), размещенного в центрах обслуживания клиентов"),
         "3 квартал"),
        (("Запущен официальный канал по коммуникации Общества с потребителями в национальном"
          " мессенджере MAX"),
         "4 квартал"),
        (("Реализована система рассылки уведомлений на электронную почту потребителей с"
          " напоминанием о необходимости передачи показаний приборов учета электрической энергии"),
         "3 квартал"),
        (("Реализована возможность ответов на обращения потребителей-юридических лиц по телефону"
          " единого контакт-центра"),
         "3 квартал"),
        (("Реализована функция отправки показаний приборов учета электрической энергии"
          " потребителем на электронную почту Общества в формате Excel"),
         "4 квартал"),
    ]),
    (TYUMEN_SERVICES, [
        # The unbalanced closing parenthesis at the end is the document's.
        (("Для обеспечения оперативной обратной связи в сервисе «Личный кабинет клиента» и"
          " «Мобильное приложение» реализована возможность подачи в адрес Общества новых видов"
          " заявлений: заявление на перерасчет размера платы за коммунальные услуги и жилое"
          " помещение; заявление на возврат денежных средств; заявление на поиск платежа;"
          " заявление о списании задолженности за жилищно-коммунальные услуги в связи с"
          " признанием должника банкротом; заявление на опломбирование/проверку прибора учета"
          " электрической энергии; заявление (требование) о возмещении ущерба)"),
         "4 квартал"),
        (("При оплате жилищно-коммунальных услуг через официальный сайт Общества, через «Личный"
          " кабинет клиента» и «Мобильное приложение» установлен повышенный приоритет платежной"
          " системы СБП (системы быстрых платежей) над другими способами оплаты"),
         "4 квартал"),
        (("Для операторов контакт-центра реализована возможность оперативного предоставления"
          " консультаций по начислениям, отраженным в платежных документах"),
         "4 квартал"),
        (("Добавлен функционал, позволяющий проверить состояние лицевого счета на предмет наличия"
          " переплаты, задолженности или пени в сервисе голосовой помощник"),
         "4 квартал"),
    ]),
    (TYUMEN_LITERACY, [
        (("Осуществлено информирование потребителей в официальных печатных изданиях, в социальных"
          " сетях «ВКонтакте», «Одноклассники», в сервисе чат-бот и в СМИ об изменениях"
          " законодательства в сфере жилищно-коммунального хозяйства, в том числе об изменениях"
          " порядка расчётов за электроэнергию, а также разъяснения по актуальным вопросам"
          " потребителей"),
         "в течение года"),
        (("Обновлен раздел официального сайта Общества с часто задаваемыми вопросами по"
          " обслуживанию частных лиц"),
         "ежеквартально"),
    ]),
    (TYUMEN_ACCOUNT, [
        (("Реализован функционал об информировании потребителя о статусе рассмотрения поданного"
          " обращения посредством Личного кабинета клиента юридического лица"),
         "3 квартал"),
        (("Реализована возможность направления в Личном кабинете клиента юридического лица"
          " претензии на замену/установку прибора учета"),
         "3 квартал"),
    ]),
]  # fmt: skip


def tyumen_2025() -> list[Sheet]:
    """Build the sheets of seed 002 (Тюмень, 2025).

    The document states no appeal counts, so there is no ``Обращения`` sheet;
    its complaint share ("0,19 % от общего количества поступивших обращений")
    is kept as written although the appeals total it refers to is not given.

    Returns:
        The workbook's sheets, each a name and its rows (header first).
    """
    return [
        ("Паспорт", [
            ("Организация", "Гарантирующий поставщик (Тюмень)"),
            ("Отчетный год", 2025),
        ]),
        ("Жалобы", [
            COMPLAINTS_HEADER,
            ("Претензии и жалобы", 1112),
            ("в т.ч. от юридических лиц", 214),
            ("Доля претензий и жалоб, %", "0,19 %"),
        ]),
        # "Среднее за календарный месяц" figures stated for the year, without months.
        ("Время", [
            TIMES_HEADER,
            ("Год", "Очное обслуживание", None, "10 минут", "11 минут", None),
            ("Год", "Контакт-центр", None, "1 минута", "2 минуты", None),
            # The document states "от 3 до 30 дней" twice: for consultations and for
            # applications through the interactive services. The contract has one
            # channel for both, and a period and channel given twice is an error, so
            # the two are written as this one row.
            ("Год", "Интерактивные сервисы", None, None, "от 3 до 30 дней", None),
        ]),
        ("Режим работы", [
            SCHEDULE_HEADER,
            # "КОНТАКТНЫЙ ЦЕНТР", over three lines; the last break cuts "до / 20:00".
            ("Контакт-центр",
             ("с 1 по 25 число: пн-вс с 08:00 до 21:00, с 26 числа до конца месяца:"
              " пн-пт с 08:00 до 20:00 сб-вс (праздники): с 08:00 до 18:00")),
            # "Интерактивные сервисы обслуживания работают круглосуточно".
            ("Интерактивные сервисы", "круглосуточно"),
        ]),
        ("Мероприятия", [
            MEASURES_HEADER,
            *(
                (section, measure, when)
                for section, measures in TYUMEN_MEASURES
                for measure, when in measures
            ),
        ]),
    ]  # fmt: skip


# ---------------------------------------------------------------------------
# 003: ЭСК «Восток», 2023
# ---------------------------------------------------------------------------

# The territories in the order the document lists them for in-person appeals.
VOSTOK_TERRITORIES = (
    "Оренбургская область",
    "Курганская область",
    "Тюменская область",
    "Сургут",
    "Ноябрьск",
)

# Per territory: (appeals, waiting, service) of in-person service ("Очные обращения").
VOSTOK_IN_PERSON: dict[str, tuple[str, str, str]] = {
    "Оренбургская область": ("15 654", "0:04:24", "0:04:49"),
    "Курганская область": ("712 609", "0:06:58", "0:07:36"),
    "Тюменская область": ("59 213", "0:02:46", "0:11:58"),
    "Сургут": ("2 983", "0:12:00", "0:09:23"),
    "Ноябрьск": ("6 142", "0:03:09", "0:07:54"),
}

# Per territory: (Онлайн-ЦОК, Контакт-центр) appeals ("Дистанционные обращения").
VOSTOK_REMOTE: dict[str, tuple[str, str]] = {
    "Оренбургская область": ("2 549", "31 247"),
    "Курганская область": ("15 848", "603 200"),
    "Тюменская область": ("28 957", "443 108"),
    "Сургут": ("18 070", "64 672"),
    "Ноябрьск": ("5 626", "53 639"),
}

# Per territory: IVR appeals (the document's table lists the territories in
# another order; they are matched by name).
VOSTOK_IVR: dict[str, str] = {
    "Курганская область": "278 427",
    "Тюменская область": "419 151",
    "Оренбургская область": "46 543",
    "Сургут": "78 015",
    "Ноябрьск": "55 539",
}


def vostok_2023() -> list[Sheet]:
    """Build the sheets of seed 003 (ЭСК «Восток», 2023).

    Counts are text with a space thousands separator, as the document prints
    them. The document states no complaints and no concrete measures, so there
    is no ``Жалобы`` and no ``Мероприятия`` sheet.

    Returns:
        The workbook's sheets, each a name and its rows (header first).
    """
    territories = VOSTOK_TERRITORIES
    empty: list[Cell] = [None] * len(territories)
    appeals: list[Row] = [
        ("Канал", *territories, "Итого"),
        ("Очное обслуживание", *(VOSTOK_IN_PERSON[t][0] for t in territories), "796 601"),
        # Итого from the unlabelled time block whose count matches these territories.
        ("Онлайн-ЦОК", *(VOSTOK_REMOTE[t][0] for t in territories), "71 050"),
        ("Контакт-центр", *(VOSTOK_REMOTE[t][1] for t in territories), "1 195 866"),
        ("Социальные сети", *empty, "4 933"),
        # "Дистанционные обращения: 1 195 866 всего обращений" (equal to the
        # contact centre's alone: the document's own figure).
        ("Итого заочные", *empty, "1 195 866"),
        ("IVR", *(VOSTOK_IVR[t] for t in territories), "877 675"),
        # "2 941 192 всего обращений" (social media left out: the document's own figure).
        ("Всего", *empty, "2 941 192"),
    ]
    times: list[Row] = [
        TIMES_HEADER,
        *(
            ("Год", "Очное обслуживание", t, wait, service, count)
            for t, (count, wait, service) in VOSTOK_IN_PERSON.items()
        ),
        # The two unlabelled blocks after the remote appeals, in the document's
        # order; their counts are the Онлайн-ЦОК and Контакт-центр sums.
        ("Год", "Онлайн-ЦОК", None, "0:50:00", "0:22:00", "71 050"),
        ("Год", "Контакт-центр", None, "0:02:21", "0:02:08", "1 195 866"),
    ]
    schedule: list[Row] = [
        SCHEDULE_HEADER,
        # "График работы специалистов в онлайн-режиме: будние дни с 8:00 до 17:00."
        ("Онлайн-ЦОК", "будние дни с 8:00 до 17:00"),
        ("Контакт-центр",
         ("Консультацию операторов справочно-информационной службы можно получить"
          " с 8:00 до 18:00 по будням; с 15 по 25 число с 8:00 до 18:00 в будние дни,"
          " в субботу с 8:00 до 17:00, воскресенье – выходной день.")),
        # Preceded in the document by "Режим работы Центров обслуживания клиентов
        # различается в зависимости от территории."
        ("Очное обслуживание",
         "Вместе с тем, все офисы работают по принципу «до последнего клиента»."),
    ]  # fmt: skip
    return [
        ("Паспорт", [
            ("Организация", "Энергосбытовая компания «Восток»"),
            ("Отчетный год", 2023),
        ]),
        ("Обращения", appeals),
        ("Время", times),
        ("Режим работы", schedule),
    ]  # fmt: skip


# ---------------------------------------------------------------------------
# Building and writing
# ---------------------------------------------------------------------------

# Output file name → the function that builds that workbook's sheets.
SEEDS: dict[str, Callable[[], list[Sheet]]] = {
    "seed-000-lugansk-2025.xlsx": lugansk_2025,
    "seed-001-donetsk-2024.xlsx": donetsk_2024,
    "seed-002-tyumen-2025.xlsx": tyumen_2025,
    "seed-003-vostok-2023.xlsx": vostok_2023,
}


def monthly_times(cc: Sequence[CcMonth], office: Sequence[OfficeMonth]) -> list[Row]:
    """Interleave monthly contact-centre and office times into ``Время`` rows.

    For each month: the contact-centre row, then one row per in-person channel
    of :data:`OFFICE_CHANNELS`. Territory and appeals count are not stated.

    Args:
        cc: The contact-centre table, one entry per month.
        office: The office table, one entry per month, in the same month order.

    Returns:
        The rows, without the header.

    Raises:
        ValueError: If the two tables do not list the same months in the same order.
    """
    rows: list[Row] = []
    for (month, cc_wait, cc_service), (office_month, *times) in zip(cc, office, strict=True):
        if month != office_month or month not in MONTHS:
            raise ValueError(f"month mismatch: {month!r} / {office_month!r}")
        rows.append((month, "Контакт-центр", None, cc_wait, cc_service, None))
        for channel, wait, service in zip(OFFICE_CHANNELS, times[0::2], times[1::2], strict=True):
            rows.append((month, channel, None, wait, service, None))
    return rows


def sectioned_measures(sections: Sequence[tuple[str, Sequence[str]]]) -> list[Row]:
    """Flatten numbered sections of bullets into ``Мероприятия`` rows.

    Args:
        sections: Each section's heading and its bullets.

    Returns:
        One ``(Раздел, Мероприятие, Срок)`` row per bullet, ``Срок`` empty.
    """
    return [(heading, bullet, None) for heading, bullets in sections for bullet in bullets]


def build_workbook(sheets: Sequence[Sheet]) -> Workbook:
    """Lay the sheets out in a new workbook, one row per tuple from A1 down.

    Args:
        sheets: Each sheet's name and rows; ``None`` leaves a cell empty.

    Returns:
        The workbook, with fixed creation and modification times.
    """
    wb = Workbook()
    del wb[wb.sheetnames[0]]  # the default empty sheet
    for name, rows in sheets:
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    ws.cell(row=r, column=c, value=value)
    wb.properties.created = FIXED_TIMESTAMP
    wb.properties.modified = FIXED_TIMESTAMP
    return wb


def workbook_bytes(wb: Workbook) -> bytes:
    """Serialise a workbook reproducibly.

    ``Workbook.save`` stamps the current time into the document properties and
    into every zip entry; this writes through :class:`ExcelWriter` (which keeps
    the properties as set) and then repacks the archive with a fixed timestamp.

    Args:
        wb: The workbook to serialise.

    Returns:
        The ``.xlsx`` file's bytes.
    """
    raw = io.BytesIO()
    archive = zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED)
    ExcelWriter(wb, archive).save()  # closes the archive
    out = io.BytesIO()
    stamp = FIXED_TIMESTAMP.timetuple()[:6]
    with (
        zipfile.ZipFile(io.BytesIO(raw.getvalue())) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            dst.writestr(entry, src.read(info))
    return out.getvalue()


def main(argv: Sequence[str] | None = None) -> None:
    """Write the four seed workbooks.

    Args:
        argv: Command-line arguments (defaults to ``sys.argv[1:]``).
    """
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default: {DEFAULT_OUT})"
    )
    args = parser.parse_args(argv)
    out_dir: Path = args.out
    out_dir.mkdir(parents=True, exist_ok=True)
    for filename, build_sheets in SEEDS.items():
        path = out_dir / filename
        path.write_bytes(workbook_bytes(build_workbook(build_sheets())))
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
