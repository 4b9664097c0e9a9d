"""The tasks' limits and the refusals their services raise."""

from datetime import timedelta

from volunteer.core.errors import Conflict, InvalidState, NotAllowed

TITLE_MAX, LOCATION_MAX, DESCRIPTION_MAX, COMMENT_MAX = 80, 120, 2000, 500
MAX_DURATION = timedelta(days=7)
MAX_SERIES_DAYS, MAX_SHIFTS, MAX_SERIES_TASKS = 31, 6, 100
MAX_HOURS = 24
# a task starts at most a year ahead and, as a draft being prepared, at most 30 days back
MAX_AHEAD, MAX_BEHIND = timedelta(days=365), timedelta(days=30)


class TaskFull(Conflict):
    code = "task_full"
    message = "名额已满，可以加入候补名单"


class AlreadyClaimed(Conflict):
    code = "already_claimed"
    message = "您已认领该服务项目"


class TaskClosed(Conflict):
    code = "task_closed"
    message = "该服务项目已停止认领"


class TimeConflict(Conflict):
    code = "time_conflict"
    message = "与您已认领的其他服务项目时间冲突"


class NotApproved(NotAllowed):
    code = "not_approved"
    message = "报到审核通过后才能认领服务项目"


class CancelTooLate(InvalidState):
    code = "cancel_too_late"
    message = "已过取消截止时间，请联系社区书记"


class OutsideWindow(InvalidState):
    code = "outside_window"
    message = "不在签到签退时间内"


class QrExpired(InvalidState):
    code = "qr_expired"
    message = "二维码已过期或无效，请扫描现场最新的二维码"


class NotClaimed(InvalidState):
    code = "not_claimed"
    message = "您没有认领该服务项目"


class CheckOutTooEarly(InvalidState):
    code = "too_early"
    message = "服务尚未开始，开始后才能签退（现在签退时长为 0）"


class NothingToConfirm(InvalidState):
    code = "nothing_to_confirm"
    message = "没有已签退、待确认的认领"
