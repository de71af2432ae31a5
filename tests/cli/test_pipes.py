"""`shomei … --json | head`: when the reader goes away, shomei stops quietly (no traceback, no "Unexpected
error" line), exit 1, as the Python documentation advises for SIGPIPE."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_a_reader_that_goes_away_stops_the_output_quietly(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOMEI_")}
    env.update(SHOMEI_HOME=str(tmp_path), SHOMEI_LANG="en")
    process = subprocess.Popen(
        [sys.executable, "-m", "shomei_cli", "cert", "schema", "--type", "co"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # the reader is gone before the first byte is written
    status = process.wait(timeout=60)
    assert (status, process.stderr.read()) == (1, b"")
