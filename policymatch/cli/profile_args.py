"""Profile facts on the command line: a JSON file or stdin, then flags that override its values.

``--revenue 1.2亿``, ``--qualification 国家高新技术企业``, ``--set extra.保费=18万``: every value is
read by the profile itself, as JSON text is (:func:`~policymatch.load_profile`).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

__all__ = ["SPECIAL_FLAGS", "profile_flags", "profile_from_args", "yes_no"]


def profile_flags(p: argparse.ArgumentParser) -> None:
    from ..fields import CLI_FLAGS

    g = p.add_argument_group("profile facts as flags (override the file's values; money in 元, "
                             "and 万/亿 may be written: 350万, 1.2亿)")
    for path, (flag, example) in CLI_FLAGS.items():
        if path in SPECIAL_FLAGS:
            continue
        metavar, text = _fact_help(path, example)
        g.add_argument(flag, dest=_dest(path), metavar=metavar, help=text)
    g.add_argument("--qualification", action="append", metavar="NAME",
                   help="a qualification or honour held, e.g. 国家高新技术企业 (repeatable)")
    g.add_argument("--new-qualification", action="append", metavar="NAME",
                   help="a qualification newly recognised this year, e.g. 省专精特新中小企业 "
                        "(repeatable; also counts as held)")
    g.add_argument("--above-scale", dest="f_is_above_scale", action="store_const", const=True,
                   help="the enterprise is 规上/限上 (in the above-scale statistics)")
    g.add_argument("--not-above-scale", dest="f_is_above_scale", action="store_const",
                   const=False, help="the enterprise is not 规上/限上")
    g.add_argument("--credit-clean", dest="f_credit_clean", type=yes_no, metavar="YES/NO",
                   help="是 (yes): not on the list of seriously dishonest entities (未列入严重失信主体名单); "
                        "否: it is on that list")
    g.add_argument("--safety-incident-free", dest="f_safety_incident_free", type=yes_no,
                   metavar="YES/NO",
                   help="是 (yes): no 较大及以上 safety accident in the past year; 否: there was one")
    g.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                   help="any other fact, e.g. --set talents.phd=2 --set extra.保费=18万")


SPECIAL_FLAGS = ("qualifications", "new_qualifications", "is_above_scale", "credit_clean",
                  "safety_incident_free")


def _dest(path: str) -> str:
    return "f_" + path.replace(".", "__")


def _fact_help(path: str, example: str) -> tuple[str, str]:
    """The metavar and help text of a fact flag: what it means, its unit and an example."""
    from ..fields import INPUT_FIELDS, FieldKind, field_spec

    spec = INPUT_FIELDS.get(path) or field_spec(path)
    assert spec is not None, path  # CLI_FLAGS names profile fields only
    if path == "established":
        return "DATE", f"{spec.label} (YYYY-MM-DD), e.g. {example}"
    if spec.kind is FieldKind.MONEY:
        return "AMOUNT", f"{spec.label}, in 元 (or with 万/亿), e.g. {example}"
    if spec.kind is FieldKind.RATIO:
        return "RATIO", f"{spec.label}, as a fraction (0.12 = 12%%), e.g. {example}"
    if spec.kind is FieldKind.NUMBER:
        unit = {"人": "people", "平方米": "m²", "年": "years"}.get(spec.unit, spec.unit)
        return "N", f"{spec.label}, in {unit}, e.g. {example}"
    return "TEXT", f"{spec.label}, e.g. {example}"


def yes_no(text: str) -> bool:
    """A yes/no flag value: 是/否, yes/no, true/false, y/n, 1/0."""
    word = text.strip().lower()
    if word in ("是", "yes", "true", "y", "1"):
        return True
    if word in ("否", "no", "false", "n", "0"):
        return False
    raise argparse.ArgumentTypeError(f"expected 是 or 否 (yes or no), got {text!r}")


def profile_from_args(args: argparse.Namespace) -> Any:
    from ..errors import ProfileError
    from ..profile import load_profile

    data: dict[str, Any] = {}
    if args.profile == "-":
        from ..profile import MAX_PROFILE_BYTES

        if sys.stdin is None:
            raise ProfileError("PROFILE is - but stdin is closed; pipe the profile JSON in or "
                               "give a file")
        raw = sys.stdin.buffer.read(MAX_PROFILE_BYTES + 1)  # never more than the limit
        data = load_profile(raw).model_dump(exclude_none=True, exclude_defaults=True)
    elif args.profile:
        data = load_profile(args.profile).model_dump(exclude_none=True, exclude_defaults=True)
    from ..fields import CLI_FLAGS

    for path in CLI_FLAGS:
        value = getattr(args, _dest(path), None)
        if value is not None and path not in ("qualifications", "new_qualifications"):
            _assign(data, path, value)
    if args.qualification:
        data["qualifications"] = [*data.get("qualifications", ()), *args.qualification]
    if args.new_qualification:
        data["new_qualifications"] = [*data.get("new_qualifications", ()), *args.new_qualification]
    for item in args.set:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ProfileError(f"--set {item!r}: write FIELD=VALUE, e.g. --set talents.phd=2")
        _assign(data, key.strip(), value.strip())  # read by the profile, as JSON text is
    if not data:
        raise ProfileError("no profile given: pass a profile JSON file, - for stdin, or facts "
                           "as flags such as --name 某公司 --revenue 1.2亿")
    data.setdefault("name", "未命名企业")
    return load_profile(data)


def _assign(data: dict[str, Any], key: str, value: Any) -> None:
    """Put ``value`` at a field path: ``talents.phd``, ``previous.extra.<key>``; after
    ``extra.`` the rest is one key."""
    head, _, rest = key.partition(".")
    if rest:
        sub = data.setdefault(head, {})
        if not isinstance(sub, dict):
            from ..errors import ProfileError

            raise ProfileError(f"--set {key}: {head} is not a group of fields")
        if head == "extra" or "." not in rest:
            sub[rest] = value
        else:
            _assign(sub, rest, value)
    else:
        data[key] = value
