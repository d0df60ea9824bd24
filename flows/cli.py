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

DEFAULT_CRON = "0 2 * * *"
DEFAULT_WAIVERS = "waivers.csv"
DEPLOYMENT = "sverka-nightly"
SERVER_START_TIMEOUT_S = 90
DEFAULT_TIMEZONE = "Europe/Moscow"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
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
            "с цифрами и их статусом. Код выхода 0, если проверка прошла, что бы она ни нашла."
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
    waive = commands.add_parser(
        "waive",
        help="принять замечание с причиной: оно больше не попадёт в список",
        description=(
            "Записывает исключение в файл исключений (CSV, его можно править и в Excel): "
            "замечание с этим отпечатком (столбец fingerprint списка замечаний) больше не "
            "считается открытым — ни при следующих проверках, ни в исправленном файле той же "
            "организации за тот же год, пока оно то же самое и пока не истёк срок --until."
        ),
    )
    waive.add_argument("fingerprint", metavar="ОТПЕЧАТОК", help="столбец fingerprint замечания")
    waive.add_argument("--reason", required=True, help="почему замечание принято")
    waive.add_argument("--by", required=True, help="кто принял решение")
    waive.add_argument("--until", default=None, help="последний день действия, ГГГГ-ММ-ДД")
    waive.add_argument(
        "--out",
        type=Path,
        default=Path("outputs"),
        help="папка результатов, где искать замечание (по умолчанию outputs/)",
    )
    for sub in (run, serve):
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
            default=Path(DEFAULT_WAIVERS),
            help=f"файл исключений (по умолчанию {DEFAULT_WAIVERS}; нет файла — нет исключений)",
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
    # A new database is migrated on the server's first start; on a busy machine
    # that outlasts Prefect's 20 s default.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
    for name in ("uvicorn", "uvicorn.error", "sqlalchemy", "aiosqlite", "alembic"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def _paths(args: argparse.Namespace) -> dict[str, str | None]:
    """The flow's parameters: absolute paths, so a scheduled run finds them too."""

    def absolute(path: Path | None) -> str | None:
        return str(path.resolve()) if path is not None else None

    return {
        "inbox": absolute(args.inbox),
        "out": absolute(args.out),
        "norms": absolute(args.norms),
        "norms_map": absolute(args.norms_map),
        "waivers": absolute(args.waivers),
    }


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
                _logs(args.out) / "prefect-server.log", services=False, ui=False
            )
        try:
            # Prefect reads its settings when first imported: after PREFECT_API_URL is set.
            from flows.pipeline import reconcile

            summary = reconcile(
                inbox=str(paths["inbox"]),
                out=str(paths["out"]),
                norms=paths["norms"],
                norms_map=paths["norms_map"],
                waivers=paths["waivers"],
                lang=args.lang,
                no_wait=args.no_wait,
            )
        finally:
            if server is not None:
                local_server.stop(server)
    from checks.outputs import SEVERITY_RU

    counts = summary.written.counts
    out = summary.out
    if args.lang == "en":
        names = {"error": "errors", "warning": "warnings", "info": "infos", "waived": "waived"}
        print(f"Run {summary.run_id}: files checked: {summary.files}")
        print(f"Worklist: {summary.written.worklist} (for Excel: {summary.written.workbook})")
        print("Findings: " + ", ".join(f"{names[s]} {n}" for s, n in counts.items()))
        print(f"Report page: {out / 'report.html'}")
        print(f"Validated tables: {summary.written.validated}/")
        return 0
    print(f"Запуск {summary.run_id}: проверено файлов: {summary.files}")
    print(f"Список замечаний: {summary.written.worklist} (для Excel: {summary.written.workbook})")
    print("Замечаний: " + ", ".join(f"{SEVERITY_RU[s]} {n}" for s, n in counts.items()))
    print(f"Страница отчёта: {out / 'report.html'}")
    print(f"Проверенные таблицы: {summary.written.validated}/")
    return 0


def _waive(args: argparse.Namespace) -> int:
    import csv
    import datetime as dt

    from checks.waivers import WaiverError, add, parse_date

    until = parse_date(args.until) if args.until else None
    if args.until and until is None:
        print(f"sverka: срок «{args.until}» не читается: нужна ГГГГ-ММ-ДД", file=sys.stderr)
        return 2
    worklist = args.out / "discrepancies.csv"
    if worklist.exists():
        with worklist.open(encoding="utf-8", newline="") as handle:
            found = [r for r in csv.DictReader(handle) if r.get("fingerprint") == args.fingerprint]
        if not found:
            print(
                f"sverka: в {worklist} нет замечания с отпечатком {args.fingerprint}",
                file=sys.stderr,
            )
            return 2
        print(f"Замечание: {found[0]['submission']}, {found[0]['message']}")
    try:
        waiver = add(
            args.waivers,
            fingerprint=args.fingerprint,
            reason=args.reason,
            by=args.by,
            until=until,
            today=dt.date.today(),
        )
    except WaiverError as exc:
        print(f"sverka: исключение не записано: {exc}", file=sys.stderr)
        return 2
    print(f"Исключение записано в {args.waivers} (строка {waiver.row}).")
    return 0


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
        from flows.pipeline import reconcile
        from flows.service import serve

        ui = os.environ["PREFECT_API_URL"].removesuffix("/api")
        print(
            f"Проверка папки {args.inbox.resolve()} по расписанию «{args.cron}» ({args.timezone})."
        )
        print(f"Prefect: {ui} — Ctrl+C, чтобы остановить.", flush=True)
        serve(
            reconcile,
            name=DEPLOYMENT,
            cron=args.cron,
            timezone=args.timezone,
            parameters={**_paths(args), "lang": args.lang},
            say=lambda line: print(line, flush=True),
            spare=() if server is None else (server.pid,),
        )
    finally:
        if server is not None:
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
    from checks.runlock import OutputsBusyError

    try:
        return _run(args) if args.command == "run" else _serve(args)
    except OutputsBusyError as exc:
        print(f"sverka: {exc}; запуск отменён (--no-wait).", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        print("sverka: остановлено (Ctrl+C); прежние результаты не тронуты.", file=sys.stderr)
        return 130
    except Exception as exc:
        return _crash(args, exc)


if __name__ == "__main__":
    sys.exit(main())
