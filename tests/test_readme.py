"""The README's Python example runs and prints what the README says it prints."""

from __future__ import annotations

import contextlib
import io
import re
from datetime import date
from pathlib import Path

from policymatch import Matcher

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_the_python_example_prints_what_the_readme_shows(monkeypatch, tokenizer) -> None:
    code = re.search(r"```python\n(.*?)```", README, flags=re.S)
    shown = re.search(r"It prints.*?```text\n(.*?)```", README, flags=re.S)
    assert code and shown
    match, init = Matcher.match, Matcher.__init__

    def on_the_day_shown(self, profile, **kw):  # the README says "as of 30 June 2026"
        return match(self, profile, **{"as_of": date(2026, 6, 30), **kw})

    def with_the_session_tokenizer(self, **kw):
        init(self, **{"tokenizer": tokenizer, **kw})

    monkeypatch.setattr(Matcher, "match", on_the_day_shown)
    monkeypatch.setattr(Matcher, "__init__", with_the_session_tokenizer)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code.group(1), "README.md", "exec"), {})  # the README's own example
    printed = out.getvalue().splitlines()
    assert re.fullmatch(r"可享受 [1-9]\d* 条，预计 [\d.,]+ 万元；另有 \d+ 条需补充信息", printed[0])
    for line in shown.group(1).splitlines():
        if line != "…":
            assert line in printed, f"the README shows {line!r}; the example printed:\n" + "\n".join(printed)
    assert sum(" → --" in line for line in printed) == 3


def test_the_quickstart_page_shows_the_same_tested_example() -> None:
    page = (Path(__file__).resolve().parents[1] / "docs" / "quickstart.md").read_text(encoding="utf-8")
    readme = re.search(r"```python\n(.*?)```", README, flags=re.S)
    assert readme and readme.group(1) in page
