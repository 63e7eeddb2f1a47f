"""Tests for policymatch.text: normalisation, the Tokenizer, its dictionary and fast paths."""

from __future__ import annotations

import json
import logging
import os
import pickle
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policymatch.aliases import alias_table
from policymatch.text import (
    Tokenizer,
    VocabularyTokenizer,
    default_stopwords,
    domain_terms,
    normalize,
)
from policymatch.text.tokenizer import _cache_dir

REPO_ROOT = Path(__file__).resolve().parents[1]
SEGMENTABLE = re.compile("[\u4e00-\u9fd5a-zA-Z0-9+#&._%]+")

POLICY_SENTENCES = [
    "对当年新认定的国家级专精特新“小巨人”企业，给予一次性奖励100万元。",
    "工业企业实施技术改造项目，当年设备投资额500万元以上的，按设备投资额的10%给予补助。",
    "对首次升级为规模以上工业企业（小升规）的企业，给予10万元奖励。",
    "亩均效益评价为A类的工业企业，按照实际缴纳的城镇土地使用税给予全额减免。",
    "对认定为首台套产品、首批次新材料、首版次软件的企业，分别给予最高100万元奖励。",
    "企业研发费用年度增长超过20%的，按照研发投入增量部分的10%给予补助。",
    "应届高校毕业生在本市企业就业并缴纳社保的，按每月1000元发放生活补贴。",
    "提供人才公寓，对租房居住的青年人才给予租房补贴，每月最高1500元。",
    "对投保出口信用保险的外贸企业，按实际缴纳保费的50%给予保费补贴。",
    "支持跨境电商发展，企业在海外仓租赁、跨境电商平台开店的费用给予补助。",
    "对在境内外上市的企业，完成股改奖励50万元，辅导备案奖励100万元。",
    "对中小微企业获得银行贷款的，按照贷款基准利率的50%给予贷款贴息。",
    "新评为国家5A级旅游景区、4A级景区的，分别奖励500万元、100万元。",
    "获得中国建设工程鲁班奖的建筑企业奖励100万元，获得钱江杯的奖励20万元。",
    "支持商业航天产业，卫星制造、卫星应用企业落户的，给予厂房租金减免。",
    "免申即享：对符合条件的规上工业企业，系统自动兑付电费补贴。",
    "同一项目同时符合本政策和其他政策的，按照就高不重复原则执行。",
    "新建标准化茶园、改造提升老茶园，连片面积50亩以上的，每亩补助1000元。",
]
PRODUCTS = ["真丝领带", "集成灶", "微特电机", "汽车零部件", "动力电池", "储能系统", "数控机床",
            "工业机器人", "可降解材料", "纳米抗体", "多肽原料药", "卫星部件", "工业软件", "名优茶",
            "精品民宿", "装配式建筑构件", "跨境电商服装", "光伏组件"]
PLANS = ["计划实施智能化改造", "近三年研发投入逐年增长", "正在进行股改并准备辅导备案",
         "每年招聘应届高校毕业生", "外贸出口占营业收入六成", "拟申请银行贷款扩大产能",
         "拟新建博士后工作站", "开展职业技能培训", "拓展海外仓和境外展会渠道"]
MIXED = ("ＡＢＣ公司（嵊州）專精特新「小巨人」企業，ISO9001認證；C++軟件、AT&T、B超設備，"
         "3.5%增長—COVID-19 γ射线 e-commerce\u3000２０２５年")


def descriptions(n: int, seed: int = 7) -> list[str]:
    """Enterprise descriptions built from templates, reproducible for a seed."""
    rng = random.Random(seed)
    return [
        f"本公司成立于{rng.randint(1995, 2023)}年，主要从事{rng.choice(PRODUCTS)}的研发、生产和"
        f"销售；{'，'.join(rng.sample(PLANS, rng.randint(1, 3)))}。"
        for _ in range(n)
    ]


def in_fresh_python(code: str, cwd: Path) -> None:
    """Run ``code`` in a new interpreter (so sys.modules is clean); fail on a non-zero exit."""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    result = subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr


# -- normalize --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ＡＢＣ１２３", "ABC123"),
        ("專精特新企業", "专精特新企业"),
        ("研發費用（萬元）", "研发费用(万元)"),
        ("  a \t\n b  ", "a b"),
        ("首台\u3000套", "首台 套"),
        ("", ""),
        ("   ", ""),
        ("already simple", "already simple"),
    ],
)
def test_normalize_table(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


@given(st.text(alphabet=st.sampled_from("专精特新專業企研發费用ＡＢａｂ１２ ,，。\t\n\u3000（）()")))
def test_normalize_is_idempotent_and_trimmed(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once
    assert once == once.strip()
    assert "  " not in once and "\n" not in once and "\t" not in once


def test_normalize_is_fast_for_short_strings() -> None:
    normalize("预热")
    start = time.perf_counter()
    for _ in range(2000):
        normalize("企業研發費用年度增長超過２０％")
    assert (time.perf_counter() - start) / 2000 < 2e-4  # measured ~4 µs


# -- construction, imports --------------------------------------------------------------------
def test_init_only_stores_params() -> None:
    params: dict[str, Any] = {"user_dict": "x.txt", "stopwords": ["的"], "hmm": True,
                              "cache_dir": "/nowhere", "engine": "rjieba"}
    tok = Tokenizer(**params)
    assert tok.get_params() == params
    assert {k for k in vars(tok) if not k.startswith("_")} == set(params)
    assert tok._jieba is None and tok._rules is None
    with pytest.raises(TypeError):
        Tokenizer("x.txt")  # type: ignore[misc]


def test_importing_and_constructing_loads_no_jieba(tmp_path: Path) -> None:
    in_fresh_python(
        "import sys, policymatch, policymatch.text, policymatch.index\n"
        "policymatch.text.Tokenizer(); policymatch.text.normalize('專精特新')\n"
        "bad = [m for m in ('jieba', 'rjieba', 'sklearn') if m in sys.modules]\n"
        "assert not bad, bad\n",
        tmp_path,
    )


def test_unknown_engine_is_refused() -> None:
    with pytest.raises(ValueError, match="engine must be 'jieba' or 'rjieba'"):
        Tokenizer(engine="hanlp").tokenize("企业")  # type: ignore[arg-type]


# -- what a token is --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("对新认定的国家高新技术企业给予30万元奖励",
         ["认定", "国家高新技术企业", "高新技术企业", "奖励"]),
        ("2025年营业收入3.5亿元", ["营业收入"]),  # numbers, 年, and the unit 亿元 go
        ("ISO9001认证", ["iso9001", "认证"]),
        ("企業研發費用", ["企业", "研发费用"]),
        ("专精特新“小巨人”企业", ["专精特新", "小巨人", "企业"]),
        ("规上工业企业亩均税收", ["规上工业企业", "规上", "规上工业", "亩均税收", "亩均"]),
        ("，。！？ ……", []),
        ("", []),
    ],
)
def test_tokenize_table(tokenizer: Tokenizer, text: str, expected: list[str]) -> None:
    assert tokenizer.tokenize(text) == expected


def test_traditional_and_full_width_give_the_same_tokens(tokenizer: Tokenizer) -> None:
    assert tokenizer.tokenize("企業研發費用ＩＳＯ９００１") == tokenizer.tokenize("企业研发费用ISO9001")


@given(st.text(alphabet=st.sampled_from("专精特新小巨人企业研发费用的和对给予ABCabc123 ，。%-")))
def test_token_invariants(tokenizer: Tokenizer, text: str) -> None:
    stop = default_stopwords()
    for token in tokenizer.tokenize(text):
        assert len(token) >= 2
        assert token not in stop
        assert token == token.strip() and not token.isdigit()
        assert not re.search("[A-Z]", token)


def test_tokenize_many_equals_one_by_one(tokenizer: Tokenizer) -> None:
    assert tokenizer.tokenize_many(POLICY_SENTENCES) == [tokenizer.tokenize(t) for t in POLICY_SENTENCES]


# -- the domain dictionary and stopwords ------------------------------------------------------
BRIEF_TERMS = (
    "专精特新 小巨人 规上 规模以上 限上 亩均 亩均效益 首台套 首批次 首版次 免申即享 依申请 就高不重复 "
    "晋级差额 研发费用 研发投入 设备投资 技术改造 技改 数字化改造 智能化改造 贷款贴息 担保费 保费补贴 "
    "人才公寓 租房补贴 生活补贴 安家补贴 博士后工作站 领军人才 高技能人才 应届高校毕业生 出口信用保险 "
    "跨境电商 直播电商 上市 股改 新三板 辅导备案 招商引资 固定资产投资 纳税 税收贡献 营业收入 "
    "主营业务收入 小升规 数控机床 工业机器人 动力电池 储能 锂电池 卫星 可降解材料 生物降解 纳米抗体 "
    "创新药 多肽 汽车零部件 领带 集成灶 茶叶 茶园 合作社 家庭农场 民宿 景区 鲁班奖 装配式建筑 招工 "
    "用工 社保 稳岗 职业技能培训"
).split()


def test_userdict_lines_are_jieba_format() -> None:
    from importlib import resources

    raw = resources.files("policymatch.data").joinpath("userdict.txt").read_text("utf-8")
    words = []
    for line in raw.splitlines():
        word, freq, tag = line.split(" ")
        assert int(freq) >= 20000 and tag in ("n", "nz"), line
        assert normalize(word) == word and SEGMENTABLE.fullmatch(word), line
        words.append(word)
    assert len(words) == len(set(words)), "a term is listed twice"
    assert domain_terms() == words


def test_domain_terms_include_the_policy_vocabulary() -> None:
    missing = [t for t in BRIEF_TERMS if t not in domain_terms()]
    assert not missing


def test_every_alias_is_covered(tokenizer: Tokenizer) -> None:
    terms = set(domain_terms())
    lowered = {t.lower() for t in terms}
    tok_missing, missing = [], []
    table = alias_table()
    names = {n for kind in (table.qualifications, table.industries)
             for canon, aliases in kind.items() for n in (canon, *aliases)}
    for name in sorted(names):
        text = normalize(name)
        if SEGMENTABLE.fullmatch(text):
            if text not in terms:
                missing.append(name)
        elif not set(tokenizer.tokenize(name)) & lowered:  # quotes or brackets split it
            tok_missing.append(name)
    assert not missing, f"add these aliases to policymatch/data/userdict.txt: {missing}"
    assert not tok_missing, f"no domain term survives in: {tok_missing}"


def test_every_domain_term_stays_one_token(tokenizer: Tokenizer) -> None:
    split = []
    for term in domain_terms():
        alone = tokenizer.tokenize(term)
        in_context = tokenizer.tokenize(f"对{term}给予支持") + tokenizer.tokenize(f"公司是{term}，")
        if not alone or alone[0] != term.lower() or in_context.count(term.lower()) < 2:
            split.append((term, alone))
    assert not split


def test_compounds_also_count_as_their_parts(tokenizer: Tokenizer) -> None:
    tokens = tokenizer.tokenize("国家级专精特新小巨人")
    assert tokens[0] == "国家级专精特新小巨人"
    assert {"专精特新", "小巨人", "专精特新小巨人"} <= set(tokens)


def test_default_stopwords_are_function_words() -> None:
    stop = default_stopwords()
    assert {"的", "和", "对", "给予", "按照", normalize("，")} <= stop
    assert not {"企业", "奖励", "补助", "研发"} & stop


def test_custom_stopwords_and_user_dict(tmp_path: Path) -> None:
    user_dict = tmp_path / "extra.txt"
    user_dict.write_text("越剧小镇 30000 ns\n剡溪\n", encoding="utf-8")
    tok = Tokenizer(user_dict=user_dict, stopwords=["奖励"], cache_dir=tmp_path / "cache")
    assert tok.tokenize("越剧小镇给予奖励") == ["越剧小镇", "给予"]
    assert tok.tokenize("剡溪两岸") == ["剡溪", "两岸"]


@pytest.mark.parametrize(
    ("content", "message"),
    [("好词 0 n\n", r"extra\.txt:1: '好词 0 n'"), ("一 二 三 四\n", r"extra\.txt:1")],
)
def test_bad_user_dict_lines_are_refused(tmp_path: Path, content: str, message: str) -> None:
    user_dict = tmp_path / "extra.txt"
    user_dict.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        Tokenizer(user_dict=user_dict).tokenize("企业")


def test_missing_user_dict_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"user_dict .*nope\.txt"):
        Tokenizer(user_dict=tmp_path / "nope.txt").tokenize("企业")


# -- laziness, threads, pickling, cache, logging ---------------------------------------------
def test_first_use_under_contention_builds_once(tokenizer: Tokenizer,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    built = tokenizer._get_jieba()
    calls: list[int] = []

    def slow_build(self: Tokenizer) -> Any:
        calls.append(threading.get_ident())
        time.sleep(0.05)  # widen the window in which other threads arrive
        return built

    monkeypatch.setattr(Tokenizer, "_new_jieba", slow_build)
    fresh = Tokenizer(cache_dir=tokenizer.cache_dir)
    barrier = threading.Barrier(8)

    def work(_: int) -> list[str]:
        barrier.wait()
        return fresh.tokenize(POLICY_SENTENCES[0])

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(work, range(8)))
    assert len(calls) == 1
    assert results == [tokenizer.tokenize(POLICY_SENTENCES[0])] * 8


def test_pickle_round_trip_rebuilds_lazily_and_quietly(
    tokenizer: Tokenizer, capfd: pytest.CaptureFixture[str]
) -> None:
    texts = POLICY_SENTENCES + descriptions(20)
    expected = tokenizer.tokenize_many(texts)
    data = pickle.dumps(tokenizer)
    assert len(data) < 2000  # parameters only, no dictionary
    clone = pickle.loads(data)
    assert clone._jieba is None and clone.get_params() == tokenizer.get_params()
    root_handlers = list(logging.getLogger().handlers)
    jieba_level = logging.getLogger("jieba").level
    capfd.readouterr()
    assert clone.tokenize_many(texts) == expected
    out, err = capfd.readouterr()
    assert out == "" and "prefix dict" not in err
    assert logging.getLogger().handlers == root_handlers
    assert logging.getLogger("jieba").level == jieba_level


def test_jieba_cache_goes_where_asked(tokenizer: Tokenizer) -> None:
    import jieba

    tokenizer.tokenize("企业")
    assert (Path(tokenizer.cache_dir) / f"jieba-{jieba.__version__}.cache").is_file()


def test_default_cache_dir_follows_xdg_then_home(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert _cache_dir(None) == str(tmp_path / "xdg" / "policymatch")
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert _cache_dir(None) == str(tmp_path / "home" / ".cache" / "policymatch")


def test_unwritable_cache_dir_falls_back_to_temp(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    uid = os.getuid() if hasattr(os, "getuid") else os.getpid()
    assert _cache_dir(None) == str(tmp_path / "tmp" / f"policymatch-{uid}")


# -- the rjieba engine ------------------------------------------------------------------------
def test_rjieba_gives_identical_tokens(tokenizer: Tokenizer) -> None:
    pytest.importorskip("rjieba")
    rng = random.Random(11)
    pool = "".join(POLICY_SENTENCES + descriptions(50, seed=3)) + MIXED
    windows = [pool[i:i + rng.randint(4, 50)] for i in (rng.randrange(len(pool)) for _ in range(300))]
    texts = POLICY_SENTENCES * 3 + descriptions(400) + windows + [MIXED] * 3
    fast = Tokenizer(cache_dir=tokenizer.cache_dir, engine="rjieba")
    assert fast.tokenize_many(texts) == tokenizer.tokenize_many(texts)
    assert fast.tokenize(MIXED) == tokenizer.tokenize(MIXED)


def _piece_separators() -> list[str]:
    from policymatch.text import PIECE_BREAK

    return [c for c in map(chr, range(0x110000)) if PIECE_BREAK.fullmatch(c)]


def test_texts_are_cut_only_where_normalising_stays_local() -> None:
    """Each separator is one starter after NFKC that no composition uses and no block holds."""
    import unicodedata

    separators = _piece_separators()
    assert {"、", "；", "，", " ", "\u3000", "\n"} <= set(separators)
    in_compositions = set()
    for code in range(0x110000):
        mapping = unicodedata.decomposition(chr(code))
        parts = mapping.split()
        if len(parts) == 2 and not mapping.startswith("<"):  # the canonical pairs NFKC composes
            in_compositions.update(chr(int(h, 16)) for h in parts)
    for sep in separators:
        folded = unicodedata.normalize("NFKD", sep)
        assert len(folded) == 1 and unicodedata.combining(folded) == 0, repr(sep)
        assert folded not in in_compositions and not SEGMENTABLE.search(folded), repr(sep)
        assert not (0x1100 <= ord(folded) <= 0x11FF or 0xAC00 <= ord(folded) <= 0xD7A3)
        assert normalize(f"發{sep}展") in (f"发{folded.strip()}展", "发 展"), repr(sep)


_HOSTILE = st.text(st.sampled_from(list("研发費用專精特新企業技术改造，；、：（）() ,;:\u3000\n"
                                        "ＡＢｃ１２e\u0301\u0308\u200b乾隆著名發展A股C++")),
                   max_size=40)


@given(st.lists(_HOSTILE, min_size=1, max_size=4).map("".join))
def test_rjieba_by_pieces_equals_jieba_on_whole_texts(text: str) -> None:
    pytest.importorskip("rjieba")
    whole = _WHOLE.tokenize(text)
    assert _FAST.tokenize(text) == whole
    assert _FAST.tokenize_many([text, text]) == [whole, whole]


_WHOLE = Tokenizer()
_FAST = Tokenizer(engine="rjieba")


# -- the restricted (vocabulary) tokenizer ----------------------------------------------------
@pytest.fixture(scope="module")
def restricted(tokenizer: Tokenizer) -> VocabularyTokenizer:
    vocabulary = {t for text in POLICY_SENTENCES for t in tokenizer.tokenize(text)}
    return tokenizer.restricted(vocabulary)


def test_restricted_is_exact_on_the_texts_its_vocabulary_came_from(
    tokenizer: Tokenizer, restricted: VocabularyTokenizer
) -> None:
    assert restricted.tokenize_many(POLICY_SENTENCES) == tokenizer.tokenize_many(POLICY_SENTENCES)


def test_restricted_matches_in_vocabulary_tokens_elsewhere(
    tokenizer: Tokenizer, restricted: VocabularyTokenizer
) -> None:
    vocabulary = {t for text in POLICY_SENTENCES for t in tokenizer.tokenize(text)}
    texts = [*descriptions(200, seed=5), MIXED]
    agree = sum(
        [t for t in tokenizer.tokenize(x) if t in vocabulary]
        == [t for t in restricted.tokenize(x) if t in vocabulary]
        for x in texts
    )
    assert agree >= 0.99 * len(texts)


def test_restricted_round_trips_through_json_and_pickle(restricted: VocabularyTokenizer) -> None:
    texts = [*POLICY_SENTENCES, MIXED]
    expected = restricted.tokenize_many(texts)
    from_json = VocabularyTokenizer.from_dict(json.loads(json.dumps(restricted.to_dict())))
    assert from_json.tokenize_many(texts) == expected
    assert pickle.loads(pickle.dumps(restricted)).tokenize_many(texts) == expected


@pytest.mark.parametrize(
    "data",
    [{}, {"words": [], "total": 1, "stopwords": [], "compounds": {}},
     {"words": {"研发": "many"}, "total": 1, "stopwords": [], "compounds": {}},
     {"words": {}, "total": 0, "stopwords": [], "compounds": {}}],
)
def test_malformed_lexicon_is_refused(data: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="lexicon"):
        VocabularyTokenizer.from_dict(data)


def test_restricted_runs_without_jieba(tmp_path: Path) -> None:
    in_fresh_python(
        "import sys\n"
        "from policymatch.text import VocabularyTokenizer\n"
        "vt = VocabularyTokenizer(words={'研发': 1976, '研发费用': 20000, '费用': 3802, '的': 1},"
        " total=60_000_000, stopwords=['的'], compounds={})\n"
        "assert vt.tokenize('企業的研發費用') == ['研发费用'], vt.tokenize('企業的研發費用')\n"
        "assert 'jieba' not in sys.modules\n",
        tmp_path,
    )
