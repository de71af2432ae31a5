"""Applications at scale: listing a long history, and issuing and printing many certificates.

    python benchmarks/applications.py [--applications 100000] [--certificates 1000]

1. A fresh SQLite store holding APPLICATIONS issued applications of one company (rows written in bulk: the
   point is the reading). Side by side, several runs each: the wall time and peak memory of
   `shomei cert list --json --status issued --limit 0` (streamed page by page), and of
   `python -c "import sqlmodel"` (the floor: any local command imports it). Goals: the list <= 2 x the
   import floor, and under 200 MB.
2. CERTIFICATES certificates of origin issued through the services (apply, approve, pay) and printed (PDF with
   ORIGINAL and one COPY): the time of each phase.
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
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "kumo-no-ue-de-odoru-77"


def timed(args: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Seconds and peak RSS (MB, measured by GNU time) of a child process, its output discarded."""
    import shutil

    gnu_time = shutil.which("time") or "/usr/bin/time"
    report = tempfile.NamedTemporaryFile(suffix=".txt", delete=False)  # noqa: SIM115
    report.close()
    start = time.perf_counter()
    process = subprocess.Popen(
        [gnu_time, "-o", report.name, "-f", "%M", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    status = process.wait()
    elapsed = time.perf_counter() - start
    peak_kb = int(Path(report.name).read_text().split()[-1])
    Path(report.name).unlink()
    usage_mb = peak_kb // 1024
    if status != 0:
        raise SystemExit(
            f"{' '.join(args)} failed: {process.stderr.read().decode()[-2000:] if process.stderr else ''}"
        )
    return elapsed, usage_mb


def setup(home: Path) -> tuple[object, object, object, object]:
    """A store with a company, an approved signer (logged in via the CLI too) and a topped-up balance."""
    from shomei_cli import keys
    from shomei_cli.config import paths
    from shomei_cli.services import auth, chambers, registrations, review, signers
    from shomei_cli.services.core import Core

    os.environ["SHOMEI_HOME"] = str(home)
    key = keys.load_or_create_key(paths().config_dir / keys.KEY_FILE_NAME)
    paths().data_dir.mkdir(parents=True, exist_ok=True)
    core = Core.open(f"sqlite:///{paths().default_database}", secret_key=key)

    def activate(login_id: str, initial: str) -> auth.Actor:
        token = auth.login(core, "1301", login_id, initial).token
        auth.change_password(
            core, auth.authenticate(core, token, allow_temporary_password=True), initial, PASSWORD
        )
        return auth.authenticate(core, auth.login(core, "1301", login_id, PASSWORD).token)

    paths().data_dir.mkdir(parents=True, exist_ok=True)
    created = chambers.init_chamber(core, "1301", "東京商工会議所", "Tokyo CCI")
    staff = activate("S00001", created.staff.initial_password)
    registrations.issue_from_csv(core, staff, (ROOT / "docs/examples/registrations.csv").read_bytes())
    (card,) = registrations.print_cards(core, staff, ["1301000001"])
    admin = activate("A1301000001", card.password or "")
    signers.add_signer(
        core,
        admin,
        {"name": "大阪 正人", "name_en": "Osaka Masahito", "title": "代表取締役", "title_en": "President"},
        (ROOT / "docs/examples/signatures/osaka.png").read_bytes(),
        None,
    )
    review.decide(core, staff, "SG000001", "approve", None)
    (signer_card,) = signers.print_signer_cards(core, admin, ["SG000001"])
    signer = activate("U000001", signer_card.password or "")
    return core, staff, signer, admin


def bulk_history(core: object, count: int) -> None:
    """COUNT issued applications of company 1301000001, written in bulk."""
    from sqlalchemy import insert

    from shomei_cli.store.tables import Application

    content = tomllib.loads((ROOT / "docs/examples/shipment.toml").read_text())
    content = json.loads(json.dumps(content, default=str))
    start = datetime(2025, 1, 1, tzinfo=UTC)
    table = Application.__table__  # type: ignore[attr-defined]
    with core.write() as session:  # type: ignore[attr-defined]
        for base in range(0, count, 5000):
            session.execute(
                insert(table),
                [
                    {
                        "chamber_id": 1,
                        "registration_id": 1,
                        "reference": f"AX{i:08d}",
                        "reception_number": f"1301-9{i:07d}",
                        "type": "co",
                        "status": "issued",
                        "content": content,
                        "copies": 1,
                        "destination_country": "US",
                        "signer_id": 1,
                        "applicant_account_id": 4,
                        "fee": 1360,
                        "created_at": start + timedelta(minutes=i),
                        "submitted_at": start + timedelta(minutes=i),
                        "issued_at": start + timedelta(minutes=i + 5),
                        "certificate_number": f"1301-2025-9{i:06d}",
                        "access_code": "ABCDEFGH34",
                        "print_count": 0,
                    }
                    for i in range(base, min(count, base + 5000))
                ],
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--certificates", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="Build the store in this (new) directory and keep it.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        home = Path(directory)
        if args.keep:
            args.keep.mkdir(parents=True)
            home = args.keep
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
        bulk_history(core, args.applications)
        print(f"(wrote {args.applications} applications in {time.perf_counter() - start:.1f} s)")
        listing, floor = [], []
        for _ in range(args.repeat):
            floor.append(timed([sys.executable, "-c", "import sqlmodel"], env))
            listing.append(
                timed(
                    [
                        sys.executable,
                        "-m",
                        "shomei_cli",
                        "cert",
                        "list",
                        "--json",
                        "--status",
                        "issued",
                        "--limit",
                        "0",
                    ],
                    env,
                )
            )
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "shomei_cli",
                "cert",
                "list",
                "--json",
                "--status",
                "issued",
                "--limit",
                "0",
            ],
            env=env,
            capture_output=True,
            check=True,
        ).stdout
        listed = len(json.loads(out))

        from shomei_cli.services import applications, review

        content = tomllib.loads((ROOT / "docs/examples/shipment.toml").read_text())
        content = json.loads(json.dumps(content, default=str))
        if args.certificates:
            applications.topup(core, staff, "1301000001", 2_000 * args.certificates)
        refs = []
        t0 = time.perf_counter()
        for _ in range(args.certificates):
            refs.append(
                applications.create(core, signer, "co", content, None, False).summary.reception_number
            )
        t1 = time.perf_counter()
        for ref in refs:
            review.decide(core, staff, ref or "", "approve", None)
        t2 = time.perf_counter()
        for ref in refs:
            applications.pay(core, signer, ref or "", "prepaid", None)
        t3 = time.perf_counter()
        for ref in refs:
            applications.print_certificate(core, signer, ref or "")
        t4 = time.perf_counter()
    list_time = statistics.median(t for t, _ in listing)
    list_rss = max(r for _, r in listing)
    floor_time = statistics.median(t for t, _ in floor)
    floor_rss = max(r for _, r in floor)
    print(f"History of {args.applications} applications, {args.repeat} runs each (median wall, max peak RSS)")
    floor_label = 'python -c "import sqlmodel"'
    print(f"{floor_label:58} {floor_time:7.2f} s  {floor_rss:5d} MB")
    print(
        f"{f'shomei cert list --json --status issued --limit 0 ({listed} rows)':58} {list_time:7.2f} s  "
        f"{list_rss:5d} MB"
    )
    ratio = list_time / floor_time
    print(
        f"list / import floor = {ratio:.2f}  (goal <= 2: {'MET' if ratio <= 2 else 'NOT MET'}); "
        f"peak {list_rss} MB (goal < 200: {'MET' if list_rss < 200 else 'NOT MET'})"
    )
    n = args.certificates
    if not n:
        return
    print(f"\n{n} certificates of origin through the services (SQLite):")
    print(
        f"  apply and submit {t1 - t0:7.2f} s   approve {t2 - t1:7.2f} s   pay and issue {t3 - t2:7.2f} s   "
        f"print {t4 - t3:7.2f} s  ({(t4 - t3) / n * 1000:.0f} ms per certificate, 2 pages)"
    )
    print(f"  total {t4 - t0:.1f} s")


if __name__ == "__main__":
    main()
