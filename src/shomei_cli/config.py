"""Where things live and which profile is in use.

Paths come from platformdirs (or all under ``SHOMEI_HOME`` when set: demos, tests, portable installs).
Profiles live in ``config.toml`` in the config dir: ``[profiles.NAME]`` with endpoint, database_url, chamber,
id and insecure_storage. Environment variables and options override the profile.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shomei_cli.i18n import _

APP_NAME = "shomei"

# Every environment variable shomei reads, in one place (shown in the options' help).
ENV_PROFILE = "SHOMEI_PROFILE"
ENV_ENDPOINT = "SHOMEI_ENDPOINT"
ENV_DATABASE_URL = "SHOMEI_DATABASE_URL"
ENV_TOKEN = "SHOMEI_TOKEN"  # noqa: S105  (a variable's name, not a token)
ENV_HOME = "SHOMEI_HOME"
ENV_INSECURE_STORAGE = "SHOMEI_INSECURE_STORAGE"
ENV_DEBUG = "SHOMEI_DEBUG"

DEFAULT_PROFILE = "default"
PROFILE_KEYS = ("endpoint", "database_url", "chamber", "id", "insecure_storage")


@dataclass(frozen=True)
class Paths:
    config_dir: Path
    data_dir: Path
    state_dir: Path

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"

    @property
    def default_database(self) -> Path:
        return self.data_dir / "shomei.db"

    @property
    def token_file(self) -> Path:
        return self.state_dir / "tokens.json"


def paths() -> Paths:
    home = os.environ.get(ENV_HOME)
    if home:
        base = Path(home).expanduser()
        return Paths(base / "config", base / "data", base / "state")
    import platformdirs

    return Paths(
        Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
        Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
        Path(platformdirs.user_state_dir(APP_NAME, appauthor=False)),
    )


def default_database_url(where: Paths | None = None) -> str:
    return sqlite_url((where or paths()).default_database)


def sqlite_url(path: Path) -> str:
    """The SQLAlchemy URL of a SQLite file at ``path``, whatever its name holds: SQLAlchemy decodes %xx in a
    URL and a '?' starts its query (both are legal in macOS and Linux file names)."""
    return "sqlite:///" + str(path).replace("%", "%25").replace("?", "%3F")


def load_config(where: Paths | None = None) -> dict[str, Any]:
    file = (where or paths()).config_file
    if not file.exists():
        return {}
    # decoded as utf-8-sig: an editor (old Notepad) may have saved it with a byte order mark
    import tomllib

    return tomllib.loads(file.read_bytes().decode("utf-8-sig"))


def profile_settings(name: str, where: Paths | None = None) -> dict[str, Any]:
    profiles = load_config(where).get("profiles", {})
    settings = profiles.get(name, {})
    return dict(settings) if isinstance(settings, dict) else {}


def parse_setting(key: str, value: str) -> str | bool:
    """Check a ``config set`` key and turn its value into what is stored."""
    if key not in PROFILE_KEYS:
        from shomei_cli.domain.errors import InvalidInput

        raise InvalidInput.single("key", _("must be one of {keys}").format(keys=", ".join(PROFILE_KEYS)))
    if key == "insecure_storage":
        lowered = value.strip().lower()
        if lowered not in {"true", "false", "1", "0", "yes", "no"}:
            from shomei_cli.domain.errors import InvalidInput

            raise InvalidInput.single("value", _("insecure_storage must be true or false"))
        return lowered in {"true", "1", "yes"}
    return value.strip()


def save_setting(profile: str, key: str, value: str | bool | None, where: Paths | None = None) -> None:
    """Set (or with None, remove) one key of a profile, keeping the rest of the file."""
    import tomli_w

    where = where or paths()
    config = load_config(where)
    profiles = config.setdefault("profiles", {})
    settings = profiles.setdefault(profile, {})
    if value is None:
        settings.pop(key, None)
    else:
        settings[key] = value
    from shomei_cli.private_files import write_private

    write_private(where.config_file, tomli_w.dumps(config).encode("utf-8"))


def env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes"}
