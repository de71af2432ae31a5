"""What every command needs: the profile's settings, the token store and the backend, built lazily."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import typer

from shomei_cli import config
from shomei_cli.i18n import _

if TYPE_CHECKING:
    from shomei_cli.backends.base import Backend
    from shomei_cli.backends.local import LocalBackend
    from shomei_cli.credentials import TokenStore


@dataclass
class State:
    profile_option: str | None = None
    endpoint_option: str | None = None
    database_url_option: str | None = None
    _backend: Any = field(default=None, repr=False)

    @cached_property
    def profile(self) -> str:
        return self.profile_option or config.DEFAULT_PROFILE

    @cached_property
    def settings(self) -> dict[str, Any]:
        return config.profile_settings(self.profile)

    @cached_property
    def endpoint(self) -> str | None:
        """--endpoint (or SHOMEI_ENDPOINT), else the profile's; a store named with --database-url (or
        SHOMEI_DATABASE_URL) means local mode, whatever endpoint the profile holds."""
        value = self.endpoint_option or (None if self.database_url_option else self.settings.get("endpoint"))
        return str(value).rstrip("/") if value else None

    @cached_property
    def database_url(self) -> str:
        """The store's URL; the default SQLite file's directory is made, since the store is about to open."""
        if not (self.database_url_option or self.settings.get("database_url")):
            config.paths().data_dir.mkdir(parents=True, exist_ok=True)
        return self.database_url_named

    @cached_property
    def database_url_named(self) -> str:
        """The store's URL, nothing made on disk (a token is looked up by it)."""
        value = self.database_url_option or self.settings.get("database_url")
        return str(value) if value else config.default_database_url(config.paths())

    @property
    def remote(self) -> bool:
        return self.endpoint is not None

    @property
    def target(self) -> str:
        """What a saved token belongs to: the endpoint, or the local database."""
        return self.endpoint if self.endpoint else self.database_url_named

    @property
    def token_key(self) -> str:
        return f"{self.profile}|{self.target}"

    def token_store(self, *, insecure: bool = False) -> TokenStore:
        from shomei_cli.credentials import TokenStore

        allowed = (
            insecure
            or bool(self.settings.get("insecure_storage"))
            or config.env_flag(config.ENV_INSECURE_STORAGE)
        )
        return TokenStore(config.paths().token_file, insecure_allowed=allowed)

    def backend(self, *, with_token: bool = True) -> Backend:
        if self._backend is None:
            token = self.token_store().load(self.token_key) if with_token else None
            if with_token and token is None:
                # every call that needs a session would fail so: say it before importing the services
                from shomei_cli.domain.errors import NotLoggedIn

                raise NotLoggedIn()
            if self.endpoint is not None:
                from shomei_cli.backends.remote import RemoteBackend, is_insecure_endpoint
                from shomei_cli.cli.output import message

                if is_insecure_endpoint(self.endpoint):
                    message(
                        _(
                            "Warning: {endpoint} is plain http to another machine: passwords and session "
                            "tokens cross the network unencrypted. Use https."
                        ).format(endpoint=self.endpoint)
                    )
                self._backend = RemoteBackend(self.endpoint, token)
            else:
                from shomei_cli import keys
                from shomei_cli.backends.local import LocalBackend

                key = keys.configured_key(config.paths().config_dir / keys.KEY_FILE_NAME)
                self._backend = LocalBackend(self.database_url, token, secret_key=key)
        backend: Backend = self._backend
        return backend

    def local_backend(self, command: str) -> LocalBackend:
        """For commands that act on the store directly (on the server's host), never through an endpoint."""
        if self.remote:
            raise typer.BadParameter(
                _(
                    "`shomei {command}` works on a store directly, not through an endpoint: run it on the "
                    "server's host with --database-url."
                ).format(command=command),
                param_hint="--endpoint",
            )
        from shomei_cli.backends.local import LocalBackend

        backend = self.backend(with_token=False)
        assert isinstance(backend, LocalBackend)
        return backend

    def close(self) -> None:
        if self._backend is not None:
            self._backend.close()


def state(ctx: typer.Context) -> State:
    obj = ctx.find_root().obj
    assert isinstance(obj, State)
    return obj
