"""The Web API and the staff page over the public API: fit once at startup, then answer.

Every answer is the library's own: ``POST /match`` returns exactly what ``policymatch match
--format json`` prints, a bad profile is refused with the same one-line message (and field
path) the command line gives. Nothing here decides eligibility, amounts or questions.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import date
from importlib import resources
from typing import Annotated, Any

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import HTMLResponse, JSONResponse, Response

from ..corpus import load_policies
from ..display.table import default_rows
from ..errors import PolicymatchError, ProfileError, UnknownClauseError
from ..matcher import MAX_SEARCH_CHARS, Matcher
from ..profile import MAX_PROFILE_BYTES, load_profile
from ..version import __version__
from .body import BodyError, error_response, one_line, problems_of, read_body, read_json
from .openapi import components as oas_components
from .openapi import ref as oas_ref

__all__ = ["MAX_BATCH_BYTES", "MAX_BATCH_PROFILES", "WARM_UP_PROFILE", "create_app"]

log = logging.getLogger(__name__)

#: ``POST /batch`` takes at most this many profiles (``policymatch batch`` is for tables).
MAX_BATCH_PROFILES = 100
#: ``POST /batch`` bodies larger than this are refused before they are read.
MAX_BATCH_BYTES = 2_000_000

#: A made-up enterprise that touches every code path a real request takes.
WARM_UP_PROFILE: dict[str, Any] = {
    "name": "预热示例企业", "region": "嵊州市", "industry": "高端装备",
    "description": "数控机床和工业机器人的研发制造", "revenue": "1.2亿", "employees": 300,
    "qualifications": ["国家高新技术企业"], "talents": {"phd": 1},
}

_JSON = "application/json"
AsOf = Annotated[date | None, Query(description="judge as of this day (YYYY-MM-DD; default today)")]
TopK = Annotated[int | None, Query(ge=0, le=100_000, description=(
    "list at most this many matches; the summary, totals and questions still count them all"))]
All = Annotated[bool, Query(description="also list the clauses that are not met, with their gaps")]
_CSP = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
        "connect-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; "
        "frame-ancestors 'none'")


def _policies_from_env() -> list[str] | None:
    paths = [p for p in os.environ.get("POLICYMATCH_POLICIES", "").split(os.pathsep) if p]
    return paths or None


def create_app(policies: Sequence[str | os.PathLike[str]] | str | os.PathLike[str] | None = None, *,
               index_cache: str | os.PathLike[str] | None = None) -> FastAPI:
    """The FastAPI application: it fits a Matcher on ``policies`` at startup and warms it up.

    ``policies`` is a policy file or folder (or a list of them); the bundled corpus when left
    out. Without arguments (``uvicorn --factory policymatch.server:create_app``), the
    environment decides: ``POLICYMATCH_POLICIES`` (paths separated by ``os.pathsep``) and
    ``POLICYMATCH_CACHE_DIR`` (where the fitted index is kept between restarts).
    """
    if policies is None:
        policies = _policies_from_env()
    if index_cache is None:
        index_cache = os.environ.get("POLICYMATCH_CACHE_DIR") or None
    state: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        start = time.perf_counter()
        policy_set = load_policies(policies, cache_dir=index_cache)
        matcher = Matcher(index_cache=index_cache).fit(policy_set)
        matcher.match(WARM_UP_PROFILE)  # lazy work (dictionaries, numpy paths) now, not later
        matcher.search("研发费用补助", top_k=1)
        state["matcher"] = matcher
        state["ready_seconds"] = round(time.perf_counter() - start, 3)
        log.info("fitted %d clauses in %.1f s", len(matcher.policy_set_), state["ready_seconds"])
        yield
        state.clear()

    app = FastAPI(title="policymatch", version=__version__, lifespan=lifespan,
                  docs_url=None, redoc_url=None,  # their pages load scripts from a CDN
                  description="Which incentive policies (惠企政策) an enterprise qualifies for, why, "
                              "how much, and what it still lacks. Unknown is never eligible.")
    _handlers(app)

    def matcher() -> Matcher:
        return state["matcher"]

    @app.get("/", include_in_schema=False)
    def page() -> HTMLResponse:
        html = resources.files("policymatch.server").joinpath("page.html").read_text("utf-8")
        return HTMLResponse(html, headers={"Content-Security-Policy": _CSP,
                                           "X-Content-Type-Options": "nosniff",
                                           "Referrer-Policy": "no-referrer"})

    @app.get("/health", summary="ready: the policies are loaded and the Matcher fitted",
             responses={200: _content({"type": "object", "required": ["status", "clauses"],
                                       "properties": {"status": {"const": "ok"},
                                                      "version": {"type": "string"},
                                                      "policies": {"type": "integer"},
                                                      "clauses": {"type": "integer"},
                                                      "ready_seconds": {"type": "number"}}})})
    def health() -> dict[str, Any]:
        m = matcher()
        return {"status": "ok", "version": __version__, "policies": len(m.policy_set_.policies),
                "clauses": len(m.policy_set_), "ready_seconds": state["ready_seconds"]}

    @app.post("/match", summary="which clauses the enterprise can claim, why, how much and what is missing",
              description="The body is one profile in the input form of `policymatch schema profile` "
                          "(money as 元 or as text: \"1.2亿\", \"800万\"). The answer is exactly "
                          "`policymatch match --format json`. `top_k` only limits the rows listed: "
                          "the summary, totals and questions always count every clause.",
              openapi_extra=_body("EnterpriseProfile", _EXAMPLE),
              responses={200: _content(oas_ref("MatchReport")), **_REFUSALS})
    async def match(request: Request, as_of: AsOf = None, top_k: TopK = None,
                    include_ineligible: All = False) -> Response:
        profile = _profile(await read_body(request, MAX_PROFILE_BYTES))
        report = await run_in_threadpool(matcher().match, profile, as_of=as_of, top_k=top_k,
                                         include_ineligible=include_ineligible)
        return Response(report.to_json(indent=None), media_type=_JSON)

    @app.post("/match/display", summary="/match with the wording of the command line's table",
              description="`report` is exactly what `/match` returns; `rows` are the clause ids "
                          "the table of `policymatch match` lists (`less_relevant` and `unrelated` "
                          "count the possible ones it folds away, as its closing lines say); "
                          "`amount_text` and `note` give, for each clause id, its 金额 and 说明 "
                          "columns. The staff page at `/` uses this.",
              openapi_extra=_body("EnterpriseProfile", _EXAMPLE),
              responses={200: _content({"type": "object",
                                        "required": ["report", "rows", "less_relevant", "unrelated",
                                                     "amount_text", "note"],
                                        "properties": {
                                            "report": oas_ref("MatchReport"),
                                            "rows": {"type": "array", "items": {"type": "string"}},
                                            "less_relevant": {"type": "integer", "minimum": 0},
                                            "unrelated": {"type": "integer", "minimum": 0},
                                            "amount_text": {"type": "object",
                                                            "additionalProperties": {"type": "string"}},
                                            "note": {"type": "object",
                                                     "additionalProperties": {"type": "string"}}}}),
                         **_REFUSALS})
    async def match_display(request: Request, as_of: AsOf = None, include_ineligible: All = False
                            ) -> Response:
        profile = _profile(await read_body(request, MAX_PROFILE_BYTES))
        report = await run_in_threadpool(matcher().match, profile, as_of=as_of,
                                         include_ineligible=include_ineligible)
        shown, less, other = default_rows(report.matches, show_all=include_ineligible)
        out = {"report": json.loads(report.to_json(indent=None)),
               "rows": [m.clause_id for m in shown], "less_relevant": less, "unrelated": other,
               "amount_text": {m.clause_id: m.amount_text() for m in report.matches},
               "note": {m.clause_id: m.note() for m in report.matches}}
        return JSONResponse(out)

    @app.post("/batch", summary=f"match a short list of profiles (at most {MAX_BATCH_PROFILES})",
              description="A JSON array of profiles; the answer is the array of their reports, in "
                          "order. One bad profile refuses the whole request, naming its index "
                          "(`policymatch batch` is for whole tables).",
              openapi_extra=_body({"type": "array", "maxItems": MAX_BATCH_PROFILES,
                                   "items": oas_ref("EnterpriseProfile")}, [_EXAMPLE]),
              responses={200: _content({"type": "array", "items": oas_ref("MatchReport")}),
                         **_REFUSALS})
    async def batch(request: Request, as_of: AsOf = None, top_k: TopK = None,
                    include_ineligible: All = False) -> Response:
        items = read_json(await read_body(request, MAX_BATCH_BYTES), "profiles")
        if not isinstance(items, list):
            raise BodyError(422, "profiles: expected a JSON array of profiles, e.g. "
                                 '[{"name": "某公司", "revenue": "1.2亿"}]')
        if len(items) > MAX_BATCH_PROFILES:
            raise BodyError(413, f"profiles: {len(items):,} profiles is over the limit of "
                                 f"{MAX_BATCH_PROFILES} per request; use `policymatch batch` for a table")
        profiles = [_item(i, item) for i, item in enumerate(items)]

        def run() -> str:
            m = matcher()
            reports = [m.match(p, as_of=as_of, top_k=top_k, include_ineligible=include_ineligible)
                       for p in profiles]
            return "[" + ",".join(r.to_json(indent=None) for r in reports) + "]"

        return Response(await run_in_threadpool(run), media_type=_JSON)

    @app.get("/search", summary="clauses most relevant to a free-text need (no eligibility judgement)",
             responses={200: _content({"type": "array", "items": {"type": "object"}}), **_REFUSALS})
    def search(q: Annotated[str, Query(max_length=MAX_SEARCH_CHARS, description='e.g. "招了几个博士有没有补贴"')],
               top_k: Annotated[int, Query(ge=0, le=1_000)] = 10) -> list[dict[str, Any]]:
        return [h.model_dump(mode="json") for h in matcher().search(q, top_k=top_k)]

    @app.get("/clauses", summary="every clause: id, title and its policy",
             responses={200: _content({"type": "array", "items": {
                 "type": "object", "required": ["id", "title", "policy_id", "policy_title"],
                 "properties": {k: {"type": ["string", "null"]} for k in
                                ("id", "title", "policy_id", "policy_title", "tier", "domain")}}})})
    def clauses() -> list[dict[str, Any]]:
        return [{"id": c.id, "title": c.title, "policy_id": p.id, "policy_title": p.title,
                 "tier": p.tier, "domain": p.domain}
                for p in matcher().policy_set_.policies for c in p.clauses]

    @app.get("/clauses/{clause_id}", summary="one clause as `policymatch show --format json` gives it",
             responses={200: _content(oas_ref("ClauseDetail")), 404: _content(oas_ref("Error"))})
    def clause(clause_id: str) -> dict[str, Any]:
        policy, found = matcher().policy_set_.clause(clause_id)
        return {"policy_id": policy.id, "policy_title": policy.title, **found.model_dump(mode="json")}

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            from fastapi.openapi.utils import get_openapi

            doc = get_openapi(title=app.title, version=app.version, description=app.description,
                              routes=app.routes)
            schemas = doc.setdefault("components", {}).setdefault("schemas", {})
            for name in ("HTTPValidationError", "ValidationError"):
                schemas.pop(name, None)
            schemas.update(oas_components())
            for path in doc.get("paths", {}).values():  # FastAPI's own 422 shape is never sent
                for op in path.values():
                    if "422" in op.get("responses", {}):
                        op["responses"]["422"] = _described(422)
            app.openapi_schema = doc
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


_EXAMPLE: dict[str, Any] = {"name": "某汽车零部件有限公司", "region": "嵊州市", "industry": "新能源汽车及零部件",
                            "revenue": "9.5亿", "rd_expense": "3600万", "employees": 640,
                            "qualifications": ["国家高新技术企业"]}

_WHY = {400: "a bad query option", 404: "no such clause", 413: "the body is over its size limit",
        422: "the profile (or a query value) is refused: `detail` names the field and the fix"}


def _content(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {_JSON: {"schema": schema}}}


def _described(status: int) -> dict[str, Any]:
    return {"description": _WHY[status], **_content(oas_ref("Error"))}


_REFUSALS: dict[int | str, dict[str, Any]] = {s: _described(s) for s in (400, 413, 422)}


def _body(schema: str | dict[str, Any], example: Any) -> dict[str, Any]:
    shape = oas_ref(schema) if isinstance(schema, str) else schema
    return {"requestBody": {"required": True, "content": {_JSON: {"schema": shape, "example": example}}}}


def _profile(data: bytes) -> Any:
    """The request body as a profile, read by the library (its messages, its limits)."""
    if not data.strip():
        raise BodyError(422, "profile: the request body is empty; send a JSON object such as "
                             '{"name": "某公司", "revenue": "1.2亿"}')
    return load_profile(data)


def _item(index: int, item: Any) -> Any:
    """One profile of a batch; its problems name its index: ``[3]: revenue: …``."""
    if not isinstance(item, dict):
        raise BodyError(422, f"[{index}]: expected a JSON object with at least \"name\"")
    try:
        return load_profile(item)
    except ProfileError as exc:
        text = "\n".join(f"[{index}]: {line.removeprefix('profile: ')}" if line.startswith("profile: ")
                         else line.replace("  profile: ", f"  [{index}]: ", 1)
                         for line in str(exc).splitlines())
        raise ProfileError(text) from None


def _handlers(app: FastAPI) -> None:
    """Every refusal as ``{"detail": one line, "problems": [...]}``, never a 500 for bad input."""

    @app.exception_handler(BodyError)
    async def body_error(_request: Request, exc: BodyError) -> JSONResponse:
        return error_response(exc.status, exc.message, exc.problems or problems_of(exc.message))

    @app.exception_handler(ProfileError)
    async def profile_error(_request: Request, exc: ProfileError) -> JSONResponse:
        return error_response(422, one_line(str(exc)), problems_of(str(exc)))

    @app.exception_handler(UnknownClauseError)
    async def unknown_clause(_request: Request, exc: UnknownClauseError) -> JSONResponse:
        return error_response(404, one_line(str(exc)))

    @app.exception_handler(PolicymatchError)
    async def other_error(_request: Request, exc: PolicymatchError) -> JSONResponse:
        return error_response(422, one_line(str(exc)), problems_of(str(exc)))

    @app.exception_handler(RequestValidationError)
    async def bad_option(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems: list[dict[str, Any]] = []
        for err in exc.errors():
            loc = [str(p) for p in err.get("loc", ()) if p not in ("query", "path", "body")]
            field = ".".join(loc) or None
            got = err.get("input")
            shown = f" (got {str(got)[:60]!r})" if isinstance(got, (str, int, float)) else ""
            problems.append({"field": field, "message": f"{field}: {err.get('msg', 'invalid')}{shown}"})
        first = problems[0]["message"] if problems else "the request is refused"
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        return error_response(422, first + more, problems)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return error_response(exc.status_code, str(exc.detail))

    @app.exception_handler(ValueError)
    async def value_error(_request: Request, exc: ValueError) -> JSONResponse:
        return error_response(400, one_line(str(exc)))
