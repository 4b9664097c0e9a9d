"""The evaluation score (综合评分) that ranks members, communities, units and branches.

Pure functions over aggregate rows (``stats.figures``); no database access. The formula, in
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
3. Rank by score: a row's rank is 1 + the number of rows with a strictly higher score, so
   equal scores share a rank (competition ranking 1, 2, 2, 4). A row without service in the
   period has nothing to rank: its rank is None, shown as 未参与. Rows are listed by score, then
   hours, then services (higher first), then id.
"""

from bisect import bisect_right
from operator import neg

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
    "按综合评分排名，同分者名次并列（列出时服务时长多者在前，再看服务次数）；"
    "本期没有服务的不参与排名，记为“未参与”。"
)
NOT_RANKED = N_("未参与")
RATINGS = ("quality", "satisfaction")


def bayesian_average(total: float, count: int, prior_mean: float | None,
                     prior_weight: float = PRIOR_WEIGHT) -> float | None:
    """``(total + k·m) / (count + k)``; the plain mean without a prior, None without data."""
    if prior_mean is None:
        return total / count if count else None
    return (total + prior_weight * prior_mean) / (count + prior_weight)


def scope_mean(rows: list[dict], name: str) -> float | None:
    """The mean of every ``name`` rating in the scope (``{name}_sum`` / ``{name}_n``)."""
    return _mean([float(r.get(f"{name}_sum") or 0) for r in rows],
                 [int(r.get(f"{name}_n") or 0) for r in rows])


def _mean(sums: list[float], counts: list[int]) -> float | None:
    count = sum(counts)
    return sum(sums) / count if count else None


def score_columns(services: list, hours: list, ratings: dict[str, tuple[list, list]],
                  approved: list | None = None) -> list[float]:
    """The score of each row from its figures given as columns (one list per figure, in row
    order): services, hours, and per rating name its sums and counts; with ``approved``, the
    volumes are per approved member. ``score_rows`` reads its columns from row dicts; the member
    table (tens of thousands of rows) passes the query's columns without making dicts.
    """
    if approved is None:
        service_volumes = [float(v or 0) for v in services]
        hour_volumes = [float(v or 0) for v in hours]
    else:
        members = [int(a or 0) for a in approved]
        service_volumes = [float(v or 0) / m if m else 0.0
                           for v, m in zip(services, members, strict=True)]
        hour_volumes = [float(v or 0) / m if m else 0.0
                        for v, m in zip(hours, members, strict=True)]
    top_services = max(service_volumes, default=0.0)
    top_hours = max(hour_volumes, default=0.0)
    (q_sums, q_ns), (s_sums, s_ns) = (ratings[name] for name in RATINGS)
    # the per-row arithmetic of ``bayesian_average`` inlined (a function call per rating and
    # row doubled the time for the district's 27,000 members), in the same order of operations
    k = PRIOR_WEIGHT
    q_mean, s_mean = _mean(q_sums, q_ns), _mean(s_sums, s_ns)
    q_prior, s_prior = (k * q_mean if q_mean is not None else None,
                        k * s_mean if s_mean is not None else None)
    w_services, w_hours = WEIGHTS["services"], WEIGHTS["hours"]
    w_quality, w_satisfaction = WEIGHTS["quality"], WEIGHTS["satisfaction"]
    scores = []
    for served, services_v, hours_v, q_sum, q_n, s_sum, s_n in zip(
            services, service_volumes, hour_volumes, q_sums, q_ns, s_sums, s_ns, strict=True):
        if not served:
            scores.append(0.0)
            continue
        total = (w_services * (services_v / top_services if top_services else 0.0)
                 + w_hours * (hours_v / top_hours if top_hours else 0.0))
        if q_prior is not None:
            total += w_quality * (((q_sum + q_prior) / (q_n + k) - 1) / 4)
        elif q_n:
            total += w_quality * ((q_sum / q_n - 1) / 4)
        if s_prior is not None:
            total += w_satisfaction * (((s_sum + s_prior) / (s_n + k) - 1) / 4)
        elif s_n:
            total += w_satisfaction * ((s_sum / s_n - 1) / 4)
        scores.append(round(100 * total, 1))
    return scores


def score_rows(rows: list[dict], *, per_member: bool = False) -> list[dict]:
    """Add ``score`` (0–100) to each row, normalised within ``rows``; returns ``rows``."""
    ratings = {name: ([float(r.get(f"{name}_sum") or 0) for r in rows],
                      [int(r.get(f"{name}_n") or 0) for r in rows]) for name in RATINGS}
    scores = score_columns([r.get("services") for r in rows], [r.get("hours") for r in rows],
                           ratings, [r.get("approved") for r in rows] if per_member else None)
    for row, value in zip(rows, scores, strict=True):
        row["score"] = value
    return rows


def rank_order(scores: list[float], hours: list[float], services: list[int], ids: list
               ) -> list[int]:
    """Row positions in rank order: score, then hours, then services (higher first), then id
    (hours as floats, services as ints, as the row dicts hold them)."""
    keys = sorted(zip(map(neg, scores), map(neg, hours), map(neg, services), ids,
                      range(len(ids)), strict=True))
    return [key[4] for key in keys]


def shared_ranks(scores: list[float], services: list) -> list[int | None]:
    """The rank of each row (in row order): 1 + the number of ranked rows with a strictly
    higher score, so ties share a rank (1, 2, 2, 4); None for a row without service (未参与).
    The one tie rule of every ranking: reports, dashboards, exports, a member's home."""
    ranked = sorted(score for score, served in zip(scores, services, strict=True) if served)
    count = len(ranked)
    return [count - bisect_right(ranked, score) + 1 if served else None
            for score, served in zip(scores, services, strict=True)]


def rank_rows(rows: list[dict], *, per_member: bool = False, within: str | None = None
              ) -> list[dict]:
    """Score ``rows`` and sort them by rank, setting ``rank`` (``shared_ranks``: 1 = best,
    None = 未参与); with ``within`` (a key such as ``parent_id``), also ``rank_in_parent``,
    the rank among the rows of the same value of that key. Returns ``rows``."""
    score_rows(rows, per_member=per_member)
    order = rank_order([r["score"] for r in rows], [float(r.get("hours") or 0) for r in rows],
                       [int(r.get("services") or 0) for r in rows], [r["id"] for r in rows])
    rows[:] = [rows[position] for position in order]
    _set_ranks(rows, "rank")
    if within is not None:
        groups: dict = {}
        for row in rows:
            groups.setdefault(row.get(within), []).append(row)
        for members in groups.values():
            _set_ranks(members, "rank_in_parent")
    return rows


def _set_ranks(rows: list[dict], key: str) -> None:
    ranks = shared_ranks([r["score"] for r in rows], [r.get("services") for r in rows])
    for row, rank in zip(rows, ranks, strict=True):
        row[key] = rank
