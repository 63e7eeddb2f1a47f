"""A fitted Matcher inside a web service: fit once at startup, warm up, ``match`` per request.

The framework-free part is two functions, usable from any server (Flask, Django, a queue worker):

* :func:`create_matcher` loads the policies, fits the Matcher once and warms it up, so the first
  real request is as fast as the rest;
* :func:`handle` answers one request: a profile dict in, a JSON-ready dict out.

The FastAPI app at the bottom is built only when FastAPI is installed (``pip install fastapi
uvicorn``; it is not a dependency of policymatch). Run it from the repository root with::

    uvicorn examples.service_app:app

and configure it with environment variables: ``POLICYMATCH_POLICIES`` (a folder of policy files
instead of the bundled corpus) and ``POLICYMATCH_CACHE_DIR`` (where the fitted index is kept so
a restart loads it instead of refitting).
"""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import date
from typing import Any

from policymatch import EnterpriseProfile, Matcher, load_policies

#: A made-up enterprise that touches every code path a real request takes.
WARM_UP_PROFILE: dict[str, Any] = {
    "name": "预热示例企业", "region": "嵊州市", "industry": "高端装备",
    "description": "数控机床和工业机器人的研发制造", "revenue": "1.2亿", "employees": 300,
    "qualifications": ["国家高新技术企业"], "talents": {"phd": 1},
}


def warm_up(matcher: Matcher) -> float:
    """Run one match and one search so lazy work (tokenizer dictionaries, numpy/scipy code
    paths) happens now and not in the first request. Returns the seconds it took."""
    start = time.perf_counter()
    matcher.match(WARM_UP_PROFILE)
    matcher.search("研发费用补助", top_k=1)
    return time.perf_counter() - start


def create_matcher(policies: str | os.PathLike[str] | None = None, *,
                   index_cache: str | os.PathLike[str] | None = None) -> Matcher:
    """Load the policies (the bundled corpus by default), fit once and warm up.

    The Matcher is read-only after ``fit``: one instance serves every request and thread.
    """
    matcher = Matcher(index_cache=index_cache).fit(load_policies(policies))
    warm_up(matcher)
    return matcher


def handle(profile: Mapping[str, Any] | EnterpriseProfile, *, matcher: Matcher,
           as_of: date | None = None, top_k: int | None = None,
           include_ineligible: bool = False) -> dict[str, Any]:
    """Answer one request: the MatchReport as plain JSON-ready data.

    Raises :class:`policymatch.ProfileError` (a ``ValueError``) for a bad profile, which the web
    layer turns into a 422 response, and ``ValueError`` for a bad option such as ``top_k=-1``
    (a 400 response).
    """
    report = matcher.match(profile, as_of=as_of, top_k=top_k,
                           include_ineligible=include_ineligible)
    return report.model_dump(mode="json")


# -- the FastAPI app (only when FastAPI is installed) -----------------------------------------
try:
    from fastapi import FastAPI, HTTPException
except ImportError:  # the framework-free part above still works
    FastAPI = None  # type: ignore[assignment,misc]


def create_app() -> Any:
    """The FastAPI application: fit at startup (lifespan), then ``/match``, ``/search``,
    ``/health``."""
    if FastAPI is None:
        raise ImportError("the web app needs FastAPI: pip install fastapi uvicorn")
    from policymatch import ProfileError

    state: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        start = time.perf_counter()
        state["matcher"] = create_matcher(os.environ.get("POLICYMATCH_POLICIES"),
                                          index_cache=os.environ.get("POLICYMATCH_CACHE_DIR"))
        state["ready_seconds"] = round(time.perf_counter() - start, 3)
        yield
        state.clear()

    app = FastAPI(title="policymatch", lifespan=lifespan)

    # Plain ``def`` endpoints run in FastAPI's thread pool, so a CPU-bound match never blocks
    # the event loop; the fitted Matcher is only read, so threads can share it.
    @app.post("/match")
    def match(profile: dict[str, Any], as_of: date | None = None, top_k: int | None = None,
              include_ineligible: bool = False) -> dict[str, Any]:
        try:
            return handle(profile, matcher=state["matcher"], as_of=as_of, top_k=top_k,
                          include_ineligible=include_ineligible)
        except ProfileError as exc:
            raise HTTPException(status_code=422, detail=str(exc)) from None
        except ValueError as exc:  # a bad option (top_k=-1): the request, not the server
            raise HTTPException(status_code=400, detail=str(exc)) from None

    @app.get("/search")
    def search(q: str, top_k: int = 10) -> list[dict[str, Any]]:
        try:
            hits = state["matcher"].search(q, top_k=top_k)
        except ProfileError as exc:
            raise HTTPException(status_code=422, detail=str(exc)) from None
        except ValueError as exc:
            raise HTTPException(status_code=400, detail=str(exc)) from None
        return [h.model_dump(mode="json") for h in hits]

    @app.get("/health")
    def health() -> dict[str, Any]:
        matcher = state["matcher"]
        return {"clauses": len(matcher.policy_set_), "ready_seconds": state["ready_seconds"]}

    return app


app = create_app() if FastAPI is not None else None
