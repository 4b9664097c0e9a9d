"""Participation figures computed in SQL aggregates, one module per cluster; every public
name is re-exported here (``from volunteer.stats import figures``).

A service counts in the period in which its task ends (local time): a task ending at 23:30 on
31 March counts in Q1. Only confirmed, non-no-show, live claims count as service.
"""

from volunteer.stats.figures.activity import (
    LEVELS,
    PLACE_LEVELS,
    SCOPE_COLUMNS,
    request_stats,
    scope_filter,
    served_in,
    service_stats,
    whole_months,
    wish_stats,
)
from volunteer.stats.figures.groups import group_rows, group_rows_multi, page_figures
from volunteer.stats.figures.member_facts import (
    MEMBER_FACTS,
    RANK_FACTS,
    member_column,
    member_columns,
    member_facts,
    member_hours,
    member_rank_facts,
    member_row,
    member_rows,
    member_sort_values,
)
from volunteer.stats.figures.trends import category_rows, trend_and_categories, trend_months

__all__ = [
    "LEVELS",
    "PLACE_LEVELS",
    "SCOPE_COLUMNS",
    "scope_filter",
    "service_stats",
    "whole_months",
    "served_in",
    "wish_stats",
    "request_stats",
    "MEMBER_FACTS",
    "RANK_FACTS",
    "member_facts",
    "member_rank_facts",
    "member_sort_values",
    "member_row",
    "member_columns",
    "member_column",
    "member_hours",
    "member_rows",
    "group_rows",
    "group_rows_multi",
    "page_figures",
    "trend_months",
    "trend_and_categories",
    "category_rows",
]
