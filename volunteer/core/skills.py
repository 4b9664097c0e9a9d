"""The skills vocabulary every feature shares: members state their expertise, tasks and
requests ask for it, rosters and exports show it. Suggested skills have a code and a Chinese
label; any other tag is free text."""

import re

from volunteer.core.errors import ValidationFailed
from volunteer.core.i18n import N_

MAX_TAGS = 12
TAG_MAX = 20
SKILLS = {
    "medical": N_("医疗"),
    "nursing": N_("护理"),
    "legal": N_("法律"),
    "psychology": N_("心理"),
    "education": N_("教育"),
    "repair": N_("水电维修"),
    "driving": N_("驾驶"),
    "it": N_("信息技术"),
    "mediation": N_("调解"),
    "cooking": N_("餐饮"),
    "photography": N_("摄影"),
    "sign_language": N_("手语"),
}


def skill_label(tag: str) -> str:
    """The Chinese label of a suggested skill, or the free tag itself."""
    return SKILLS.get(tag, tag)


def clean_skills(tags) -> list[str]:
    """Suggested skill codes plus free tags: at most 12, each 1–20 characters, no duplicates."""
    if tags is None:
        return []
    if isinstance(tags, str):
        tags = re.split(r"[,，、\s]+", tags)
    cleaned: list[str] = []
    for tag in tags:
        if not isinstance(tag, str):
            raise ValidationFailed(fields={"skills": "每项应为文本"})
        tag = tag.strip()
        if not tag:
            continue
        # a Chinese label of a suggested skill counts as its code
        tag = next((code for code, label in SKILLS.items() if label == tag), tag)
        if len(tag) > TAG_MAX:
            raise ValidationFailed(fields={"skills": f"每个标签不能超过 {TAG_MAX} 个字符"})
        if tag not in cleaned:
            cleaned.append(tag)
    if len(cleaned) > MAX_TAGS:
        raise ValidationFailed(fields={"skills": f"最多 {MAX_TAGS} 个标签"})
    return cleaned
