"""The ``serve`` subcommand of ``policymatch``'s arguments and its run; FastAPI and uvicorn are imported only
when it runs, so ``policymatch --help`` works without the server extra."""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["add_serve_parser"]


def _port(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = -1
    if not 0 <= n <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port number from 0 to 65535, got {text!r}")
    return n


def _workers(text: str) -> int:
    from .run import MAX_SERVER_WORKERS

    try:
        n = int(text)
    except ValueError:
        n = 0
    if not 1 <= n <= MAX_SERVER_WORKERS:
        raise argparse.ArgumentTypeError(f"expected a whole number from 1 to {MAX_SERVER_WORKERS}, got {text!r}")
    return n


def add_serve_parser(sub: Any) -> None:
    """Add ``policymatch serve`` to the command's subparsers."""
    p = sub.add_parser("serve", help="the Web API (POST /match, /batch, GET /search, /clauses) and "
                                     "the staff page at / (needs policymatch[server])")
    p.add_argument("--policies", action="append", metavar="PATH",
                   help="policy file or folder to use instead of the bundled corpus (repeatable)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this machine only; 0.0.0.0 "
                        "for every interface, best behind a reverse proxy)")
    p.add_argument("--port", type=_port, default=8000, help="port to listen on (default 8000)")
    p.add_argument("--workers", type=_workers, default=1, metavar="N",
                   help="worker processes, each with its own fitted Matcher (default 1)")
    p.set_defaults(func=_cmd_serve)


def _cmd_serve(args: argparse.Namespace) -> int:
    from ..corpus import load_policies
    from ..errors import PolicymatchError
    from ..files import cache_dir

    try:
        import fastapi  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        raise PolicymatchError(f"policymatch serve needs the server extra ({exc.name} is missing): "
                               "pip install 'policymatch[server]'") from None
    # a broken policy file is one clean line here, not a traceback in each worker
    load_policies(args.policies or None, cache_dir=cache_dir())
    from .run import serve

    serve(args.policies, host=args.host, port=args.port, workers=args.workers,
          index_cache=cache_dir(), access_log=args.verbose)
    return 0
