"""A fault-injection hook for the crash tests: ``SHOMEI_TEST_KILL_AT=POINT:N`` kills the process outright
(SIGKILL: no cleanup, no rollback, no flush) the N-th time it passes POINT. Unset, it costs one lookup."""

from __future__ import annotations

import os
import signal
import threading

ENVIRONMENT = "SHOMEI_TEST_KILL_AT"
_passed: dict[str, int] = {}
_lock = threading.Lock()


def checkpoint(point: str) -> None:
    """Die here if the environment asks for it (``hashing``, ``rendering``, ``written``, ``renamed``…)."""
    wanted = os.environ.get(ENVIRONMENT)
    if not wanted:
        return
    name, _sep, count = wanted.partition(":")
    if name != point:
        return
    with _lock:
        _passed[point] = _passed.get(point, 0) + 1
        if _passed[point] >= int(count or "1"):
            os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))
