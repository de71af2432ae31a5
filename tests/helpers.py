"""Small builders shared by the tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shomei_cli.services import auth
from shomei_cli.services.audit import Actor
from shomei_cli.services.core import Core

# A password that passes the policy for every ID the tests create.
TEST_PASSWORD = "kumo-no-ue-de-odoru-77"


def activate(core: Core, chamber_code: str, login_id: str, initial_password: str) -> str:
    """Log in with the initial password, change it to TEST_PASSWORD, return a live token."""
    result = auth.login(core, chamber_code, login_id, initial_password)
    actor = auth.authenticate(core, result.token, allow_temporary_password=True)
    auth.change_password(core, actor, initial_password, TEST_PASSWORD)
    return result.token


def lock_out(core: Core, login_id: str) -> None:
    """The hard lock on ``login_id`` for 15 minutes, as fifty failed logins from elsewhere leave it (how they
    get there is tests/unit/services/test_throttle.py)."""
    from datetime import timedelta

    from sqlmodel import select

    from shomei_cli.store.tables import Account

    with core.write() as session:
        account = session.exec(select(Account).where(Account.login_id == login_id)).one()
        account.locked_until = core.clock.now() + timedelta(minutes=15)
        session.add(account)


def actor_for(core: Core, chamber_code: str, login_id: str, password: str = TEST_PASSWORD) -> Actor:
    """A fresh session for the ID (ending any other), as an Actor."""
    token = auth.login(core, chamber_code, login_id, password).token
    return auth.authenticate(core, token)


@dataclass
class StoreFactory:
    core: Core

    def staff(self, name: str = "Suzuki") -> str:
        """A second, activated staff ID in chamber 1301; returns its login ID."""
        from shomei_cli.services import chambers

        first = actor_for(self.core, "1301", "S00001")
        created = chambers.add_staff(self.core, first, name)
        activate(self.core, "1301", created.login_id, created.initial_password)
        return created.login_id


def unsigned(session: Any, core: Any, chamber: Any, documents: Any, now: Any) -> list[bytes]:
    """Stands in for ``signing.issued.sign_issued`` where documents are stubs (not PDFs to sign)."""
    return [document.pdf for document in documents]
