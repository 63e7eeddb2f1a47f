"""The ``policymatch`` command: parse arguments, call the public API, render.

Exit codes: 0 success, 1 a user error (one clean line on stderr; ``--verbose`` for detail),
2 a usage error (argparse).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from typing import Any

from .errors import PolicyFileError, PolicymatchError

__all__ = ["build_parser", "main"]

log = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (also used to generate the CLI reference in docs/)."""
    parser = argparse.ArgumentParser(
        prog="policymatch",
        description="Match enterprises to incentive policies (惠企政策): who qualifies, why, "
                    "how much, and what is missing.",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="show full error details and progress logs on stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("validate", help="check policy files and run their stored cases")
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help="policy files or folders (default: the bundled corpus)")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("schema", help="print the JSON Schema of a profile or a policy file")
    p.add_argument("which", choices=["profile", "policy", "report"])
    p.set_defaults(func=_cmd_schema)

    p = sub.add_parser("list", help="list the policies and clauses, grouped by 1 / 9 / X")
    _policies_option(p)
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.set_defaults(func=_cmd_list)

    p = sub.add_parser("show", help="show one clause in full")
    p.add_argument("clause_id", metavar="CLAUSE_ID")
    _policies_option(p)
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=_cmd_show)
    return parser


def _policies_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--policies", action="append", metavar="PATH",
                   help="policy file or folder to use instead of the bundled corpus (repeatable)")


def _load(args: argparse.Namespace) -> Any:
    from .corpus import load_policies

    return load_policies(args.policies) if args.policies else load_policies()


def _cmd_validate(args: argparse.Namespace) -> int:
    from .corpus import load_policies
    from .matcher import check_cases

    try:
        policy_set = load_policies(args.paths) if args.paths else load_policies()
    except PolicyFileError as exc:
        for line in exc.problems:
            print(line, file=sys.stderr)
        print(f"{len(exc.problems)} problem(s) found; fix them and run `policymatch validate` "
              "again", file=sys.stderr)
        return 1
    problems = check_cases(policy_set)
    n_cases = sum(len(c.cases) for _, c in policy_set.items())
    if problems:
        for line in problems:
            print(line, file=sys.stderr)
        print(f"{len(problems)} of {n_cases} clause case(s) failed", file=sys.stderr)
        return 1
    print(f"OK: {len(policy_set.policies)} policies, {len(policy_set)} clauses, "
          f"{n_cases} clause cases pass")
    return 0


def _cmd_schema(args: argparse.Namespace) -> int:
    from .models import MatchReport, Policy
    from .profile import EnterpriseProfile

    model = {"profile": EnterpriseProfile, "policy": Policy, "report": MatchReport}[args.which]
    print(json.dumps(model.model_json_schema(), ensure_ascii=False, indent=2))
    return 0


_TIER_NAMES = {"1": "“1” 总体政策", "9": "“9” 领域政策", "X": "“X” 专项政策", None: "其他"}


def _cmd_list(args: argparse.Namespace) -> int:
    from ._table import render_table

    policy_set = _load(args)
    if args.format == "json":
        out = [{"policy_id": p.id, "title": p.title, "tier": p.tier, "domain": p.domain,
                "clauses": [{"id": c.id, "title": c.title} for c in p.clauses]}
               for p in policy_set.policies]
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    for tier in ("1", "9", "X", None):
        group = [p for p in policy_set.policies if p.tier == tier]
        if not group:
            continue
        n = sum(len(p.clauses) for p in group)
        print(f"\n{_TIER_NAMES[tier]}：{len(group)} 个文件，{n} 条")
        rows = [[c.id, p.domain or "", c.title] for p in group for c in p.clauses]
        print(render_table(["条款编号", "领域", "标题"], rows, max_widths=[22, 14, 58]))
    print(f"\n合计 {len(policy_set.policies)} 个政策文件，{len(policy_set)} 条")
    return 0


def _cmd_show(args: argparse.Namespace) -> int:
    from .benefits import max_amount
    from .units import format_money

    policy, clause = _load(args).clause(args.clause_id)
    if args.format == "json":
        print(json.dumps({"policy_id": policy.id, "policy_title": policy.title,
                          **clause.model_dump(mode="json")}, ensure_ascii=False, indent=2))
        return 0
    top = max_amount(clause.benefit)
    lines = [
        f"{clause.id}  {clause.title}",
        f"政策：{policy.title}" + (f"（{policy.doc_number}）" if policy.doc_number else ""),
        f"条文：{clause.text}",
        f"类别：{clause.category}    方式：{clause.mode.value}    责任单位：{clause.department or '未注明'}",
        f"最高金额：{format_money(top) if top is not None else '不设上限或非资金类'}",
    ]
    if clause.exclusive_group:
        lines.append(f"就高不重复组：{clause.exclusive_group}")
    if clause.materials:
        lines.append("申报材料：" + "；".join(clause.materials))
    if clause.source:
        lines.append(f"依据：{clause.source}")
    print("\n".join(lines))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (0 ok, 1 user error, 2 usage error)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    logging.getLogger("jieba").setLevel(logging.WARNING)
    if args.version:
        from . import __version__

        print(__version__)
        return 0
    if not args.command:
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.func(args))
    except PolicyFileError as exc:
        first = exc.problems[0]
        more = f" (and {len(exc.problems) - 1} more; run `policymatch validate` to see all)" \
            if len(exc.problems) > 1 else ""
        print(f"error: {first}{more}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # pragma: no cover - e.g. piped into head
        return 0
    except (PolicymatchError, OSError) as exc:
        if args.verbose:
            log.exception("failed")
        detail = str(exc) if args.verbose else str(exc).splitlines()[0]
        print(f"error: {detail}", file=sys.stderr)
        return 1
