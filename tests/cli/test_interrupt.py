"""Ctrl-C ends a command with exit 130 wherever it comes, at a prompt or in the middle of work (README's exit
codes), and leaves nothing half-done; a declined confirmation still exits 1."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGINT as POSIX delivers it")


def test_ctrl_c_at_the_password_prompt_exits_130(tmp_path: Path) -> None:
    env = {**os.environ, "SHOMEI_HOME": str(tmp_path / "home"), "SHOMEI_LANG": "en"}
    command = [
        sys.executable,
        "-m",
        "shomei_cli",
        "--database-url",
        f"sqlite:///{tmp_path / 'store.db'}",
        "login",
        "--chamber",
        "1301",
        "--id",
        "S00001",
    ]
    process = subprocess.Popen(
        command, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        seen = _wait_for(process, b"Password")  # the prompt waits on stdin, which never gets a line
        process.send_signal(signal.SIGINT)
        _out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert b"Password" in seen
    assert process.returncode == 130
    assert (seen + err).decode().endswith("Interrupted.\n")


def _wait_for(process: subprocess.Popen[bytes], text: bytes, timeout: float = 30.0) -> bytes:
    """What the process wrote to stderr until ``text`` appeared (or the time ran out)."""
    assert process.stderr is not None
    os.set_blocking(process.stderr.fileno(), False)
    seen = b""
    deadline = time.monotonic() + timeout
    while text not in seen and time.monotonic() < deadline and process.poll() is None:
        try:
            seen += os.read(process.stderr.fileno(), 4096)
        except BlockingIOError:
            time.sleep(0.05)
    os.set_blocking(process.stderr.fileno(), True)
    return seen
