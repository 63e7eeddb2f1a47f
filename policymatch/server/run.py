"""Run the application with uvicorn: one process, or several workers that each fit their own
Matcher (with a shared index cache, the second and later load the saved index)."""

from __future__ import annotations

import os
from collections.abc import Sequence

__all__ = ["MAX_SERVER_WORKERS", "serve"]

#: ``serve --workers`` above this is refused (each worker holds its own fitted Matcher).
MAX_SERVER_WORKERS = 64


def serve(policies: Sequence[str] | None = None, *, host: str = "127.0.0.1", port: int = 8000,
          workers: int = 1, index_cache: str | None = None, access_log: bool = True) -> None:
    """Serve until stopped (Ctrl-C or SIGTERM end it cleanly).

    The workers are started from the import string ``policymatch.server:create_app``, so the
    policies and the cache go to them through ``POLICYMATCH_POLICIES`` and
    ``POLICYMATCH_CACHE_DIR``, the variables :func:`~policymatch.server.create_app` reads.
    """
    import uvicorn

    if not 1 <= workers <= MAX_SERVER_WORKERS:
        raise ValueError(f"--workers takes a whole number from 1 to {MAX_SERVER_WORKERS}, got {workers}")
    if policies:
        os.environ["POLICYMATCH_POLICIES"] = os.pathsep.join(os.path.abspath(p) for p in policies)
    else:
        os.environ.pop("POLICYMATCH_POLICIES", None)
    if index_cache:
        os.environ["POLICYMATCH_CACHE_DIR"] = index_cache
    else:
        os.environ.pop("POLICYMATCH_CACHE_DIR", None)
    uvicorn.run("policymatch.server:create_app", factory=True, host=host, port=port,
                workers=workers, log_level="info", access_log=access_log, proxy_headers=False,
                server_header=False, timeout_graceful_shutdown=10)
