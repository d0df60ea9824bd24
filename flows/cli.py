"""The ``sverka`` command: one run now, or a nightly schedule.

Exit status: 0 whenever a run completed, whatever it found; 2 for a usage
error (argparse's own), 1 if the run itself could not complete.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path

DEFAULT_CRON = "0 2 * * *"
DEFAULT_WAIVERS = "waivers.csv"
DEPLOYMENT = "sverka-nightly"
SERVER_START_TIMEOUT_S = 90
DEFAULT_TIMEZONE = "Europe/Moscow"
#: A scheduled run leaves files changed in the last minute for the next night.
DEFAULT_SETTLE_SERVE = 60


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
    for sub in (run, serve, waive):
        sub.add_argument(
            "--waivers",
            type=Path,
            default=Path(DEFAULT_WAIVERS),
            help=f"файл исключений (по умолчанию {DEFAULT_WAIVERS}; нет файла — нет исключений)",
        )
    for sub, settle in ((run, 0), (serve, DEFAULT_SETTLE_SERVE)):
        sub.add_argument(
            "--settle-seconds",
            type=float,
            default=settle,
            metavar="С",
            help="файл, изменённый менее чем столько секунд назад, ждёт следующего запуска "
            f"(возможно, его ещё копируют); по умолчанию {settle}",
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
    """Keep the temporary server's noise (SQLite locks at shutdown) out of the terminal."""
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "CRITICAL")
    os.environ.setdefault("PREFECT_LOGGING_LOG_PRINTS", "false")
    # The server's telemetry heartbeat is what races SQLite into "database is locked".
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    # The temporary server migrates a new database on its first start; on a busy
    # machine that outlasts Prefect's 20 s default and the run would fail.
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
    from checks.outputs import SEVERITY_RU
    from flows.pipeline import reconcile

    paths = _paths(args)
    summary = reconcile(
        inbox=str(paths["inbox"]),
        out=str(paths["out"]),
        norms=paths["norms"],
        norms_map=paths["norms_map"],
        waivers=paths["waivers"],
        lang=args.lang,
        settle_seconds=args.settle_seconds,
    )
    counts = summary.written.counts
    out = summary.written.worklist.parent
    if args.lang == "en":
        names = {"error": "errors", "warning": "warnings", "info": "infos", "waived": "waived"}
        print(f"Files checked: {summary.files}")
        print(f"Worklist: {summary.written.worklist} (for Excel: {summary.written.workbook})")
        print("Findings: " + ", ".join(f"{names[s]} {n}" for s, n in counts.items()))
        print(f"Report page: {out / 'report.html'}")
        print(f"Validated tables: {summary.written.validated}/")
        return 0
    print(f"Проверено файлов: {summary.files}")
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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start_local_server(log_path: Path) -> subprocess.Popen[bytes]:
    """Start a Prefect server on loopback; Prefect cannot schedule on its ephemeral API.

    Args:
        log_path: Where the server's own output goes (kept off the terminal).

    Returns:
        The server process; ``PREFECT_API_URL`` points at it afterwards.
    """
    port = _free_port()
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        server = subprocess.Popen(  # noqa: S603 (our own interpreter, fixed arguments)
            [
                sys.executable,
                "-m",
                "prefect",
                "server",
                "start",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/api"
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"сервер Prefect не запустился, см. {log_path}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as answer:  # noqa: S310
                if answer.status == 200:
                    os.environ["PREFECT_API_URL"] = url
                    return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise RuntimeError(f"сервер Prefect не ответил за {SERVER_START_TIMEOUT_S} с, см. {log_path}")


def _stop_on_sigterm(signum: int, frame: object) -> None:
    """Let a service manager's SIGTERM stop the schedule as Ctrl+C does."""
    raise KeyboardInterrupt


def _serve(args: argparse.Namespace) -> int:
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    server = None
    if not os.environ.get("PREFECT_API_URL"):
        server = _start_local_server(args.out / "prefect-server.log")
    try:
        from prefect.schedules import Cron

        from flows.pipeline import reconcile

        ui = os.environ["PREFECT_API_URL"].removesuffix("/api")
        print(
            f"Проверка папки {args.inbox.resolve()} по расписанию «{args.cron}» ({args.timezone})."
        )
        print(f"Prefect: {ui} — Ctrl+C, чтобы остановить.", flush=True)
        reconcile.serve(
            name=DEPLOYMENT,
            schedules=[Cron(args.cron, timezone=args.timezone)],
            parameters={**_paths(args), "lang": args.lang, "settle_seconds": args.settle_seconds},
            print_starting_message=False,
        )
    except KeyboardInterrupt:
        print("Расписание остановлено.")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line.

    Args:
        argv: The arguments (``sys.argv[1:]`` by default).

    Returns:
        The exit status.
    """
    args = _parser().parse_args(argv)
    if args.command == "waive":
        return _waive(args)
    if not args.inbox.is_dir():
        print(f"sverka: папка входящих не найдена: {args.inbox}", file=sys.stderr)
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
    return _run(args) if args.command == "run" else _serve(args)


if __name__ == "__main__":
    sys.exit(main())
