"""Members' expertise tags; the member is a User with the member role."""

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from volunteer.core.i18n import N_
from volunteer.extensions import db

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
INDUSTRIES = {
    "government": N_("党政机关"),
    "institution": N_("事业单位"),
    "education": N_("教育"),
    "health": N_("医疗卫生"),
    "state_enterprise": N_("国有企业"),
    "private_enterprise": N_("民营企业"),
    "finance": N_("金融"),
    "legal": N_("法律服务"),
    "transport": N_("交通运输"),
    "other": N_("其他"),
}


def skill_label(tag: str) -> str:
    """The Chinese label of a suggested skill, or the free tag itself."""
    return SKILLS.get(tag, tag)


class MemberSkill(db.Model):
    """党员专家库: one expertise tag of a member (a suggested code or a free tag)."""

    __tablename__ = "member_skills"
    __table_args__ = (Index("ix_member_skills_tag", "tag"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    tag: Mapped[str] = mapped_column(String(20), primary_key=True)

    user = relationship("User", back_populates="skills")

    @property
    def label(self) -> str:
        return skill_label(self.tag)
