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
    for name in ("uvicorn", "uvicorn.error", "sqlalchemy", "aiosqlite", "alembic"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def _run(inbox: Path, out: Path, norms: Path | None, norms_map: Path | None) -> int:
    from checks.outputs import SEVERITY_RU
    from flows.pipeline import reconcile

    summary = reconcile(
        inbox=str(inbox),
        out=str(out),
        norms=str(norms.resolve()) if norms else None,
        norms_map=str(norms_map.resolve()) if norms_map else None,
    )
    counts = summary.written.counts
    print(f"Проверено файлов: {summary.files}")
    print(f"Список замечаний: {summary.written.worklist} (для Excel: {summary.written.workbook})")
    print("Замечаний: " + ", ".join(f"{SEVERITY_RU[s]} {n}" for s, n in counts.items()))
    print(f"Проверенные таблицы: {summary.written.validated}/")
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


def _serve(  # noqa: PLR0917 (the command's options, in order)
    inbox: Path, out: Path, norms: Path | None, norms_map: Path | None, cron: str, timezone: str
) -> int:
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    server = None
    if not os.environ.get("PREFECT_API_URL"):
        server = _start_local_server(out / "prefect-server.log")
    try:
        from prefect.schedules import Cron

        from flows.pipeline import reconcile

        ui = os.environ["PREFECT_API_URL"].removesuffix("/api")
        print(f"Проверка папки {inbox.resolve()} по расписанию «{cron}» ({timezone}).")
        print(f"Prefect: {ui} — Ctrl+C, чтобы остановить.", flush=True)
        reconcile.serve(
            name=DEPLOYMENT,
            schedules=[Cron(cron, timezone=timezone)],
            parameters={
                "inbox": str(inbox.resolve()),
                "out": str(out.resolve()),
                "norms": str(norms.resolve()) if norms else None,
                "norms_map": str(norms_map.resolve()) if norms_map else None,
            },
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
    if args.command == "run":
        return _run(args.inbox, args.out, args.norms, args.norms_map)
    return _serve(args.inbox, args.out, args.norms, args.norms_map, args.cron, args.timezone)


if __name__ == "__main__":
    sys.exit(main())
