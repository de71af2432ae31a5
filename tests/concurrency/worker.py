"""Work done by each of several processes hitting one store at once (imported by the spawned processes)."""

from __future__ import annotations

import contextlib
import time

from shomei_cli.domain.errors import AuthenticationFailed
from shomei_cli.services import auth, chambers
from shomei_cli.services.core import Core

ROUNDS = 4


def wait_until(start_at: float) -> None:
    while time.time() < start_at:
        time.sleep(0.001)


def login_and_change_passwords(database_url: str, login_id: str, password: str, start_at: float) -> str:
    """Log in and change the password ROUNDS times; add one staff ID; fail one login on S00001."""
    core = Core.open(database_url)
    wait_until(start_at)
    for round_number in range(ROUNDS):
        token = auth.login(core, "1301", login_id, password).token
        actor = auth.authenticate(core, token, allow_temporary_password=True)
        new = f"kumo-no-ue-{round_number}-{login_id[::-1].lower()}"
        auth.change_password(core, actor, password, new)
        password = new
    actor = auth.authenticate(core, auth.login(core, "1301", login_id, password).token)
    chambers.add_staff(core, actor, f"added by {login_id}")
    with contextlib.suppress(AuthenticationFailed):
        auth.login(core, "1301", "S00001", "deliberately-wrong-password")
    core.close()
    return password
