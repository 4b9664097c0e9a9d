"""What a dashboard shows: its scope, summary, charts and tables, for pages, API and exports."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from flask import g, has_request_context
from sqlalchemy import select

from volunteer.auth.permissions import mask_phone, phone_rule
from volunteer.core.errors import NotFound, ValidationFailed
from volunteer.core.i18n import N_
from volunteer.core.periods import Period
from volunteer.extensions import db
from volunteer.orgs.models import Branch, Community, Street, Unit
from volunteer.stats import figures
from volunteer.stats.score import RATINGS, rank_order, score_columns, shared_ranks

SCOPE_KINDS = {"district": N_("全区"), "street": N_("街道"), "community": N_("社区"),
               "branch": N_("功能型党组织"), "unit": N_("单位")}
# the tables each scope offers, first one shown by default
TABLES = {
    "district": ("street", "community", "unit", "branch", "member"),
    "street": ("community", "branch", "member"),
    "community": ("grid", "branch", "member"),
    "branch": ("member",),
    "unit": ("member",),
}
TABLE_LABELS = {"street": N_("街道"), "community": N_("社区"), "grid": N_("网格"),
                "unit": N_("单位"), "branch": N_("功能型党组织"), "member": N_("党员")}
# the level whose participation the bar chart compares
CHILD_LEVEL = {"district": "street", "street": "community", "community": "grid"}

GROUP_COLUMNS = [
    ("rank", N_("排名")), ("name", N_("名称")), ("score", N_("综合评分")),
    ("registered", N_("报到党员")), ("approved", N_("已审核")), ("active", N_("参与服务")),
    ("participation", N_("参与率")), ("hours", N_("服务时长（小时）")),
    ("services", N_("服务人次")), ("tasks_posted", N_("发布项目")),
    ("tasks_completed", N_("完成项目")), ("wishes_fulfilled", N_("圆梦微心愿")),
    ("requests_handled", N_("办结居民点单")), ("avg_request_hours", N_("点单平均办结（小时）")),
    ("avg_quality", N_("平均服务质量")), ("avg_satisfaction", N_("平均居民满意度")),
]
MEMBER_COLUMNS = [
    ("rank", N_("排名")), ("name", N_("姓名")), ("phone", N_("手机号")),
    ("community", N_("居住社区")), ("unit", N_("工作单位")), ("score", N_("综合评分")),
    ("services", N_("服务次数")), ("hours", N_("服务时长（小时）")), ("wishes", N_("圆梦微心愿")),
    ("requests", N_("办结居民点单")), ("avg_quality", N_("平均服务质量")),
    ("avg_satisfaction", N_("平均居民满意度")),
]
TEXT_KEYS = {"name", "phone", "community", "unit"}


@dataclass(frozen=True)
class Scope:
    """The organisation a dashboard looks at."""

    kind: str
    id: int | None = None
    name: str = "崇川区"
    street_id: int | None = None
    community_id: int | None = None
    parents: tuple = field(default=())  # (kind, id, name) links for the breadcrumb

    @property
    def filters(self) -> dict:
        """Keywords for ``figures`` selecting the members of this scope."""
        key = {"street": "street_id", "community": "community_id", "branch": "branch_id",
               "unit": "unit_id"}.get(self.kind)
        return {key: self.id} if key else {}

    @property
    def kind_label(self) -> str:
        return SCOPE_KINDS[self.kind]

    @property
    def title(self) -> str:
        return self.name if self.kind == "district" else f"{self.name}（{self.kind_label}）"

    @property
    def key(self) -> str:
        return self.kind if self.id is None else f"{self.kind}-{self.id}"


def get_scope(kind: str, scope_id: int | None = None) -> Scope:
    """Load the scope ``kind`` / ``scope_id`` or raise NotFound."""
    if kind == "district":
        return Scope("district")
    model = {"street": Street, "community": Community, "branch": Branch, "unit": Unit}.get(kind)
    obj = db.session.get(model, scope_id) if model and scope_id else None
    if obj is None:
        raise NotFound("找不到该组织")
    district = ("district", None, "崇川区")
    if kind == "street":
        return Scope("street", obj.id, obj.name, street_id=obj.id, parents=(district,))
    if kind == "community":
        street = obj.street
        return Scope("community", obj.id, obj.name, street_id=street.id, community_id=obj.id,
                     parents=(district, ("street", street.id, street.name)))
    if kind == "branch":
        community = obj.community
        return Scope("branch", obj.id, obj.name, street_id=community.street_id,
                     community_id=community.id,
                     parents=(district, ("street", community.street_id, community.street.name),
                              ("community", community.id, community.name)))
    return Scope("unit", obj.id, obj.name, parents=(district,))


def home_scope(user) -> Scope | None:
    """The dashboard a staff user lands on."""
    role = user.role
    if role == "district_admin":
        return Scope("district")
    scoped = {"street_reviewer": ("street", user.street_id),
              "community_secretary": ("community", user.community_id),
              "branch_secretary": ("branch", user.branch_id),
              "unit_contact": ("unit", user.unit_id)}.get(role)
    if scoped is None or scoped[1] is None:
        return None
    return get_scope(*scoped)


def check_table(scope: Scope, table: str | None) -> str:
    tables = TABLES[scope.kind]
    if not table:
        return tables[0]
    if table not in tables:
        raise ValidationFailed(fields={"table": f"应为 {'、'.join(tables)} 之一"})
    return table


def _memo() -> dict:
    return g.setdefault("review_groups", {}) if has_request_context() else {}


def group_table(scope: Scope, level: str, period: Period) -> list[dict]:
    """The ranked rows of ``level`` inside ``scope`` (computed once per request)."""
    memo = _memo()
    key = (scope.key, level, period.key)
    if key not in memo:
        memo[key] = figures.group_rows(level, period, **scope.filters)
    return memo[key]


def prefetch(scope: Scope, period: Period, table: str) -> None:
    """Compute everything a dashboard page shows from the services in three statements
    (``figures.page_figures``): the table itself, the level below for the chart and the totals
    and the scope's own row in one, the monthly trend and the category breakdown in one
    each."""
    levels = {table} if table != "member" else set()
    if scope.kind in CHILD_LEVEL:
        levels.add(CHILD_LEVEL[scope.kind])
    if scope.kind in ("community", "branch", "unit"):
        levels.add(scope.kind)
    memo = _memo()
    levels = sorted(level for level in levels if (scope.key, level, period.key) not in memo)
    tables, trend, categories = figures.page_figures(levels, period, **scope.filters)
    for level, rows in tables.items():
        memo[(scope.key, level, period.key)] = rows
    memo[(scope.key, "charts", period.key)] = (trend, categories)


class MemberTable(Sequence):
    """The scope's approved members, ranked, with names of places and phones as the viewer may
    see them: a sequence of row dicts, made only for the rows read.

    Ranking needs six figures of every member and a page shows fifty. So the ranking reads only
    those (``figures.member_rank_facts``) and computes scores and rank order over columns
    (``score.score_columns``); the whole facts of a member (``figures.member_facts``) are read
    for the rows a page shows, or for everyone when an export reads them all or a column
    outside the ranked figures (name, phone, wishes, requests) sets the order.
    """

    def __init__(self, period: Period, filters: dict, viewer, order: list[int] | None = None,
                 shared: dict | None = None):
        self.viewer = viewer
        self.visible = phone_rule(viewer)  # can_see_phone decided once for the viewer
        if shared is None:
            columns = figures.member_columns(figures.member_rank_facts(period, **filters),
                                             figures.RANK_FACTS)
            shared = {**self._rank(columns), "columns": columns, "period": period,
                      "filters": filters, "facts": {}, "all_read": False,
                      "communities": dict(db.session.execute(
                          select(Community.id, Community.name)).all()),
                      "units": _unit_names(set(columns["unit_id"]))}
        self.shared = shared
        self.order = shared["by_rank"] if order is None else order

    @staticmethod
    def _rank(columns: dict[str, tuple]) -> dict:
        def column(key):
            return figures.member_column(columns, key)

        services, hours = column("services"), column("hours")
        ratings = {name: (column(f"{name}_sum"), column(f"{name}_n")) for name in RATINGS}
        scores = score_columns(services, hours, ratings)
        by_rank = rank_order(scores, hours, services, columns["id"])
        return {"scores": scores, "ranks": shared_ranks(scores, services), "by_rank": by_rank}

    def __len__(self) -> int:
        return len(self.order)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self._rows(self.order[index])
        (row,) = self._rows([self.order[index]]) or [None]
        if row is None:
            raise IndexError(index)
        return row

    def __iter__(self):
        self._read(None)
        for start in range(0, len(self.order), 1000):
            yield from self._rows(self.order[start:start + 1000])

    def _read(self, ids: list | None) -> dict:
        """The whole facts of ``ids`` (None: everyone's), read once per member."""
        shared, known = self.shared, self.shared["facts"]
        if shared["all_read"] or (ids is not None and all(i in known for i in ids)):
            return known
        found = figures.member_facts(shared["period"], **shared["filters"], by_id=False,
                                     member_ids=ids, approved_only=ids is None)
        known.update((facts[0], facts) for facts in found)
        shared["all_read"] = ids is None
        return known

    def _rows(self, positions: list[int]) -> list[dict]:
        ids = self.shared["columns"]["id"]
        known = self._read([ids[p] for p in positions])
        # a member deleted between the two reads is left out of the page
        return [self._row(p, known[ids[p]]) for p in positions if ids[p] in known]

    def _row(self, position: int, facts) -> dict:
        row = figures.member_row(facts)
        row["score"] = self.shared["scores"][position]
        row["rank"] = self.shared["ranks"][position]
        row["phone"] = self._phone(row["id"], row["phone"], row["community_id"])
        row["community"] = self.shared["communities"].get(row["community_id"], "")
        row["unit"] = self.shared["units"].get(row["unit_id"], "")
        row.pop("email", None)
        return row

    def _phone(self, member_id: int, phone: str, community_id: int | None) -> str:
        """The phone as the viewer may see it (``shown_phone``)."""
        return phone if self.visible(member_id, community_id) else mask_phone(phone)

    def sorted_by(self, key: str, descending: bool) -> "MemberTable":
        """The table ordered as ``sort_rows`` orders row dicts by ``key``."""
        if key == "rank":
            order = list(reversed(self.shared["by_rank"])) if descending else None
            return MemberTable(None, {}, self.viewer, order, self.shared)
        order = _ordered(self.shared["by_rank"], self._values(key), key, descending)
        return MemberTable(None, {}, self.viewer, order, self.shared)

    def _values(self, key: str) -> list:
        """``key``'s value for every member, in ranking-query order, as ``_row`` shows it."""
        columns = self.shared["columns"]
        if key == "score":
            return self.shared["scores"]
        if key in ("community", "unit"):
            names = self.shared["communities" if key == "community" else "units"]
            return [names.get(place, "") for place in columns[f"{key}_id"]]
        if key in ("services", "hours", "avg_quality", "avg_satisfaction"):
            return figures.member_column(columns, key)
        # name, phone, wishes, requests: that figure alone (a member deleted since the ranking
        # was read sorts last, as None)
        found = figures.member_sort_values(self.shared["period"], key, **self.shared["filters"])
        if key == "phone":
            return [self._phone(i, *found[i]) if i in found else None for i in columns["id"]]
        if key in ("wishes", "requests"):
            return [found.get(i, 0) for i in columns["id"]]
        return [found.get(i) for i in columns["id"]]


def member_table(scope: Scope, period: Period, viewer) -> MemberTable:
    """The scope's approved members, ranked (``MemberTable``)."""
    # the real user, not flask-login's proxy: phones are decided for thousands of rows
    viewer = getattr(viewer, "_get_current_object", lambda: viewer)()
    return MemberTable(period, scope.filters, viewer)


def _unit_names(ids: set) -> dict:
    if len(ids) > 500:
        return dict(db.session.execute(select(Unit.id, Unit.name)).all())
    return dict(db.session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(ids))).all())


def table_rows(scope: Scope, table: str, period: Period, viewer) -> Sequence[dict]:
    if table == "member":
        return member_table(scope, period, viewer)
    return list(group_table(scope, table, period))


def columns_for(table: str) -> list[tuple[str, str]]:
    return MEMBER_COLUMNS if table == "member" else GROUP_COLUMNS


def sort_rows(rows, table: str, sort: str | None, descending: bool):
    """Rows sorted by a column (None values last); the default is the rank."""
    if not sort or sort not in {key for key, _label in columns_for(table)}:
        sort, descending = "rank", False
    if isinstance(rows, MemberTable):
        return rows.sorted_by(sort, descending)
    # rows come in rank order; 未参与 (rank None) after every ranked row
    by_rank = sorted(range(len(rows)), key=lambda position: (rows[position]["rank"] is None,
                                                            rows[position]["rank"] or 0))
    if sort == "rank":
        order = by_rank[::-1] if descending else by_rank
    else:
        order = _ordered(by_rank, [row.get(sort) for row in rows], sort, descending)
    return [rows[position] for position in order]


def _ordered(by_rank: list[int], values: Sequence, key: str, descending: bool) -> list[int]:
    """Row positions ordered by ``values`` (one per position), None last in rank order; ties of
    a figure go by rank (better first when descending, worse first when ascending), ties of a
    text in rank order. A stable sort on the value alone, started from rank order or its
    reverse, gives exactly that without a key tuple per row."""
    start = by_rank if descending or key in TEXT_KEYS else by_rank[::-1]
    present = [position for position in start if values[position] is not None]
    present.sort(key=values.__getitem__, reverse=descending)
    return present + [position for position in by_rank if values[position] is None]


def summary(scope: Scope, period: Period) -> dict:
    """The scope's totals: the sum of its streets or communities, else its own group row."""
    if scope.kind in ("district", "street"):
        return _total(group_table(scope, CHILD_LEVEL[scope.kind], period))
    (row,) = group_table(scope, scope.kind, period) or [None]
    return row or _total([])


SUMMED = ("registered", "approved", "active", "hours", "services", "tasks_posted",
          "tasks_completed", "wishes_fulfilled", "requests_handled", "quality_sum", "quality_n",
          "satisfaction_sum", "satisfaction_n")


def _total(rows: list[dict]) -> dict:
    total = {key: sum(r.get(key) or 0 for r in rows) for key in SUMMED}
    total["hours"] = round(total["hours"], 1)
    total["participation"] = (round(total["active"] / total["approved"], 4)
                              if total["approved"] else 0.0)
    total["avg_quality"] = (round(total["quality_sum"] / total["quality_n"], 2)
                            if total["quality_n"] else None)
    total["avg_satisfaction"] = (round(total["satisfaction_sum"] / total["satisfaction_n"], 2)
                                 if total["satisfaction_n"] else None)
    weighted = [(r["avg_request_hours"], r["requests_handled"]) for r in rows
                if r.get("avg_request_hours") is not None]
    count = sum(n for _hours, n in weighted)
    total["avg_request_hours"] = (round(sum(h * n for h, n in weighted) / count, 1)
                                  if count else None)
    return total


def charts(scope: Scope, period: Period) -> dict:
    """Trend by month, category breakdown, participation of the level below."""
    child = CHILD_LEVEL.get(scope.kind)
    child_rows = group_table(scope, child, period) if child else []
    participation = [{"name": r["name"], "participation": r["participation"],
                      "active": r["active"], "approved": r["approved"]}
                     for r in sorted(child_rows or [], key=lambda r: r["id"])]
    memo = _memo().get((scope.key, "charts", period.key))
    trend, categories = memo or figures.trend_and_categories(period, scope.filters)
    return {"trend": trend, "categories": categories,
            "participation": participation, "child_label": TABLE_LABELS.get(child, "")}


def chart_sheets(charts: dict) -> list[tuple[str, list[tuple[str, str]], list[dict]]]:
    """The tables beside the charts, as (sheet name, columns, rows) for the .xlsx download."""
    sheets = [
        ("月度趋势", [("label", "月份"), ("hours", "服务时长（小时）"), ("active", "参与党员"),
                      ("services", "服务人次")], charts["trend"]),
        ("服务类别", [("label", "类别"), ("hours", "服务时长（小时）"),
                      ("services", "服务人次")], charts["categories"]),
    ]
    if charts["participation"]:
        label = charts["child_label"]
        sheets.append((f"各{label}参与率", [("name", label), ("participation", "参与率"),
                                            ("active", "参与党员"), ("approved", "已审核党员")],
                       charts["participation"]))
    return sheets
