"""Files made from tasks: the roster as an Excel sheet, the check-in QR code as SVG."""

import io

import qrcode
import qrcode.image.svg
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from volunteer.auth.permissions import shown_phone
from volunteer.core.cells import append_row
from volunteer.core.skills import skill_label
from volunteer.core.time import format_local, utcnow
from volunteer.tasks.models import CHECK_IN_METHODS
from volunteer.tasks.services import check_out_late

ROSTER_HEADERS = ["序号", "姓名", "手机号", "工作单位", "专长", "认领状态", "认领时间", "签到时间",
                  "签到方式", "签退时间", "自报时长（小时）", "确认时长（小时）", "时长已调整",
                  "调整原因", "服务质量", "缺席", "居民满意度", "备注"]


def _row(number: int, viewer, claim, now) -> list:
    member = claim.member
    note = claim.end_reason or ""
    if claim.checkout_forgotten(now, check_out_late()):
        note = "签到后未签退"
    return [
        number, member.name, shown_phone(viewer, member), member.unit.name if member.unit else "",
        "、".join(skill_label(t) for t in member.skill_tags), claim.status_label,
        format_local(claim.created_at), format_local(claim.checked_in_at),
        CHECK_IN_METHODS.get(claim.check_in_method, ""), format_local(claim.checked_out_at),
        claim.self_hours, claim.confirmed_hours, "是" if claim.adjusted else "",
        claim.adjust_reason or "", claim.quality, "是" if claim.no_show else "",
        claim.satisfaction, note,
    ]


def roster_workbook(viewer, task, claims) -> bytes:
    """The roster as .xlsx with Chinese headers; phones as ``viewer`` may see them."""
    book = Workbook()
    sheet = book.active
    sheet.title = "认领名单"
    append_row(sheet, [f"{task.title}（{task.category_label}）"])
    append_row(sheet, [f"时间：{format_local(task.starts_at)} 至 {format_local(task.ends_at)}",
                  f"地点：{task.location}", f"名额：{task.slots_taken}/{task.slots}"])
    append_row(sheet, ROSTER_HEADERS)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    sheet["A1"].font = Font(bold=True, size=14)
    now = utcnow()
    for number, claim in enumerate(claims, 1):
        append_row(sheet, _row(number, viewer, claim, now))
    for index, header in enumerate(ROSTER_HEADERS, 1):
        sheet.column_dimensions[get_column_letter(index)].width = max(8, len(header) * 2 + 2)
    sheet.freeze_panes = "A4"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def qr_svg(data: str) -> bytes:
    """A QR code as a standalone SVG document (no image library needed)."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=12, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()
