"""No account oracle in the timing: how long the server takes to answer four kinds of failed login.

    python benchmarks/login_timing.py [--samples 50]

Through the whole HTTP application (FastAPI, in-process), on a fresh SQLite store with the production argon2
parameters, the samples of the four kinds interleaved so that drift hits them alike:

- unknown:   an ID that does not exist (401 authentication_failed);
- wrong:     a known ID, wrong password (401 authentication_failed);
- throttled: a known ID whose failures from this client reached the limit (429 rate_limited);
- locked:    a known ID under the hard lock, wrong password (401 authentication_failed).

Each kind is spread over enough IDs and client addresses that no other limit intervenes. Prints the four
medians and their spread ((slowest - fastest) / fastest); the goal is under 20 %.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

PASSWORD = "kumo-no-ue-de-odoru-77"
WRONG = "wrong-password-123"
IDS_PER_KIND = 10  # at most a few failures each: below the ID's delay


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=50, help="per kind, at most 50")
    args = parser.parse_args()
    # five failures per ID at most (a sixth would wait out the ID's delay: 429), and the throttled client's
    # refusals count against its address (100)
    samples = min(args.samples, IDS_PER_KIND * 5)

    from fastapi.testclient import TestClient
    from sqlmodel import select

    from shomei_cli.domain.clock import FixedClock
    from shomei_cli.server.app import create_app
    from shomei_cli.server.settings import ServerSettings
    from shomei_cli.services import auth, chambers
    from shomei_cli.services.core import Core
    from shomei_cli.store.tables import Account

    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{Path(directory) / 'timing.db'}"
        # a clock that moves only when told: the throttled client is set up past each of the ID's delays
        clock = FixedClock(datetime(2026, 11, 27, 1, 0, tzinfo=UTC))
        core = Core.open(url, clock=clock)
        created = chambers.init_chamber(core, "1301", "東京商工会議所", None)
        first = auth.login(core, "1301", "S00001", created.staff.initial_password)
        actor = auth.authenticate(core, first.token, allow_temporary_password=True)
        auth.change_password(core, actor, created.staff.initial_password, PASSWORD)
        actor = auth.authenticate(core, auth.login(core, "1301", "S00001", PASSWORD).token)
        wrong_ids = [chambers.add_staff(core, actor, f"Wrong {n}").login_id for n in range(IDS_PER_KIND)]
        locked_ids = [chambers.add_staff(core, actor, f"Locked {n}").login_id for n in range(IDS_PER_KIND)]
        throttled_id = chambers.add_staff(core, actor, "Throttled").login_id
        with core.write() as session:
            for account in session.exec(select(Account).where(Account.login_id.in_(locked_ids))):  # type: ignore[attr-defined]
                account.locked_until = core.clock.now() + timedelta(days=1)
                session.add(account)

        settings = ServerSettings(url, trusted_proxies="0.0.0.0/0")
        client = TestClient(create_app(settings, core=core), client=("10.0.0.1", 50000))

        def attempt(login_id: str, address: str) -> tuple[float, int]:
            body = {"chamber_code": "1301", "login_id": login_id, "password": WRONG}
            start = time.perf_counter()
            response = client.post("/api/v1/sessions", json=body, headers={"X-Forwarded-For": address})
            return time.perf_counter() - start, response.status_code

        for _ in range(10):  # the throttled client reaches its limit
            clock.advance(timedelta(seconds=61))
            assert attempt(throttled_id, "198.51.100.250")[1] == 401
        for _ in range(3):  # warm-up: imports, the dummy hash, connection pools
            attempt("S99999", "198.51.100.251")

        times: dict[str, list[float]] = {"unknown": [], "wrong": [], "throttled": [], "locked": []}
        statuses: dict[str, set[int]] = {kind: set() for kind in times}
        for n in range(samples):
            cases = {
                "unknown": (f"U{900000 + n:06d}", f"198.51.{n // 200}.{n % 200}"),
                "wrong": (wrong_ids[n % IDS_PER_KIND], f"198.52.{n // 200}.{n % 200}"),
                "throttled": (throttled_id, "198.51.100.250"),
                "locked": (locked_ids[n % IDS_PER_KIND], f"198.53.{n // 200}.{n % 200}"),
            }
            for kind, (login_id, address) in cases.items():
                seconds, status = attempt(login_id, address)
                times[kind].append(seconds)
                statuses[kind].add(status)
        core.close()

    medians = {kind: statistics.median(values) * 1000 for kind, values in times.items()}
    for kind, median in medians.items():
        print(f"{kind:10} median {median:7.1f} ms   status {sorted(statuses[kind])}   n={len(times[kind])}")
    fastest, slowest = min(medians.values()), max(medians.values())
    spread = (slowest - fastest) / fastest
    print(f"spread     {spread:.1%} (goal < 20 %)")


if __name__ == "__main__":
    main()
