"""``lien serve``: the dashboard. Server-rendered pages (Jinja2), each with a JSON twin built
from the same data (``/people`` and ``/api/people``), SVG charts drawn on the server, no CDN.

Every page calls the same library function as the matching CLI command; nothing here
computes a metric. FastAPI and Jinja2 come with the ``web`` extra.
"""
from __future__ import annotations

from typing import Any


def create_app(workspace: Any, **options: Any) -> Any:
    """The ASGI application over ``workspace`` (a path or an open :class:`lien.workspace.Workspace`).
    Options: see :func:`lien.web.app.create_app`."""
    try:
        from .app import create_app as make
    except ModuleNotFoundError as e:  # fastapi / jinja2 missing
        from ..errors import MissingExtra

        raise MissingExtra(e.name or "fastapi", "web") from e
    return make(workspace, **options)


__all__ = ["create_app"]
