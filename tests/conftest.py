"""Test set-up: Prefect gets a home of its own, never the developer's."""

from __future__ import annotations

import os
import tempfile

# Before anything imports Prefect: its settings are read at import time.
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="sverka-prefect-"))
os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "CRITICAL")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
