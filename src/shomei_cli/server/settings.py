"""The server's settings: options of `shomei serve`, else environment variables, else defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass

ENV_PUBLIC_URL = "SHOMEI_PUBLIC_URL"
ENV_SECRET_KEY = "SHOMEI_SECRET_KEY"  # noqa: S105  (a variable's name)
ENV_CORS_ORIGINS = "SHOMEI_CORS_ORIGINS"
ENV_MAX_BODY_BYTES = "SHOMEI_MAX_BODY_BYTES"
ENV_TRUSTED_PROXIES = "SHOMEI_TRUSTED_PROXIES"
ENV_RATE_LIMIT_STORAGE = "SHOMEI_RATE_LIMIT_STORAGE"

DEFAULT_MAX_BODY_BYTES = 1024 * 1024
DEFAULT_MAX_UPLOAD_BYTES = 32 * 1024 * 1024
ENV_MAX_UPLOAD_BYTES = "SHOMEI_MAX_UPLOAD_BYTES"
DEFAULT_WORKER_THREADS = 100
DEFAULT_VERIFY_LIMIT = "30/minute"
ENV_VERIFY_LIMIT = "SHOMEI_VERIFY_LIMIT_PER_ADDRESS"
ENV_WORKER_THREADS = "SHOMEI_WORKER_THREADS"


@dataclass(frozen=True)
class ServerSettings:
    database_url: str
    # where the public verification page is reached (for the QR codes on certificates)
    public_url: str | None = None
    # origins allowed by CORS; empty means CORS is off
    cors_origins: tuple[str, ...] = ()
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    # CSV batches (10,000 registrations are a few MB)
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES
    # proxies whose X-Forwarded-For is believed (addresses or networks); none: the peer is the client
    trusted_proxies: str = ""
    # where limits and login counters live (a `limits` storage URL, e.g. redis://127.0.0.1:6379); None: memory
    rate_limit_storage: str | None = None
    worker_threads: int = DEFAULT_WORKER_THREADS
    verify_limit_per_address: str = DEFAULT_VERIFY_LIMIT
    # protects card passwords at rest (shomei_cli.keys); None: an ephemeral key, for tests only
    secret_key: bytes | None = None

    @classmethod
    def from_environment(cls, database_url: str, **overrides: object) -> ServerSettings:
        """Settings from the environment; explicit ``overrides`` (the serve command's options) win."""
        origins = os.environ.get(ENV_CORS_ORIGINS, "")
        values: dict[str, object] = {
            "public_url": os.environ.get(ENV_PUBLIC_URL) or None,
            "cors_origins": tuple(o.strip() for o in origins.split(",") if o.strip()),
            "max_body_bytes": int(os.environ.get(ENV_MAX_BODY_BYTES, DEFAULT_MAX_BODY_BYTES)),
            "max_upload_bytes": int(os.environ.get(ENV_MAX_UPLOAD_BYTES, DEFAULT_MAX_UPLOAD_BYTES)),
            "trusted_proxies": os.environ.get(ENV_TRUSTED_PROXIES, ""),
            "rate_limit_storage": os.environ.get(ENV_RATE_LIMIT_STORAGE) or None,
            "worker_threads": int(os.environ.get(ENV_WORKER_THREADS, DEFAULT_WORKER_THREADS)),
            "verify_limit_per_address": os.environ.get(ENV_VERIFY_LIMIT, DEFAULT_VERIFY_LIMIT),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(database_url=database_url, **values)  # type: ignore[arg-type]
