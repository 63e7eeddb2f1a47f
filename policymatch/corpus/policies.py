"""Reading, validating and writing policy files safely.

One YAML file per policy document. YAML is read with a safe loader that also refuses duplicate
keys, anchors/aliases (no "billion laughs") and any ``!!python`` tag; every problem of every file
is collected and raised once as a :class:`~policymatch.errors.PolicyFileError`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from ..errors import PolicyFileError
from ..files import MAX_NESTING, atomic_write_text, decode_text, read_bounded
from ..models import Policy, PolicySet
from ..validation import format_validation_error
from .compiled import compiled_policy_set, source_digest

if TYPE_CHECKING:
    from importlib.abc import Traversable  # importlib.resources.abc exists from Python 3.11 only

__all__ = [
    "MAX_NESTING",
    "MAX_POLICY_FILE_BYTES",
    "bundled_files",
    "load_policies",
    "policy_to_yaml",
    "write_policy",
]

logger = logging.getLogger(__name__)

#: A policy file larger than this is refused (a real document is a few dozen KB).
MAX_POLICY_FILE_BYTES = 2_000_000
_SUFFIXES = (".yaml", ".yml", ".json")


def _read_policy(data: bytes, name: str) -> tuple[Policy | None, list[str]]:
    # PyYAML is imported when a policy file is read: the compiled bundled corpus needs none
    from .safe_yaml import parse_yaml, yaml_lines

    if isinstance(data, _Oversize) or len(data) > MAX_POLICY_FILE_BYTES:
        size = f"{data.size if isinstance(data, _Oversize) else len(data):,} bytes is"
        return None, [f"{name}: {size} over the {MAX_POLICY_FILE_BYTES:,}-byte limit "
                      "for one policy file; split the document"]
    try:
        text = decode_text(data, name)
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


def expand_paths(paths: Iterable[str | os.PathLike[str]]) -> Iterator[tuple[str, bytes]]:
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
        bundled = [(f"policies/{f.name}", f.read_bytes()) for f in bundled_files()]
        compiled = compiled_policy_set(bundled)  # validated ahead (tools/gen_compiled.py)
        if compiled is not None:
            return compiled
        sources: Iterable[tuple[str, bytes]] = bundled
    elif isinstance(paths, (str, os.PathLike)):
        sources = expand_paths([paths])
    else:
        sources = expand_paths(paths)
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
    return Path(cache_dir) / f"policies-{source_digest(files)[:32]}.json"


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
    import yaml

    text = yaml.dump(data, Dumper=_dumper(), allow_unicode=True, sort_keys=False, width=100)
    if header:
        text = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines()) + text
    return text


@lru_cache(maxsize=1)
def _dumper() -> type[Any]:
    """SafeDumper that escapes U+0085 (NEL): written raw, YAML reads it back as a space."""
    import yaml

    class _Dumper(yaml.SafeDumper):
        def choose_scalar_style(self) -> Any:
            value = getattr(self.event, "value", None)
            if isinstance(value, str) and "\x85" in value:
                return '"'
            return super().choose_scalar_style()

    return _Dumper


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





