"""The command line in the steward's language: argparse's own words translated.

argparse writes its fixed words (``usage:``, ``options:``, ``show this help
message and exit``, its error messages) through :func:`gettext.gettext`,
looked up at the moment it writes them. :class:`Parser` answers those
look-ups from a catalogue of its own, gettext-style (the message id is
argparse's English text, the translation is ours), for as long as it parses,
formats help or reports an error; nothing is changed for any other code.

The command's own texts (descriptions, option help, metavars) are written in
Russian in :func:`flows.cli._parser`; with ``--lang en`` anywhere on the
command line, :data:`OURS_EN` gives their English. A text missing from it is
shown as written (``tests/test_cli_text.py`` checks that none is missing).
"""

from __future__ import annotations

import argparse
import contextlib
import contextvars
import sys
from collections.abc import Iterator, Sequence
from typing import Any, NoReturn

LANGUAGES = ("ru", "en")

#: argparse's own messages (Python 3.11's wording) → Russian.
ARGPARSE_RU: dict[str, str] = {
    "usage: ": "использование: ",
    "positional arguments": "позиционные аргументы",
    "options": "параметры",
    "show this help message and exit": "показать эту справку и выйти",
    "%(prog)s: error: %(message)s\n": "%(prog)s: ошибка: %(message)s\n",
    "argument %(argument_name)s: %(message)s": "аргумент %(argument_name)s: %(message)s",
    "the following arguments are required: %s": "не указаны обязательные аргументы: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "недопустимое значение %(value)r (можно: %(choices)s)"
    ),
    "unknown parser %(parser_name)r (choices: %(choices)s)": (
        "нет команды %(parser_name)r (есть: %(choices)s)"
    ),
    "unrecognized arguments: %s": "непонятные аргументы: %s",
    "expected one argument": "нужно значение",
    "expected at most one argument": "нужно не больше одного значения",
    "expected at least one argument": "нужно хотя бы одно значение",
    "invalid %(type)s value: %(value)r": "значение %(value)r не подходит (%(type)s)",
    "ambiguous option: %(option)s could match %(matches)s": (
        "неоднозначный параметр %(option)s: подходят %(matches)s"
    ),
    "not allowed with argument %s": "нельзя вместе с %s",
    "ignored explicit argument %r": "лишнее значение %r",
    "one of the arguments %s is required": "нужен один из аргументов: %s",
    "unexpected option string: %s": "неожиданный параметр: %s",
}

#: argparse's messages with a count → Russian (one form: the count follows a colon).
ARGPARSE_RU_PLURAL: dict[str, str] = {
    "expected %s argument": "нужно значений: %s",
}

#: Metavars argparse makes from option names (``--reason REASON``) → Russian.
METAVARS_RU: dict[str, str] = {
    "INBOX": "ПАПКА",
    "OUT": "ПАПКА",
    "NORMS": "ФАЙЛ",
    "NORMS_MAP": "ФАЙЛ",
    "WAIVERS": "ФАЙЛ",
    "LETTER_TEMPLATE": "ФАЙЛ",
    "REASON": "ПРИЧИНА",
    "BY": "КТО",
    "UNTIL": "ГГГГ-ММ-ДД",
    "CRON": "РАСПИСАНИЕ",
    "TIMEZONE": "ПОЯС",
    "SETTLE_SECONDS": "СЕКУНДЫ",
}

#: Metavars argparse makes from option names → the English words of the help.
METAVARS_EN: dict[str, str] = {
    "INBOX": "FOLDER",
    "OUT": "FOLDER",
    "NORMS": "FILE",
    "NORMS_MAP": "FILE",
    "WAIVERS": "FILE",
    "LETTER_TEMPLATE": "FILE",
    "BY": "NAME",
    "UNTIL": "YYYY-MM-DD",
}

#: The command's own texts (as written in ``flows/cli.py``) → English.
OURS_EN: dict[str, str] = {
    "Сверка отчётов о качестве обслуживания: читает книги Excel из папки входящих, "
    "проверяет, сходятся ли цифры, и пишет список замечаний и проверенные таблицы.": (
        "Reconciliation of customer-service quality reports: reads the Excel workbooks in "
        "the inbox, checks that the figures add up, and writes a worklist of findings and "
        "validated tables."
    ),
    "КОМАНДА": "COMMAND",
    "ОТПЕЧАТОК": "FINGERPRINT",
    "ПАПКА": "FOLDER",
    "ФАЙЛ": "FILE",
    "ПРИЧИНА": "REASON",
    "КТО": "NAME",
    "ГГГГ-ММ-ДД": "YYYY-MM-DD",
    "РАСПИСАНИЕ": "CRON",
    "ПОЯС": "TIMEZONE",
    "СЕКУНДЫ": "SECONDS",
    "проверить все файлы из папки входящих один раз, сейчас": (
        "check every file in the inbox once, now"
    ),
    "Проверяет все книги из папки входящих (файлы там не меняются) и пишет в папку "
    "результатов: discrepancies.csv и discrepancies.xlsx — список замечаний "
    "(файл, ячейка, что указано, что ожидалось, почему), validated/ — таблицы "
    "с цифрами и их статусом, letters/ — письма организациям. "
    "Код выхода 0, если проверка прошла, что бы она ни нашла.": (
        "Checks every workbook in the inbox (the files there are never changed) and writes "
        "to the output folder: discrepancies.csv and discrepancies.xlsx, the worklist (file, "
        "cell, what is stated, what was expected, why); validated/, the tables of figures "
        "with their status; letters/, a letter to each organisation. Exit status 0 when the "
        "run completed, whatever it found."
    ),
    "проверять папку входящих по расписанию (по умолчанию каждую ночь в 02:00 МСК)": (
        "check the inbox on a schedule (by default every night at 02:00 Moscow time)"
    ),
    "Регистрирует в Prefect развёртывание той же проверки с расписанием cron и "
    "выполняет её по расписанию, пока команду не остановят (Ctrl+C). Если "
    "PREFECT_API_URL не задан, используется встроенный сервер Prefect.": (
        "Registers a Prefect deployment of the same run with a cron schedule and runs it on "
        "schedule until the command is stopped (Ctrl+C). Without PREFECT_API_URL a local "
        "Prefect server is started."
    ),
    "папка с присланными книгами (по умолчанию inbox/)": (
        "the folder of submitted workbooks (default inbox/)"
    ),
    "папка для результатов (по умолчанию outputs/)": "the output folder (default outputs/)",
    "файл стандарта обслуживания (TOML); по умолчанию — стандарт из поставки "
    "(checks/norms/default.toml)": (
        "the service standard file (TOML); by default the standard shipped with sverka "
        "(checks/norms/default.toml)"
    ),
    "файл TOML: какой организации какой стандарт": (
        "a TOML file: which organisation is held to which standard"
    ),
    "шаблон писем организациям (Jinja2, см. README); по умолчанию — шаблон из поставки "
    "(checks/templates/letter.txt)": (
        "the template of the letters to the organisations (Jinja2, see the README); by "
        "default the template shipped with sverka (checks/templates/letter.txt)"
    ),
    "принять замечание с причиной: оно останется в списке с пометкой «снято» "
    "и не будет считаться открытым": (
        "accept a finding with a reason: it stays in the worklist, marked as waived, and is "
        "not counted as open"
    ),
    "Записывает решение в файл исключений (CSV, его можно править и в Excel). "
    "Со следующей проверки замечание с этим отпечатком (столбец fingerprint списка "
    "замечаний) остаётся в списке с пометкой «снято» (статус waived, кто, почему, до "
    "какого дня), не считается открытым, не попадает в письмо организации и не делает "
    "цифру сомнительной — и так же в исправленном файле той же организации за тот же "
    "год, пока замечание то же самое и пока не прошёл срок --until. Отпечаток должен "
    "быть в списке замечаний последней проверки (папка --out), иначе ничего не "
    "записывается. Если для замечания в файле несколько строк, действует самая "
    "поздняя по дате.": (
        "Writes the decision to the waivers file (CSV, Excel can edit it too). From the next "
        "run on, the finding with this fingerprint (the worklist's fingerprint column) stays "
        "in the worklist marked as waived (status waived, by whom, why, until when), is not "
        "counted as open, is left out of the organisation's letter and does not flag its "
        "figure; the same holds in a corrected file of the same organisation and year, as "
        "long as the finding is the same and --until has not passed. The fingerprint must be "
        "in the worklist of the last run (the --out folder), or nothing is written. When the "
        "file has several rows for one finding, the latest by date applies."
    ),
    "столбец fingerprint замечания": "the finding's fingerprint column",
    "почему замечание принято": "why the finding is accepted",
    "кто принял решение": "who decided",
    "последний день действия, ГГГГ-ММ-ДД (не указан — бессрочно)": (
        "the last day it applies, YYYY-MM-DD (none: no expiry)"
    ),
    "папка результатов, где искать замечание (по умолчанию outputs/)": (
        "the output folder whose worklist holds the finding (default outputs/)"
    ),
    "язык замечаний, страницы отчёта и комментариев в книгах (по умолчанию ru)": (
        "the language of the messages, the report page and the workbook comments (default ru)"
    ),
    "файл исключений (по умолчанию waivers.csv рядом с папкой результатов, "
    "то есть в папке над --out; нет файла — нет исключений)": (
        "the waivers file (default waivers.csv beside the output folder, that is in the "
        "folder above --out; no file, no waivers)"
    ),
    "если папка результатов занята другой проверкой, не ждать, а выйти с кодом 3": (
        "if another run holds the output folder, do not wait: exit with status 3"
    ),
    "файл, изменённый менее чем столько секунд назад, ждёт следующего запуска "
    "(возможно, его ещё копируют); по умолчанию 0": (
        "a file modified fewer than this many seconds ago waits for the next run "
        "(it may still be being copied); default 0"
    ),
    "файл, изменённый менее чем столько секунд назад, ждёт следующего запуска "
    "(возможно, его ещё копируют); по умолчанию 60": (
        "a file modified fewer than this many seconds ago waits for the next run "
        "(it may still be being copied); default 60"
    ),
    "читать и проверять на кластере Dask с этим планировщиком (по умолчанию — "
    "на этой машине, всеми ядрами); рабочие процессы Dask должны видеть папку "
    "входящих и папку результатов по тем же путям": (
        "read and check on the Dask cluster of this scheduler (default: on this machine, "
        "with every core); the Dask workers must see the inbox and the output folder "
        "at the same paths"
    ),
    "расписание в формате cron (по умолчанию «0 2 * * *»)": (
        "the schedule in cron format (default «0 2 * * *»)"
    ),
    "часовой пояс расписания (по умолчанию Europe/Moscow)": (
        "the schedule's time zone (default Europe/Moscow)"
    ),
}

_CURRENT: contextvars.ContextVar[str] = contextvars.ContextVar("sverka_cli_lang", default="ru")


def requested_language(argv: Sequence[str]) -> str:
    """Find ``--lang en`` on a command line before it is parsed (help is written while parsing).

    Args:
        argv: The arguments.

    Returns:
        ``en`` when the last ``--lang`` asks for English, else ``ru``.
    """
    lang = "ru"
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg.startswith("--lang="):
            lang = arg.partition("=")[2]
        elif arg == "--lang" and i + 1 < len(argv):
            lang = argv[i + 1]
    return "en" if lang == "en" else "ru"


def current_language() -> str:
    """Tell the language of the command line being parsed (``ru`` outside parsing).

    Returns:
        ``ru`` or ``en``.
    """
    return _CURRENT.get()


def translate(text: str, lang: str) -> str:
    """Look a text up in the catalogue of a language; a text not in it stays as it is.

    Args:
        text: argparse's English message id, or the command's own (Russian) text.
        lang: ``ru`` or ``en``.

    Returns:
        The text in that language.
    """
    if lang == "en":
        return OURS_EN.get(text) or METAVARS_EN.get(text) or text
    return ARGPARSE_RU.get(text) or METAVARS_RU.get(text) or text


@contextlib.contextmanager
def _argparse_speaks(lang: str) -> Iterator[None]:
    """Answer argparse's gettext look-ups in ``lang`` for the duration of the block."""
    module: dict[str, Any] = vars(argparse)
    saved = module["_"], module["ngettext"]

    def gettext(message: str) -> str:
        return translate(message, lang)

    def ngettext(singular: str, plural: str, count: int) -> str:
        if lang == "ru" and singular in ARGPARSE_RU_PLURAL:
            return ARGPARSE_RU_PLURAL[singular]
        return singular if count == 1 else plural

    module["_"], module["ngettext"] = gettext, ngettext
    token = _CURRENT.set(lang)
    try:
        yield
    finally:
        _CURRENT.reset(token)
        module["_"], module["ngettext"] = saved


class Parser(argparse.ArgumentParser):
    """An argument parser that writes its help and its errors in Russian, or English.

    The language is ``--lang en`` or ``--lang=en`` found anywhere on the
    command line (help is written while parsing, before ``--lang`` is read),
    Russian otherwise. Subcommands' parsers are of this class too
    (``add_subparsers`` makes them so) and speak the top parser's language.
    Usage errors still exit with status 2.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Build the parser as :class:`argparse.ArgumentParser` does; Russian until parsing."""
        super().__init__(*args, **kwargs)
        self.lang = "ru"
        self.is_subcommand = False
        self._originals: dict[tuple[int, str], Any] = {}

    def localise(self, lang: str) -> None:
        """Put this parser's and its subcommands' texts in ``lang``.

        Args:
            lang: ``ru`` or ``en``.
        """
        self.lang = lang
        self.description = self._translated(self, "description", self.description)
        for group in self._action_groups:
            group.title = self._translated(group, "title", group.title)
        for action in self._actions:
            self._localise_action(action)
            if isinstance(action, argparse._SubParsersAction):
                for choice in action._choices_actions:
                    self._localise_action(choice)
                for sub in action.choices.values():
                    if isinstance(sub, Parser):
                        sub.is_subcommand = True
                        sub.localise(lang)

    def _localise_action(self, action: argparse.Action) -> None:
        action.help = self._translated(action, "help", action.help)
        metavar = self._originals.setdefault((id(action), "metavar"), action.metavar)
        if isinstance(metavar, str):
            action.metavar = translate(metavar, self.lang)
        elif metavar is None and action.option_strings and action.nargs != 0 and not action.choices:
            # argparse would show the option's name in capitals: --reason REASON.
            action.metavar = translate(action.dest.upper(), self.lang)

    def _translated(self, owner: object, name: str, value: Any) -> Any:
        """Translate from the text as first written, so a second call does not compound."""
        original = self._originals.setdefault((id(owner), name), value)
        return translate(original, self.lang) if isinstance(original, str) else original

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> argparse.Namespace:
        """Parse as argparse does, speaking the language the command line asks for.

        Args:
            args: The arguments (``sys.argv[1:]`` by default).
            namespace: Where to put the values.

        Returns:
            The values.
        """
        if args is None:
            args = sys.argv[1:]
        if not self.is_subcommand:
            self.localise(requested_language(args))
        with _argparse_speaks(self.lang):
            return super().parse_args(args, namespace)

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        """Parse as argparse does, speaking the language the command line asks for.

        Args:
            args: The arguments (``sys.argv[1:]`` by default).
            namespace: Where to put the values.

        Returns:
            The values, and the arguments not recognised.
        """
        if args is None:
            args = sys.argv[1:]
        if not self.is_subcommand:
            self.localise(requested_language(args))
        with _argparse_speaks(self.lang):
            return super().parse_known_args(args, namespace)

    def format_usage(self) -> str:
        """Return the usage line in the parser's language (``использование:``)."""
        with _argparse_speaks(self.lang):
            return super().format_usage()

    def format_help(self) -> str:
        """Return the help in the parser's language."""
        with _argparse_speaks(self.lang):
            return super().format_help()

    def error(self, message: str) -> NoReturn:
        """Print the usage and the error in the parser's language and exit with status 2.

        Args:
            message: What is wrong (already in the parser's language).
        """
        with _argparse_speaks(self.lang):
            super().error(message)
