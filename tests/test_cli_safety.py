"""The command line under hostile input and output: it never replaces its input, never writes
into the void, never passes terminal control sequences through, and says each problem in one
clean line with the fix. Also the documents ``extract`` reads (zip bombs, UTF-16 text)."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from policymatch.cli import main
from policymatch.cli.output import safe as _safe
from policymatch.errors import ExtractionError
from policymatch.extract import read_document

MINI = Path(__file__).parent / "data" / "mini.yaml"
DOC = "第一条 对新认定的国家高新技术企业，给予一次性奖励20万元。\n"


@pytest.fixture(autouse=True)
def _no_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICYMATCH_NO_CACHE", "1")


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def one_error(err: str) -> str:
    lines = [line for line in err.splitlines() if not line.startswith("WARNING")]
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    return lines[0]


# -- extract never replaces its input, and two inputs never share an output ------------------------
def test_extract_refuses_two_inputs_with_one_output_name(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "x.txt").write_text(DOC, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    code, _, err = run(["extract", str(tmp_path / "a" / "x.txt"), str(tmp_path / "b" / "x.txt"),
                        "-o", str(out)], capsys)
    assert code == 1 and "would both be written to" in one_error(err)
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("output", ["same", "dotted", "folder of itself"])
def test_extract_refuses_to_replace_its_document(tmp_path: Path, output: str,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    doc = tmp_path / "doc.yaml"  # a document whose name is the draft's name
    doc.write_text(DOC, encoding="utf-8")
    target = {"same": str(doc), "dotted": str(tmp_path / "." / "doc.yaml"),
              "folder of itself": str(tmp_path)}[output]
    code, _, err = run(["extract", str(doc), "-o", target], capsys)
    assert code == 1 and "would replace the input" in one_error(err)
    assert doc.read_text(encoding="utf-8") == DOC


def test_extract_of_several_files_with_distinct_names_still_works(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text(DOC, encoding="utf-8")
    code, _, _ = run(["extract", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"), "-o",
                      str(tmp_path / "out")], capsys)
    assert code == 0 and sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.yaml", "b.yaml"]


# -- dates, workers, paths --------------------------------------------------------------------------
@pytest.mark.parametrize("as_of", ["", " ", "2025-13-01", "tomorrow", "x" * 10_000])
@pytest.mark.parametrize("command", ["match", "batch"])
def test_a_bad_as_of_is_refused_never_today(tmp_path: Path, as_of: str, command: str,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "in.csv").write_text("name\n甲\n", encoding="utf-8")
    argv = (["match", "--name", "甲"] if command == "match"
            else ["batch", str(tmp_path / "in.csv"), "-o", str(tmp_path / "o.csv")])
    code, out, err = run([*argv, "--as-of", as_of, "--policies", str(MINI)], capsys)
    line = one_error(err)
    assert code == 1 and out == "" and "write the date as YYYY-MM-DD" in line and len(line) < 300


def test_a_far_future_as_of_with_an_age_clause_answers(write_yaml: object, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    policy = MINI.read_text("utf-8").replace(
        "    - {field: credit_clean, op: \"==\", value: true}",
        "    - {field: credit_clean, op: \"==\", value: true}\n    - {field: age_years, op: \">=\", value: 1}")
    path = tmp_path / "aged.yaml"
    path.write_text(policy.replace("valid_to: 2025-12-31", "valid_to: 9999-12-31"), "utf-8")
    code, out, err = run(["match", "--name", "甲", "--established", "2020-02-29", "--region", "测试县",
                          "--as-of", "9999-12-31", "--policies", str(path), "--format", "json"],
                         capsys)
    assert code == 0, err
    assert json.loads(out)["as_of"] == "9999-12-31"


def test_an_empty_policies_path_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["list", "--policies", ""], capsys)
    assert code == 1 and "an empty policy path" in one_error(err)


@pytest.mark.parametrize("what", ["fifo", "folder", "device"])
def test_profile_inputs_that_are_not_files(tmp_path: Path, what: str,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    import os

    path = {"fifo": tmp_path / "p.json", "folder": tmp_path, "device": Path("/dev/zero")}[what]
    if what == "fifo":
        os.mkfifo(path)
    code, _, err = run(["match", str(path), "--policies", str(MINI)], capsys)
    line = one_error(err)
    assert code == 1 and "no such file" not in line
    assert ("is a folder" if what == "folder" else "not a regular file") in line


def test_a_huge_id_is_not_echoed_whole(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["show", "x" * 100_000, "--policies", str(MINI)], capsys)
    line = one_error(err)
    assert code == 1 and len(line) < 700 and "100,0" in line


# -- closed streams, run as a real process -------------------------------------------------------------
def _cli(args: list[str], **kw: object) -> subprocess.CompletedProcess[str]:
    import os

    env = {**os.environ, "POLICYMATCH_NO_CACHE": "1"}
    return subprocess.run([sys.executable, "-m", "policymatch", *args], text=True,
                          capture_output=kw.pop("capture", True), env=env, **kw)  # type: ignore[call-overload]


def test_a_closed_stdout_is_an_error_not_silence() -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import os, sys, subprocess; os.close(1); "
         "sys.exit(subprocess.call([sys.executable, '-m', 'policymatch', 'list', '--policies', "
         f"{str(MINI)!r}], stdout=None, env=dict(os.environ, POLICYMATCH_NO_CACHE='1')))"],
        capture_output=False, stderr=subprocess.PIPE, text=True)
    assert done.returncode == 1 and "standard output is closed" in done.stderr


def test_a_closed_stdin_is_an_error() -> None:
    done = _cli(["match", "-", "--policies", str(MINI)], stdin=subprocess.DEVNULL)
    assert done.returncode == 1 and "not valid JSON" in done.stderr  # an empty stdin
    closed = subprocess.run(
        [sys.executable, "-c", "import os, sys, subprocess; os.close(0); "
         "sys.exit(subprocess.call([sys.executable, '-m', 'policymatch', 'match', '-', "
         f"'--policies', {str(MINI)!r}], env=dict(os.environ, POLICYMATCH_NO_CACHE='1')))"],
        capture_output=True, text=True)
    assert closed.returncode == 1 and "stdin is closed" in closed.stderr


def test_stdin_is_read_no_further_than_the_profile_limit() -> None:
    big = b'{"name": "' + b"a" * 2_000_000 + b'"}'
    done = subprocess.run([sys.executable, "-m", "policymatch", "match", "-", "--policies",
                           str(MINI)], input=big, capture_output=True)
    assert done.returncode == 1 and b"larger than 1,000,000 bytes" in done.stderr


# -- terminal escapes ------------------------------------------------------------------------------
@pytest.mark.parametrize("evil", ["\x1b[2J\x1b[H", "\x1b]0;pwned\x07", "\x9b31m", "a\rb",
                                  "\u202egnp.exe", "\x7f", "\x08\x08"])
def test_control_sequences_are_shown_not_obeyed(evil: str) -> None:
    import unicodedata

    shown = _safe(f"条款{evil}文本\n下一行\t制表")
    assert not any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in shown)
    assert "\u202e" not in shown and "\\u" in shown and "\n下一行\t制表" in shown


@pytest.mark.parametrize("command", [["show", "mini-gx"], ["list"], ["show", "mini-gx", "--format",
                                                                      "json"]])
def test_clause_text_with_escapes_is_printed_safely(tmp_path: Path, command: list[str],
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    text = MINI.read_text("utf-8").replace(
        "title: 新认定国家高新技术企业奖励", 'title: "新认定\\e[31m国家高新\\x9b技术企业奖励"').replace(
        "text: 对当年新认定的国家高新技术企业", 'text: "\\e]0;x\\a对当年新认定的国家高新技术企业')
    text = text.replace("给予一次性奖励20万元。\n    conditions: {field: new_qualifications",
                        '给予一次性奖励20万元。"\n    conditions: {field: new_qualifications', 1)
    path = tmp_path / "evil.yaml"
    path.write_text(text, "utf-8")
    code, out, err = run([*command, "--policies", str(path)], capsys)
    assert code == 0, err
    assert "\x1b" not in out and "\x9b" not in out and "\x07" not in out
    assert "\\u001b" in out or "\\u009b" in out
    if "json" in command:
        assert "\x1b" in json.loads(out)["title"]  # the data itself is unchanged


# -- documents -------------------------------------------------------------------------------------
def _docx(path: Path, document_xml: bytes) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", document_xml)
    return path


def test_a_docx_zip_bomb_is_refused_before_inflating(tmp_path: Path) -> None:
    pytest.importorskip("docx")
    bomb = _docx(tmp_path / "bomb.docx", b"<w:document>" + b" " * 60_000_000 + b"</w:document>")
    assert bomb.stat().st_size < 1_000_000
    with pytest.raises(ExtractionError, match=r"unpacks to 60,000,0\d\d bytes, over the "
                                              r"50,000,000-byte limit"):
        read_document(bomb)


def test_a_damaged_docx_is_named(tmp_path: Path) -> None:
    pytest.importorskip("docx")
    (tmp_path / "bad.docx").write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(ExtractionError, match=r"not a readable \.docx file"):
        read_document(tmp_path / "bad.docx")


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-8-sig", "utf-8"])
def test_utf16_and_bom_text_documents_are_read(tmp_path: Path, codec: str) -> None:
    path = tmp_path / "doc.txt"
    path.write_bytes(DOC.encode(codec))
    assert read_document(path) == DOC


@pytest.mark.parametrize(("data", "message"), [
    (b"\x00\x01\x02binary", "binary file"),
    ("甲".encode("gbk") * 10, "not UTF-8 text"),
])
def test_other_documents_are_refused_clearly(tmp_path: Path, data: bytes, message: str) -> None:
    (tmp_path / "doc.txt").write_bytes(data)
    with pytest.raises(ExtractionError, match=message):
        read_document(tmp_path / "doc.txt")


@pytest.mark.parametrize("what", ["fifo", "folder", "device"])
def test_documents_that_are_not_files(tmp_path: Path, what: str) -> None:
    import os

    path = {"fifo": tmp_path / "d.txt", "folder": tmp_path, "device": Path("/dev/zero")}[what]
    if what == "fifo":
        os.mkfifo(path)
    with pytest.raises(ExtractionError, match="is a folder" if what == "folder"
                       else "not a regular file"):
        read_document(path)
