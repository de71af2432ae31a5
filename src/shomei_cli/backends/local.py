"""LocalBackend: the services in-process, on a database URL (an embedded SQLite file by default)."""

from __future__ import annotations

from functools import cached_property

from shomei_cli.domain.clock import DEFAULT_TIME_ZONE, Clock
from shomei_cli.domain.records import (
    AccountSummary,
    AuditEntry,
    AuditQuery,
    Identity,
    LoginResult,
    NewAccount,
    NewChamber,
)
from shomei_cli.services import api, chambers
from shomei_cli.services.core import Core
from shomei_cli.services.hashing import PasswordHashing
from shomei_cli.store.engine import make_engine
from shomei_cli.store.schema import upgrade


class LocalBackend:
    """Runs every call through the services on the store at ``database_url``."""

    def __init__(
        self,
        database_url: str,
        token: str | None = None,
        *,
        clock: Clock | None = None,
        hashing: PasswordHashing | None = None,
        core: Core | None = None,
    ) -> None:
        self.database_url = database_url
        self.token = token
        self._clock = clock
        self._hashing = hashing
        self._owns_core = core is None
        if core is not None:
            self.__dict__["core"] = core

    @cached_property
    def core(self) -> Core:
        return Core.open(self.database_url, clock=self._clock, hashing=self._hashing)

    # -- session ---------------------------------------------------------------------------------

    def login(self, chamber_code: str, login_id: str, password: str) -> LoginResult:
        result = api.login(self.core, chamber_code, login_id, password)
        self.token = result.token
        return result

    def logout(self) -> None:
        api.logout(self.core, self.token)

    def whoami(self) -> Identity:
        return api.whoami(self.core, self.token)

    def change_password(self, current: str, new: str) -> None:
        api.change_password(self.core, self.token, current, new)

    # -- the chamber -------------------------------------------------------------------------------

    def add_staff(self, name: str, email: str | None) -> NewAccount:
        return api.add_staff(self.core, self.token, name, email)

    def list_staff(self) -> list[AccountSummary]:
        return api.list_staff(self.core, self.token)

    def audit(self, query: AuditQuery) -> list[AuditEntry]:
        return api.list_audit(self.core, self.token, query)

    # -- the store's own host only -------------------------------------------------------------------

    def init_chamber(
        self,
        code: str,
        name: str,
        name_en: str | None,
        time_zone: str = DEFAULT_TIME_ZONE,
        staff_name: str = "First staff",
    ) -> NewChamber:
        """Create a chamber and its first staff ID; needs direct access to the store, not a session."""
        return chambers.init_chamber(self.core, code, name, name_en, time_zone, staff_name)

    def close(self) -> None:
        if self._owns_core and "core" in self.__dict__:
            self.core.close()


def upgrade_store(database_url: str) -> tuple[str | None, str]:
    """``shomei db upgrade``: bring the store at ``database_url`` to the current schema."""
    engine = make_engine(database_url)
    try:
        return upgrade(engine)
    finally:
        engine.dispose()
