"""大中小微 classification (统计上大中小微型企业划分办法 2017) from employees and revenue.

Large, medium and small need the lower bound of *every* indicator the industry lists (else one
class down); micro needs only one indicator below the small bound. Asset totals are not in the
profile, so industries whose rows use assets (建筑业, 房地产, 租赁和商务服务) are judged on the
indicators we have and return ``None`` when the answer would depend on assets.
"""

from __future__ import annotations

from ..units import industry_section

# (employees lower bounds for 大, 中, 小) and (revenue lower bounds in 万元 for 大, 中, 小);
# None means the row does not use that indicator.
_Row = tuple[tuple[int, int, int] | None, tuple[int, int, int] | None, bool]
SIZE_ROWS: dict[str, _Row] = {
    # key: (X bounds, Y bounds, uses assets too)
    "agri": (None, (20000, 500, 50), False),
    "industry": ((1000, 300, 20), (40000, 2000, 300), False),
    "construction": (None, (80000, 6000, 300), True),
    "wholesale": ((200, 20, 5), (40000, 5000, 1000), False),
    "retail": ((300, 50, 10), (20000, 500, 100), False),
    "transport": ((1000, 300, 20), (30000, 3000, 200), False),
    "warehouse": ((200, 100, 20), (30000, 1000, 100), False),
    "post": ((1000, 300, 20), (30000, 2000, 100), False),
    "hospitality": ((300, 100, 10), (10000, 2000, 100), False),
    "telecom": ((2000, 100, 10), (100000, 1000, 100), False),
    "software": ((300, 100, 10), (10000, 1000, 50), False),
    "realestate": (None, (200000, 1000, 100), True),
    "property": ((1000, 300, 100), (5000, 1000, 500), False),
    "leasing": ((300, 100, 10), None, True),
    "other": ((300, 100, 10), None, False),
}
_CLASSES = ("大型", "中型", "小型")


def _row_for(code: str) -> str:
    section = industry_section(code)
    major = int("".join(ch for ch in code if ch.isdigit())[:2])
    if section == "A":
        return "agri"
    if section in ("B", "C", "D"):
        return "industry"
    if section == "E":
        return "construction"
    if section == "F":
        return "wholesale" if major == 51 else "retail"
    if section == "G":
        return {59: "warehouse", 60: "post"}.get(major, "transport")
    if section == "H":
        return "hospitality"
    if section == "I":
        return "software" if major == 65 else "telecom"
    if section == "K":
        return "realestate" if code.lstrip("K").startswith("701") else "property"
    if section == "L":
        return "leasing"
    return "other"


def scale_class(code: str | None, employees: int | None, revenue: float | None) -> str | None:
    """Return 大型 / 中型 / 小型 / 微型, or ``None`` when the known facts do not decide it.

    Examples
    --------
    >>> scale_class("C3841", 500, 15_000_000)   # revenue below the medium bound: one class down
    '小型'
    >>> scale_class("C3841", 15, None)           # one indicator below the small bound: micro
    '微型'
    >>> scale_class("C3841", 500, None) is None
    True
    """
    if code is None:
        return None
    x_bounds, y_bounds, uses_assets = SIZE_ROWS[_row_for(code)]
    values: list[tuple[float | None, tuple[int, int, int]]] = []
    if x_bounds is not None:
        values.append((None if employees is None else float(employees), x_bounds))
    if y_bounds is not None:
        values.append((None if revenue is None else revenue / 1e4, y_bounds))
    if any(v is not None and v < bounds[2] for v, bounds in values):
        return "微型"
    if uses_assets or any(v is None for v, _ in values):
        return None
    for level, name in enumerate(_CLASSES):
        if all(v is not None and v >= bounds[level] for v, bounds in values):
            return name
    return "微型"  # pragma: no cover - unreachable: small bounds were checked above


def needed_facts(code: str | None) -> tuple[str, ...]:
    """The profile fields :func:`scale_class` reads for an industry code (all three when the code
    is unknown), so a question asks only for what decides the class.

    Examples
    --------
    >>> needed_facts("A0111")
    ('industry_code', 'revenue')
    >>> needed_facts(None)
    ('industry_code', 'employees', 'revenue')
    """
    if code is None:
        return ("industry_code", "employees", "revenue")
    x_bounds, y_bounds, _ = SIZE_ROWS[_row_for(code)]
    return ("industry_code", *(("employees",) if x_bounds is not None else ()),
            *(("revenue",) if y_bounds is not None else ()))
