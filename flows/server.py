"""A Prefect server of our own on loopback that dies with ``sverka``.

Prefect's own temporary server outlives a ``kill -9`` of the process that
started it (it is re-parented to PID 1 and keeps 190 MB). Ours is started
through this module run as a program: it asks the Linux kernel to kill it
when its parent dies (``PR_SET_PDEATHSIG``), checks that the parent is still
there, and only then becomes ``prefect server start`` (``exec`` keeps the
request). The server runs uvicorn in its own process, so nothing is left
behind, whatever ends ``sverka``.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

PR_SET_PDEATHSIG = 1
START_TIMEOUT_S = 180


class ServerError(Exception):
    """The local Prefect server did not start; the message says where to look."""


def _die_with_parent(parent: int) -> None:
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start(
    log_path: Path,
    *,
    services: bool = True,
    ui: bool = True,
    meanwhile: Callable[[], object] | None = None,
) -> subprocess.Popen[bytes]:
    """Start a Prefect server on loopback and point ``PREFECT_API_URL`` at it.

    Args:
        log_path: Where the server's own output goes (kept off the terminal).
        services: Run the scheduler and other services (needed by ``serve``).
        ui: Serve Prefect's web UI.
        meanwhile: Work to do while the server starts (some 5 s), with
            ``PREFECT_API_URL`` already set: importing Prefect reads it.

    Returns:
        The server process.

    Raises:
        ServerError: It exited or did not answer in :data:`START_TIMEOUT_S`.
    """
    port = _free_port()
    log_path.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "flows.server", str(os.getpid()), "--port", str(port)]
    if not services:
        command.append("--no-services")
    env = {**os.environ, "PREFECT_UI_ENABLED": "true" if ui else "false"}
    env.pop("PREFECT_API_URL", None)
    with log_path.open("ab") as log:
        server = subprocess.Popen(  # noqa: S603 (our own interpreter, fixed arguments)
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            # Its own session: Ctrl+C in the terminal goes to sverka, which then stops
            # its runs while the server still answers, and stops the server last.
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}/api"
    if meanwhile is not None:
        os.environ["PREFECT_API_URL"] = url
        try:
            meanwhile()
        except BaseException:
            del os.environ["PREFECT_API_URL"]
            stop(server)
            raise
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            os.environ.pop("PREFECT_API_URL", None)
            raise ServerError(f"сервер Prefect не запустился, см. {log_path}")
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"{url}/health", timeout=2) as answer,  # noqa: S310
        ):
            if answer.status == 200:
                os.environ["PREFECT_API_URL"] = url
                return server
        time.sleep(0.3)
    os.environ.pop("PREFECT_API_URL", None)
    stop(server)
    raise ServerError(f"сервер Prefect не ответил за {START_TIMEOUT_S} с, см. {log_path}")


def stop(server: subprocess.Popen[bytes], grace: float = 10.0) -> None:
    """Stop the server: SIGTERM, then SIGKILL after ``grace`` seconds."""
    if server.poll() is not None:
        return
    server.terminate()
    try:
        server.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def main(argv: list[str]) -> None:
    """Become ``prefect server start`` on 127.0.0.1, bound to die with our parent.

    Args:
        argv: The parent's pid, then ``prefect server start``'s options.
    """
    _die_with_parent(int(argv[0]))
    os.execv(  # noqa: S606 (our own interpreter, fixed arguments)
        sys.executable,
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", *argv[1:]],
    )


if __name__ == "__main__":
    main(sys.argv[1:])
