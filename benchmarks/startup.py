"""Startup time of the shomei CLI, side by side with its floors.

    python benchmarks/startup.py [--repeat N]

Every command runs N times in fresh interpreters, the commands interleaved round-robin (each round starting
one command later) so that drift in the machine's load is shared fairly. Prints the median and the minimum
wall time of each and the ratio of its median to its floor's median:

- ``shomei --help`` and ``shomei whoami`` with nobody logged in (profile ``nobody``: exit 3) against
  ``python -c "import typer"``; goals 1.6 and 2;
- ``shomei whoami`` logged in on the embedded store (no goal: it opens the store);
- ``shomei --endpoint URL whoami`` against a ``shomei serve`` on the same store, next to its floor
  ``python -c "import httpx; httpx.get(URL/api/v1/me)"`` with the same token; goal 1.5. The modules the remote
  whoami imports are checked too: keyring, SQLAlchemy and the services must not be among them.

Nothing here asserts; it only measures.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

GOAL_RATIO = 1.6
NEW_PASSWORD = "kumo-no-ue-de-odoru-77"
CHAMBER_CODE = "1301"
PYTHON = sys.executable


@dataclass
class Bench:
    label: str
    argv: list[str]
    is_help: bool = False
    floor: str = "python -c 'import typer'"
    goal: float | None = None
    exit_code: int = 0
    env: dict[str, str] = field(default_factory=dict)
    samples: list[float] = field(default_factory=list)

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples) * 1000

    @property
    def min_ms(self) -> float:
        return min(self.samples) * 1000


def base_env(home: Path) -> dict[str, str]:
    """The caller's environment without ambient shomei settings, pointed at a throw-away local store."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOMEI_")}
    env.update(
        SHOMEI_HOME=str(home),
        SHOMEI_INSECURE_STORAGE="1",
        NO_COLOR="1",
        COLUMNS="100",
        TERM="dumb",
    )
    return env


def shomei(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    """Run ``python -m shomei_cli ARGS`` for the set-up; stop with its stderr if it fails."""
    proc = subprocess.run(
        [PYTHON, "-m", "shomei_cli", *args],
        input=stdin,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        sys.exit(f"set-up failed: shomei {' '.join(args)} exited {proc.returncode}\n{proc.stderr}")
    return proc.stdout


def prepare_store(env: dict[str, str]) -> None:
    """A chamber with its first staff ID logged in, the initial password already changed."""
    created = json.loads(shomei(env, "chamber", "init", "--code", CHAMBER_CODE, "--name", "テスト", "--json"))
    staff = created["staff"]
    initial = staff["initial_password"]
    shomei(
        env,
        "login",
        "--chamber",
        CHAMBER_CODE,
        "--id",
        staff["login_id"],
        "--password-stdin",
        stdin=f"{initial}\n",
    )
    shomei(env, "passwd", "--stdin", stdin=f"{initial}\n{NEW_PASSWORD}\n")


def console_script() -> Path | None:
    """The ``shomei`` script installed next to this interpreter, if any."""
    folder = Path(PYTHON).parent
    for name in ("shomei", "shomei.exe"):
        candidate = folder / name
        if candidate.is_file():
            return candidate
    return None


HTTPX_FLOOR = "python -c 'import httpx' + one request"


def benches(url: str, token: str) -> list[Bench]:
    script = console_script()
    cli = [str(script)] if script is not None else [PYTHON, "-m", "shomei_cli"]
    name = "shomei" if script is not None else "python -m shomei_cli"
    me = f"import httpx; httpx.get('{url}/api/v1/me', headers={{'Authorization': 'Bearer {token}'}})"
    return [
        Bench("python -c 'import typer'", [PYTHON, "-c", "import typer"]),
        Bench(
            "python -m shomei_cli --help",
            [PYTHON, "-m", "shomei_cli", "--help"],
            is_help=True,
            goal=GOAL_RATIO,
        ),
        Bench(f"{name} --help", [*cli, "--help"], is_help=True, goal=GOAL_RATIO),
        Bench(f"{name} whoami (logged out)", [*cli, "--profile", "nobody", "whoami"], goal=2.0, exit_code=3),
        Bench(f"{name} whoami (logged in, embedded store)", [*cli, "whoami"]),
        Bench(HTTPX_FLOOR, [PYTHON, "-c", me]),
        Bench(
            f"{name} --endpoint URL whoami",
            [*cli, "--endpoint", url, "whoami"],
            floor=HTTPX_FLOOR,
            goal=1.5,
            env={"SHOMEI_TOKEN": token},
        ),
    ]


def run_once(bench: Bench, env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(
        bench.argv,
        env={**env, **bench.env},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != bench.exit_code:
        stderr = proc.stderr.decode(errors="replace")
        sys.exit(f"{bench.label} exited {proc.returncode}\n{stderr}")
    return elapsed


def imported_by(argv: list[str], env: dict[str, str]) -> set[str]:
    """The top-level modules (and shomei_cli's subpackages) a command imports (python -X importtime)."""
    proc = subprocess.run(
        [PYTHON, "-X", "importtime", *argv[1:]]
        if argv[0] == PYTHON
        else [PYTHON, "-X", "importtime", "-m", "shomei_cli", *argv[1:]],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    names = set()
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            module = line.rsplit("|", 1)[1].strip()
            names.add(module)
    return names


def measure(items: list[Bench], env: dict[str, str], repeat: int) -> None:
    for bench in items:  # warm-up: bytecode caches and the OS page cache
        run_once(bench, env)
    for round_no in range(repeat):
        shift = round_no % len(items)
        for bench in items[shift:] + items[:shift]:
            bench.samples.append(run_once(bench, env))


def report(items: list[Bench], repeat: int) -> None:
    floors = {b.label: b.median_ms for b in items}
    width = max(len(b.label) for b in items)
    print(f"Startup wall time, {repeat} runs each, interleaved ({sys.version.split()[0]}, {PYTHON})")
    print(f"{'command':<{width}}  {'median ms':>9}  {'min ms':>7}  {'ratio':>6}  floor (goal)")
    for bench in items:
        ratio = bench.median_ms / floors[bench.floor]
        goal = ""
        if bench.goal is not None:
            goal = f"({'MET' if ratio <= bench.goal else 'NOT MET'}: goal <= {bench.goal})"
        print(
            f"{bench.label:<{width}}  {bench.median_ms:>9.1f}  {bench.min_ms:>7.1f}  {ratio:>5.2f}x  "
            f"{bench.floor} {goal}"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=15, help="runs per command (default: 15)")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    with tempfile.TemporaryDirectory(prefix="shomei-bench-") as tmp:
        env = base_env(Path(tmp) / "home")
        prepare_store(env)
        with server(env) as url:
            token = remote_token(env, url)
            items = benches(url, token)
            measure(items, env, args.repeat)
            remote = imported_by([PYTHON, "--endpoint", url, "whoami"], {**env, "SHOMEI_TOKEN": token})
    report(items, args.repeat)
    heavy = sorted(
        m for m in remote if m in ("keyring", "sqlalchemy", "sqlmodel") or m.startswith("shomei_cli.services")
    )
    print(
        f"remote whoami imports keyring, SQLAlchemy or the services: {', '.join(heavy) if heavy else 'none'}"
    )


@contextmanager
def server(env: dict[str, str]) -> Iterator[str]:
    """``shomei serve`` on the benchmark's store, on a free port; its URL."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [PYTHON, "-m", "shomei_cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        import httpx

        for _ in range(300):
            try:
                httpx.get(f"{url}/api/v1/health", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def remote_token(env: dict[str, str], url: str) -> str:
    """A session through the server, of a second staff ID (a login ends the same ID's other session, and the
    embedded whoami keeps S00001's); whoami works before its first password change."""
    import httpx

    added = json.loads(shomei(env, "chamber", "staff", "add", "--name", "Bench", "--json"))
    login_id = added.get("login_id") or added["account"]["login_id"]
    password = added.get("initial_password") or added["account"]["initial_password"]
    body = {"chamber_code": CHAMBER_CODE, "login_id": login_id, "password": password}
    response = httpx.post(f"{url}/api/v1/sessions", json=body, timeout=30)
    response.raise_for_status()
    return str(response.json()["token"])


if __name__ == "__main__":
    main()
