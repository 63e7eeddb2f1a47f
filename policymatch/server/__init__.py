"""``policymatch serve``: the Web API and the staff page (needs ``pip install 'policymatch[server]'``).

:func:`create_app` builds the FastAPI application (it fits the Matcher at startup); :func:`serve`
runs it with uvicorn. Nothing here holds matching logic: every answer comes from the library.
Importing this package is cheap; FastAPI and uvicorn load when one of the two is first used.
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app", "serve"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from .app import create_app

        return create_app
    if name == "serve":
        from .run import serve

        return serve
    raise AttributeError(f"module 'policymatch.server' has no attribute {name!r}")
