"""What every table group of the generator shares: the names it draws from, the run's state
(``World``) and the bulk insert."""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import insert

from volunteer.extensions import db

STREETS = ["城东街道", "和平桥街道", "任港街道", "新城桥街道", "虹桥街道", "学田街道",
           "钟秀街道", "文峰街道", "观音山街道", "狼山镇街道", "幸福街道", "陈桥街道",
           "唐闸镇街道", "天生港镇街道"]
PLACE = "濠南濠西濠东北濠新城桥文峰钟秀虹桥公园五一光明和平永兴学田友谊青年建设盛和海港长桥桃园"
UNIT_KINDS = [("school", "南通市第{}中学"), ("hospital", "南通市第{}人民医院"),
              ("bureau", "崇川区第{}行政服务中心"), ("enterprise", "南通{}实业有限公司"),
              ("institution", "南通市第{}事业服务中心")]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
    "彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金"
    "石廖贾夏韦顾"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国志海"
    "燕红梅晓东文博宇轩涵欣怡浩然雨萱俊佳思远"
)
CHUNK = 5000


@dataclass
class World:
    """One run: its inputs, what each table group made that the later ones link to, and the
    counts it answers. The groups run in a fixed order over one random stream, so a seed
    always gives the same rows."""

    rng: random.Random
    n: dict[str, int]  # how many of each (``counts``)
    now: datetime
    password: str  # the one password hash of every synthetic account
    tick: Callable[[int], None]  # told how many rows each insert wrote
    created: dict[str, int]
    streets: list[dict] = field(default_factory=list)
    communities: list[dict] = field(default_factory=list)
    grids: list[dict] = field(default_factory=list)
    grids_of: dict[int, list[int]] = field(default_factory=dict)  # community → grid ids
    units: list[dict] = field(default_factory=list)
    branches: list[dict] = field(default_factory=list)
    branches_of: dict[int, list[int]] = field(default_factory=dict)  # community → branch ids
    secretary_of: dict[int, int] = field(default_factory=dict)  # community → secretary id
    grid_worker_of: dict[int, int] = field(default_factory=dict)  # grid → grid worker id
    members_of: dict[int, list[int]] = field(default_factory=dict)  # community → approved ids

    def name(self) -> str:
        """A person's name."""
        rng = self.rng
        return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))

    def bulk(self, model, rows: list[dict]) -> None:
        """Insert ``rows`` in chunks of one statement each."""
        for start in range(0, len(rows), CHUNK):
            db.session.execute(insert(model), rows[start:start + CHUNK])
            self.tick(len(rows[start:start + CHUNK]))
