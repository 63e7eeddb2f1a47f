"""Policy YAML read safely: a safe loader that refuses duplicate keys, anchors, aliases and merge
keys, deep nesting, and the YAML 1.1 scalars that change a value silently (``010`` is 8, ``1:30``
is 90, ``yes`` is true); numbers and yes/no are read as written, in YAML 1.2's plain forms.
Every problem names the file and its line.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import yaml

from ..errors import PolicyFileError
from ..files import MAX_NESTING
from ..validation import shorten_value

__all__ = ["MAX_NESTING", "parse_yaml", "yaml_lines"]


if TYPE_CHECKING:  # the mix-in is only ever combined with a loader; tell the type checker so
    _LoaderBase = yaml.SafeLoader
else:
    _LoaderBase = object


class _NoDuplicateKeys(_LoaderBase):
    """Constructor mix-in: a mapping key that appears twice is an error, not a silent overwrite."""

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        if not isinstance(node, yaml.MappingNode):  # !!set x: PyYAML says what it expected
            return super().construct_mapping(node, deep=deep)
        seen: dict[Any, Any] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise yaml.constructor.ConstructorError(
                    None, None, "YAML merge keys (<<) are not allowed in policy files; write the "
                    "keys out in full", key_node.start_mark)
            key = self.construct_object(key_node, deep=deep)
            try:
                hash(key)
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping", node.start_mark,
                    "a key is a list or mapping; keys must be plain text", key_node.start_mark
                ) from None
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping", node.start_mark,
                    f"duplicate key {key!r}; each key may appear once", key_node.start_mark)
            seen[key] = True
        return super().construct_mapping(node, deep=deep)

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        # A scalar the resolver types but Python cannot hold (2025-02-30, a 5,000-digit
        # integer), or an explicit tag on a value it does not fit (!!timestamp abc, !!bool
        # maybe), is a problem of the file at that line, not a crash.
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, OverflowError, TypeError, AttributeError, KeyError, IndexError) as exc:
            shown = f" {shorten_value(node.value)}" if isinstance(node.value, str) else ""
            tag = str(node.tag).rsplit(":", 1)[-1]
            if tag == "timestamp" and not isinstance(exc, ValueError):
                why = "not a date; write the date as YYYY-MM-DD, e.g. 2023-06-01"
            elif isinstance(exc, (AttributeError, TypeError, KeyError, IndexError)):
                why = f"the value does not fit the tag !!{tag}; remove the tag or fix the value"
            else:
                why = str(exc)
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read{shown} ({why})", node.start_mark) from None


class _StrictLoader(_NoDuplicateKeys, yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys and anchors/aliases."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.constructor.ConstructorError(
                None, None, "YAML aliases (*name) are not allowed in policy files; write the "
                "value out in full", event.start_mark)
        event = self.peek_event()
        if getattr(event, "anchor", None) is not None:
            raise yaml.constructor.ConstructorError(
                None, None, f"YAML anchors (&{event.anchor}) are not allowed in policy files; "
                "write the value out in full", event.start_mark)
        return super().compose_node(parent, index)


_CSafeLoader: Any = getattr(yaml, "CSafeLoader", None)
_FastLoader: Any = None
if _CSafeLoader is not None:  # libyaml's parser: about 30x faster on the bundled corpus

    class _FastLoader(_NoDuplicateKeys, _CSafeLoader):  # type: ignore[no-redef]
        """libyaml-backed safe loader refusing duplicate keys (anchors are checked first by
        :func:`_refuse_anchors`, from libyaml's own event stream)."""

    _FastLoader.add_constructor(
        yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _FastLoader.construct_mapping)

_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _StrictLoader.construct_mapping)


_YAML_INT, _YAML_FLOAT = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
_YAML_BOOL, _YAML_11 = "tag:yaml.org,2002:bool", "tag:policymatch:yaml-1.1"
_WORDS_11 = {"yes": True, "no": False, "on": True, "off": False}


def _yaml_1_1(loader: Any, node: Any) -> Any:
    """Refuse a plain scalar that YAML 1.1 turns into something else than it looks: 010 into
    8 (octal), 1:30 into 90 (base 60), yes/no/on/off into true/false, 1_000 into 1000."""
    v = str(node.value)
    if v.lower() in _WORDS_11:
        why = (f"{v} is read by YAML as {str(_WORDS_11[v.lower()]).lower()}; write true or false, "
               f"or quote it ('{v}') for text")
    elif ":" in v:
        why = f"{v} is read by YAML as a base-60 number; quote it ('{v}') or write the number"
    elif v.lstrip("+-").startswith("0") and v.lstrip("+-")[1:2].isdigit():
        why = (f"{v} has a leading zero, which YAML reads as an octal number; write it without "
               f"the zero, or quote it ('{v}') for text")
    else:
        why = f"{v} is not a plain decimal number; write it without '_' or a base prefix"
    raise yaml.constructor.ConstructorError(None, None, why, node.start_mark)


def _plain_scalars(cls: Any) -> None:
    """Make ``cls`` read numbers and yes/no as written (YAML 1.2 core forms) and refuse the
    YAML 1.1 forms that would change a value silently."""
    cls.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag not in (_YAML_INT, _YAML_FLOAT, _YAML_BOOL)]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
    digits = list("-+0123456789")
    cls.add_implicit_resolver(_YAML_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                              list("tTfF"))
    cls.add_implicit_resolver(_YAML_INT, re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), digits)
    cls.add_implicit_resolver(_YAML_FLOAT, re.compile(
        r"^(?:[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+][0-9]+)?|[-+]?\.(?:inf|Inf|INF)"
        r"|\.(?:nan|NaN|NAN))$"), [*digits, "."])
    cls.add_implicit_resolver(_YAML_11, re.compile(
        r"^(?:yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|[-+]?0[0-9_]+(?:\.[0-9_]*)?"
        r"|[-+]?0[xXbBoO][0-9a-fA-F_]+|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?"
        r"|[-+]?[0-9][0-9_]*_[0-9_]*(?:\.[0-9_]*)?|[-+]?[0-9]+\.[0-9_]*_[0-9_]*)$"),
        [*digits, *"yYnNoO"])
    cls.add_constructor(_YAML_11, _yaml_1_1)


_plain_scalars(_StrictLoader)
if _FastLoader is not None:
    _plain_scalars(_FastLoader)


def parse_yaml(text: str, name: str) -> Any:
    """Parse policy YAML (or JSON, a subset) safely; errors name the file and line."""
    try:
        if _FastLoader is not None:
            _refuse_anchors(text)
            data = yaml.load(text, Loader=_FastLoader)
        else:
            data = yaml.load(text, Loader=_StrictLoader)
    except yaml.YAMLError as exc:
        if "maximum nesting depth" in str(exc):  # newer libyaml builds stop deep input themselves
            raise PolicyFileError(f"{name}: nested more than {MAX_NESTING} levels; flatten the "
                                  "conditions") from None
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        if "python/" in str(exc):
            problem = f"{problem}; Python tags are never executed or loaded, remove the tag"
        raise PolicyFileError(f"{name}:{where}: {problem}") from None
    except (RecursionError, _TooDeep):
        raise PolicyFileError(f"{name}: nested more than {MAX_NESTING} levels; flatten the "
                              "conditions") from None
    except (ValueError, TypeError, AttributeError, KeyError, IndexError, OverflowError) as exc:
        raise PolicyFileError(f"{name}: cannot read the YAML ({exc})") from None  # a backstop
    if _depth(data) > MAX_NESTING:
        raise PolicyFileError(f"{name}: nested more than {MAX_NESTING} levels; flatten the conditions")
    return data


class _TooDeep(Exception):
    """Nesting beyond MAX_NESTING, found while reading the event stream."""


def _refuse_anchors(text: str) -> None:
    """Raise on the first YAML anchor or alias, or nesting deeper than :data:`MAX_NESTING`,
    reading libyaml's event stream (fast, no nodes). The depth is checked here because libyaml's
    composer recurses in C: tens of thousands of ``[`` would crash the process, not raise."""
    depth = 0
    # types-PyYAML types MarkedYAMLError's marks as yaml.error.Mark only, but libyaml's events
    # carry yaml._yaml.Mark (same name/line/column), which PyYAML's own C parser puts in errors.
    for event in yaml.parse(text, Loader=_CSafeLoader):
        if isinstance(event, yaml.AliasEvent):
            raise yaml.constructor.ConstructorError(
                None, None, "YAML aliases (*name) are not allowed in policy files; write the "
                "value out in full", event.start_mark)  # type: ignore[arg-type]
        if (anchor := getattr(event, "anchor", None)) is not None:
            raise yaml.constructor.ConstructorError(
                None, None, f"YAML anchors (&{anchor}) are not allowed in policy files; "
                "write the value out in full", event.start_mark)  # type: ignore[arg-type]
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_NESTING:
                raise _TooDeep
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def _depth(value: Any, level: int = 0) -> int:
    if level > MAX_NESTING:
        return level
    if isinstance(value, dict):
        return max((_depth(v, level + 1) for v in value.values()), default=level + 1)
    if isinstance(value, list):
        return max((_depth(v, level + 1) for v in value), default=level + 1)
    return level


def yaml_lines(text: str) -> Any:
    """The YAML's node tree, for the line of a problem found after parsing (None if unreadable)."""
    try:
        return yaml.compose(text, Loader=_CSafeLoader or yaml.SafeLoader)
    except (yaml.YAMLError, RecursionError, ValueError):
        return None
