"""A reference is one path segment, whatever it holds.

Clients put a user-given reference into a URL as one percent-encoded segment (RemoteBackend's ``_segment``),
but Starlette routes on the decoded path: a '/' in a reference (%2F) would split it and reach another route
(`/applications/AP1%2Fcontent` → the …/content route), where the embedded store answers "no application
AP1/content". ``SegmentedPaths`` decodes the path segment by segment for routing, keeping a decoded '/' inside
its segment as a private-use character; ``SegmentRoute`` turns it back into '/' in the path parameters, so
that the services see the reference exactly as it was given and answer as they do locally.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import unquote_to_bytes

from fastapi import Request, Response
from fastapi.routing import APIRoute

# stands for a '/' inside a segment while routing (a private-use character: never in a real reference)
SLASH = "\ue000"


class SegmentedPaths:
    """Pure ASGI middleware: route on segments, so that %2F stays inside its segment."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        raw = scope.get("raw_path") if scope["type"] == "http" else None
        if raw and b"%2f" in raw.lower():
            segments = raw.split(b"?", 1)[0].split(b"/")
            decoded = [unquote_to_bytes(s).decode("utf-8", "replace").replace("/", SLASH) for s in segments]
            scope = dict(scope, path="/".join(decoded))
        await self.app(scope, receive, send)


class SegmentRoute(APIRoute):
    """A route whose path parameters get their '/' back before the endpoint sees them."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            params = request.scope.get("path_params")
            if params and any(SLASH in str(v) for v in params.values()):
                request.scope["path_params"] = {
                    k: v.replace(SLASH, "/") if isinstance(v, str) else v for k, v in params.items()
                }
            return await handler(request)

        return route
