"""The bundled corpus compiled ahead: its validated policy set and its fitted relevance index.

``policymatch/data/compiled/`` holds what the first run on a fresh install would otherwise
compute: ``policies.json``, the bundled corpus as the models validated it, and ``index/``, the
relevance index a default :class:`~policymatch.Matcher` fits on it (the files of
:meth:`~policymatch.index.ClauseIndex.save`: JSON and NumPy arrays, never a pickle), and
``tables.json``, the packaged YAML tables as JSON (see :mod:`policymatch.packaged`).
``source.txt`` holds the SHA-256 digests of what they were built from: the library version with
every bundled policy file's name and bytes, and with every file of ``policymatch/data/`` (the
domain dictionary, stopwords, generic words …); and of what was written: the bytes of
``policies.json`` and the set's :meth:`~policymatch.models.PolicySet.fingerprint`.

Each is used only while that digest still matches what is installed; otherwise the YAML is read
and the index fitted as usual, so a stale build can cost time but never change an answer. A test
rebuilds both and compares them with the committed ones; after changing the corpus, the data
files or the tokenizer, rebuild with::

    python tools/gen_compiled.py
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import IndexFormatError
from ..models import PolicySet, known_fingerprint
from ..models.prevalidated import prevalidated_policy_set
from ..packaged import packaged_tables_json
from ..version import __version__

if TYPE_CHECKING:
    from ..index import ClauseIndex
    from ..text import Tokenizer

__all__ = ["compiled_dir", "compiled_index", "compiled_policy_set", "data_digest", "source_digest",
           "write_compiled"]

log = logging.getLogger(__name__)

_POLICIES = "policies.json"
_INDEX = "index"
_SOURCE = "source.txt"
_TABLES = "tables.json"  # the packaged YAML tables as JSON (policymatch.packaged reads it)
_DATA = Path(__file__).resolve().parents[1] / "data"


def compiled_dir() -> Path:
    """Where the compiled corpus lives (``policymatch/data/compiled``; a package installed as
    files, not zipped: otherwise nothing is found there and the files are read as usual)."""
    return _DATA / "compiled"


def source_digest(policy_files: Iterable[tuple[str, bytes]]) -> str:
    """The SHA-256 of the library version and the given policy files' names and bytes."""
    digest = hashlib.sha256(f"policymatch {__version__}\0".encode())
    for name, data in policy_files:
        digest.update(name.encode("utf-8") + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()


def data_digest() -> str:
    """The SHA-256 of the library version and every file of ``policymatch/data/`` (the domain
    dictionary, stopwords, generic words …: what a fitted index depends on besides the corpus)."""
    digest = hashlib.sha256(f"policymatch {__version__}\0".encode())
    for item in sorted((f for f in _DATA.iterdir() if f.is_file()), key=lambda f: f.name):
        digest.update(item.name.encode("utf-8") + b"\0" + hashlib.sha256(item.read_bytes()).digest())
    return digest.hexdigest()


def _built_from() -> dict[str, str]:
    try:
        lines = (compiled_dir() / _SOURCE).read_text("ascii").split()
    except (OSError, ValueError):
        return {}
    return dict(zip(lines[::2], lines[1::2], strict=False))


def compiled_policy_set(policy_files: list[tuple[str, bytes]]) -> PolicySet | None:
    """The compiled policy set when it was built from exactly ``policy_files`` (the bundled ones,
    read now), else ``None``.

    When ``policies.json`` is byte for byte what the build wrote (its SHA-256 is the one
    ``source.txt`` recorded), it is rebuilt without validation; otherwise (edited, damaged, or
    written by an older build) it is validated by the models, and refused if that fails.
    """
    built = _built_from()
    if built.get("policies") != source_digest(policy_files):
        return None
    try:
        raw = (compiled_dir() / _POLICIES).read_bytes()
    except OSError as exc:
        log.warning("the compiled corpus cannot be used (%s); reading the policy files", exc)
        return None
    fingerprint = built.get("fingerprint")
    if fingerprint and built.get("policies.json") == hashlib.sha256(raw).hexdigest():
        # Safe to skip validation: these bytes are the ones tools/gen_compiled.py wrote from a
        # set the models had just validated (the digest above proves it, and the sources' digest
        # that they are still the installed policy files), and the models' output is the models'
        # input. Only this packaged file takes this path; a user's files, the policy cache and a
        # build whose bytes changed are always validated.
        try:
            return known_fingerprint(prevalidated_policy_set(json.loads(raw)), fingerprint)
        except (ValueError, TypeError, RecursionError) as exc:  # a models change not rebuilt yet
            log.info("the compiled corpus is validated again (%s)", str(exc)[:200])
    try:
        return PolicySet.model_validate_json(raw)
    except ValueError as exc:
        log.warning("the compiled corpus cannot be used (%s); reading the policy files",
                    str(exc).splitlines()[0][:200])
        return None


def compiled_index(fingerprint: str, tokenizer: Tokenizer) -> ClauseIndex | None:
    """The compiled index when it was fitted on the policy set of ``fingerprint`` with a tokenizer
    like ``tokenizer`` (same dictionary, stopwords and HMM setting), else ``None``."""
    from ..index import ClauseIndex

    path = compiled_dir() / _INDEX
    if not path.is_dir() or _built_from().get("data") != data_digest():
        return None
    try:
        return ClauseIndex.load(path, expected_fingerprint=fingerprint, tokenizer=tokenizer)
    except IndexFormatError as exc:
        log.debug("compiled index not used: %s", str(exc).splitlines()[0][:200])
        return None


def write_compiled(policy_set: PolicySet, policy_files: list[tuple[str, bytes]],
                   index: ClauseIndex, directory: str | Path | None = None) -> Path:
    """Write ``policies.json``, ``index/``, ``tables.json`` and ``source.txt`` into ``directory``
    (default :func:`compiled_dir`); used by ``tools/gen_compiled.py``."""
    target = Path(directory) if directory is not None else compiled_dir()
    target.mkdir(parents=True, exist_ok=True)
    written = policy_set.model_dump_json().encode("utf-8")
    (target / _POLICIES).write_bytes(written)
    index.save(target / _INDEX)
    (target / _TABLES).write_text(packaged_tables_json(), "utf-8")
    (target / _SOURCE).write_text(f"policies {source_digest(policy_files)}\n"
                                  f"data {data_digest()}\n"
                                  f"policies.json {hashlib.sha256(written).hexdigest()}\n"
                                  f"fingerprint {policy_set.fingerprint()}\n", "ascii")
    return target
