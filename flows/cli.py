"""The ``sverka`` command: one run now, or a nightly schedule.

Exit status: 0 whenever a run completed, whatever it found; 2 for a usage
error (argparse's own), 1 if the run itself could not complete.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

DEFAULT_CRON = "0 2 * * *"
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
    """Keep the temporary server's shutdown noise (SQLite locks) out of the terminal."""
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "CRITICAL")
    os.environ.setdefault("PREFECT_LOGGING_LOG_PRINTS", "false")
    for name in ("uvicorn", "uvicorn.error", "sqlalchemy", "aiosqlite", "alembic"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def _run(inbox: Path, out: Path) -> int:
    from checks.outputs import SEVERITY_RU
    from flows.pipeline import reconcile

    summary = reconcile(inbox=str(inbox), out=str(out))
    counts = summary.written.counts
    print(f"Проверено файлов: {summary.files}")
    print(f"Список замечаний: {summary.written.worklist} (для Excel: {summary.written.workbook})")
    print("Замечаний: " + ", ".join(f"{SEVERITY_RU[s]} {n}" for s, n in counts.items()))
    print(f"Проверенные таблицы: {summary.written.validated}/")
    return 0


def _serve(inbox: Path, out: Path, cron: str, timezone: str) -> int:
    from prefect.schedules import Cron

    from flows.pipeline import reconcile

    print(f"Проверка папки {inbox.resolve()} по расписанию «{cron}» ({timezone}); Ctrl+C — стоп.")
    reconcile.serve(
        name="sverka-nightly",
        schedules=[Cron(cron, timezone=timezone)],
        parameters={"inbox": str(inbox.resolve()), "out": str(out.resolve())},
        print_starting_message=False,
    )
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
    _quiet_prefect()
    if args.command == "run":
        return _run(args.inbox, args.out)
    return _serve(args.inbox, args.out, args.cron, args.timezone)


if __name__ == "__main__":
    sys.exit(main())
