"""The routes an application serves, for the tests that sweep every one of them."""

from __future__ import annotations

from typing import Any

from fastapi.routing import APIRoute, iter_route_contexts
from starlette.routing import Mount, Route


def declared_routes(app: Any) -> list[tuple[str, str, Any]]:
    """(method, path, route) for every route the application serves ("*" for framework routes)."""
    found = []
    for context in iter_route_contexts(app.routes):
        route = context.route
        if isinstance(route, APIRoute):
            found += [(method, route.path, route) for method in sorted(route.methods)]
        elif isinstance(route, Route | Mount):
            found.append(("*", route.path, route))
        else:
            found.append(("?", repr(route), route))
    return found
