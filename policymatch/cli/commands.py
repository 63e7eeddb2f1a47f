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

from ..errors import PolicyFileError, PolicymatchError
from ..files import cache_dir
from .output import one_line as _one_line
from .output import refuse_overwrite as _refuse_overwrite
from .output import same_path as _same_path
from .output import say as _print
from .output import terminate_cleanly as _terminate_cleanly
from .profile_args import profile_flags, profile_from_args
from .render import render_report

__all__ = ["MAX_WORKERS", "build_parser", "cache_dir", "main"]

log = logging.getLogger(__name__)

#: ``batch --workers`` above this is refused (each worker is a process with its own copy of the
#: plan).
MAX_WORKERS = 256


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

    p = sub.add_parser("match", help="which clauses an enterprise can claim, why and how much")
    p.add_argument("profile", nargs="?", metavar="PROFILE",
                   help="profile JSON file, or - to read it from stdin (or give the facts as flags)")
    _policies_option(p)
    p.add_argument("--as-of", metavar="DATE", help="judge as of this day (YYYY-MM-DD; default today)")
    p.add_argument("--top", type=_count, metavar="N",
                   help="list only the first N clauses (the summary, total and questions still "
                        "count every clause)")
    p.add_argument("--all", action="store_true",
                   help="list every clause: also possible ones of low relevance or written for "
                        "other kinds of firm, ineligible ones (near misses first) and expired ones")
    p.add_argument("--format", choices=["table", "json"], default="table",
                   help="table for people (default), json for machines (the whole MatchReport)")
    profile_flags(p)
    p.set_defaults(func=_cmd_match)

    p = sub.add_parser("search", help="clauses most relevant to a free-text need")
    p.add_argument("text", metavar="TEXT", help='e.g. "我们买了一批数控设备，有什么补助"')
    _policies_option(p)
    p.add_argument("--top", type=_count, default=10, metavar="N",
                   help="how many clauses (default 10)")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.set_defaults(func=_cmd_search)

    p = sub.add_parser("extract", help="draft structured policy files from raw policy text")
    p.add_argument("files", nargs="+", metavar="FILE", help="policy document(s): .txt or .docx")
    p.add_argument("-o", "--output", metavar="OUT",
                   help="file to write (one input) or folder (several); default: stdout")
    p.add_argument("--format", choices=["yaml", "json"], default="yaml")
    p.add_argument("--policy-id", metavar="ID", help="policy id to use (one input only)")
    p.set_defaults(func=_cmd_extract)

    p = sub.add_parser("batch", help="match a whole table of enterprises (CSV, JSON Lines, Parquet, "
                                     "Excel, a database query)")
    p.add_argument("input", metavar="INPUT", nargs="?",
                   help="enterprises: .csv, .jsonl, .parquet or .xlsx, one per row (or --db with --query)")
    p.add_argument("-o", "--output", metavar="OUTPUT",
                   help="long table to write (.csv, .jsonl, .parquet or .xlsx); bad rows go to "
                        "OUTPUT's stem + .rejects.csv")
    _policies_option(p)
    p.add_argument("--as-of", metavar="DATE", help="judge as of this day (YYYY-MM-DD; default today)")
    p.add_argument("--eligible-only", action="store_true", help="leave out possible clauses")
    p.add_argument("--chunk-size", type=int, default=10_000, metavar="N",
                   help="rows judged together (default 10000); memory grows with it, not the input")
    p.add_argument("--workers", type=int, metavar="N",
                   help=f"run on a local Dask cluster of N worker processes, 1 to {MAX_WORKERS} "
                        "(policymatch[dask])")
    p.add_argument("--encoding", metavar="NAME",
                   help="encoding of a CSV or JSON Lines input: utf-8, gb18030 (also GBK) or "
                        "utf-16 (default: UTF-8, with or without BOM, else guessed from the start)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="run on a Dask cluster, e.g. tcp://10.0.0.5:8786 (policymatch[dask])")
    p.add_argument("--sheet", metavar="NAME", help="the sheet of an .xlsx input (default: the first)")
    p.add_argument("--db", metavar="URL",
                   help="database for --query and --to-table, e.g. sqlite:///county.db or "
                        "postgresql+psycopg://user@host/db (policymatch[sql])")
    p.add_argument("--query", metavar="SQL",
                   help="read the enterprises from this query's rows instead of INPUT")
    p.add_argument("--to-table", metavar="NAME",
                   help="write the long table to this table of --db (bad rows to NAME_rejects) "
                        "instead of -o, in one transaction")
    p.add_argument("--if-exists", choices=["fail", "replace", "append"], default="fail",
                   help="when --to-table exists: fail (default), replace it, or append to it")
    p.set_defaults(func=_cmd_batch)

    p = sub.add_parser("validate", help="check policy files, run their stored cases and list open "
                                        "review: notes of drafts")
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help="policy files or folders (default: the bundled corpus)")
    p.add_argument("--strict", action="store_true",
                   help="an open review: note (a draft not yet checked by a person) is an error")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("schema", help="print the JSON Schema of a profile, a policy file or a report")
    p.add_argument("which", choices=["profile", "policy", "report"],
                   help="profile (the enterprise JSON), policy (one policy file) or report "
                        "(what match --format json writes)")
    p.add_argument("--form", choices=["input", "output"],
                   help="input: what policymatch accepts (money as 1.2亿 etc.); output: exactly "
                        "what it writes. Default: input for profile and policy, output for report")
    p.set_defaults(func=_cmd_schema)

    p = sub.add_parser("list", help="list the policies and clauses, grouped by 1 / 9 / X")
    _policies_option(p)
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.set_defaults(func=_cmd_list)

    p = sub.add_parser("show", help="one clause as a person reads it: text, conditions, formula, source")
    p.add_argument("clause_id", metavar="CLAUSE_ID", help="a clause id, as `policymatch list` shows")
    _policies_option(p)
    p.add_argument("--format", choices=["text", "json"], default="text",
                   help="text for people (default), json for the clause's data as stored")
    p.set_defaults(func=_cmd_show)

    from ..server.cli import add_serve_parser

    add_serve_parser(sub)
    return parser


def _count(text: str) -> int:
    """A ``--top`` value: a whole number >= 0 (a negative one would drop results from the end)."""
    try:
        n = int(text)
    except ValueError:
        n = -1
    if n < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {text!r}")
    return n


def _matcher(args: argparse.Namespace) -> Any:
    from ..matcher import Matcher

    return Matcher(index_cache=cache_dir()).fit(_load(args))




def _as_of(text: str | None) -> Any:
    """The ``--as-of`` day: ``None`` (today) only when the option is left out."""
    from datetime import date

    from ..errors import ProfileError

    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ProfileError(f"--as-of {_short(text)}: write the date as YYYY-MM-DD, e.g. "
                           "2025-06-30, or leave the option out for today") from None


def _short(text: str, limit: int = 60) -> str:
    shown = repr(text)
    return shown if len(shown) <= limit else f"{shown[:limit]}… ({len(text):,} characters)"


def _cmd_match(args: argparse.Namespace) -> int:
    profile = profile_from_args(args)
    as_of = _as_of(args.as_of)
    report = _matcher(args).match(profile, as_of=as_of, top_k=args.top,
                                  include_ineligible=args.all)
    if args.format == "json":
        _print(report.to_json())
    else:
        _print(render_report(report, show_all=args.all))
    return 0




def _cmd_search(args: argparse.Namespace) -> int:
    from ..display import render_table
    from ..units import format_money

    hits = _matcher(args).search(args.text, top_k=args.top)
    if args.format == "json":
        _print(json.dumps([h.model_dump(mode="json") for h in hits], ensure_ascii=False, indent=2))
        return 0
    if not hits:
        _print("（--top 0：不列出条款）" if args.top == 0 else
               "没有找到相关条款；换个说法试试，例如“研发费用补助”“招聘博士补贴”。")
        return 0
    rows = [[f"{h.score:.2f}", h.clause_id, h.clause_title,
             format_money(h.max_amount) if h.max_amount is not None else "—",
             "、".join(h.matched_terms)] for h in hits]
    _print(render_table(["相关度", "条款", "标题", "最高金额", "命中词"], rows,
                       max_widths=[6, 16, 34, 12, 24], right=[True, False, False, True, False]))
    return 0


def _cmd_extract(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..errors import ExtractionError
    from ..extract import extract_policy, read_document
    from ..files import atomic_write_text

    if args.policy_id and len(args.files) > 1:
        raise ExtractionError("--policy-id names one policy; give one FILE with it")
    out = Path(args.output) if args.output else None
    several = len(args.files) > 1
    if out is not None and several and out.suffix:
        raise ExtractionError(f"-o {out}: with several inputs, -o must be a folder")
    targets: dict[str, Path] = {}
    if out is not None:
        for name in args.files:
            target = out / f"{Path(name).stem}.{args.format}" if several or out.is_dir() else out
            clash = next((n for n, t in targets.items() if _same_path(t, target)), None)
            if clash is not None:
                raise ExtractionError(f"{clash} and {name} would both be written to {target}; "
                                      "extract them into different folders or rename one")
            targets[name] = target
        _refuse_overwrite(args.files, [("-o", t) for t in targets.values()])
    for name in args.files:
        result = extract_policy(read_document(name), policy_id=args.policy_id,
                                source=Path(name).name)
        text = result.to_yaml() if args.format == "yaml" else result.to_json()
        if out is None:
            _print(text, raw=True)  # YAML/JSON of the draft, byte for byte
            continue
        target = targets[name]
        atomic_write_text(target, text if text.endswith("\n") else text + "\n")
        _print(f"{name}: {len(result.policy.clauses)} clauses, {len(result.flagged)} to review "
              f"-> {target}", err=True)
    return 0


def _cmd_batch(args: argparse.Namespace) -> int:
    from ..batch import count_records, iter_match_many, run_batch
    from ..errors import ProfileError

    as_of = _as_of(args.as_of)
    if args.chunk_size < 1:
        raise ProfileError("--chunk-size takes a whole number of at least 1")
    if args.workers is not None and not 1 <= args.workers <= MAX_WORKERS:
        raise ProfileError(f"--workers takes a whole number from 1 to {MAX_WORKERS}, got "
                           f"{args.workers}")
    from .batch_sources import batch_source, batch_targets

    source, inputs = batch_source(args)
    _refuse_overwrite(inputs, batch_targets(args))
    matcher = _matcher(args)
    bar = None
    try:
        if args.workers or args.scheduler:
            from ..batch import match_dask

            results: Any = match_dask(matcher, source, scheduler=args.scheduler,
                                      workers=args.workers, as_of=as_of,
                                      include_possible=not args.eligible_only,
                                      chunk_size=args.chunk_size, encoding=args.encoding)
        else:
            results = iter_match_many(matcher, source, as_of=as_of, chunk_size=args.chunk_size,
                                      include_possible=not args.eligible_only,
                                      encoding=args.encoding)
        bar = _progress_bar(count_records(source))
        if args.to_table:
            from ..batch import run_to_table

            summary = run_to_table(results, args.db, args.to_table, if_exists=args.if_exists,
                                   progress=bar.update if bar else None)
        else:
            summary = run_batch(results, args.output, progress=bar.update if bar else None)
    except (ValueError, ImportError, UnicodeError) as exc:  # the input cannot be read at all
        raise ProfileError(str(exc)) from exc
    finally:
        if bar is not None:
            bar.close()
    _print(summary.line())
    _print(f"wrote {summary.output}; rejected rows (row, reason) in {summary.rejects}",
          err=True)
    return 0


def _progress_bar(total: int | None) -> Any:
    """A tqdm bar on stderr when it is a terminal (and tqdm is installed), else None."""
    if not sys.stderr.isatty():
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(total=total, unit="rows", unit_scale=True, file=sys.stderr, dynamic_ncols=True)


def _policies_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--policies", action="append", metavar="PATH",
                   help="policy file or folder to use instead of the bundled corpus (repeatable)")


def _load(args: argparse.Namespace) -> Any:
    from ..corpus import load_policies

    return load_policies(args.policies or None, cache_dir=cache_dir())


def _cmd_validate(args: argparse.Namespace) -> int:
    from ..corpus import load_policies, review_notes
    from ..matcher import check_cases

    try:
        policy_set = load_policies(args.paths) if args.paths else load_policies()
    except PolicyFileError as exc:
        for line in exc.problems:
            _print(line, err=True)
        _print(f"{len(exc.problems)} problem(s) found; fix them and run `policymatch validate` "
              "again", err=True)
        return 1
    problems = check_cases(policy_set)
    n_cases = sum(len(c.cases) for _, c in policy_set.items())
    if problems:
        for line in problems:
            _print(line, err=True)
        _print(f"{len(problems)} of {n_cases} clause case(s) failed", err=True)
        return 1
    found = review_notes(args.paths or None)
    notes = [n for n in found if n.kind == "review"]
    loose = [n for n in found if n.kind == "unstructured"]
    for note in notes:
        _print(f"{note.where()}: open review: {note.note}", err=True)
    for note in loose:
        _print(f"{note.where()}: unstructured condition (at best possible): {note.note}", err=True)
    counts = (f"{len(policy_set.policies)} policies, {len(policy_set)} clauses, "
              f"{n_cases} clause cases pass")
    if not found:
        _print(f"OK: {counts}")
        return 0
    parts = []
    if notes:
        parts.append(f"{len(notes)} clause(s) in {len({n.file for n in notes})} file(s) still carry "
                     "a review: note (a draft not yet checked by a person)")
    if loose:
        parts.append(f"{len(loose)} condition(s) in {len({n.file for n in loose})} file(s) are still "
                     "unstructured words (no firm is eligible for their clauses until a person "
                     "writes them as field conditions)")
    drafts = "; ".join(parts)
    if args.strict:
        _print(f"{drafts}; check each clause, delete its review: line, structure each unstructured "
              "condition, and run `policymatch validate --strict` again", err=True)
        return 1
    _print(f"DRAFT: {counts}, but {drafts}; --strict makes this an error")
    return 0


def _cmd_schema(args: argparse.Namespace) -> int:
    from ..schema import json_schema

    form: Any = args.form or ("output" if args.which == "report" else "input")
    _print(json.dumps(json_schema(args.which, form), ensure_ascii=False, indent=2))
    return 0


_TIER_NAMES = {"1": "“1” 总体政策", "9": "“9” 领域政策", "X": "“X” 专项政策", None: "其他"}


def _cmd_list(args: argparse.Namespace) -> int:
    from ..display import render_table

    policy_set = _load(args)
    if args.format == "json":
        out = [{"policy_id": p.id, "title": p.title, "tier": p.tier, "domain": p.domain,
                "clauses": [{"id": c.id, "title": c.title} for c in p.clauses]}
               for p in policy_set.policies]
        _print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    for tier in ("1", "9", "X", None):
        group = [p for p in policy_set.policies if p.tier == tier]
        if not group:
            continue
        n = sum(len(p.clauses) for p in group)
        _print(f"\n{_TIER_NAMES[tier]}：{len(group)} 个文件，{n} 条")
        rows = [[c.id, p.domain or "", c.title] for p in group for c in p.clauses]
        _print(render_table(["条款编号", "领域", "标题"], rows, max_widths=[22, 14, 58]))
    _print(f"\n合计 {len(policy_set.policies)} 个政策文件，{len(policy_set)} 条")
    return 0


def _cmd_show(args: argparse.Namespace) -> int:
    from ..display import clause_text

    policy, clause = _load(args).clause(args.clause_id)
    if args.format == "json":
        _print(json.dumps({"policy_id": policy.id, "policy_title": policy.title,
                          **clause.model_dump(mode="json")}, ensure_ascii=False, indent=2))
        return 0
    _print(clause_text(policy, clause))
    return 0


def _values_may_start_with_dash(parser: argparse.ArgumentParser, argv: list[str]) -> list[str]:
    """``--revenue -500万`` as ``--revenue=-500万``: argparse would take the value for an
    unknown option and print a usage dump; given to the option, the profile refuses it in one
    clean line (amounts are not negative). A value that is itself an option is left alone."""
    takes_value: set[str] = set()
    options: set[str] = set()
    parsers = [parser]
    while parsers:
        p = parsers.pop()
        for action in p._actions:
            options.update(action.option_strings)
            if action.option_strings and action.nargs is None and not isinstance(
                    action, (argparse._StoreConstAction, argparse._StoreTrueAction,
                             argparse._StoreFalseAction, argparse._HelpAction)):
                takes_value.update(action.option_strings)
            if isinstance(action, argparse._SubParsersAction):
                parsers.extend(action.choices.values())
    out: list[str] = []
    i = 0
    while i < len(argv):
        token = argv[i]
        following = argv[i + 1] if i + 1 < len(argv) else None
        if (token in takes_value and following is not None and following.startswith("-")
                and following != "-" and following.split("=", 1)[0] not in options):
            out.append(f"{token}={following}")
            i += 2
            continue
        out.append(token)
        i += 1
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (0 ok, 1 user error, 2 usage error)."""
    parser = build_parser()
    args = parser.parse_args(_values_may_start_with_dash(
        parser, list(sys.argv[1:] if argv is None else argv)))
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    logging.getLogger("jieba").setLevel(logging.WARNING)
    if args.version:
        from ..version import __version__

        _print(__version__)
        return 0
    if not args.command:
        parser.print_help(sys.stderr)
        return 2
    if sys.stdout is None:  # started with >&-: the answer would go nowhere
        _print("error: standard output is closed; redirect it to a file (> out.txt) or a pipe",
               err=True)
        return 1
    restore = _terminate_cleanly()
    try:
        code = int(args.func(args))
        sys.stdout.flush()
        return code
    except PolicyFileError as exc:
        if args.verbose:  # every problem, one per line
            _print("error: " + "\n  ".join(exc.problems), err=True)
            return 1
        first = _one_line(exc.problems[0])
        more = f" (and {len(exc.problems) - 1} more; run `policymatch validate` to see all)" \
            if len(exc.problems) > 1 else ""
        _print(f"error: {first}{more}", err=True)
        return 1
    except BrokenPipeError:  # pragma: no cover - e.g. piped into head
        return 0
    except (PolicymatchError, OSError) as exc:
        if args.verbose:
            log.exception("failed")
        detail = str(exc) if args.verbose else _one_line(str(exc))
        _print(f"error: {detail}", err=True)
        return 1
    finally:
        restore()
