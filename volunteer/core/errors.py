"""The DomainError family: a broken rule, with a code, a Chinese message and an HTTP status."""


class DomainError(Exception):
    """A business rule refused the action."""

    code = "error"
    status = 400
    message = "操作失败"

    def __init__(self, message: str | None = None, *, fields: dict | None = None, code=None):
        super().__init__(message or self.message)
        self.message = message or self.message
        self.fields = fields or {}
        if code:
            self.code = code


class ValidationFailed(DomainError):
    code = "invalid_input"
    status = 400
    message = "输入有误，请检查标出的内容"


class NotAuthenticated(DomainError):
    code = "not_authenticated"
    status = 401
    message = "请先登录"


class NotAllowed(DomainError):
    code = "forbidden"
    status = 403
    message = "您无权进行此操作"


class NotFound(DomainError):
    code = "not_found"
    status = 404
    message = "找不到该对象"


class Conflict(DomainError):
    code = "conflict"
    status = 409
    message = "操作与当前状态冲突"


class InvalidState(Conflict):
    code = "invalid_state"
    message = "当前状态下不能进行此操作"


class TooManyAttempts(DomainError):
    code = "too_many_requests"
    status = 429
    message = "尝试次数过多，请稍后再试"


class PasswordChangeRequired(DomainError):
    code = "password_change_required"
    status = 403
    message = "请先修改临时密码，再进行其他操作"
