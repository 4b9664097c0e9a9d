"""The evaluation score (综合评分) that ranks members, communities, units and branches.

Pure functions over aggregate rows (``review.figures``); no database access. The formula, in
words (``EXPLANATION`` says it on every page that ranks):

1. Within one period and one scope (the rows ranked together), each of four indicators is put
   on a 0–1 scale:
   - service count: services ÷ the largest services in the scope;
   - confirmed hours: hours ÷ the largest hours in the scope;
   - average quality (1–5, rated by the community) and average resident satisfaction (1–5):
     a Bayesian average ``(sum + k·m) ÷ (n + k)`` with ``k = 3`` and ``m`` the mean of all
     ratings in the scope, so one or two ratings cannot put anyone at the top or bottom; then
     ``(average − 1) ÷ 4``.
   Communities, units and branches use services and hours per approved member, so a small
   community is not outweighed by a large one.
2. score = 100 × (0.3 × services + 0.3 × hours + 0.2 × quality + 0.2 × satisfaction),
   rounded to one decimal. A row without service in the period scores 0.
3. Rank by score, then hours, then services (higher first); remaining ties by id.
"""

from volunteer.core.i18n import N_

WEIGHTS = {"services": 0.3, "hours": 0.3, "quality": 0.2, "satisfaction": 0.2}
PRIOR_WEIGHT = 3
EXPLANATION = N_(
    "综合评分（满分 100）= 30% 服务次数 + 30% 服务时长 + 20% 服务质量 + 20% 居民满意度。"
    "服务次数和服务时长除以本期、本范围内的最大值，折算为 0–1"
    "（社区、单位、支部按每名已审核党员的平均值计算）；"
    "服务质量和居民满意度（1–5 分）先按贝叶斯平均向本范围的平均分收缩"
    "（相当于加入 3 个平均分评价，评价少的不会因一两次评分排到最前或最后），"
    "再折算为 0–1。本期没有服务的记 0 分。"
    "按综合评分排名，同分时服务时长多者在前，再看服务次数。"
)
RATINGS = ("quality", "satisfaction")


def bayesian_average(total: float, count: int, prior_mean: float | None,
                     prior_weight: float = PRIOR_WEIGHT) -> float | None:
    """``(total + k·m) / (count + k)``; the plain mean without a prior, None without data."""
    if prior_mean is None:
        return total / count if count else None
    return (total + prior_weight * prior_mean) / (count + prior_weight)


def scope_mean(rows: list[dict], name: str) -> float | None:
    """The mean of every ``name`` rating in the scope (``{name}_sum`` / ``{name}_n``)."""
    total = sum(float(r.get(f"{name}_sum") or 0) for r in rows)
    count = sum(int(r.get(f"{name}_n") or 0) for r in rows)
    return total / count if count else None


def _volume(row: dict, key: str, per_member: bool) -> float:
    value = float(row.get(key) or 0)
    if not per_member:
        return value
    members = int(row.get("approved") or 0)
    return value / members if members else 0.0


def score_rows(rows: list[dict], *, per_member: bool = False) -> list[dict]:
    """Add ``score`` (0–100) to each row, normalised within ``rows``; returns ``rows``."""
    means = {name: scope_mean(rows, name) for name in RATINGS}
    volumes = [(_volume(r, "services", per_member), _volume(r, "hours", per_member))
               for r in rows]
    top_services = max((v[0] for v in volumes), default=0.0)
    top_hours = max((v[1] for v in volumes), default=0.0)
    for row, (services, hours) in zip(rows, volumes, strict=True):
        if not row.get("services"):
            row["score"] = 0.0
            continue
        total = (WEIGHTS["services"] * (services / top_services if top_services else 0.0)
                 + WEIGHTS["hours"] * (hours / top_hours if top_hours else 0.0))
        for name in RATINGS:
            average = bayesian_average(float(row.get(f"{name}_sum") or 0),
                                       int(row.get(f"{name}_n") or 0), means[name])
            total += WEIGHTS[name] * ((average - 1) / 4 if average is not None else 0.0)
        row["score"] = round(100 * total, 1)
    return rows


def rank_key(row: dict) -> tuple:
    return (-row["score"], -float(row.get("hours") or 0), -int(row.get("services") or 0),
            row["id"])


def rank_rows(rows: list[dict], *, per_member: bool = False) -> list[dict]:
    """Score ``rows`` and sort them by rank, setting ``rank`` (1 = best); returns them."""
    score_rows(rows, per_member=per_member)
    rows.sort(key=rank_key)
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    return rows
