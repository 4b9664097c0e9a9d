"""Members' expertise tags; the member is a User with the member role."""

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from volunteer.core.i18n import N_
from volunteer.core.skills import SKILLS, skill_label  # noqa: F401  (members' vocabulary)
from volunteer.extensions import db

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
