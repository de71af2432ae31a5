"""The app as each worker process of ``shomei serve --workers N`` builds it.

uvicorn starts the workers as fresh processes and asks each for the app by name (``create_worker_app``), so
what the serve command was told travels in the environment: the store's URL in ``SHOMEI_SERVE_DATABASE_URL``
and the public URL in ``SHOMEI_PUBLIC_URL``; every other setting is read from the environment as usual, and
the key as ``shomei serve`` itself finds it (same account, same config directory, or the same variables).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI

ENV_SERVE_DATABASE_URL = "SHOMEI_SERVE_DATABASE_URL"
APP_FACTORY = "shomei_cli.server.workers:create_worker_app"


def create_worker_app() -> FastAPI:
    from shomei_cli import config, keys
    from shomei_cli.server.app import create_app
    from shomei_cli.server.settings import ServerSettings

    key = keys.configured_key(config.paths().config_dir / keys.KEY_FILE_NAME)
    settings = ServerSettings.from_environment(os.environ[ENV_SERVE_DATABASE_URL], secret_key=key)
    return create_app(settings)
