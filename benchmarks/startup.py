"""Startup time of the shomei CLI, side by side with a bare ``import typer``.

    python benchmarks/startup.py [--repeat N]

Every command runs N times in fresh interpreters, the commands interleaved round-robin (each round starting
one command later) so that drift in the machine's load is shared fairly. Prints the median and the minimum
wall time of each, the ratio of its median to the ``import typer`` median, and whether the goal
``shomei --help <= 1.6 x import typer`` is met. Nothing here asserts; it only measures.
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


def benches() -> list[Bench]:
    found = [
        Bench("python -c 'import typer'", [PYTHON, "-c", "import typer"]),
        Bench("python -m shomei_cli --help", [PYTHON, "-m", "shomei_cli", "--help"], is_help=True),
    ]
    script = console_script()
    if script is not None:
        found.append(Bench("shomei --help (console script)", [str(script), "--help"], is_help=True))
        found.append(Bench("shomei whoami (console script)", [str(script), "whoami"]))
    else:
        found.append(Bench("python -m shomei_cli whoami", [PYTHON, "-m", "shomei_cli", "whoami"]))
    return found


def run_once(bench: Bench, env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(
        bench.argv,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        stderr = proc.stderr.decode(errors="replace")
        sys.exit(f"{bench.label} exited {proc.returncode}\n{stderr}")
    return elapsed


def measure(items: list[Bench], env: dict[str, str], repeat: int) -> None:
    for bench in items:  # warm-up: bytecode caches and the OS page cache
        run_once(bench, env)
    for round_no in range(repeat):
        shift = round_no % len(items)
        for bench in items[shift:] + items[:shift]:
            bench.samples.append(run_once(bench, env))


def report(items: list[Bench], repeat: int) -> None:
    baseline = items[0].median_ms
    width = max(len(b.label) for b in items)
    print(f"Startup wall time, {repeat} runs each, interleaved ({sys.version.split()[0]}, {PYTHON})")
    print(f"{'command':<{width}}  {'median ms':>9}  {'min ms':>7}  {'ratio':>6}")
    for bench in items:
        ratio = bench.median_ms / baseline
        print(f"{bench.label:<{width}}  {bench.median_ms:>9.1f}  {bench.min_ms:>7.1f}  {ratio:>5.2f}x")
    ratios = {b.label: b.median_ms / baseline for b in items if b.is_help}
    worst = max(ratios.values())
    verdict = "MET" if worst <= GOAL_RATIO else "NOT MET"
    detail = ", ".join(f"{label}: {ratio:.2f}x" for label, ratio in ratios.items())
    print(f"Goal shomei --help <= {GOAL_RATIO} x import typer: {verdict} ({detail})")


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
        items = benches()
        measure(items, env, args.repeat)
    report(items, args.repeat)


if __name__ == "__main__":
    main()
