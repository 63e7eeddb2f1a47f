"""Request bodies and error answers: a body is refused from its declared size, read with a
count so no more than the limit is ever held, and every refusal is one JSON line naming the
field path and the fix."""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from ..files import DuplicateKey, unique_keys

__all__ = ["BodyError", "error_response", "problems_of", "read_body", "read_json"]


class BodyError(Exception):
    """A request the server refuses: its status code and one line saying what to change."""

    def __init__(self, status: int, message: str, problems: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.problems = problems if problems is not None else []


def error_response(status: int, message: str, problems: list[dict[str, Any]] | None = None) -> JSONResponse:
    """``{"detail": one line, "problems": [{"field", "message"}]}`` with ``status``."""
    return JSONResponse({"detail": message, "problems": problems or []}, status_code=status)


# "profile: talents.phd: Input should be …" → field "talents.phd"; "[3]: revenue: …" in a batch
_PROBLEM = re.compile(r"^(?:profile|\[(?P<index>\d+)\]): (?P<field>[A-Za-z_][\w]*(?:\.[^:\s][^:]*?)?): ")


def problems_of(message: str) -> list[dict[str, Any]]:
    """The problems a ProfileError message lists, one per line, each with its field path.

    The first line is what the command line shows; the lines after it list every problem. A
    line without a field path (a body that is not JSON) gives ``field: null``.
    """
    lines = message.splitlines()
    listed = [line.strip() for line in lines[1:] if line.strip()] or lines[:1]
    out: list[dict[str, Any]] = []
    for line in listed:
        m = _PROBLEM.match(line)
        item: dict[str, Any] = {"field": m.group("field") if m else None, "message": line}
        if m and m.group("index") is not None:
            item["index"] = int(m.group("index"))
        out.append(item)
    return out


def one_line(message: str, limit: int = 500) -> str:
    """The first line of ``message``, cut to ``limit`` characters."""
    first = message.splitlines()[0] if message else ""
    return first if len(first) <= limit else f"{first[:limit]}… ({len(first):,} characters)"


async def read_body(request: Request, limit: int) -> bytes:
    """The body, refused with 413 when its Content-Length or its bytes pass ``limit``.

    The declared length is checked before anything is read; a body sent without one (chunked)
    is counted as it arrives and refused at the first byte over the limit.
    """
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            raise BodyError(400, f"Content-Length {declared[:40]!r} is not a number of bytes")
        if int(declared) > limit:
            raise BodyError(413, f"request body of {int(declared):,} bytes is over the {limit:,}-byte "
                                 "limit; send one enterprise's facts (or fewer profiles)")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyError(413, f"request body is over the {limit:,}-byte limit; send one "
                                 "enterprise's facts (or fewer profiles)")
        chunks.append(chunk)
    return b"".join(chunks)


def read_json(data: bytes, what: str) -> Any:
    """JSON text to data: not UTF-8, not JSON, a repeated key or absurd nesting is a 422."""
    if not data.strip():
        raise BodyError(422, f"{what}: the request body is empty; send a JSON object such as "
                             '{"name": "某公司", "revenue": "1.2亿"}')
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BodyError(422, f"{what}: the body is not UTF-8 text; send JSON encoded as UTF-8") from None
    try:
        return json.loads(text, object_pairs_hook=unique_keys)
    except json.JSONDecodeError as exc:
        raise BodyError(422, f"{what}: not valid JSON (line {exc.lineno}, column {exc.colno}: "
                             f"{exc.msg})") from None
    except DuplicateKey as exc:
        raise BodyError(422, f"{what}: key {exc.args[0]!r} appears twice in one object; keep one "
                             "(JSON readers disagree on which one wins)") from None
    except RecursionError:
        raise BodyError(422, f"{what}: nested too deeply") from None
    except ValueError as exc:  # an integer of more than 4,300 digits
        raise BodyError(422, f"{what}: not a readable JSON value ({one_line(str(exc), 200)})") from None
