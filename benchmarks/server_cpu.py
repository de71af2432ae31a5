"""Server CPU per `cert list` request, side by side with a minimal FastAPI route running the same SQL.

    python benchmarks/server_cpu.py [--requests 400] [--rounds 3] [--history 300]

Builds benchmarks/applications.py's company on a fresh SQLite store with a history of HISTORY
applications, then starts two servers as processes, one after the other, on the same store:

- the product: ``shomei serve``; the request is what ``shomei cert list --json`` sends by default (the
  company's newest 100), with the signer's bearer token;
- the floor: a FastAPI app of one route (this file, --floor) that runs the very SQL the product runs for that
  page (compiled from services/applications.py, with its values) on a SQLAlchemy connection, and answers the
  rows as JSON with orjson, checking nothing.

Each is sent REQUESTS requests over one keep-alive connection, ROUNDS times, alternating; the server process's
CPU time (user + system, psutil) per request is taken each round, and the medians compared (goal: product
<= 1.5 x floor). The client's own CPU is not counted. Nothing here asserts; it only measures.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

GOAL = 1.5


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def listing_sql(core: Any, signer: Any) -> str:
    """The SQL of the product's page, with its values in place."""
    from shomei_cli.domain.permissions import Action
    from shomei_cli.domain.records import ApplicationQuery
    from shomei_cli.services import applications
    from shomei_cli.services.audit import require

    scope = require(core, signer, Action.APPLICATION_VIEW)
    with core.read() as session:
        statement, params = applications._list_statement(
            session, signer, scope, ApplicationQuery(), json_form=True, limit=True
        )
        statement = statement.params(**params)
        return str(statement.compile(dialect=core.engine.dialect, compile_kwargs={"literal_binds": True}))


def floor_app(database_url: str, sql: str) -> Any:
    import orjson
    from fastapi import FastAPI, Response
    from sqlalchemy import create_engine

    engine = create_engine(database_url)
    app = FastAPI()
    keys = [
        "reference",
        "reception_number",
        "type",
        "status",
        "registration_number",
        "destination_country",
        "copies",
        "signer",
        "applicant",
        "fee",
        "certificate_number",
        "created_at",
        "submitted_at",
        "issued_at",
    ]

    @app.get("/api/v1/applications")
    def listing() -> Response:
        with engine.connect() as connection:
            rows = connection.exec_driver_sql(sql).fetchall()
        return Response(orjson.dumps([dict(zip(keys, row, strict=True)) for row in rows]))

    return app


@contextmanager
def running(command: list[str], env: dict[str, str], port: int) -> Iterator[int]:
    """A server process answering on PORT; its pid."""
    import httpx

    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                httpx.get(f"http://127.0.0.1:{port}/api/v1/applications", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


def cpu_per_request(pid: int, port: int, token: str, requests: int) -> float:
    import httpx
    import psutil

    server = psutil.Process(pid)
    url = f"http://127.0.0.1:{port}/api/v1/applications"
    with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
        for _ in range(20):  # warm-up: caches, the pool, the first sessions
            client.get(url, params={"limit": 100}).raise_for_status()
        before = server.cpu_times()
        for _ in range(requests):
            client.get(url, params={"limit": 100}).raise_for_status()
        after = server.cpu_times()
    used = (after.user - before.user) + (after.system - before.system)
    return used / requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--history", type=int, default=300)
    parser.add_argument("--floor", nargs=3, metavar=("PORT", "URL", "SQL_FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.floor:  # the floor server itself
        import uvicorn

        port, url, sql_file = args.floor
        app = floor_app(url, Path(sql_file).read_text(encoding="utf-8"))
        uvicorn.run(app, host="127.0.0.1", port=int(port), log_level="warning")
        return

    from applications import PASSWORD, bulk_history, setup

    with tempfile.TemporaryDirectory(prefix="shomei-bench-") as directory:
        home = Path(directory)
        core, _staff, signer, _admin = setup(home)
        bulk_history(core, args.history)
        database_url = str(core.engine.url.render_as_string(hide_password=False))
        sql_file = home / "listing.sql"
        sql_file.write_text(listing_sql(core, signer), encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith("SHOMEI_")}
        env.update(SHOMEI_HOME=str(home), SHOMEI_INSECURE_STORAGE="1")
        env.update(SHOMEI_LOGIN_LIMIT_PER_ID="1000/minute")
        product_port, floor_port = free_port(), free_port()
        product = [sys.executable, "-m", "shomei_cli", "serve", "--port", str(product_port)]
        product += ["--database-url", database_url]
        floor = [sys.executable, __file__, "--floor", str(floor_port), database_url, str(sql_file)]
        figures: dict[str, list[float]] = {"product": [], "floor": []}
        import httpx

        for _ in range(args.rounds):
            with running(product, env, product_port) as pid:
                body = {"chamber_code": "1301", "login_id": "U000001", "password": PASSWORD}
                token = httpx.post(f"http://127.0.0.1:{product_port}/api/v1/sessions", json=body).json()[
                    "token"
                ]
                figures["product"].append(cpu_per_request(pid, product_port, token, args.requests))
            with running(floor, env, floor_port) as pid:
                figures["floor"].append(cpu_per_request(pid, floor_port, token, args.requests))
    product_ms = statistics.median(figures["product"]) * 1000
    floor_ms = statistics.median(figures["floor"]) * 1000
    store = "SQLite"
    print(
        f"Server CPU per `cert list` request (newest 100 of {args.history}), {store}, "
        f"{args.rounds} rounds of {args.requests} requests, {os.cpu_count()} cores (median)"
    )
    print(f"  minimal FastAPI route, same SQL   {floor_ms:6.2f} ms")
    print(f"  shomei serve                      {product_ms:6.2f} ms")
    ratio = product_ms / floor_ms
    print(f"shomei / floor = {ratio:.2f}  (goal <= {GOAL}: {'MET' if ratio <= GOAL else 'NOT MET'})")


if __name__ == "__main__":
    main()
