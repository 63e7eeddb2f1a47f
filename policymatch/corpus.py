"""Reading, validating and writing policy files (and enterprise profiles) safely.

One YAML file per policy document. YAML is read with a safe loader that also refuses duplicate
keys, anchors/aliases (no "billion laughs") and any ``!!python`` tag; every problem of every file
is collected and raised once as a :class:`~policymatch.errors.PolicyFileError`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import yaml
from pydantic import ValidationError

from ._files import DuplicateKey, mode_for, read_bounded, unique_keys
from ._yaml import MAX_NESTING, _decode, _line_of, _shorten, parse_yaml, yaml_lines
from .errors import PolicyFileError, ProfileError
from .models import Policy, PolicySet
from .profile import EnterpriseProfile

if TYPE_CHECKING:
    from importlib.abc import Traversable  # importlib.resources.abc exists from Python 3.11 only

__all__ = [
    "MAX_NESTING",
    "MAX_POLICY_FILE_BYTES",
    "MAX_PROFILE_BYTES",
    "bundled_files",
    "load_policies",
    "load_profile",
    "policy_to_yaml",
    "profile_from_row",
    "write_policy",
]

logger = logging.getLogger(__name__)

#: A policy file larger than this is refused (a real document is a few dozen KB).
MAX_POLICY_FILE_BYTES = 2_000_000
#: A profile JSON larger than this is refused.
MAX_PROFILE_BYTES = 1_000_000
_SUFFIXES = (".yaml", ".yml", ".json")


class _HasItems(Protocol):
    """Anything with ``.items()`` of (column, value) pairs: a dict or a pandas Series."""

    def items(self) -> Iterable[tuple[Any, Any]]: ...


_UNION_TAGS = frozenset({"field", "all", "any", "not", "fixed", "tiers", "ratio", "per_unit",
                         "interest", "rent", "in_kind"})


def _locate(loc: tuple[Any, ...], raw: Any) -> str:
    """Turn a pydantic error location into "clause <id>: path" using the raw data."""
    parts: list[str] = []
    node = raw
    prefix = ""
    for i, key in enumerate(loc):
        if key in _UNION_TAGS and i > 0 and (
                loc[i - 1] in ("of", "conditions", "benefit")
                or (isinstance(loc[i - 1], int) and i > 1 and loc[i - 2] == "of")):
            continue  # a union tag pydantic inserts after a condition or benefit; not in the data
        if isinstance(node, dict):
            node = node.get(key) if isinstance(key, str) else None
        elif isinstance(node, list) and isinstance(key, int) and key < len(node):
            node = node[key]
            if i >= 1 and loc[i - 1] == "clauses" and isinstance(node, dict) and "id" in node:
                prefix = f"clause {node['id']}: "
                parts = []
                continue
        else:
            node = None
        parts.append(str(key))
    return prefix + ".".join(parts)


_DATE_HINT = "write the date as YYYY-MM-DD, e.g. 2023-06-01"
_HINTS = {
    "extra_forbidden": "remove it or fix its spelling; `policymatch schema {schema}` lists the "
                       "fields",
    "missing": "add it",
    "literal_error": "use one of the allowed values",
    "enum": "use one of the allowed values",
    "date_from_datetime_parsing": _DATE_HINT,
    "date_from_datetime_inexact": _DATE_HINT,
    "date_parsing": _DATE_HINT,
    "date_type": _DATE_HINT,
    "string_too_long": "shorten it; docs/limits.md lists every limit",
}


def _one_per_extra(errors: list[Any], raw: Any) -> list[Any]:
    """An ``extra`` value of no allowed type fails each member of the union (``extra.a.float``,
    ``extra.a.int``, …): say it once, for ``extra.a``."""
    out: list[Any] = []
    seen: set[Any] = set()
    for err in errors:
        loc = err["loc"]
        if len(loc) > 2 and loc[0] == "extra":
            if loc[:2] in seen:
                continue
            seen.add(loc[:2])
            value = raw.get("extra", {}).get(loc[1]) if isinstance(raw, dict) else None
            got = type(value).__name__ if isinstance(value, (dict, list)) else repr(value)
            err = {"loc": loc[:2], "type": "extra_value", "input": {},
                   "msg": f"an extra fact is a number, yes/no, text or a list of text, not {got}"
                          " — flatten it into keys such as extra.a_b"}
        out.append(err)
    return out


def format_validation_error(exc: ValidationError, name: str, raw: Any, *,
                            schema: str = "policy", lines: Any = None) -> list[str]:
    """One line per problem: file, clause id, field path, bad value, message and a hint.

    ``schema`` (``policy`` or ``profile``) names the `policymatch schema` that lists the fields;
    ``lines`` (the YAML's node tree, see :func:`_yaml_lines`) adds the line of each problem.
    """
    out: list[str] = []
    errors = _one_per_extra(exc.errors(include_url=False), raw)
    locs = [e["loc"] for e in errors]
    for err in errors:
        loc = err["loc"]
        if err["type"] == "too_short" and any(o != loc and o[: len(loc)] == loc for o in locs):
            continue  # a consequence of an error inside the same list
        where = _locate(loc, raw) or "(top level)"
        msg = err["msg"].removeprefix("Value error, ")
        if len(msg) > 400:  # a message that quotes a huge value stays one readable line
            msg = f"{msg[:400]}…"
        if loc and isinstance(loc[-1], str):
            msg = msg.removeprefix(f"{loc[-1]}: ")  # the path already names the field
        bad = err.get("input")
        shown = "" if isinstance(bad, (dict, list)) or err["type"] == "missing" \
            else f" (got {_shorten(bad)})"
        hint = _HINTS.get(err["type"], "").format(schema=schema)
        if err["type"] == "union_tag_not_found":
            msg = "not a condition or benefit" if bad != {} else "an empty mapping"
            hint = ("write a leaf {field, op, value}, or a kind (all, any, not for conditions; "
                    "fixed, tiers, ratio, … for benefits); leave it out when there is none")
        line = _line_of(lines, loc)
        at = f" (line {line})" if line else ""
        out.append(f"{name}: {where}: {msg}{shown}" + (f" — {hint}" if hint else "") + at)
    return out


def _read_policy(data: bytes, name: str) -> tuple[Policy | None, list[str]]:
    if isinstance(data, _Oversize) or len(data) > MAX_POLICY_FILE_BYTES:
        size = f"{data.size if isinstance(data, _Oversize) else len(data):,} bytes is"
        return None, [f"{name}: {size} over the {MAX_POLICY_FILE_BYTES:,}-byte limit "
                      "for one policy file; split the document"]
    try:
        text = _decode(data, name)
        raw = parse_yaml(text, name)
    except PolicyFileError as exc:
        return None, exc.problems
    if not isinstance(raw, dict):
        return None, [f"{name}: expected a mapping with id, title and clauses at the top level, "
                      f"got {type(raw).__name__}"]
    try:
        return Policy.model_validate(raw), []
    except ValidationError as exc:
        return None, format_validation_error(exc, name, raw, lines=yaml_lines(text))


def bundled_files() -> list[Traversable]:
    """The bundled corpus's policy files, sorted by name (read via importlib.resources)."""
    root = resources.files("policymatch.policies")
    return sorted((f for f in root.iterdir() if f.name.endswith(_SUFFIXES)), key=lambda f: f.name)


class _Oversize(bytes):
    """Stands for a file over MAX_POLICY_FILE_BYTES, which is never read (``size``: its size)."""

    size = 0


def _expand(paths: Iterable[str | os.PathLike[str]]) -> Iterator[tuple[str, bytes]]:
    for p in paths:
        if not os.fspath(p).strip():
            raise PolicyFileError("an empty policy path was given (--policies ''); name a policy "
                                  "file or folder, or leave the option out for the bundled corpus")
        path = Path(p)
        if path.is_dir():
            files = sorted(f for f in path.rglob("*") if f.suffix in _SUFFIXES and f.is_file())
            if not files:
                raise PolicyFileError(f"{path}: no .yaml, .yml or .json policy files in this folder")
            for f in files:
                yield str(f), _read_policy_bytes(f)
        elif path.exists():
            yield str(path), _read_policy_bytes(path)
        else:
            raise PolicyFileError(f"{path}: no such file or folder")


def _read_policy_bytes(path: Path) -> bytes:
    """A policy file's bytes, its size checked before reading (an ``_Oversize`` when over)."""
    try:
        data = read_bounded(path, MAX_POLICY_FILE_BYTES, "policy file")
    except OSError as exc:
        raise PolicyFileError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    except ValueError as exc:
        raise PolicyFileError(str(exc)) from None
    if data is None:
        over = _Oversize(b"\x00 over the size limit")
        over.size = path.stat().st_size
        return over
    return data


def load_policies(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]] | None = None,
    *,
    cache_dir: str | os.PathLike[str] | None = None,
) -> PolicySet:
    """Load and validate policies; ``None`` loads the bundled (illustrative) corpus.

    Parameters
    ----------
    paths : path, list of paths or None
        Files or folders of policy YAML. Folders are read recursively in name order.
    cache_dir : path or None
        Keep the validated set there as JSON, keyed by a hash of the library version and every
        file's name and bytes, so the next process skips YAML parsing (the CLI does this). The
        cached JSON is validated again by the models on load; a damaged entry is ignored.

    Raises
    ------
    PolicyFileError
        With every problem in every file (``.problems``), each naming the file, the clause id,
        the field path, the bad value and a fix.

    Examples
    --------
    >>> ps = load_policies()
    >>> len(ps) > 0
    True
    """
    if paths is None:
        sources: Iterable[tuple[str, bytes]] = (
            (f"policies/{f.name}", f.read_bytes()) for f in bundled_files())
    elif isinstance(paths, (str, os.PathLike)):
        sources = _expand([paths])
    else:
        sources = _expand(paths)
    if cache_dir is None:
        return _parse_sources(sources)
    files = list(sources)
    cached = _cache_file(cache_dir, files)
    try:
        return PolicySet.model_validate_json(cached.read_bytes())
    except (OSError, ValueError):
        pass  # no entry yet, or a damaged one: parse the files and write it anew
    policy_set = _parse_sources(files)
    try:
        atomic_write_text(cached, policy_set.model_dump_json())
    except OSError:
        logger.info("could not write the policy cache %s", cached)
    return policy_set


def _cache_file(cache_dir: str | os.PathLike[str], files: list[tuple[str, bytes]]) -> Path:
    from importlib.metadata import PackageNotFoundError, version

    try:
        lib = version("policymatch")
    except PackageNotFoundError:  # pragma: no cover - source tree without install
        lib = "0"
    digest = hashlib.sha256(lib.encode())
    for name, data in files:
        digest.update(name.encode("utf-8") + b"\0" + hashlib.sha256(data).digest())
    return Path(cache_dir) / f"policies-{digest.hexdigest()[:32]}.json"


def _parse_sources(sources: Iterable[tuple[str, bytes]]) -> PolicySet:
    policies: list[Policy] = []
    origin: dict[str, str] = {}  # policy id → the file that first used it
    clause_origin: dict[str, str] = {}  # clause id → the file that first used it (one pass)
    problems: list[str] = []
    for name, data in sources:
        policy, errs = _read_policy(data, name)
        problems.extend(errs)
        if policy is None:
            continue
        if policy.id in origin:
            problems.append(f"{name}: policy id {policy.id!r} is already used by "
                            f"{origin[policy.id]}; give each policy its own id")
        for clause in policy.clauses:
            if clause.id in clause_origin:
                problems.append(f"{name}: clause {clause.id}: id is already used in "
                                f"{clause_origin[clause.id]}; clause ids must be unique")
        for clause in policy.clauses:
            clause_origin.setdefault(clause.id, name)
        origin.setdefault(policy.id, name)
        policies.append(policy)
    if problems:
        n = len(problems)
        raise PolicyFileError(f"{n} problem{'s' if n > 1 else ''} in policy files:\n  "
                              + "\n  ".join(problems), problems)
    if not policies:
        raise PolicyFileError("no policies were found")
    return PolicySet(policies=tuple(policies))


def policy_to_yaml(policy: Policy, *, header: str | None = None) -> str:
    """Serialise a policy as YAML that :func:`load_policies` reads back to an equal policy."""
    data = _with_kinds(policy.model_dump(mode="json"),
                       policy.model_dump(mode="json", exclude_defaults=True))
    data = {"id": data.pop("id"), "title": data.pop("title"), **data}
    text = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
    if header:
        text = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines()) + text
    return text


class _Dumper(yaml.SafeDumper):
    """SafeDumper that escapes U+0085 (NEL): written raw, YAML reads it back as a space."""

    def choose_scalar_style(self) -> Any:
        value = getattr(self.event, "value", None)
        if isinstance(value, str) and "\x85" in value:
            return '"'
        return super().choose_scalar_style()


def _with_kinds(full: Any, slim: Any) -> Any:
    """``slim`` (defaults left out) with every ``kind`` put back: benefits and ``all``/``any``/
    ``not`` nodes cannot be read without it. Leaves need none (``field`` implies it)."""
    if isinstance(full, dict) and isinstance(slim, dict):
        out = {k: _with_kinds(full[k], v) for k, v in slim.items()}
        if full.get("kind") not in (None, "field") and "kind" not in out:
            out = {"kind": full["kind"], **out}
        return out
    if isinstance(full, list) and isinstance(slim, list):
        return [_with_kinds(f, s) for f, s in zip(full, slim, strict=True)]
    return slim


def write_policy(policy: Policy, path: str | os.PathLike[str], *, header: str | None = None) -> Path:
    """Write ``policy`` to ``path`` atomically (temp file, then rename)."""
    target = Path(path)
    atomic_write_text(target, policy_to_yaml(policy, header=header))
    return target


def atomic_write_text(target: Path, text: str) -> None:
    """Write a text file so that a reader sees either the old file or the whole new one."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, mode_for(target))
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _problems_message(lines: list[str]) -> str:
    """First line: the first problem (what a CLI shows); then every problem, one per line."""
    more = f" (and {len(lines) - 1} more)" if len(lines) > 1 else ""
    return f"{lines[0]}{more}\n  " + "\n  ".join(lines)


def load_profile(source: str | os.PathLike[str] | dict[str, Any] | bytes) -> EnterpriseProfile:
    """Read an :class:`EnterpriseProfile` from a JSON file path, JSON bytes or a dict.

    Raises
    ------
    ProfileError
        Naming the file, each bad field, the value and the fix.
    """
    name = "profile"
    if isinstance(source, dict):
        raw: Any = source
    else:
        if isinstance(source, bytes):
            data = source
        else:
            name = str(source)
            try:
                got = read_bounded(Path(source), MAX_PROFILE_BYTES, "profile JSON")
            except (OSError, ValueError) as exc:
                raise ProfileError(str(exc) if not isinstance(exc, PermissionError)
                                   else f"{name}: cannot be read (permission denied)") from None
            if got is None:
                raise ProfileError(f"{name}: larger than {MAX_PROFILE_BYTES:,} bytes; a profile "
                                   "is one enterprise's facts")
            data = got
        if len(data) > MAX_PROFILE_BYTES:
            raise ProfileError(f"{name}: larger than {MAX_PROFILE_BYTES:,} bytes")
        try:
            raw = json.loads(_decode(data, name), object_pairs_hook=unique_keys)
        except PolicyFileError as exc:
            raise ProfileError(str(exc)) from None
        except json.JSONDecodeError as exc:
            raise ProfileError(f"{name}: not valid JSON (line {exc.lineno}, column {exc.colno}: "
                               f"{exc.msg})") from None
        except DuplicateKey as exc:
            raise ProfileError(f"{name}: key {exc.args[0]!r} appears twice in one object; keep "
                               "one (JSON readers disagree on which one wins)") from None
        except RecursionError:
            raise ProfileError(f"{name}: nested too deeply to be a profile") from None
        except ValueError as exc:  # e.g. an integer of more than 4,300 digits
            raise ProfileError(f"{name}: not a readable JSON value ({exc})") from None
    if not isinstance(raw, dict):
        raise ProfileError(f"{name}: expected a JSON object with at least \"name\"")
    try:
        return EnterpriseProfile.model_validate(raw)
    except ValidationError as exc:
        lines = format_validation_error(exc, name, raw, schema="profile")
        raise ProfileError(_problems_message(lines)) from None


def _is_missing(value: Any) -> bool:
    """None, NaN, NaT, pandas.NA and blank text are all "not known"."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if type(value).__name__ in ("NAType", "NaTType"):
        return True
    try:
        return bool(value != value)  # NaN is the one value unequal to itself
    except (TypeError, ValueError):  # arrays and other containers
        return False


def _plain_cell(value: Any) -> Any:
    """A pandas/numpy cell as a plain Python value (numpy scalars, arrays, timestamps)."""
    if type(value) in (str, bool, int, float, list, dict):  # numpy.float64 is a float subclass
        return value
    if isinstance(value, datetime):
        return value.date()
    if hasattr(value, "tolist"):  # numpy scalars and arrays, pandas arrays
        return value.tolist()
    if isinstance(value, (tuple, set, frozenset)):
        return list(value)
    return value


def profile_from_row(row: Mapping[str, Any] | _HasItems, *, name: str | None = None) -> EnterpriseProfile:
    """Build an :class:`EnterpriseProfile` from a flat record such as a pandas row.

    A table carries gaps as ``NaN`` and lists as text, which ``EnterpriseProfile.model_validate``
    would refuse. Here:

    * ``None``, ``NaN``, ``NaT``, ``pandas.NA`` and blank text mean *missing* (the field is left
      out, never set to 0);
    * columns ``talents.<x>``, ``extra.<key>`` and ``previous.<x>`` (``previous.extra.<key>``) fill
      the nested ``talents``, ``extra`` and ``previous``;
    * numpy scalars and arrays become plain Python values, timestamps become dates, whole-number
      floats in text columns (``industry_code`` read as ``3841.0``) become ``"3841"``;
    * every value is then read by the profile itself, as from JSON or ``--set``: qualification
      text ``"国高新、专精特新"`` or ``"甲;乙"`` is split into names (``无`` says "holds none"),
      ``是``/``否`` answer yes/no fields, ``extra.<key>`` text that spells a number or an amount
      (``"18万"``) is one, and ``"007"`` stays text (see :mod:`policymatch._cells`).

    Parameters
    ----------
    row : mapping or pandas Series
        Column name → value, e.g. ``df.iloc[0]`` or one dict of ``df.to_dict("records")``.
    name : str, optional
        How the row is called in error messages (default: its ``name`` or ``id`` column).

    Raises
    ------
    ProfileError
        Naming the row, each bad field and the value.

    Examples
    --------
    >>> p = profile_from_row({"name": "甲", "revenue": float("nan"), "employees": 120.0,
    ...                       "qualifications": "国高新、专精特新", "talents.phd": 2, "extra.亩均评价": "A"})
    >>> p.revenue is None, p.employees, p.qualifications, p.talents.phd, p.extra
    (True, 120, ('国家高新技术企业', '省专精特新中小企业'), 2, {'亩均评价': 'A'})
    """
    from .fields import FieldKind, field_spec

    data: dict[str, Any] = {}
    seen: set[str] = set()
    dotted: set[str] = set()  # the heads of dotted columns (talents of talents.phd)
    for key, raw in row.items():
        column = str(key).strip()
        head, dot, rest = column.partition(".")
        if column in seen or (dot and head in seen) or column in dotted:
            other = column if column in seen else (head if dot and head in seen else f"{column}.…")
            raise ProfileError(f"{name or 'row'}: columns {other!r} and {column!r} give the same "
                               "field twice; keep one (it is not clear which one holds the value)")
        seen.add(column)
        if dot:
            dotted.add(head)
        value = _plain_cell(raw)
        if _is_missing(value):
            continue
        spec = field_spec(column)
        if (spec is not None and spec.kind is FieldKind.TEXT) or column == "id":
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            if isinstance(value, int) and not isinstance(value, bool):
                value = str(value)
        if dot and head in ("talents", "extra", "previous"):
            data.setdefault(head, {})[rest] = value
        else:
            data[column] = value
    label = name or str(data.get("name") or data.get("id") or "row")
    try:
        return EnterpriseProfile.model_validate(data)
    except ValidationError as exc:
        lines = format_validation_error(exc, label, data, schema="profile")
        raise ProfileError(_problems_message(lines)) from None
