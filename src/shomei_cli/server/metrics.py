"""The server's metrics, in the Prometheus text format at ``GET /metrics`` (prometheus-client).

- ``shomei_request_duration_seconds`` (histogram): every request, by method, route (its template, such as
  ``/api/v1/applications/{ref}``; ``unmatched`` for paths that match no route) and status code;
- ``shomei_logins_total`` by outcome (``success``, ``failure``: a refused password, a locked ID …);
- ``shomei_payments_total`` by method (``prepaid``, ``card``) and ``shomei_certificates_issued_total``: paying
  issues the certificate, so both count the payments the server took.

With several worker processes (``shomei serve --workers N``), prometheus-client's multiprocess mode is used:
``PROMETHEUS_MULTIPROC_DIR`` names a directory the workers write their values to (``shomei serve`` makes one
when it is not set), and ``/metrics`` adds them up, whichever worker answers.
"""

from __future__ import annotations

import os
import time
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"

# from a verification (a few milliseconds) to a batch of cards or certificates (seconds)
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

REQUEST_SECONDS = Histogram(
    "shomei_request_duration_seconds",
    "Time to answer a request, by method, route and status code.",
    ["method", "route", "status"],
    buckets=BUCKETS,
)
LOGINS = Counter("shomei_logins_total", "Logins, by outcome (success or failure).", ["outcome"])
PAYMENTS = Counter("shomei_payments_total", "Payments taken, by method.", ["method"])
ISSUED = Counter("shomei_certificates_issued_total", "Certificates issued (each paid application).")


def render() -> tuple[bytes, str]:
    """The metrics page and its content type: this process's values, or every worker's in multiprocess
    mode."""
    if os.environ.get(MULTIPROCESS_DIR):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


class RequestTimer:
    """ASGI middleware: observes each HTTP request's duration under its route's template."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def sending(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            REQUEST_SECONDS.labels(scope.get("method", ""), template, str(status)).observe(
                time.perf_counter() - start
            )
