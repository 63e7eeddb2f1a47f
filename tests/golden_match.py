"""The outputs the golden test compares: every example profile through the CLI and the API.

    python tests/golden_match.py --write         # regenerate tests/data/golden_match.json
    python tests/golden_match.py --dump FOLDER   # every output in full, to diff two trees

Each case is a name and a function giving the output text; the stored SHA-256 digests were
written by the eager implementation, so a change in how reports are built must leave every
byte alone (the full outputs are several megabytes, so only their digests are kept).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))
GOLDEN = ROOT / "tests" / "data" / "golden_match.json"
AS_OF = "2026-06-30"
CLI_VARIANTS = {
    "table": [],
    "all": ["--all"],
    "top3": ["--top", "3"],
    "json": ["--format", "json"],
    "json-all-top2": ["--format", "json", "--all", "--top", "2"],
    "asof-later": ["--as-of", "2027-03-01"],
}


def _cli(args: list[str]) -> str:
    from policymatch.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        main(args)
    return out.getvalue()


def cases() -> Iterator[tuple[str, Callable[[], str]]]:
    from policymatch import Matcher, load_policies, load_profile
    from policymatch.display.html import report_html

    matcher: list[Matcher] = []

    def api(path: Path, **kw: object) -> Callable[[], str]:
        def run() -> str:
            if not matcher:
                matcher.append(Matcher().fit(load_policies()))
            report = matcher[0].match(load_profile(path), as_of=AS_OF, **kw)  # type: ignore[arg-type]
            return report.model_dump_json() + "\n" + report_html(report) + "\n" + repr(report)
        return run

    for path in EXAMPLES:
        for name, extra in CLI_VARIANTS.items():
            argv = ["match", str(path), *extra]
            if "--as-of" not in extra:
                argv += ["--as-of", AS_OF]
            yield f"{path.stem}.cli-{name}", lambda argv=argv: _cli(argv)
        yield f"{path.stem}.api", api(path)
        yield f"{path.stem}.api-all", api(path, include_ineligible=True)
        yield f"{path.stem}.api-top1", api(path, top_k=1)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--write"] and len(sys.argv) == 2:
        GOLDEN.write_text(json.dumps({name: digest(run()) for name, run in cases()}, indent=1,
                                     sort_keys=True) + "\n", encoding="utf-8")
    elif sys.argv[1:2] == ["--dump"] and len(sys.argv) == 3:
        folder = Path(sys.argv[2])
        folder.mkdir(parents=True, exist_ok=True)
        for name, run in cases():
            (folder / f"{name}.txt").write_text(run(), encoding="utf-8")
    else:
        sys.exit("usage: python tests/golden_match.py --write | --dump FOLDER")
