"""Tests for policymatch.index: TF-IDF fit, scoring oracles, the fast query path, save/load."""

from __future__ import annotations

import json
import math
import os
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policymatch.errors import IndexFormatError, NotFittedError, UnknownClauseError
from policymatch.index import FORMAT_VERSION, ClauseIndex
from policymatch.text import Tokenizer

REPO_ROOT = Path(__file__).resolve().parents[1]

# An illustrative clause corpus in the style of a county's 1+9+X incentive package.
CLAUSES = {
    "ind-01": (
        "对当年新认定的国家级专精特新“小巨人”企业，给予一次性奖励100万元；对新认定的省专精特"
        "新中小企业给予20万元奖励。"
    ),
    "ind-02": "对首次入选国家级制造业单项冠军的企业奖励200万元，省级隐形冠军奖励50万元。",
    "ind-03": (
        "工业企业实施技术改造项目，当年设备投资额500万元以上的，按设备投资额的10%给予补助，单"
        "个项目最高不超过1000万元。"
    ),
    "ind-04": (
        "支持企业开展数字化改造和智能化改造，新认定为省级未来工厂的奖励300万元，省级智能工厂"
        "奖励100万元，省级数字化车间奖励50万元。"
    ),
    "ind-05": (
        "对首次升级为规模以上工业企业（小升规）的企业，给予10万元奖励，次年继续在库的再奖励5"
        "万元。"
    ),
    "ind-06": (
        "亩均效益评价为A类的工业企业，按照实际缴纳的城镇土地使用税给予全额减免；D类企业实行差"
        "别化电价、水价。"
    ),
    "ind-07": (
        "对认定为首台套产品、首批次新材料、首版次软件的企业，分别给予最高100万元、50万元、30"
        "万元奖励。"
    ),
    "ind-08": (
        "对新能源汽车及零部件、动力电池、新型储能等新兴产业项目，固定资产投资额超过1亿元的，"
        "按投资额的5%给予补助。"
    ),
    "ind-09": (
        "对获得浙江制造品字标认证的企业，每项奖励10万元；主导制定国际标准、国家标准的，分别奖"
        "励100万元、50万元。"
    ),
    "ind-10": (
        "领带服装、厨具电器等传统产业企业实施智能化改造，购置工业机器人、数控机床等智能装备的"
        "，按设备投资额的12%给予补助。"
    ),
    "tech-01": "对首次认定的国家高新技术企业给予30万元奖励，重新认定的给予10万元奖励。",
    "tech-02": "企业研发费用年度增长超过20%的，按照研发投入增量部分的10%给予补助，最高200万元。",
    "tech-03": (
        "对新认定的国家企业技术中心、省级企业研究院、省级高新技术企业研究开发中心，分别给予30"
        "0万元、50万元、20万元奖励。"
    ),
    "tech-04": "对评为科技型中小企业的企业给予2万元奖励；新认定的省科技小巨人企业奖励30万元。",
    "tech-05": "对新建的国家级博士后科研工作站、省级博士后工作站，分别给予50万元、30万元建站资助。",
    "tech-06": (
        "支持企业与高校院所开展产学研合作，技术交易额达到100万元以上的，按技术合同成交额的10%"
        "给予补助。"
    ),
    "tech-07": "对获得发明专利授权的企业，每件给予5000元奖励；PCT国际专利每件奖励2万元。",
    "tech-08": "对省级新型研发机构给予最高500万元的建设经费支持，用于科研设备购置和研发人员引进。",
    "tal-01": "对新引进的顶尖人才、国家级领军人才，给予最高1000万元项目资助和500万元购房补贴。",
    "tal-02": "全日制博士研究生来嵊工作的，给予安家补贴40万元；硕士研究生给予安家补贴10万元。",
    "tal-03": (
        "应届高校毕业生在本市企业就业并缴纳社保的，按本科每月1000元、硕士每月2000元发放生活补"
        "贴，最长三年。"
    ),
    "tal-04": "提供人才公寓，对租房居住的青年人才给予租房补贴，每月最高1500元。",
    "tal-05": "企业新引进的高技能人才，取得高级技师职业资格的，给予一次性奖励3万元。",
    "tal-06": "企业开展职业技能培训，职工取得职业资格证书的，按每人1500元给予培训补贴。",
    "tal-07": "新建国家技能大师工作室、省级技能大师工作室，分别给予20万元、10万元资助。",
    "emp-01": (
        "企业招用就业困难人员并缴纳社保的，按实际缴纳的社会保险费给予社保补贴；稳岗返还按上年"
        "度实际缴纳失业保险费的50%返还。"
    ),
    "emp-02": "对企业招工引进外地员工，稳定就业6个月以上的，给予企业每人500元招工补贴。",
    "agr-01": "对新认定的农业产业化国家重点龙头企业、省级骨干农业龙头企业分别奖励50万元、20万元。",
    "agr-02": (
        "新建标准化茶园、改造提升老茶园，连片面积50亩以上的，每亩补助1000元；支持越乡龙井品牌"
        "建设。"
    ),
    "agr-03": "对评为国家级农民合作社示范社、省级示范性家庭农场的，分别奖励10万元、5万元。",
    "agr-04": "获得绿色食品认证、有机产品认证的农产品生产主体，每个产品奖励1万元。",
    "agr-05": "茶叶加工企业购置名优茶加工设备和清洁化生产线的，按设备投资的30%给予补助。",
    "trade-01": (
        "电子商务企业年网络零售额首次突破1亿元的，给予20万元奖励；对新评为省级电子商务示范企"
        "业的奖励10万元。"
    ),
    "trade-02": (
        "支持跨境电商发展，企业在海外仓租赁、跨境电商平台开店的费用，按实际发生额的50%给予补"
        "助。"
    ),
    "trade-03": "直播电商企业年直播销售额超过5000万元的，奖励15万元；培育本地直播电商基地。",
    "trade-04": "对投保出口信用保险的外贸企业，按实际缴纳保费的50%给予保费补贴。",
    "trade-05": "外贸企业参加境外展会的，按展位费的70%给予补助，单个企业每年最高30万元。",
    "trade-06": (
        "限上批发零售企业、住宿餐饮企业营业收入增长10%以上的，给予5万元奖励；新增限上企业奖励"
        "3万元。"
    ),
    "tour-01": "新评为国家5A级旅游景区、4A级景区、3A级景区的，分别奖励500万元、100万元、30万元。",
    "tour-02": (
        "对新评为白金宿、金宿级民宿、银宿级民宿的民宿经营主体，分别奖励20万元、10万元、5万元"
        "。"
    ),
    "tour-03": "旅行社组织外地游客来本地过夜旅游，按接待人次给予奖励。",
    "bld-01": (
        "建筑企业首次晋升施工总承包特级资质的，奖励200万元；晋升一级资质的奖励50万元，实行晋"
        "级差额奖励。"
    ),
    "bld-02": "获得中国建设工程鲁班奖的建筑企业奖励100万元，获得钱江杯的奖励20万元。",
    "bld-03": "采用装配式建筑技术建设的项目，装配率达到50%以上的，给予容积率奖励和资金补助。",
    "fin-01": (
        "对在境内外上市的企业，分阶段给予奖励：完成股改奖励50万元，辅导备案奖励100万元，成功"
        "上市累计奖励1000万元。"
    ),
    "fin-02": "企业在新三板挂牌的奖励150万元，在浙江股权交易中心挂牌的奖励20万元。",
    "fin-03": "对中小微企业获得银行贷款的，按照贷款基准利率的50%给予贷款贴息，最长不超过一年。",
    "fin-04": "政策性融资担保机构为小微企业提供担保的，担保费率不超过1%，对担保费给予补助。",
    "inv-01": "招商引资新引进的制造业项目，实际到位外资超过1000万美元的，按实到外资的2%给予奖励。",
    "inv-02": (
        "对年纳税总额首次超过1亿元、5000万元的企业，分别奖励100万元、50万元，税收贡献按地方留"
        "存部分计算。"
    ),
    "inv-03": (
        "总部企业营业收入首次超过10亿元的，给予一次性奖励；对主营业务收入增长快的企业予以表彰"
        "。"
    ),
    "svc-01": (
        "新认定的省级服务业领军企业奖励50万元；对软件和信息服务企业营业收入首次超过5000万元的"
        "给予奖励。"
    ),
    "svc-02": "支持数字经济发展，对软件企业获得CMMI认证、ISO27001信息安全认证的给予补助。",
    "svc-03": "对新建的省级小微企业园，经认定的给予园区运营主体100万元奖励。",
    "bio-01": (
        "支持生物医药产业发展，创新药取得临床批件的奖励300万元，纳米抗体、多肽药物完成临床试"
        "验的给予资助。"
    ),
    "bio-02": "对可降解材料、生物降解塑料等新材料项目，按设备投资额的15%给予补助。",
    "aero-01": "支持商业航天产业，卫星制造、卫星应用企业落户的，给予厂房租金减免和研发投入补助。",
    "ic-01": (
        "集成电路设计企业流片费用按实际发生额的30%给予补助，芯片企业研发费用给予加计扣除辅导"
        "。"
    ),
    "eco-01": "对通过安全生产标准化二级企业评审的，奖励5万元；实施清洁生产审核的，给予3万元补助。",
    "eco-02": "企业实施节能技术改造、屋顶分布式光伏储能项目的，按投资额的10%给予补助。",
    "auto-01": "免申即享：对符合条件的规上工业企业，系统自动兑付电费补贴，无需企业申请。",
    "excl-01": "同一项目同时符合本政策和其他政策的，按照就高不重复原则执行。",
}

IDS = list(CLAUSES)
TEXTS = list(CLAUSES.values())

PRODUCTS = ["真丝领带", "领带面料", "集成灶", "吸油烟机", "厨房电器", "微特电机", "汽车零部件",
            "新能源汽车电驱系统", "动力电池", "锂电池隔膜", "储能系统", "数控机床", "工业机器人",
            "可降解材料", "生物降解塑料", "纳米抗体", "创新药", "多肽原料药", "卫星部件", "芯片封装",
            "工业软件", "茶叶", "名优茶", "有机蔬菜", "精品民宿", "乡村旅游", "建筑施工",
            "装配式建筑构件", "跨境电商服装", "直播电商农产品", "纺织面料", "光伏组件"]
QUALIFICATIONS = ["国家高新技术企业", "专精特新小巨人", "省专精特新中小企业", "科技型中小企业",
                  "省级企业研究院", "省级企业技术中心", "浙江制造品字标", "首台套产品", "省级隐形冠军",
                  "农业龙头企业", "金宿级民宿", "4A级景区", "施工总承包一级资质", "新三板挂牌企业",
                  "上市后备企业", "亩均效益A类企业"]
PLANS = ["计划明年实施智能化改造，购置工业机器人", "近三年研发投入逐年增长，研发费用占营业收入5%",
         "正在进行股改并准备辅导备案", "每年招聘应届高校毕业生二十余人",
         "外贸出口占营业收入六成，投保出口信用保险", "拟申请银行贷款用于扩大产能",
         "新建人才公寓解决员工住房", "拟新建博士后工作站", "建设数字化车间",
         "开展职业技能培训提升员工技能", "拓展海外仓和境外展会渠道", "新建标准化茶园三百亩",
         "申报首台套认定", "年纳税总额超过五千万元", "招商引资落户新厂区，固定资产投资两亿元",
         "开展产学研合作并获得发明专利", "实施屋顶分布式光伏项目", "组织职工参加高技能人才评价",
         "计划升级为规模以上企业", "开设网络直播间销售"]
SHORT_QUERIES = ["研发费用补助", "小升规奖励", "人才公寓租房补贴", "专精特新小巨人奖励多少",
                 "技术改造设备投资补助", "跨境电商海外仓补助", "出口信用保险保费补贴", "上市奖励股改",
                 "贷款贴息政策", "民宿评级奖励", "茶园建设补助", "高新技术企业认定奖励",
                 "首台套产品奖励", "鲁班奖建筑企业", "应届高校毕业生生活补贴", "招工补贴", "稳岗返还",
                 "亩均效益A类减免土地使用税", "直播电商奖励", "新三板挂牌奖励"]


def descriptions(n: int, seed: int = 7) -> list[str]:
    """Enterprise descriptions built from templates, reproducible for a seed."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        text = (f"本公司成立于{rng.randint(1995, 2023)}年，主要从事{rng.choice(PRODUCTS)}的研发、"
                "生产和销售")
        quals = rng.sample(QUALIFICATIONS, rng.randint(0, 2))
        if quals:
            text += "，是" + "和".join(quals)
        out.append(text + "。" + "；".join(rng.sample(PLANS, rng.randint(1, 3))) + "。")
    return out


QUERIES = SHORT_QUERIES + descriptions(180)  # 200 realistic queries and descriptions


def brute_force_scores(tokenizer: Tokenizer, texts: list[str], queries: list[str],
                       sublinear: bool = True, damped: dict[str, float] | None = None
                       ) -> np.ndarray:
    """Cosine similarities from the textbook formulas, with plain numpy and no scikit-learn;
    ``damped`` multiplies the idf of its terms."""
    docs = [Counter(tokenizer.tokenize(t)) for t in texts]
    terms = sorted(set().union(*docs))
    n = len(docs)
    df = np.array([sum(term in d for d in docs) for term in terms], dtype=float)
    idf = (np.log((1 + n) / (1 + df)) + 1) * np.array([(damped or {}).get(t, 1.0) for t in terms])

    def vector(counts: Counter[str]) -> np.ndarray:
        tf = np.array([counts.get(term, 0) for term in terms], dtype=float)
        if sublinear:
            tf = np.array([1 + math.log(c) if c else 0.0 for c in tf])
        v = tf * idf
        norm = math.sqrt(float(v @ v))
        return v / norm if norm else v

    matrix = np.array([vector(d) for d in docs])
    return np.array([matrix @ vector(Counter(tokenizer.tokenize(q))) for q in queries])


def in_fresh_python(code: str, cwd: Path) -> str:
    """Run ``code`` in a new interpreter; return its stdout, fail on a non-zero exit."""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    result = subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def index(tokenizer: Tokenizer) -> ClauseIndex:
    """The corpus indexed once, with the default (restricted) query tokenizer."""
    return ClauseIndex(tokenizer=tokenizer).fit(IDS, TEXTS, fingerprint="corpus-v1")


@pytest.fixture(scope="module")
def exact(tokenizer: Tokenizer) -> ClauseIndex:
    """The same index tokenising queries with the full jieba tokenizer."""
    return ClauseIndex(tokenizer=tokenizer, query_tokenizer="full").fit(IDS, TEXTS)


@pytest.fixture(scope="module")
def saved(index: ClauseIndex, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return index.save(tmp_path_factory.mktemp("saved") / "index")


# -- the estimator contract --------------------------------------------------------------------
def test_init_only_stores_params(tokenizer: Tokenizer) -> None:
    params: dict[str, Any] = {"tokenizer": tokenizer, "sublinear_tf": False, "min_df": 2,
                              "damped": {"补贴": 0.5}, "query_tokenizer": "full"}
    idx = ClauseIndex(**params)
    assert idx.get_params() == params
    assert set(vars(idx)) == set(params)
    with pytest.raises(TypeError):
        ClauseIndex(tokenizer)  # type: ignore[misc]


def test_fit_returns_self_and_leaves_inputs_alone(tokenizer: Tokenizer) -> None:
    ids, texts = list(IDS[:5]), list(TEXTS[:5])
    idx = ClauseIndex(tokenizer=tokenizer)
    assert idx.fit(ids, texts) is idx
    assert ids == IDS[:5] and texts == TEXTS[:5]
    assert idx.tokenizer is tokenizer and idx.tokenizer_ is tokenizer


def test_learned_state(index: ClauseIndex) -> None:
    assert index.ids_ == tuple(IDS)
    assert index.fingerprint_ == "corpus-v1"
    assert sorted(index.vocabulary_.values()) == list(range(len(index.vocabulary_)))
    assert index.idf_.dtype == np.float64 and index.idf_.shape == (len(index.vocabulary_),)
    matrix = index.matrix_
    assert matrix.format == "csr" and matrix.dtype == np.float64
    assert matrix.shape == (len(IDS), len(index.vocabulary_))
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    np.testing.assert_allclose(norms, 1.0, atol=1e-12)


@pytest.mark.parametrize("method", ["transform", "score", "score_many", "top_terms", "save"])
def test_unfitted_index_refuses(method: str, tmp_path: Path) -> None:
    idx = ClauseIndex()
    args: dict[str, tuple[Any, ...]] = {
        "transform": (["研发"],), "score": ("研发",), "score_many": (["研发"],),
        "top_terms": ("研发", 0), "save": (tmp_path / "x",),
    }
    with pytest.raises(NotFittedError, match="not fitted"):
        getattr(idx, method)(*args[method])
    with pytest.raises(ValueError):  # NotFittedError is also a ValueError
        idx.matrix_  # noqa: B018
    assert not hasattr(idx, "matrix_")


@pytest.mark.parametrize(
    ("ids", "texts", "message"),
    [
        (["a"], ["研发", "人才"], "got 1 ids for 2 texts"),
        ([], [], "no clauses to index"),
        (["a", "a"], ["研发费用", "人才公寓"], "unique; repeated: a"),
        (["a", ""], ["研发费用", "人才公寓"], "non-empty strings"),
        (["a", "b"], ["研发费用", None], "must be strings; not for b"),
        (["a"], ["，。100"], "no clause text has a term"),
    ],
)
def test_fit_refuses_bad_input(tokenizer: Tokenizer, ids: list[Any], texts: list[Any],
                               message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ClauseIndex(tokenizer=tokenizer).fit(ids, texts)


@pytest.mark.parametrize(
    ("params", "message"),
    [({"min_df": 0}, "min_df must be"), ({"query_tokenizer": "fast"}, "query_tokenizer must be")],
)
def test_fit_refuses_bad_params(tokenizer: Tokenizer, params: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ClauseIndex(tokenizer=tokenizer, **params).fit(IDS[:3], TEXTS[:3])


def test_min_df_drops_rare_terms(tokenizer: Tokenizer, index: ClauseIndex) -> None:
    rare = ClauseIndex(tokenizer=tokenizer, min_df=2).fit(IDS, TEXTS)
    df = Counter(t for text in TEXTS for t in set(tokenizer.tokenize(text)))
    assert set(rare.vocabulary_) == {t for t, n in df.items() if n >= 2}
    assert set(rare.vocabulary_) < set(index.vocabulary_)


# -- oracles -----------------------------------------------------------------------------------
def test_fit_and_transform_equal_scikit_learn(tokenizer: Tokenizer, exact: ClauseIndex) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(tokenizer=tokenizer.tokenize, lowercase=False,
                                 token_pattern=None, preprocessor=None, sublinear_tf=True)
    reference = vectorizer.fit_transform(TEXTS)
    assert vectorizer.vocabulary_ == exact.vocabulary_
    np.testing.assert_allclose(vectorizer.idf_, exact.idf_, rtol=0, atol=1e-12)
    assert abs(reference - exact.matrix_).max() < 1e-12
    assert abs(vectorizer.transform(QUERIES) - exact.transform(QUERIES)).max() < 1e-9


@pytest.mark.parametrize("sublinear", [True, False])
def test_scores_equal_a_brute_force_cosine(tokenizer: Tokenizer, sublinear: bool) -> None:
    idx = ClauseIndex(tokenizer=tokenizer, sublinear_tf=sublinear, query_tokenizer="full")
    idx.fit(IDS, TEXTS)
    expected = brute_force_scores(tokenizer, TEXTS, QUERIES, sublinear)
    got = np.array([idx.score(q) for q in QUERIES])
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-9)


DAMPED = {"补贴": 0.25, "奖励": 0.4, "企业": 0.5, "不在词表": 0.5}


@pytest.mark.parametrize("sublinear", [True, False])
def test_damped_scores_equal_a_brute_force_cosine(tokenizer: Tokenizer, sublinear: bool) -> None:
    idx = ClauseIndex(tokenizer=tokenizer, sublinear_tf=sublinear, query_tokenizer="full",
                      damped=DAMPED).fit(IDS, TEXTS)
    expected = brute_force_scores(tokenizer, TEXTS, QUERIES, sublinear, DAMPED)
    got = np.array([idx.score(q) for q in QUERIES])
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-9)
    plain = ClauseIndex(tokenizer=tokenizer, sublinear_tf=sublinear).fit(IDS, TEXTS)
    col = idx.vocabulary_["补贴"]
    assert idx.idf_[col] == pytest.approx(plain.idf_[col] * 0.25)
    np.testing.assert_allclose(np.sqrt(np.asarray(idx.matrix_.multiply(idx.matrix_).sum(axis=1))),
                               1.0, atol=1e-12)


@pytest.mark.parametrize("damped", [{"补贴": 0}, {"补贴": 1.5}, {"补贴": True}, {"补贴": "半"},
                                    ["补贴"]])
def test_fit_refuses_bad_damping(tokenizer: Tokenizer, damped: Any) -> None:
    with pytest.raises(ValueError, match="damped"):
        ClauseIndex(tokenizer=tokenizer, damped=damped).fit(IDS[:3], TEXTS[:3])


def test_damped_index_round_trips(tokenizer: Tokenizer, tmp_path: Path) -> None:
    idx = ClauseIndex(tokenizer=tokenizer, damped=DAMPED).fit(IDS, TEXTS, fingerprint="d")
    loaded = ClauseIndex.load(idx.save(tmp_path / "d"), tokenizer=tokenizer)
    assert loaded.damped == DAMPED
    np.testing.assert_array_equal(loaded.score(QUERIES[0]), idx.score(QUERIES[0]))
    assert json.loads((tmp_path / "d" / "meta.json").read_text("utf-8"))["params"]["damped"] \
        == dict(sorted(DAMPED.items()))


def test_batch_equals_one_by_one(index: ClauseIndex) -> None:
    batch = index.score_many(QUERIES)
    assert batch.shape == (len(QUERIES), len(IDS))
    one_by_one = np.array([index.score(q) for q in QUERIES])
    np.testing.assert_allclose(batch, one_by_one, rtol=0, atol=1e-12)
    assert index.score_many([]).shape == (0, len(IDS))


def test_scores_are_cosines(index: ClauseIndex) -> None:
    scores = index.score_many(QUERIES)
    assert scores.min() >= 0 and scores.max() <= 1 + 1e-12
    assert np.all(index.score("") == 0) and np.all(index.score("，。100") == 0)
    own = index.score_many(TEXTS)
    np.testing.assert_allclose(np.diag(own), 1.0, atol=1e-12)  # each clause is its own best


def test_scores_rank_the_expected_clause_first(index: ClauseIndex) -> None:
    expected = {"研发费用补助": "tech-02", "小升规奖励": "ind-05", "人才公寓租房补贴": "tal-04",
                "专精特新小巨人奖励多少": "ind-01", "出口信用保险保费补贴": "trade-04",
                "鲁班奖建筑企业": "bld-02", "稳岗返还": "emp-01", "新三板挂牌奖励": "fin-02"}
    for query, clause_id in expected.items():
        assert index.ids_[int(index.score(query).argmax())] == clause_id, query


def test_restricted_queries_agree_with_the_full_tokenizer(index: ClauseIndex,
                                                          exact: ClauseIndex) -> None:
    """The cold-start query path against jieba itself, on 200 queries and descriptions.

    Measured: max abs difference 0.0 and identical top-3 for 200 of 200 queries (the
    tolerance below is what the design promises, not what it reaches).
    """
    fast, full = index.score_many(QUERIES), exact.score_many(QUERIES)
    assert np.abs(fast - full).max() <= 0.02
    same_top3 = [
        list(np.argsort(-a, kind="stable")[:3]) == list(np.argsort(-b, kind="stable")[:3])
        for a, b in zip(fast, full, strict=True)
    ]
    assert np.mean(same_top3) >= 0.95
    np.testing.assert_allclose(index.matrix_.toarray(), exact.matrix_.toarray(), atol=0)


# -- explanations ------------------------------------------------------------------------------
def test_top_terms_explain_the_score(index: ClauseIndex) -> None:
    query = "我们是专精特新小巨人企业，研发费用逐年增长"
    scores = index.score(query)
    row = int(scores.argmax())
    terms = index.top_terms(query, row, k=100)
    assert terms and sum(v for _, v in terms) == pytest.approx(scores[row], abs=1e-12)
    assert [v for _, v in terms] == sorted((v for _, v in terms), reverse=True)
    assert all(t in index.vocabulary_ for t, _ in terms)
    assert index.top_terms(query, row, k=2) == terms[:2]
    assert index.top_terms(query, index.ids_[row], k=2) == terms[:2]
    assert index.top_terms("与此无关的句子", row) == []


@pytest.mark.parametrize(
    ("row", "error"),
    [(len(IDS), IndexError), (-1, IndexError), ("no-such-clause", UnknownClauseError),
     (1.5, TypeError), (True, TypeError)],
)
def test_top_terms_refuses_bad_rows(index: ClauseIndex, row: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        index.top_terms("研发费用", row)


def test_string_where_a_list_is_expected(index: ClauseIndex) -> None:
    with pytest.raises(TypeError, match="list of texts"):
        index.score_many("研发费用")
    with pytest.raises(TypeError, match="list of texts"):
        index.transform("研发费用")


# -- save and load -----------------------------------------------------------------------------
def test_save_load_gives_identical_scores(index: ClauseIndex, saved: Path) -> None:
    assert sorted(p.name for p in saved.iterdir()) == [
        "idf.npy", "lexicon.json", "matrix.npz", "meta.json", "vocabulary.json"]
    loaded = ClauseIndex.load(saved, expected_fingerprint="corpus-v1")
    assert loaded.ids_ == index.ids_ and loaded.vocabulary_ == index.vocabulary_
    assert loaded.fingerprint_ == "corpus-v1"
    assert np.array_equal(loaded.idf_, index.idf_)
    assert (loaded.matrix_ != index.matrix_).nnz == 0
    assert np.array_equal(loaded.score_many(QUERIES), index.score_many(QUERIES))
    for query in QUERIES[:20]:
        assert np.array_equal(loaded.score(query), index.score(query))
        assert loaded.top_terms(query, 0) == index.top_terms(query, 0)
    assert loaded.get_params()["query_tokenizer"] == "restricted"


def test_load_answers_queries_without_sklearn_scipy_or_jieba(saved: Path, tmp_path: Path,
                                                             index: ClauseIndex) -> None:
    out = in_fresh_python(
        "import sys, json\n"
        "from policymatch.index import ClauseIndex\n"
        f"idx = ClauseIndex.load({str(saved)!r})\n"
        "scores = idx.score('我们是生产集成灶的专精特新小巨人企业')\n"
        "loaded = [m for m in ('jieba', 'rjieba', 'sklearn', 'scipy') if m in sys.modules]\n"
        "print(json.dumps({'loaded': loaded, 'scores': scores.tolist()}))\n",
        tmp_path,
    )
    result = json.loads(out)
    assert result["loaded"] == []
    assert result["scores"] == index.score("我们是生产集成灶的专精特新小巨人企业").tolist()


def test_save_is_json_and_numpy_only(saved: Path, index: ClauseIndex) -> None:
    meta = json.loads((saved / "meta.json").read_text("utf-8"))
    assert meta["format_version"] == FORMAT_VERSION
    assert meta["ids"] == IDS and meta["fingerprint"] == "corpus-v1"
    assert meta["params"]["min_df"] == 1 and meta["params"]["tokenizer"]["hmm"] is False
    with np.load(saved / "matrix.npz", allow_pickle=False) as npz:
        assert set(npz.files) == {"data", "indices", "indptr", "format", "shape"}
    assert np.load(saved / "idf.npy", allow_pickle=False).dtype == np.float64


def test_save_replaces_an_index_atomically(index: ClauseIndex, tokenizer: Tokenizer,
                                           tmp_path: Path) -> None:
    target = tmp_path / "idx"
    index.save(target)
    small = ClauseIndex(tokenizer=tokenizer).fit(IDS[:3], TEXTS[:3], fingerprint="small")
    small.save(target)
    assert ClauseIndex.load(target).ids_ == tuple(IDS[:3])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["idx"]  # no staging left behind


def test_failed_save_keeps_the_previous_index(index: ClauseIndex, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "idx"
    index.save(target)

    def broken(*args: Any, **kwargs: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(np, "save", broken)
    with pytest.raises(OSError, match="disk full"):
        index.save(target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["idx"]
    assert ClauseIndex.load(target).ids_ == index.ids_


def test_save_will_not_overwrite_other_files(index: ClauseIndex, tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="not a policymatch index"):
        index.save(tmp_path / "docs")
    assert (tmp_path / "docs" / "notes.txt").read_text() == "mine"
    empty = tmp_path / "empty"
    empty.mkdir()
    index.save(empty)
    assert ClauseIndex.load(empty).ids_ == index.ids_


# -- refusals ----------------------------------------------------------------------------------
@pytest.fixture
def copy(saved: Path, tmp_path: Path) -> Path:
    """A private copy of the saved index, for tests that damage it."""
    import shutil

    return Path(shutil.copytree(saved, tmp_path / "copy"))


def edit_meta(path: Path, **changes: Any) -> None:
    meta = json.loads((path / "meta.json").read_text("utf-8"))
    meta.update(changes)
    (path / "meta.json").write_text(json.dumps(meta), "utf-8")


@pytest.mark.parametrize("name", ["model.pkl", "extra/vectorizer.pickle"])
def test_load_refuses_a_directory_with_a_pickle(copy: Path, name: str) -> None:
    (copy / name).parent.mkdir(exist_ok=True)
    (copy / name).write_bytes(b"\x80\x04N.")
    with pytest.raises(IndexFormatError, match=r"pickle file .*rebuild it"):
        ClauseIndex.load(copy)


def test_load_refuses_another_library_version(copy: Path) -> None:
    edit_meta(copy, policymatch_version="0.0.1-old")
    with pytest.raises(IndexFormatError, match=r"written by policymatch 0\.0\.1-old.*rebuild"):
        ClauseIndex.load(copy)


def test_load_refuses_another_format_version(copy: Path) -> None:
    edit_meta(copy, format_version=FORMAT_VERSION + 1)
    with pytest.raises(IndexFormatError, match=r"index format .*rebuild"):
        ClauseIndex.load(copy)


def test_load_refuses_another_corpus(copy: Path) -> None:
    with pytest.raises(IndexFormatError, match=r"another corpus.*corpus-v2.*rebuild"):
        ClauseIndex.load(copy, expected_fingerprint="corpus-v2")
    assert ClauseIndex.load(copy).fingerprint_ == "corpus-v1"  # no expectation, no check


def test_load_refuses_another_tokenizer(copy: Path, tokenizer: Tokenizer) -> None:
    assert ClauseIndex.load(copy, tokenizer=tokenizer).tokenizer_ is tokenizer
    with pytest.raises(IndexFormatError, match=r"another tokenizer .*stopwords"):
        ClauseIndex.load(copy, tokenizer=Tokenizer(stopwords=["的"]))


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda p: (p / "idf.npy").unlink(), "missing idf.npy"),
        (lambda p: (p / "meta.json").write_text("{", "utf-8"), "meta.json: unreadable"),
        (lambda p: (p / "vocabulary.json").write_text("[1, 2]", "utf-8"), "expected a JSON object"),
        (lambda p: np.save(p / "idf.npy", np.array([object()]), allow_pickle=True), "damaged"),
        (lambda p: np.save(p / "idf.npy", np.zeros(3)), "idf.npy is float64"),
        (lambda p: np.savez(p / "matrix.npz", format=np.array("csr"), shape=np.array([1, 1]),
                            data=np.zeros(0), indices=np.zeros(0, int), indptr=np.zeros(2, int)),
         "matrix is"),
        (lambda p: (p / "lexicon.json").write_text('{"words": 3}', "utf-8"), "damaged"),
        (lambda p: edit_meta(p, format="something-else"), "not a policymatch clause index"),
    ],
)
def test_load_refuses_damaged_indexes(copy: Path, damage: Any, message: str) -> None:
    damage(copy)
    with pytest.raises(IndexFormatError, match=message):
        ClauseIndex.load(copy)


def test_load_refuses_a_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(IndexFormatError, match="no index directory"):
        ClauseIndex.load(tmp_path / "nowhere")


@pytest.mark.slow
@settings(max_examples=6)
@given(st.lists(st.sampled_from(IDS), min_size=1, max_size=12, unique=True),
       st.booleans())
def test_round_trip_property(tokenizer: Tokenizer, tmp_path_factory: pytest.TempPathFactory,
                             subset: list[str], sublinear: bool) -> None:
    texts = [CLAUSES[i] for i in subset]
    idx = ClauseIndex(tokenizer=tokenizer, sublinear_tf=sublinear).fit(subset, texts)
    loaded = ClauseIndex.load(idx.save(tmp_path_factory.mktemp("prop") / "idx"))
    assert loaded.sublinear_tf is sublinear
    assert np.array_equal(loaded.score_many(QUERIES[:30]), idx.score_many(QUERIES[:30]))


def test_query_weights_are_the_same_bits_on_every_machine():
    # numpy picks its log and BLAS its dot product by the CPU, so the same profile could score
    # differently in the last bit on another machine and reorder ties; the weights are defined
    # by math.log and a correctly rounded sum instead.
    import math

    from policymatch.index.clause_index import term_weights, unit_length

    counts = np.array([1, 2, 3, 7, 1023, 1024, 5000, 2], dtype=np.int64)
    idf = np.linspace(1.0, 3.0, counts.size)
    expected = [(math.log(c) + 1.0) * w for c, w in zip(counts.tolist(), idf.tolist(), strict=True)]
    assert term_weights(counts, idf, sublinear=True).tolist() == expected
    assert term_weights(counts, idf, sublinear=False).tolist() == (counts * idf).tolist()
    rng = np.random.default_rng(5)
    for size in (1, 3, 17, 200):
        weights = rng.random(size) * 10
        norm = math.sqrt(math.fsum(w * w for w in weights.tolist()))
        assert unit_length(weights).tolist() == [w / norm for w in weights.tolist()]
    assert unit_length(np.zeros(3)).tolist() == [0.0, 0.0, 0.0]
