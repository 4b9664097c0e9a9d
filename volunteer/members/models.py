"""Members' expertise tags; the member is a User with the member role."""

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from volunteer.extensions import db

SKILLS = {
    "medical": "医疗",
    "nursing": "护理",
    "legal": "法律",
    "psychology": "心理",
    "education": "教育",
    "repair": "水电维修",
    "driving": "驾驶",
    "it": "信息技术",
    "mediation": "调解",
    "cooking": "餐饮",
    "photography": "摄影",
    "sign_language": "手语",
}
INDUSTRIES = {
    "government": "党政机关",
    "institution": "事业单位",
    "education": "教育",
    "health": "医疗卫生",
    "state_enterprise": "国有企业",
    "private_enterprise": "民营企业",
    "finance": "金融",
    "legal": "法律服务",
    "transport": "交通运输",
    "other": "其他",
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
