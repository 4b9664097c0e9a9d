"""The tasks API's response models (the ``...Out`` classes); the body models stay in api.py."""

from volunteer.core.api import Out, Timestamp, one_of
from volunteer.tasks.models import (
    CATEGORIES,
    CHECK_IN_METHODS,
    CLAIM_STATUSES,
    OUTCOMES,
    STATES,
    VISIBILITIES,
)

TASK_STATUSES = ("draft", "open", "cancelled")


class ClaimMemberOut(Out):
    id: int
    name: str
    phone: str
    skills: list[str]
    unit: str | None


class ClaimTaskOut(Out):
    id: int
    title: str
    category: one_of(CATEGORIES)
    category_label: str
    location: str
    starts_at: Timestamp
    ends_at: Timestamp
    state: one_of(STATES)
    community_name: str


class ClaimOut(Out):
    id: int
    task_id: int
    member_id: int
    status: one_of(CLAIM_STATUSES)
    created_at: Timestamp
    ended_at: Timestamp | None
    end_reason: str | None
    checked_in_at: Timestamp | None
    check_in_method: one_of(CHECK_IN_METHODS) | None
    checked_out_at: Timestamp | None
    self_hours: float | None
    confirmed_at: Timestamp | None
    confirmed_hours: float | None
    adjusted: bool
    adjust_reason: str | None
    quality: int | None
    no_show: bool
    outcome: one_of(OUTCOMES)
    satisfaction: int | None
    satisfaction_comment: str | None
    member: ClaimMemberOut | None = None
    checkout_forgotten: bool | None = None
    task: ClaimTaskOut | None = None


class TaskOut(Out):
    id: int
    title: str
    category: one_of(CATEGORIES)
    category_label: str
    description: str
    location: str
    community_id: int
    community_name: str
    street_id: int
    grid_id: int | None
    starts_at: Timestamp
    ends_at: Timestamp
    slots: int
    slots_taken: int
    slots_left: int
    skills: list[str]
    visibility: one_of(VISIBILITIES)
    status: one_of(TASK_STATUSES)
    state: one_of(STATES)
    state_label: str
    claimable: bool
    series_key: str | None
    cancel_reason: str | None
    my_claim: ClaimOut | None = None
    waitlist_position: int | None = None


class TaskTemplateOut(Out):
    category: one_of(CATEGORIES)
    category_label: str
    title: str
    slots: int
    duration_minutes: int
    starts_at_local: str
    description: str
    skills: list[str]


class TemplatesOut(Out):
    items: list[TaskTemplateOut]
    visibilities: dict[str, str]


class SeriesOut(Out):
    items: list[TaskOut]
    total: int


class SeriesTasksOut(Out):
    items: list[TaskOut]
    total: int
    ahead: int


class SeriesChangedOut(Out):
    updated: int


class SeriesCancelledOut(Out):
    cancelled: int


class ConfirmedOut(Out):
    confirmed: int


class WaitlistEntryOut(Out):
    task_id: int
    status: str
    position: int | None = None


class WaitingMemberOut(Out):
    position: int
    member_id: int
    name: str
    phone: str
    created_at: Timestamp


class WaitlistOut(Out):
    items: list[WaitingMemberOut]
    total: int


class RosterOut(Out):
    items: list[ClaimOut]
    total: int


class QrTokenOut(Out):
    token: str
    url: str
    rotates_every: int


class PeriodTotalOut(Out):
    services: int
    hours: float


class TotalsOut(Out):
    month: PeriodTotalOut
    year: PeriodTotalOut
