"""shomei serve: the chamber's server (registered, with its help text, in main.py)."""

from __future__ import annotations

from typing import Annotated

import typer

from shomei_cli.cli.state import state
from shomei_cli.i18n import _

Host = Annotated[str, typer.Option("--host", help=_("The address to listen on."))]
Port = Annotated[int, typer.Option("--port", help=_("The port to listen on."))]


def serve(
    ctx: typer.Context,
    host: Host = "127.0.0.1",
    port: Port = 8000,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            help=_("The store (PostgreSQL in production: postgresql+psycopg://…); default: the local store."),
        ),
    ] = None,
    public_url: Annotated[
        str | None,
        typer.Option(
            "--public-url",
            help=_("Where the public verification page is reached [env: SHOMEI_PUBLIC_URL]."),
        ),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            help=_("Server processes on this host (about one per core; they share the database)."),
        ),
    ] = 1,
) -> None:
    try:
        import uvicorn

        from shomei_cli.server.settings import ServerSettings
    except ImportError:
        raise typer.BadParameter(
            _("the server needs its extra: pip install '.[server]' (in a clone of shomei)"),
            param_hint="serve",
        ) from None
    from shomei_cli import config, keys

    st = state(ctx)
    key = keys.configured_key(config.paths().config_dir / keys.KEY_FILE_NAME)
    settings = ServerSettings.from_environment(
        database_url or st.database_url, public_url=public_url, secret_key=key
    )
    # open (or create) the store before listening, so that a bad database fails here, clearly
    from shomei_cli.server.app import create_app

    app = create_app(settings)
    from shomei_cli.cli.output import message
    from shomei_cli.store.engine import safe_url

    message(
        _("shomei serving {database} on http://{host}:{port}/api/v1").format(
            database=safe_url(settings.database_url), host=host, port=port
        )
    )
    if workers == 1:
        # X-Forwarded-For is read by the app itself, from SHOMEI_TRUSTED_PROXIES only (server/guards.py)
        uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=False)
        return
    _serve_workers(settings.database_url, settings.public_url, host, port, workers)


def _serve_workers(database_url: str, public_url: str | None, host: str, port: int, workers: int) -> None:
    """WORKERS processes, each building the app from the environment (server/workers.py), their metrics
    added up through a directory shared by them (server/metrics.py)."""
    import os
    import shutil
    import tempfile

    import uvicorn

    from shomei_cli.server.metrics import MULTIPROCESS_DIR
    from shomei_cli.server.settings import ENV_PUBLIC_URL
    from shomei_cli.server.workers import APP_FACTORY, ENV_SERVE_DATABASE_URL

    os.environ[ENV_SERVE_DATABASE_URL] = database_url
    if public_url:
        os.environ[ENV_PUBLIC_URL] = public_url
    made = None
    if not os.environ.get(MULTIPROCESS_DIR):
        made = tempfile.mkdtemp(prefix="shomei-metrics-")
        os.environ[MULTIPROCESS_DIR] = made
    try:
        uvicorn.run(
            APP_FACTORY,
            factory=True,
            workers=workers,
            host=host,
            port=port,
            log_level="info",
            proxy_headers=False,  # SHOMEI_TRUSTED_PROXIES, in the app
        )
    finally:
        if made is not None:
            shutil.rmtree(made, ignore_errors=True)
