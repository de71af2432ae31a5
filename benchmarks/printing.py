"""Printing certificates and receipts in batches, side by side with their floor.

    python benchmarks/printing.py [--certificates 200] [--repeat 2]

Issues CERTIFICATES certificates of origin (ORIGINAL and one COPY page each) through the services on a fresh
SQLite store (benchmarks/applications.py's company), then, each REPEAT times, interleaved:

- the floor: the same certificates' pages drawn as pages of ONE document, in this process, on one core
  (what drawing the pages costs once the font is parsed and subset once);
- ``shomei cert print REF… --out DIR --force`` in a fresh process: the whole command (start-up, the file-name
  check, every print recorded, the documents drawn in chunks on every core and split, one file each);
- one certificate drawn alone (``render_certificate``, what ``cert print REF`` draws), for 10 of them;
- the same three for their receipts (``shomei cert receipt REF… --out DIR``).

Prints the median time per document of each and the ratio of the command to its floor (goal <= 2). Nothing
here asserts; it only measures. The machine's other load shows in every figure alike; say what it was.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from applications import PASSWORD, ROOT, setup

GOAL = 2.0


def issue(core: Any, staff: Any, signer: Any, count: int) -> list[str]:
    """COUNT issued certificates of origin; their reception numbers."""
    import json
    import tomllib

    from shomei_cli.services import applications, review

    content = json.loads(
        json.dumps(tomllib.loads((ROOT / "docs/examples/shipment.toml").read_text()), default=str)
    )
    applications.topup(core, staff, "1301000001", 2_000 * count)
    refs = [
        applications.create(core, signer, "co", content, None, False).summary.reception_number or ""
        for _ in range(count)
    ]
    for ref in refs:
        review.decide(core, staff, ref, "approve", None)
        applications.pay(core, signer, ref, "prepaid", None)
    return refs


def document_data(core: Any, signer: Any, refs: list[str]) -> tuple[list[Any], list[Any]]:
    """What each certificate and receipt is drawn from, read as the services read it."""
    from shomei_cli.services import applications as services
    from shomei_cli.services.audit import require

    scope = require(core, signer, services.Action.CERTIFICATE_PRINT)
    with core.read() as session:
        found = [
            services._find(session, signer, scope, ref, services.Action.CERTIFICATE_PRINT) for ref in refs
        ]
        certificates = [services._certificate_data(session, core, a, "") for a in found]
        receipts = [services._receipt_data(session, signer, a) for a in found]
    return certificates, receipts


def floor(items: list[Any], draw: Any) -> float:
    """Seconds to draw every item as pages of one document, on one core."""
    from shomei_cli.documents.pdf import render

    start = time.perf_counter()
    render("floor", items[0].issued_at if hasattr(items[0], "issued_at") else items[0].paid_at, items, draw)
    return time.perf_counter() - start


def alone(items: list[Any], render_one: Any) -> float:
    start = time.perf_counter()
    for item in items:
        render_one(item)
    return time.perf_counter() - start


def command(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "shomei_cli", *args], env=env, check=True, capture_output=True, text=True
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--certificates", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    from shomei_cli.documents import certificates as documents

    n = args.certificates
    with tempfile.TemporaryDirectory(prefix="shomei-bench-") as directory:
        home = Path(directory)
        core, staff, signer, _admin = setup(home)
        env = {k: v for k, v in os.environ.items() if not k.startswith("SHOMEI_")}
        env.update(SHOMEI_HOME=str(home), SHOMEI_INSECURE_STORAGE="1")
        subprocess.run(
            [
                sys.executable,
                "-m",
                "shomei_cli",
                "login",
                "--chamber",
                "1301",
                "--id",
                "U000001",
                "--password-stdin",
            ],
            input=PASSWORD + "\n",
            text=True,
            env=env,
            check=True,
            capture_output=True,
        )
        start = time.perf_counter()
        refs = issue(core, staff, signer, n)
        print(f"({n} certificates issued through the services in {time.perf_counter() - start:.1f} s)")
        certificates, receipts = document_data(core, signer, refs)
        out = home / "out"
        figures: dict[str, list[float]] = {}
        runs = {
            "certificates: floor (one shared document, one core)": lambda: floor(
                certificates, documents._draw_certificate
            ),
            "certificates: shomei cert print REF… --out DIR": lambda: command(
                ["cert", "print", *refs, "--out", str(out), "--force"], env
            ),
            "certificates: each drawn alone (10)": lambda: (
                alone(certificates[:10], documents.render_certificate) * n / 10
            ),
            "receipts: floor (one shared document, one core)": lambda: floor(
                receipts, documents._draw_receipt
            ),
            "receipts: shomei cert receipt REF… --out DIR": lambda: command(
                ["cert", "receipt", *refs, "--out", str(out), "--force"], env
            ),
            "receipts: each drawn alone (10)": lambda: (
                alone(receipts[:10], documents.render_receipt) * n / 10
            ),
        }
        for _ in range(args.repeat):
            for name, run in runs.items():
                figures.setdefault(name, []).append(run())
        assert len(list(out.iterdir())) == 2 * n
    print(f"{n} documents each, {args.repeat} runs (median), {os.cpu_count()} cores; ms per document:")
    per = {name: statistics.median(values) / n * 1000 for name, values in figures.items()}
    for name, value in per.items():
        print(f"  {name:58} {value:8.1f}")
    for kind, verb in (("certificates", "cert print"), ("receipts", "cert receipt")):
        product = next(v for k, v in per.items() if k.startswith(f"{kind}: shomei"))
        base = per[f"{kind}: floor (one shared document, one core)"]
        single = next(v for k, v in per.items() if k.startswith(f"{kind}: each drawn alone"))
        ratio = product / base
        print(
            f"{verb} / floor = {ratio:.2f} (goal <= {GOAL}: {'MET' if ratio <= GOAL else 'NOT MET'}); "
            f"one drawn alone / floor = {single / base:.2f}"
        )


if __name__ == "__main__":
    main()
