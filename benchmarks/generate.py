"""Synthetic enterprises for benchmarks: a county's register with realistic shapes, from a seed.

Distributions follow a 嵊州-like county: the traditional clusters (领带服装, 厨具电器, 机械电机) and
the newer strategic ones, each with its GB/T 4754 codes and a phrase bank for 经营范围; log-normal
head counts, revenue correlated with head count, tax at 2–8 % of revenue, R&D at 0–10 %;
qualifications more likely the larger the firm; ~10 % of every optional fact missing. With
``--bad-rate`` a share of rows carries one deliberately bad value (money that is not money, a date
that does not exist, a credit code with a wrong check digit, …) to exercise the rejects file.

    python benchmarks/generate.py -n 100000 --seed 7 -o /tmp/ents.csv
    python benchmarks/generate.py -n 1000 --seed 1 --bad-rate 0.02 -o /tmp/ents.jsonl

The output format follows the suffix: ``.csv`` (set fields joined with 、), ``.jsonl`` or
``.parquet``. Tests import :func:`generate` with ``benchmarks/`` on ``sys.path``.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

# industry: (weight, GB/T 4754 codes, revenue per employee in 元 (median), R&D-minded, phrases)
_INDUSTRIES: dict[str, tuple[float, tuple[str, ...], float, bool, tuple[str, ...]]] = {
    "领带服装": (0.17, ("C1811", "C1819", "C1830", "C1713", "C1752"), 45e4, False, (
        "真丝领带、围巾、丝巾的设计与生产", "提花面料织造", "服装及服饰辅料加工", "纺织品印染后整理",
        "领带面料研发及销售", "智能织机改造", "跨境电商出口领带", "品牌服饰定制")),
    "厨具电器": (0.14, ("C3854", "C3855", "C3857", "C3459"), 70e4, True, (
        "集成灶、吸油烟机、燃气灶的研发与制造", "厨房电器及配件生产", "蒸烤一体集成灶",
        "不锈钢厨具加工", "智能厨电控制系统开发", "厨电产品售后服务", "商用厨房设备")),
    "机械电机": (0.12, ("C3811", "C3812", "C3441", "C3484", "C3421"), 65e4, True, (
        "中小型电机及微特电机制造", "电机定转子冲片加工", "风机、水泵生产", "机械零部件精密加工",
        "数控机床配件", "减速机研发与制造", "工业自动化设备装配")),
    "茶叶": (0.05, ("C1530", "A0164", "F5127"), 35e4, False, (
        "越乡龙井、珠茶的种植加工", "茶叶精制加工与销售", "名优茶生产基地", "茶叶机械化采摘",
        "茶文化旅游体验", "茶饮品研发")),
    "新能源汽车及零部件": (0.05, ("C3670", "C3660", "C3892"), 90e4, True, (
        "新能源汽车零部件制造", "汽车电机控制器研发", "汽车线束及连接器", "轻量化车身结构件",
        "热管理系统部件")),
    "新能源": (0.03, ("C3841", "C3849", "D4415"), 120e4, True, (
        "锂离子动力电池及储能电池制造", "电池材料研发", "光伏组件安装", "储能系统集成",
        "电池管理系统开发")),
    "新材料": (0.04, ("C2651", "C2653", "C3091", "C2921"), 100e4, True, (
        "高性能纤维及复合材料研发", "功能性膜材料生产", "特种陶瓷制品", "工程塑料改性",
        "新型建筑材料")),
    "生命健康": (0.03, ("C2720", "C2740", "C3581", "C2770"), 110e4, True, (
        "化学药品制剂生产", "中药饮片及中成药", "医疗器械研发与制造", "保健食品生产",
        "生物技术研发服务")),
    "高端装备": (0.05, ("C3421", "C3491", "C3499", "C3989"), 85e4, True, (
        "智能装备研发与制造", "工业机器人集成应用", "数控系统开发", "精密模具设计",
        "自动化生产线改造")),
    "集成电路": (0.01, ("C3973", "C3974", "C3976"), 150e4, True, (
        "半导体晶体材料生产", "芯片封装测试", "集成电路设计服务", "电子元器件制造")),
    "电子商务": (0.08, ("F5292", "F5293", "I6432"), 80e4, False, (
        "网络零售及直播带货", "跨境电商出口", "电商平台运营服务", "供应链管理", "仓储物流配送")),
    "现代农业": (0.05, ("A0141", "A0151", "A0311", "A0412"), 25e4, False, (
        "蔬菜瓜果种植", "花卉苗木培育", "生态畜禽养殖", "农产品初加工", "家庭农场经营",
        "农业观光采摘")),
    "文化旅游": (0.04, ("N7868", "H6110", "H6130", "R8870"), 30e4, False, (
        "景区运营管理", "民宿及乡村旅游", "越剧文化演艺", "文创产品设计", "研学旅行服务")),
    "建筑业": (0.05, ("E4710", "E4790", "E4851", "E5011"), 60e4, False, (
        "房屋建筑工程施工", "市政道路工程", "建筑装饰装修", "钢结构安装", "装配式建筑构件")),
    "现代服务业": (0.06, ("L7212", "L7291", "M7320", "O8011"), 40e4, False, (
        "企业管理咨询", "人力资源服务", "检验检测服务", "会展服务", "物业管理")),
    "软件和信息服务": (0.03, ("I6513", "I6531", "I6550"), 60e4, True, (
        "应用软件开发", "信息系统集成服务", "数据处理和存储", "工业互联网平台开发",
        "数字化改造解决方案")),
}
_TAIL = ("货物进出口", "技术进出口", "技术服务、技术开发、技术咨询", "销售自产产品",
         "数字化车间改造", "研发中心建设", "节能技术改造")
_TOWNS = ("剡湖街道", "三江街道", "鹿山街道", "浦口街道", "甘霖镇", "长乐镇", "崇仁镇", "黄泽镇",
          "石璜镇", "谷来镇", "三界镇", "仙岩镇", "金庭镇", "北漳镇", "下王镇", "贵门乡", "里南乡",
          "竹溪乡", "雅璜乡", "王院乡", "通源乡")
_PARKS = ("嵊州经济开发区", "嵊州高新技术产业园区", "三界产业集聚区", "浦口小微企业园")
_OTHER_REGIONS = ("新昌县", "越城区", "柯桥区", "诸暨市", "上虞区")
_NAME_CHARS = "越剡嵊华盛达宏泰鑫隆丰源恒瑞博锦东方明辉新星金海天翔宇凯腾飞龙祥和美佳力"
# (name, base probability for a small firm, extra probability at the top of the size range)
_QUALIFICATIONS = (
    ("国家高新技术企业", 0.02, 0.45), ("科技型中小企业", 0.08, 0.10), ("省科技型中小企业", 0.06, 0.10),
    ("创新型中小企业", 0.03, 0.15), ("省专精特新中小企业", 0.01, 0.25),
    ("国家级专精特新小巨人", 0.0, 0.06), ("省隐形冠军", 0.0, 0.04), ("省级企业研究院", 0.0, 0.08),
    ("省级高新技术企业研究开发中心", 0.01, 0.2), ("省级企业技术中心", 0.0, 0.10),
    ("省级数字化车间", 0.0, 0.10), ("省级智能工厂", 0.0, 0.04), ("首台套产品", 0.0, 0.05),
    ("浙江制造品字标", 0.0, 0.08), ("亩均效益A类", 0.02, 0.25), ("亩均效益D类", 0.05, -0.05),
    ("上市后备企业", 0.0, 0.08), ("安全生产标准化二级企业", 0.02, 0.2),
)
_CC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_BAD_VALUES: tuple[tuple[str, Any], ...] = (
    ("revenue", "约三百来万"), ("employees", "很多"), ("established", "2020-13-45"),
    ("tax_paid", "-5万"), ("revenue_growth", "高"), ("is_above_scale", "也许"),
    ("industry_code", "Z9999"), ("talents.phd", "-1"),
)
OPTIONAL = ("id", "credit_code", "region", "town", "park", "industry", "industry_code",
            "description", "established", "employees", "revenue", "tax_paid", "rd_expense",
            "equipment_investment", "fixed_asset_investment", "export_value", "loan_amount",
            "revenue_growth", "office_area_sqm", "qualifications", "new_qualifications",
            "is_above_scale", "talents.phd", "talents.master", "talents.bachelor",
            "talents.bachelor_fresh", "talents.high_skilled", "talents.postdoc",
            "talents.leading_talent", "talents.new_hires",
            "safety_incident_free", "credit_clean", "extra.上规年数")
COLUMNS = ("name", *OPTIONAL)


def _check_char(body: str) -> str:
    total = sum(_CC_CHARSET.index(ch) * w for ch, w in zip(body, _CC_WEIGHTS, strict=True))
    return _CC_CHARSET[(31 - total % 31) % 31]


def _money(value: float, as_text: bool) -> str | float:
    """Whole 元, or (``as_text``) written the way people type it: 万 with two decimals."""
    if as_text and value >= 1e4:
        return f"{value / 1e4:.2f}万"
    return float(round(value))


def generate(n: int, *, seed: int = 7, missing_rate: float = 0.1, bad_rate: float = 0.0,
             today: date = date(2025, 6, 30), block: int = 4096) -> Iterator[dict[str, Any]]:
    """Yield ``n`` flat enterprise records (``talents.phd``, ``extra.上规年数`` as column names).

    Set fields are lists; money is a number of 元 or a string such as ``"350.25万"``. Random
    numbers are drawn a block at a time, so 100,000 records take a few seconds.
    """
    rng = np.random.default_rng(seed)
    names = list(_INDUSTRIES)
    weights = np.array([_INDUSTRIES[k][0] for k in names])
    weights = weights / weights.sum()
    done = 0
    while done < n:
        m = min(block, n - done)
        u = rng.random((m, 24))
        ind = rng.choice(len(names), size=m, p=weights)
        employees = np.maximum(1, rng.lognormal(2.7, 1.15, m).astype(np.int64))
        spread = rng.lognormal(0.0, 0.6, m)
        ages = (rng.exponential(9.0, m) * 365.25).astype(np.int64)
        growth = np.round(np.clip(rng.normal(0.06, 0.15, m), -0.9, 3.0), 4)
        qual_draw = rng.random((m, len(_QUALIFICATIONS)))
        new_draw = rng.random((m, len(_QUALIFICATIONS)))
        miss = rng.random((m, len(OPTIONAL))) < missing_rate
        text_money = rng.random((m, 8)) < 0.1
        cc = rng.integers(0, len(_CC_CHARSET), (m, 9))
        name_chars = rng.integers(0, len(_NAME_CHARS), (m, 2))
        counts = rng.poisson([0.8, 3.0, 10.0, 6.0, 4.0, 0.1, 0.05], (m, 7))
        small_counts = rng.poisson([0.03, 0.2, 1.0, 0.5, 0.3, 0.0, 0.0], (m, 7))
        # plain Python lists: indexing them is an order of magnitude cheaper than numpy scalars
        u, ind, employees, spread, ages, growth = (a.tolist() for a in (u, ind, employees, spread,
                                                                         ages, growth))
        qual_draw, new_draw, miss, text_money, cc, name_chars, counts, small_counts = (
            a.tolist() for a in (qual_draw, new_draw, miss, text_money, cc, name_chars, counts,
                                 small_counts))
        for j in range(m):
            i = done + j
            industry = names[int(ind[j])]
            _, codes, per_head, rd_minded, phrases = _INDUSTRIES[industry]
            r = u[j]
            emp = int(employees[j])
            revenue = emp * per_head * float(spread[j])
            size = min(1.0, max(0.0, (math.log10(revenue) - 6.0) / 3.0))  # 0 at 100万, 1 at 10亿
            rd_ratio = 0.02 + 0.08 * r[0] if rd_minded and r[1] < 0.7 else 0.02 * r[0]
            equipment = revenue * (0.01 + 0.29 * r[2]) if r[3] < 0.45 else 0.0
            quals = [q for k, (q, base, extra) in enumerate(_QUALIFICATIONS)
                     if qual_draw[j][k] < base + extra * size]
            new_quals = [q for k, (q, _, _) in enumerate(_QUALIFICATIONS)
                         if q in quals and new_draw[j][k] < 0.15]
            above = revenue >= 2e7 if r[4] < 0.95 else revenue < 2e7
            if above and revenue < 4e7 and r[5] < 0.3:
                new_quals.append("规上工业企业")
                quals.append("规上工业企业")
            k_phr = 3 + int(r[6] * (min(6, len(phrases)) - 2))
            start = int(r[7] * len(phrases))
            desc = "、".join(phrases[(start + 3 * t) % len(phrases)] for t in range(k_phr)
                            if t == 0 or (start + 3 * t) % len(phrases) != start)
            if r[8] < 0.8:
                desc += "；" + "、".join(_TAIL[(int(r[9] * len(_TAIL)) + t) % len(_TAIL)]
                                        for t in range(1 + int(r[8] * 4)))
            big = size > 0.5
            talents = counts[j] if big else small_counts[j]
            body = "91330683" + "".join(_CC_CHARSET[int(c)] for c in cc[j])
            tm = text_money[j]
            rec: dict[str, Any] = {
                "name": f"嵊州市{_NAME_CHARS[name_chars[j][0]]}{_NAME_CHARS[name_chars[j][1]]}"
                        f"{industry[:2]}有限公司{i}",
                "id": f"E{i + 1:07d}",
                "credit_code": body + _check_char(body),
                "region": "嵊州市" if r[10] < 0.92 else _OTHER_REGIONS[int(r[11] * 5)],
                "town": _TOWNS[int(r[12] * len(_TOWNS))],
                "park": _PARKS[int(r[13] * len(_PARKS))] if r[14] < 0.35 else None,
                "industry": industry,
                "industry_code": codes[int(r[15] * len(codes))],
                "description": ("一般项目：" if r[11] < 0.5 else "") + desc
                               + ("（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）"
                                  if r[12] < 0.5 else "。"),
                "established": (today - timedelta(days=int(ages[j]))).isoformat(),
                "employees": emp,
                "revenue": _money(revenue, tm[0]),
                "tax_paid": _money(revenue * (0.02 + 0.06 * r[16]), tm[1]),
                "rd_expense": _money(revenue * rd_ratio, tm[2]),
                "equipment_investment": _money(equipment, tm[3]),
                "fixed_asset_investment": _money(equipment * (1.0 + 1.5 * r[17]), tm[4]),
                "export_value": _money(revenue * (0.1 + 0.7 * r[18]), tm[5]) if r[19] < 0.3 else 0.0,
                "loan_amount": _money(revenue * (0.05 + 0.45 * r[20]), tm[6]) if r[21] < 0.5 else 0.0,
                "revenue_growth": float(growth[j]),
                "office_area_sqm": round(emp * (15 + 45 * r[22]), 1),
                "qualifications": quals,
                "new_qualifications": new_quals,
                "is_above_scale": bool(above),
                "talents.phd": int(talents[0]),
                "talents.master": int(talents[1]),
                "talents.bachelor": int(talents[2]),
                "talents.bachelor_fresh": int(talents[3]),
                "talents.high_skilled": int(talents[4]),
                "talents.postdoc": int(talents[5]),
                "talents.leading_talent": int(talents[6]),
                "talents.new_hires": max(0, int(emp * 0.08 * r[23] * 2)),
                "safety_incident_free": bool(r[0] * 7 % 1 < 0.99),
                "credit_clean": bool(r[1] * 11 % 1 < 0.98),
                "extra.上规年数": 1 + int(r[2] * 13 % 1 * 10) if above else None,
            }
            for k, key in enumerate(OPTIONAL):
                if miss[j][k]:
                    rec[key] = None
            if bad_rate and r[9] * 17 % 1 < bad_rate:
                key, value = _BAD_VALUES[int(r[10] * 19 % 1 * len(_BAD_VALUES))]
                rec[key] = value
            yield rec
        done += m


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "、".join(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def write(path: str | Path, n: int, *, seed: int = 7, missing_rate: float = 0.1,
          bad_rate: float = 0.0) -> Path:
    """Write ``n`` generated records to ``path`` (.csv, .jsonl or .parquet)."""
    target = Path(path)
    records = generate(n, seed=seed, missing_rate=missing_rate, bad_rate=bad_rate)
    suffix = target.suffix.lower()
    if suffix == ".csv":
        with target.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(COLUMNS)
            for rec in records:
                writer.writerow([_csv_cell(rec[c]) for c in COLUMNS])
    elif suffix in (".jsonl", ".ndjson"):
        with target.open("w", encoding="utf-8") as fh:
            for rec in records:
                fh.write(json.dumps({k: v for k, v in rec.items() if v is not None},
                                    ensure_ascii=False) + "\n")
    elif suffix == ".parquet":
        import pandas as pd

        frame = pd.DataFrame.from_records(list(records), columns=list(COLUMNS))
        for col in frame.columns:  # a column mixing numbers and text (money) is stored as text
            kinds = {type(v) for v in frame[col] if v is not None and v == v}
            if len(kinds) > 1 and list not in kinds:
                frame[col] = frame[col].map(lambda v: None if v is None or v != v else _csv_cell(v))
        frame.to_parquet(target, index=False)
    else:
        raise SystemExit(f"{target}: write .csv, .jsonl or .parquet")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=10_000, help="how many enterprises (default 10000)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--missing-rate", type=float, default=0.1,
                        help="share of each optional field left empty (default 0.1)")
    parser.add_argument("--bad-rate", type=float, default=0.0,
                        help="share of rows with one deliberately bad value (default 0)")
    parser.add_argument("-o", "--output", required=True, help="output .csv, .jsonl or .parquet")
    args = parser.parse_args(argv)
    path = write(args.output, args.n, seed=args.seed, missing_rate=args.missing_rate,
                 bad_rate=args.bad_rate)
    print(f"wrote {args.n:,} enterprises to {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
