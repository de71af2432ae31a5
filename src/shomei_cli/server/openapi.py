"""The API's OpenAPI document, exported into docs/ so that it can be read without running a server.

``python -m shomei_cli.server.openapi > docs/openapi.json``; tests/test_docs.py fails when it is stale.
"""

from __future__ import annotations

import json

from shomei_cli.server.app import create_app
from shomei_cli.server.settings import ServerSettings
from shomei_cli.services.core import Core


def render_openapi() -> str:
    """The schema as the server serves it at /api/v1/openapi.json, pretty-printed."""
    core = Core.open("sqlite://")  # the schema does not depend on the data: an in-memory store
    try:
        schema = create_app(ServerSettings("sqlite://"), core=core).openapi()
    finally:
        core.close()
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


if __name__ == "__main__":
    print(render_openapi(), end="")
