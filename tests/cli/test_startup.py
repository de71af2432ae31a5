"""Startup stays light: ``shomei --help`` and every group's ``--help`` load none of the heavy libraries
(store, HTTP client, keyring, PDF, server). Each command runs in a fresh interpreter, since a module
imported by any earlier test would otherwise hide a regression."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

FORBIDDEN = frozenset(
    {
        "sqlmodel",
        "sqlalchemy",
        "fpdf",
        "httpx",
        "keyring",
        "fastapi",
        "alembic",
        "argon2",
        "uvicorn",
        "psycopg",
    }
)
# pydantic is not on the list: Typer (0.29+) itself converts every non-boolean option value with it,
# so any command given an option loads it. `shomei --help` alone does not; the benchmark measures that.

GROUPS = ("chamber", "admin", "signer", "subid", "cert", "db", "config", "demo")
TOP_COMMANDS = ("login", "logout", "whoami", "passwd")

# Runs the console-script entry point with argv patched, then writes the exit code and the loaded modules
# to the file named by the first argument, whatever way the CLI ends.
PROBE = """
import json, sys
out, args = sys.argv[1], sys.argv[2:]
sys.argv = ["shomei", *args]
code = 0
try:
    from shomei_cli.cli.main import run
    run()
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
finally:
    with open(out, "w", encoding="utf-8") as fh:
        json.dump({"exit_code": code, "modules": sorted(sys.modules)}, fh)
"""


def _probe(args: list[str], tmp_path: Path, **env: str) -> tuple[int, set[str]]:
    out = tmp_path / "modules.json"
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, str(out), *args],
        env={**os.environ, **env},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, f"probe of shomei {' '.join(args)} failed:\n{proc.stderr}"
    report = json.loads(out.read_text(encoding="utf-8"))
    return report["exit_code"], set(report["modules"])


@pytest.mark.parametrize(
    "args",
    [["--help"], *([group, "--help"] for group in GROUPS), ["chamber", "staff", "--help"]],
    ids=lambda args: " ".join(args),
)
def test_help_loads_no_heavy_module(args: list[str], tmp_path: Path) -> None:
    exit_code, modules = _probe(args, tmp_path)
    loaded = {name.partition(".")[0] for name in modules} & FORBIDDEN
    assert loaded == set(), f"shomei {' '.join(args)} imported {sorted(loaded)}"
    assert exit_code == 0, f"shomei {' '.join(args)} exited {exit_code}"


def test_python_m_help_lists_groups_and_commands(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "shomei_cli", "--help"],
        env=dict(os.environ),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    # Each command starts its own row of the command list (after the box border, if any).
    listed = set(re.findall(r"^[\s│|]*([a-z][a-z-]*)\s{2,}", proc.stdout, flags=re.MULTILINE))
    missing = [name for name in (*GROUPS[:5], *TOP_COMMANDS) if name not in listed]
    assert missing == [], f"not listed in shomei --help: {missing}\n{proc.stdout}"


def test_remote_mode_never_imports_the_store(tmp_path: Path) -> None:
    """`shomei --endpoint … whoami` loads httpx, never SQLModel, SQLAlchemy, Alembic, the services, or the
    keyring when the token is at hand (here SHOMEI_TOKEN)."""
    import socket

    with socket.socket() as sock:  # a port on this machine that nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    args = ["--endpoint", f"http://127.0.0.1:{port}", "whoami"]
    exit_code, modules = _probe(args, tmp_path, SHOMEI_TOKEN="a-token")
    top_level = {name.partition(".")[0] for name in modules}
    assert (
        top_level & {"sqlmodel", "sqlalchemy", "alembic", "argon2", "fastapi", "keyring", "pydantic"} == set()
    )
    assert {name for name in modules if name.startswith("shomei_cli.services")} == set()
    assert "httpx" in top_level
    assert exit_code == 8  # the endpoint cannot be reached


@pytest.mark.parametrize("remote", [False, True], ids=["embedded", "remote"])
def test_nobody_logged_in_is_said_before_the_services_load(tmp_path: Path, remote: bool) -> None:
    """A command that needs a session, with none saved: exit 3 before the store, the HTTP client or the
    services are imported, and nothing is made on disk."""
    home = tmp_path / "home"
    endpoint = ["--endpoint", "http://127.0.0.1:9"] if remote else []
    env = {"SHOMEI_HOME": str(home), "SHOMEI_TOKEN": ""}
    for args in (["whoami"], ["cert", "list", "--json"], ["signer", "list"]):
        exit_code, modules = _probe([*endpoint, *args], tmp_path, **env)
        top_level = {name.partition(".")[0] for name in modules}
        assert exit_code == 3, args
        assert top_level & (FORBIDDEN - {"keyring"}) == set(), (args, sorted(top_level & FORBIDDEN))
        if args == ["whoami"]:  # options with numbers still go through pydantic (Typer's own conversion)
            assert "pydantic" not in top_level
        assert {name for name in modules if name.startswith("shomei_cli.services")} == set()
    assert not (home / "data").exists()
