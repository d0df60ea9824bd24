"""``sverka serve``: the nightly deployment, and how it starts and stops.

The deployment runs one flow run at a time (the runner's limit and a
deployment concurrency limit of 1). After downtime Prefect holds one
scheduled run per missed night; only the latest is kept, the others are
marked cancelled with a note, so one catch-up run starts.

Prefect's runner normally takes over SIGTERM and exits at once, leaving a
run it was executing RUNNING in the database forever. Here the runner works
in a thread of its own and the main thread handles SIGTERM and Ctrl+C: a run
in progress gets :data:`GRACE_S` seconds to finish, is then cancelled (its
outputs are not published, the previous set stays), the runner stops and
the server with it, all within about 30 seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any
from uuid import UUID

GRACE_S = 15.0
ACTIVE = ("RUNNING", "PENDING", "CANCELLING")


async def _runs(deployment_id: UUID, states: tuple[str, ...]) -> list[Any]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        DeploymentFilter,
        DeploymentFilterId,
        FlowRunFilter,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType

    async with get_client() as client:
        return list(
            await client.read_flow_runs(
                deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id])),
                flow_run_filter=FlowRunFilter(
                    state=FlowRunFilterState(
                        type=FlowRunFilterStateType(any_=[StateType(s) for s in states])
                    )
                ),
            )
        )


async def skip_missed(deployment_id: UUID, now: dt.datetime | None = None) -> int:
    """Keep only the latest of the scheduled runs whose time has passed.

    Args:
        deployment_id: The nightly deployment.
        now: The present moment (now if not given).

    Returns:
        How many missed runs were marked cancelled.
    """
    from prefect.client.orchestration import get_client
    from prefect.states import Cancelled

    moment = now or dt.datetime.now(dt.UTC)
    late = sorted(
        (
            run
            for run in await _runs(deployment_id, ("SCHEDULED",))
            if run.expected_start_time is not None and run.expected_start_time <= moment
        ),
        key=lambda run: run.expected_start_time,
    )
    async with get_client() as client:
        for run in late[:-1]:
            await client.set_flow_run_state(
                run.id,
                Cancelled(message="пропущен: после перерыва выполняется один догоняющий запуск"),
                force=True,
            )
    return max(0, len(late) - 1)


def _children(spare: Collection[int]) -> list[int]:
    """Our child processes (the runner's flow runs), the server aside."""
    me, found = os.getpid(), []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) in spare:
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == me:
                found.append(int(entry.name))
    return found


async def _finish_or_cancel(
    deployment_id: UUID, say: Callable[[str], None], spare: Collection[int]
) -> None:
    from prefect.client.orchestration import get_client
    from prefect.states import Cancelled

    deadline = time.monotonic() + GRACE_S
    active = await _runs(deployment_id, ACTIVE)
    if active:
        say(f"Идёт проверка: ждём её окончания до {GRACE_S:.0f} с.")
    while active and time.monotonic() < deadline:
        await asyncio.sleep(1)
        active = await _runs(deployment_id, ACTIVE)
    if not active:
        return
    say("Проверка не успела закончиться: она отменена, прежние результаты остаются.")
    # The run is marked first, then its process is killed outright: a SIGTERM
    # would make Prefect's engine print tracebacks, and the outputs are safe
    # either way (nothing is published before the switch).
    logging.getLogger("prefect.flow_runs.runner").setLevel(logging.CRITICAL)
    logging.getLogger("prefect.runner").setLevel(logging.CRITICAL)
    async with get_client() as client:
        for run in active:
            await client.set_flow_run_state(
                run.id, Cancelled(message="сервис остановлен (SIGTERM)"), force=True
            )
    for pid in _children(spare):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def serve(
    flow: Any,
    *,
    name: str,
    cron: str,
    timezone: str,
    parameters: dict[str, Any],
    say: Callable[[str], None],
    spare: Collection[int] = (),
) -> None:
    """Serve the flow on a cron schedule until SIGTERM or Ctrl+C.

    Args:
        flow: The Prefect flow.
        name: The deployment's name.
        cron: The schedule.
        timezone: The schedule's time zone.
        parameters: The flow's parameters.
        say: Prints a line for the operator.
        spare: Child processes not to kill on the way out (our Prefect server).
    """
    from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
    from prefect.runner import Runner
    from prefect.schedules import Cron

    runner = Runner(name=name, pause_on_shutdown=False, limit=1)
    deployment_id: UUID = runner.add_flow(  # type: ignore[assignment]
        flow,
        name=name,
        schedules=[Cron(cron, timezone=timezone)],
        parameters=parameters,
        concurrency_limit=ConcurrencyLimitConfig(
            limit=1, collision_strategy=ConcurrencyLimitStrategy.ENQUEUE
        ),
    )
    skipped = asyncio.run(skip_missed(deployment_id))
    if skipped:
        say(f"Пропущено запусков за время простоя: {skipped}; выполняется один, последний.")
    stop = threading.Event()
    loop = asyncio.new_event_loop()
    failure: list[BaseException] = []

    def work() -> None:
        try:
            loop.run_until_complete(runner.start())
        except BaseException as exc:  # reported by the main thread
            failure.append(exc)
        finally:
            stop.set()

    def request_stop(signum: int, frame: object) -> None:
        stop.set()

    previous = {s: signal.signal(s, request_stop) for s in (signal.SIGTERM, signal.SIGINT)}
    thread = threading.Thread(target=work, name="prefect-runner", daemon=True)
    thread.start()
    try:
        while not stop.wait(1):
            pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if failure:
        raise failure[0]
    say("Останавливаем расписание…")
    asyncio.run(_finish_or_cancel(deployment_id, say, spare))
    if loop.is_running():
        stopping = asyncio.run_coroutine_threadsafe(runner.astop(), loop)
        # The runner's thread is a daemon: if it does not stop in time, it ends with us.
        with contextlib.suppress(Exception):
            stopping.result(timeout=5)
    thread.join(timeout=5)
