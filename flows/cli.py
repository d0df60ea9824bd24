"""The ``sverka`` command: one run now, or a nightly schedule.

Exit status: 0 whenever a run completed, whatever it found; 2 for a usage
error; 3 when ``--no-wait`` was given and another run holds the output
folder; 1 if the run itself could not complete (the traceback goes to a
log file under ``<out>/logs/``, one Russian line to the terminal).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from flows.cli_text import Parser, current_language

DEFAULT_CRON = "0 2 * * *"
DEPLOYMENT = "sverka-nightly"
SERVER_START_TIMEOUT_S = 90
DEFAULT_TIMEZONE = "Europe/Moscow"
#: A scheduled run leaves files changed in the last minute for the next night.
DEFAULT_SETTLE_SERVE = 60


def _parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="sverka",
        description=(
            "Сверка отчётов о качестве обслуживания: читает книги Excel из папки входящих, "
            "проверяет, сходятся ли цифры, и пишет список замечаний и проверенные таблицы."
        ),
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="КОМАНДА")
    run = commands.add_parser(
        "run",
        help="проверить все файлы из папки входящих один раз, сейчас",
        description=(
            "Проверяет все книги из папки входящих (файлы там не меняются) и пишет в папку "
            "результатов: discrepancies.csv и discrepancies.xlsx — список замечаний "
            "(файл, ячейка, что указано, что ожидалось, почему), validated/ — таблицы "
            "с цифрами и их статусом, letters/ — письма организациям. "
            "Код выхода 0, если проверка прошла, что бы она ни нашла."
        ),
    )
    serve = commands.add_parser(
        "serve",
        help="проверять папку входящих по расписанию (по умолчанию каждую ночь в 02:00 МСК)",
        description=(
            "Регистрирует в Prefect развёртывание той же проверки с расписанием cron и "
            "выполняет её по расписанию, пока команду не остановят (Ctrl+C). Если "
            "PREFECT_API_URL не задан, используется встроенный сервер Prefect."
        ),
    )
    for sub in (run, serve):
        sub.add_argument(
            "--inbox",
            type=Path,
            default=Path("inbox"),
            help="папка с присланными книгами (по умолчанию inbox/)",
        )
        sub.add_argument(
            "--out",
            type=Path,
            default=Path("outputs"),
            help="папка для результатов (по умолчанию outputs/)",
        )
    for sub in (run, serve):
        sub.add_argument(
            "--norms",
            type=Path,
            default=None,
            help="файл стандарта обслуживания (TOML); по умолчанию — стандарт из поставки "
            "(checks/norms/default.toml)",
        )
        sub.add_argument(
            "--norms-map",
            type=Path,
            default=None,
            help="файл TOML: какой организации какой стандарт",
        )
        sub.add_argument(
            "--letter-template",
            type=_letter_template,
            default=None,
            help="шаблон писем организациям (Jinja2, см. README); по умолчанию — шаблон из "
            "поставки (checks/templates/letter.txt)",
        )
    waive = commands.add_parser(
        "waive",
        help="принять замечание с причиной: оно останется в списке с пометкой «снято» "
        "и не будет считаться открытым",
        description=(
            "Записывает решение в файл исключений (CSV, его можно править и в Excel). "
            "Со следующей проверки замечание с этим отпечатком (столбец fingerprint списка "
            "замечаний) остаётся в списке с пометкой «снято» (статус waived, кто, почему, до "
            "какого дня), не считается открытым, не попадает в письмо организации и не делает "
            "цифру сомнительной — и так же в исправленном файле той же организации за тот же "
            "год, пока замечание то же самое и пока не прошёл срок --until. Отпечаток должен "
            "быть в списке замечаний последней проверки (папка --out), иначе ничего не "
            "записывается. Если для замечания в файле несколько строк, действует самая "
            "поздняя по дате."
        ),
    )
    waive.add_argument("fingerprint", metavar="ОТПЕЧАТОК", help="столбец fingerprint замечания")
    waive.add_argument("--reason", required=True, help="почему замечание принято")
    waive.add_argument("--by", required=True, help="кто принял решение")
    waive.add_argument(
        "--until", default=None, help="последний день действия, ГГГГ-ММ-ДД (не указан — бессрочно)"
    )
    waive.add_argument(
        "--out",
        type=Path,
        default=Path("outputs"),
        help="папка результатов, где искать замечание (по умолчанию outputs/)",
    )
    for sub in (run, serve, waive):
        sub.add_argument(
            "--lang",
            choices=("ru", "en"),
            default="ru",
            help="язык замечаний, страницы отчёта и комментариев в книгах (по умолчанию ru)",
        )
    run.add_argument(
        "--no-wait",
        action="store_true",
        help="если папка результатов занята другой проверкой, не ждать, а выйти с кодом 3",
    )
    for sub in (run, serve, waive):
        sub.add_argument(
            "--waivers",
            type=Path,
            default=None,
            help="файл исключений (по умолчанию waivers.csv рядом с папкой результатов, "
            "то есть в папке над --out; нет файла — нет исключений)",
        )
    for sub, settle in ((run, 0), (serve, DEFAULT_SETTLE_SERVE)):
        sub.add_argument(
            "--settle-seconds",
            type=float,
            default=settle,
            help="файл, изменённый менее чем столько секунд назад, ждёт следующего запуска "
            f"(возможно, его ещё копируют); по умолчанию {settle}",
        )
    for sub in (run, serve):
        sub.add_argument(
            "--dask-address",
            default=None,
            metavar="tcp://HOST:PORT",
            help="читать и проверять на кластере Dask с этим планировщиком (по умолчанию — "
            "на этой машине, всеми ядрами); рабочие процессы Dask должны видеть папку "
            "входящих и папку результатов по тем же путям",
        )
    serve.add_argument(
        "--cron",
        default=DEFAULT_CRON,
        help=f"расписание в формате cron (по умолчанию «{DEFAULT_CRON}»)",
    )
    serve.add_argument(
        "--timezone",
        default=DEFAULT_TIMEZONE,
        help=f"часовой пояс расписания (по умолчанию {DEFAULT_TIMEZONE})",
    )
    return parser


def _letter_template(text: str) -> Path:
    """Check a ``--letter-template`` file when it is given: a broken one is a usage error."""
    from checks.letters import LetterTemplateError, load_template

    path = Path(text)
    try:
        load_template(path)
    except LetterTemplateError as exc:
        raise argparse.ArgumentTypeError(exc.en if current_language() == "en" else exc.ru) from exc
    return path.resolve()


def _quiet_prefect() -> None:
    """Keep Prefect's console output (and its server's noise) off the terminal.

    The flow's own INFO lines still reach Prefect's API, so the UI shows each
    run's log: only the console handlers are raised to WARNING, not the
    loggers (``PREFECT_LOGGING_LEVEL=WARNING`` would silence the UI too).
    """
    os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_LOGGING_HANDLERS_DEBUG_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "CRITICAL")
    os.environ.setdefault("PREFECT_LOGGING_LOG_PRINTS", "false")
    # The server's telemetry heartbeat is what races SQLite into "database is locked".
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    for name in ("uvicorn", "uvicorn.error", "sqlalchemy", "aiosqlite", "alembic"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def _paths(args: argparse.Namespace) -> dict[str, str | None]:
    """The flow's parameters: absolute paths, so a scheduled run finds them too.

    The waivers file defaults to ``waivers.csv`` beside the output folder,
    never to one in the folder the command happens to run from.
    """
    from checks.waivers import beside

    def absolute(path: Path | None) -> str | None:
        return str(path.resolve()) if path is not None else None

    return {
        "inbox": absolute(args.inbox),
        "out": absolute(args.out),
        "norms": absolute(args.norms),
        "norms_map": absolute(args.norms_map),
        "waivers": absolute(args.waivers or beside(args.out)),
        "letter_template": absolute(args.letter_template),
    }


def _preload() -> None:
    """Import what the run needs while its Prefect server starts (some 3 s of every run).

    The flow (and with it Prefect, pandas, pandera) and Great Expectations, which
    checking imports on first use.
    """
    import great_expectations  # noqa: F401

    import flows.pipeline  # noqa: F401


def _run(args: argparse.Namespace) -> int:
    from checks import runlock
    from flows import server as local_server

    paths = _paths(args)

    def waiting(holder: runlock.Holder) -> None:
        print(
            f"Папка результатов {args.out} занята другой проверкой ({holder.describe()}): "
            "ждём её окончания (Ctrl+C — отменить).",
            file=sys.stderr,
            flush=True,
        )

    with runlock.hold(args.out, wait=not args.no_wait, on_wait=waiting):
        server = None
        if not os.environ.get("PREFECT_API_URL"):
            server = local_server.start(
                _logs(args.out) / "prefect-server.log",
                services=False,
                ui=False,
                meanwhile=_preload,
            )
        try:
            # Prefect reads its settings when first imported: after PREFECT_API_URL is set.
            from flows.pipeline import reconcile, with_dask

            summary = with_dask(reconcile, args.dask_address)(
                inbox=str(paths["inbox"]),
                out=str(paths["out"]),
                norms=paths["norms"],
                norms_map=paths["norms_map"],
                waivers=paths["waivers"],
                lang=args.lang,
                no_wait=args.no_wait,
                settle_seconds=args.settle_seconds,
                letter_template=paths["letter_template"],
            )
        finally:
            if server is not None:
                _drain_prefect()
                local_server.stop(server)
    from checks.outputs import SEVERITY_RU

    counts = summary.written.counts
    out = summary.out
    if args.lang == "en":
        names = {"error": "errors", "warning": "warnings", "info": "infos", "waived": "waived"}
        print(f"Run {summary.run_id}: files checked: {summary.files}")
        if summary.waiting:
            print(f"Files still arriving, left for the next run: {summary.waiting}")
        print(f"Worklist: {summary.written.worklist} (for Excel: {summary.written.workbook})")
        print("Findings: " + ", ".join(f"{names[s]} {n}" for s, n in counts.items()))
        print(f"Report page: {out / 'report.html'}")
        print(f"Validated tables: {summary.written.validated}/")
        if not summary.written.figures_csv:
            print(
                f"validated/figures.csv left out: {summary.written.figures} figures, over the "
                "CSV limit; all of them are in validated/figures/ (Parquet)"
            )
        print(_waivers_line(summary.waivers_file, "en"))
        return 0
    print(f"Запуск {summary.run_id}: проверено файлов: {summary.files}")
    if summary.waiting:
        print(f"Ещё копируются и ждут следующего запуска: {summary.waiting}")
    print(f"Список замечаний: {summary.written.worklist} (для Excel: {summary.written.workbook})")
    print("Замечаний: " + ", ".join(f"{SEVERITY_RU[s]} {n}" for s, n in counts.items()))
    print(f"Страница отчёта: {out / 'report.html'}")
    print(f"Проверенные таблицы: {summary.written.validated}/")
    if not summary.written.figures_csv:
        print(
            f"validated/figures.csv не записан: чисел {summary.written.figures}, больше предела "
            "для CSV; все они в validated/figures/ (Parquet)"
        )
    print(_waivers_line(summary.waivers_file, "ru"))
    return 0


def _waivers_line(path: str, lang: str) -> str:
    """Name the waivers file a run applied, and say so when there is none."""
    missing = not path or not Path(path).is_file()
    if lang == "en":
        return f"Waivers: {path} (no such file: no waivers)" if missing else f"Waivers: {path}"
    return f"Исключения: {path} (файла нет — исключений нет)" if missing else f"Исключения: {path}"


def _waive(args: argparse.Namespace) -> int:
    """Write a waiver of a finding that is in the last run's worklist; exit 2 otherwise."""
    import datetime as dt

    from checks.waivers import WaiverError, add, beside, load, parse_date, worklist_rows

    english = args.lang == "en"

    def say(ru: str, en: str, *, problem: bool = False) -> None:
        print(
            ("sverka: " if problem else "") + (en if english else ru),
            file=sys.stderr if problem else sys.stdout,
        )

    today = dt.date.today()
    until = parse_date(args.until) if args.until else None
    if args.until and until is None:
        say(
            f"срок «{args.until}» не читается: нужна ГГГГ-ММ-ДД",
            f"the date «{args.until}» does not read: YYYY-MM-DD is needed",
            problem=True,
        )
        return 2
    waivers = args.waivers or beside(args.out)
    worklist = args.out / "discrepancies.csv"
    try:
        found = worklist_rows(worklist, args.fingerprint)
    except WaiverError as exc:
        say(f"исключение не записано: {exc}", f"no waiver written: {exc.en}", problem=True)
        return 2
    if not found:
        say(
            f"исключение не записано: в {worklist} нет замечания с отпечатком {args.fingerprint}",
            f"no waiver written: {worklist} has no finding with fingerprint {args.fingerprint}",
            problem=True,
        )
        return 2
    row = found[0]
    place = ", ".join(p for p in (row.get("submission"), row.get("sheet"), row.get("cell")) if p)
    say(
        f"Замечание: {place}: {row.get('message', '')}",
        f"Finding: {place}: {row.get('message', '')}",
    )
    fingerprint = args.fingerprint.strip().casefold()
    earlier = [w for w in load(waivers)[0] if w.fingerprint == fingerprint]
    same = [
        w
        for w in earlier
        if (w.reason, w.by, w.until) == (args.reason.strip(), args.by.strip(), until)
    ]
    if same:
        say(
            f"внимание: такое же исключение уже есть в {waivers} (строка {same[-1].row}); "
            "новая строка не записана.",
            f"warning: the same waiver is already in {waivers} (row {same[-1].row}); "
            "no new row written.",
            problem=True,
        )
        return 0
    try:
        waiver = add(
            waivers,
            fingerprint=fingerprint,
            reason=args.reason,
            by=args.by,
            until=until,
            today=today,
        )
    except WaiverError as exc:
        say(f"исключение не записано: {exc}", f"no waiver written: {exc.en}", problem=True)
        return 2
    say(
        f"Исключение записано в {waivers} (строка {waiver.row}). Со следующей проверки "
        "замечание останется в списке с пометкой «снято» и не будет считаться открытым.",
        f"Waiver written to {waivers} (row {waiver.row}). From the next run on the finding "
        "stays in the worklist marked as waived and is not counted as open.",
    )
    if earlier:
        holds = max([*earlier, waiver], key=lambda w: (w.date, w.row))
        rows = ", ".join(str(w.row) for w in earlier)
        say(
            f"внимание: для этого замечания в {waivers} уже есть строки: {rows}; действует "
            f"строка {holds.row} ({holds.by}, {holds.date:%d.%m.%Y}) как самое позднее решение.",
            f"warning: {waivers} already has rows for this finding: {rows}; row {holds.row} "
            f"({holds.by}, {holds.date:%d.%m.%Y}) applies as the latest decision.",
            problem=True,
        )
    if until is not None and until < today:
        say(
            f"внимание: срок {until:%d.%m.%Y} уже прошёл: исключение не действует, замечание "
            "останется открытым.",
            f"warning: the date {until:%d.%m.%Y} has passed: the waiver does not apply, the "
            "finding stays open.",
            problem=True,
        )
    return 0


def _drain_prefect() -> None:
    """Send Prefect's queued logs and events before our server stops.

    Otherwise they are sent at exit, to a server already gone, and Prefect
    prints «Error logging to API» on the operator's terminal.
    """
    import contextlib

    with contextlib.suppress(Exception):
        from prefect.logging.handlers import APILogWorker

        APILogWorker.drain_all(timeout=10)
    with contextlib.suppress(Exception):
        from prefect.events.worker import EventsWorker

        EventsWorker.drain_all(timeout=10)


def _logs(out: Path) -> Path:
    """The folder of the service's own logs: the Prefect server's, and crash reports."""
    return out / "logs"


def _serve(args: argparse.Namespace) -> int:
    from flows import server as local_server

    server = None
    if not os.environ.get("PREFECT_API_URL"):
        server = local_server.start(_logs(args.out) / "prefect-server.log")
    try:
        # Prefect reads its settings when first imported: after PREFECT_API_URL is set.
        from flows.pipeline import reconcile, with_dask
        from flows.service import serve

        ui = os.environ["PREFECT_API_URL"].removesuffix("/api")
        print(
            f"Проверка папки {args.inbox.resolve()} по расписанию «{args.cron}» ({args.timezone})."
        )
        print(f"Prefect: {ui} — Ctrl+C, чтобы остановить.", flush=True)
        serve(
            with_dask(reconcile, args.dask_address),
            name=DEPLOYMENT,
            cron=args.cron,
            timezone=args.timezone,
            parameters={**_paths(args), "lang": args.lang, "settle_seconds": args.settle_seconds},
            say=lambda line: print(line, flush=True),
            spare=() if server is None else (server.pid,),
        )
    finally:
        if server is not None:
            _drain_prefect()
            local_server.stop(server)
    print("Расписание остановлено.", flush=True)
    return 0


def _usage_problem(args: argparse.Namespace) -> str | None:
    """Say in Russian what makes the run impossible before anything is read, if anything."""
    if not args.inbox.is_dir():
        return f"папка входящих не найдена: {args.inbox}"
    out: Path = args.out
    if out.exists() and not out.is_dir():
        return f"папка результатов {out} — это файл, а не папка"
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".sverka-write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        return f"в папку результатов {out} нельзя писать ({exc.strerror or exc})"
    if args.inbox.resolve() == out.resolve():
        return "папка результатов не может совпадать с папкой входящих"
    return None


def _crash(args: argparse.Namespace, exc: BaseException) -> int:
    """Write the traceback to a log file in the output folder; one Russian line on the terminal."""
    import datetime as dt
    import traceback

    where = _logs(args.out) / f"сбой-{dt.datetime.now():%Y%m%d-%H%M%S}.log"
    try:
        where.parent.mkdir(parents=True, exist_ok=True)
        where.write_text("".join(traceback.format_exception(exc)), encoding="utf-8")
        note = f"подробности в {where}"
    except OSError:
        note = "подробности не записаны: папка результатов недоступна"
    print(
        f"sverka: проверка не завершилась ({type(exc).__name__}: {str(exc)[:200]}); "
        f"прежние результаты не тронуты; {note}",
        file=sys.stderr,
    )
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line.

    Args:
        argv: The arguments (``sys.argv[1:]`` by default).

    Returns:
        The exit status: 0 when a run completed (whatever it found), 2 for a
        usage error, 3 when the output folder is busy and ``--no-wait`` was
        given, 1 when the run could not complete.
    """
    args = _parser().parse_args(argv)
    if args.command == "waive":
        return _waive(args)
    problem = _usage_problem(args)
    if problem is not None:
        print(f"sverka: {problem}", file=sys.stderr)
        return 2
    try:
        from checks.norms import load_mapping, load_standard

        if args.norms is not None:
            load_standard(args.norms)
        if args.norms_map is not None:
            load_mapping(args.norms_map)
    except ValueError as exc:
        print(f"sverka: стандарт обслуживания не загружен: {exc}", file=sys.stderr)
        return 2
    _quiet_prefect()
    from checks.publish import PublicationError
    from checks.published import PublicationRefusedError
    from checks.runlock import OutputsBusyError

    try:
        return _run(args) if args.command == "run" else _serve(args)
    except OutputsBusyError as exc:
        print(f"sverka: {exc}; запуск отменён (--no-wait).", file=sys.stderr)
        return 3
    except (PublicationError, PublicationRefusedError) as exc:
        print(
            f"sverka: результаты не опубликованы, прежние остаются: {exc}",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        print("sverka: остановлено (Ctrl+C); прежние результаты не тронуты.", file=sys.stderr)
        return 130
    except Exception as exc:
        return _crash(args, exc)


if __name__ == "__main__":
    sys.exit(main())
