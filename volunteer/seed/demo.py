"""The demo district, taken from the programme's own newspaper reports (shared/seed)."""

import random
from datetime import timedelta

from sqlalchemy import select

from volunteer.auth.models import ROLES, User
from volunteer.auth.services import hash_password
from volunteer.core.time import utcnow
from volunteer.extensions import db
from volunteer.members.models import MemberSkill
from volunteer.notifications.services import notify
from volunteer.orgs.models import Branch, Community, Grid, Street, Unit, UnitCommunity
from volunteer.stats import summaries

DEMO_PASSWORD = "Tongtong2026"

STREETS = {
    "唐闸镇街道": {"公园社区": ["公园一村网格", "公园二村网格", "红色工匠网格"]},
    "虹桥街道": {"新西社区": ["虹桥北村网格", "虹桥新村网格"],
                 "新东社区": ["春芽网格", "新东一网格"]},
    "任港街道": {"大庆社区": ["万濠华府网格", "五一职工苑网格"]},
    "新城桥街道": {"城南新村社区": ["城南一网格", "城南二网格"]},
    "钟秀街道": {"校北村社区": ["正清路网格"]},
}
MICRO_GRIDS = {("新西社区", "虹桥北村网格"): ["虹桥北村56幢微网格"]}
UNITS = [
    ("南通市第二中学", "school"), ("南通市第二人民医院", "hospital"),
    ("南通市市场监督管理局", "bureau"), ("南通市崇川区智慧城市运营管理有限公司", "enterprise"),
    ("南通市公共交通集团有限公司", "enterprise"), ("崇川区农业农村和水利局", "bureau"),
    ("南通市委老干部局", "bureau"), ("南通中远海运川崎船舶工程有限公司", "enterprise"),
    ("春芽幼儿园", "school"), ("崇川区城市建设中心", "institution"),
]
CO_BUILDING = {"公园社区": UNITS[:5], "新西社区": UNITS[5:8], "大庆社区": UNITS[6:9]}
BRANCHES = [
    ("公园社区", "公园社区在职党员功能型党总支", "general"),
    ("公园社区", "红色工匠网格志愿服务队党支部", "branch"),
    ("大庆社区", "万濠华府功能型党支部", "branch"),
    ("城南新村社区", "为民功能型党支部", "branch"),
    ("新西社区", "虹桥北村功能型党支部", "branch"),
]
# (role, phone, name, scope: community / grid / street / branch / unit name)
STAFF = [
    ("district_admin", "13900000000", "崇川区委组织部", None),
    ("community_secretary", "13900000001", "朱振华", "公园社区"),
    ("community_secretary", "13900000002", "孙海燕", "新西社区"),
    ("community_secretary", "13900000003", "陆华雷", "新东社区"),
    ("community_secretary", "13900000004", "沈建军", "大庆社区"),
    ("community_secretary", "13900000005", "钱晓红", "城南新村社区"),
    ("grid_worker", "13900000011", "吴小燕", "公园一村网格"),
    ("grid_worker", "13900000012", "蒋志宏", "虹桥北村网格"),
    ("street_reviewer", "13900000021", "唐闸镇街道党工委", "唐闸镇街道"),
    ("street_reviewer", "13900000022", "虹桥街道党工委", "虹桥街道"),
    ("branch_secretary", "13900000031", "秦晓春", "万濠华府功能型党支部"),
    ("branch_secretary", "13900000032", "冯罡", "为民功能型党支部"),
    ("unit_contact", "13900000041", "第二中学党委", "南通市第二中学"),
]
# the members the articles name, with their units and communities
NAMED_MEMBERS = [
    ("顾丽", "南通市第二中学", "公园社区", ["education"]),
    ("周荣祥", "南通市市场监督管理局", "公园社区", ["legal"]),
    ("刘显国", "南通市第二人民医院", "公园社区", ["medical", "nursing"]),
    ("杜瑞山", "崇川区农业农村和水利局", "新西社区", ["mediation", "psychology"]),
    ("万娟", "南通市委老干部局", "大庆社区", ["driving"]),
    ("李建清", "南通中远海运川崎船舶工程有限公司", "大庆社区", ["driving", "repair"]),
]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
    "彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金"
    "石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵"
    "万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国建华"
    "志强海燕红梅晓东文博宇轩子涵欣怡浩然雨萱俊杰佳怡思远"
)
N_OTHER_MEMBERS = 54


# the pending member the README names (phone 13800000053)
PENDING_NAME = "钱书恒"
# the estate (小区) each community's places are in, so a task's place is in its own community
ESTATES = {"公园社区": "公园一村", "新西社区": "虹桥北村", "新东社区": "新东小区",
           "大庆社区": "万濠华府", "城南新村社区": "城南新村", "校北村社区": "校北村"}


def demo_accounts() -> list[tuple[str, str, str]]:
    """(role in Chinese with the account's scope, phone, name) of the documented accounts."""
    accounts = [(ROLES[role] + (f"（{scope}）" if scope else ""), phone, name)
                for role, phone, name, scope in STAFF]
    accounts += [("在职党员（公园社区）", "13800000001", "顾丽"),
                 ("在职党员（公园社区）", "13800000002", "周荣祥"),
                 ("在职党员（新西社区）", "13800000004", "杜瑞山"),
                 ("待审核党员（公园社区）", "13800000053", PENDING_NAME)]
    return accounts


def load_demo() -> bool:
    """Load the demo district once; False when it is already there."""
    if db.session.scalar(select(Street.id).where(Street.name == "唐闸镇街道")) is not None:
        return False
    rng = random.Random(2022)
    password_hash = hash_password(DEMO_PASSWORD)
    places = _load_places()
    _load_staff(places, password_hash)
    now = utcnow()
    _load_members(places, _people(rng, places), rng, now, password_hash)
    for member in db.session.scalars(select(User).where(User.role == "member",
                                                        User.status == "approved")):
        notify(member, "member_approved", "报到审核已通过",
               f"欢迎加入{member.community.name}“双报到·通通在”在职党员队伍。", link="/me")
    _load_activity(rng, now, places["communities"], places["grids"])
    _load_mobilisation(places["communities"])
    ensure_running_task(now)
    summaries.rebuild()
    return True


def ensure_running_task(now=None) -> bool:
    """Make sure a task of 公园社区 is running now, so check-in and check-out can be tried the
    moment the demo starts, at any hour: 顾丽 has claimed it and not checked in yet, 周荣祥 is
    checked in. False when one is running already (or the demo is not loaded)."""
    from datetime import timedelta

    from volunteer.tasks.models import Claim, Task

    now = now or utcnow()
    community = db.session.scalar(select(Community).where(Community.name == "公园社区"))
    if community is None:
        return False
    running = db.session.scalar(select(Task.id).where(
        Task.community_id == community.id, Task.title == RUNNING_TASK[0],
        Task.status == "open", Task.starts_at <= now, Task.ends_at > now + timedelta(hours=1)))
    if running is not None:
        return False
    secretary = db.session.scalar(select(User).where(User.phone == "13900000001"))
    gu, zhou = (db.session.scalar(select(User).where(User.phone == phone))
                for phone in ("13800000001", "13800000002"))
    start = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
    title, category, place = RUNNING_TASK
    task = Task(community_id=community.id, street_id=community.street_id,
                created_by_id=secretary.id, title=title, category=category, location=place,
                starts_at=start, ends_at=start + timedelta(hours=4), slots=4, slots_taken=2,
                status="open", published_at=start - timedelta(days=2),
                description="在党群服务中心一楼服务台为来访居民指引、登记和解答政策咨询。"
                            "到岗后请扫服务台的二维码或在手机上点“签到”。")
    db.session.add(task)
    db.session.flush()
    db.session.add_all([
        Claim(task_id=task.id, member_id=gu.id, status="claimed"),
        Claim(task_id=task.id, member_id=zhou.id, status="claimed", checked_in_at=start,
              check_in_method="scanned")])
    db.session.flush()
    return True


def _load_places() -> dict[str, dict]:
    """Streets, communities, grids (with their micro-grids), units, their co-building links
    and the party branches, each by name."""
    communities: dict[str, Community] = {}
    grids: dict[str, Grid] = {}
    streets: dict[str, Street] = {}
    for street_name, community_map in STREETS.items():
        street = streets[street_name] = Street(name=street_name)
        db.session.add(street)
        for community_name, grid_names in community_map.items():
            community = communities[community_name] = Community(name=community_name,
                                                                street=street)
            db.session.add(community)
            for grid_name in grid_names:
                grids[grid_name] = Grid(name=grid_name, community=community)
                for micro in MICRO_GRIDS.get((community_name, grid_name), []):
                    grids[micro] = Grid(name=micro, community=community, parent=grids[grid_name])
    db.session.add_all(grids.values())
    units = {name: Unit(name=name, kind=kind) for name, kind in UNITS}
    db.session.add_all(units.values())
    db.session.flush()
    for community_name, unit_list in CO_BUILDING.items():
        for unit_name, _kind in unit_list:
            db.session.add(UnitCommunity(unit_id=units[unit_name].id,
                                         community_id=communities[community_name].id))
    branches = {}
    for community_name, name, level in BRANCHES:
        branches[name] = Branch(name=name, level=level, community=communities[community_name])
    db.session.add_all(branches.values())
    db.session.flush()
    general = branches["公园社区在职党员功能型党总支"]
    branches["红色工匠网格志愿服务队党支部"].parent_id = general.id
    return {"streets": streets, "communities": communities, "grids": grids, "units": units,
            "branches": branches}


def _scope_staff(user: User, scope: str, places: dict[str, dict]) -> None:
    """Place a staff account in the community, grid, street, branch or unit named ``scope``."""
    communities, grids, branches = places["communities"], places["grids"], places["branches"]
    if scope in communities:
        user.community_id = communities[scope].id
        user.street_id = communities[scope].street_id
    elif scope in grids:
        user.grid_id = grids[scope].id
        user.community_id = grids[scope].community_id
        user.street_id = grids[scope].community.street_id
    elif scope in places["streets"]:
        user.street_id = places["streets"][scope].id
    elif scope in branches:
        user.branch_id = branches[scope].id
        user.community_id = branches[scope].community_id
        user.street_id = branches[scope].community.street_id
    elif scope in places["units"]:
        user.unit_id = places["units"][scope].id


def _load_staff(places: dict[str, dict], password_hash: str) -> None:
    for role, phone, name, scope in STAFF:
        user = User(role=role, phone=phone, name=name, password_hash=password_hash,
                    status="approved")
        _scope_staff(user, scope, places)
        db.session.add(user)


def _people(rng: random.Random, places: dict[str, dict]) -> list[tuple]:
    """(name, unit, community, skills) of every member: the named ones, then made-up ones."""
    people = list(NAMED_MEMBERS)
    used = {name for name, *_ in people}
    community_names = list(places["communities"])
    while len(people) < len(NAMED_MEMBERS) + N_OTHER_MEMBERS:
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(["", rng.choice(GIVEN)])
        if name in used:
            continue
        used.add(name)
        people.append((name, rng.choice(UNITS)[0], rng.choice(community_names),
                       rng.sample(["medical", "nursing", "legal", "psychology", "education",
                                   "repair", "driving", "it", "mediation", "cooking",
                                   "photography", "sign_language"], rng.randint(0, 2))))
    return people


# the functional branch the approved members of a community belong to
COMMUNITY_BRANCH = {"大庆社区": "万濠华府功能型党支部", "城南新村社区": "为民功能型党支部"}


def _load_members(places: dict[str, dict], people: list[tuple], rng: random.Random, now,
                  password_hash: str) -> None:
    """The members (the last 8 pending review), with their skills and branches."""
    communities, grids, branches = places["communities"], places["grids"], places["branches"]
    joined = random.Random(7)  # its own draws: the rest of the demo stays as it was
    for index, (name, unit_name, community_name, skills) in enumerate(people, start=1):
        if index == len(people) - 7:  # the pending member the README names
            name, community_name = PENDING_NAME, "公园社区"
        community = communities[community_name]
        community_grids = [g for g in grids.values() if g.community is community]
        pending = index > len(people) - 8
        # registered before the three months of service below (pending ones this week), so
        # every period's dashboard counts the members who served in it as registered
        registered = now - timedelta(
            days=joined.randint(1, 5) if pending else joined.randint(100, 300),
            hours=joined.randint(0, 12))
        member = User(role="member", phone=f"138{index:08d}", name=name,
                      password_hash=password_hash,
                      status="pending" if pending else "approved",
                      unit_id=places["units"][unit_name].id, community_id=community.id,
                      street_id=community.street_id,
                      grid_id=rng.choice(community_grids).id if community_grids else None,
                      industry=rng.choice(["government", "education", "health",
                                           "state_enterprise", "institution"]),
                      created_at=registered,
                      reviewed_at=None if pending else registered + timedelta(days=1))
        member.skills = [MemberSkill(tag=tag) for tag in skills]
        if community_name in COMMUNITY_BRANCH and not pending:
            member.branch_id = branches[COMMUNITY_BRANCH[community_name]].id
        db.session.add(member)
    db.session.flush()


def _load_mobilisation(communities: dict) -> None:
    """An open 集结号 of 虹桥街道 for 新西社区 (as on 21 November: 虹桥北村56幢 sealed), half
    of its members answered, the first of them given a post."""
    from volunteer.mobilisation import services as mobilisation

    reviewer = db.session.scalar(select(User).where(User.phone == "13900000022"))
    secretary = db.session.scalar(select(User).where(User.phone == "13900000002"))
    call = mobilisation.declare(
        reviewer, title="虹桥北村56幢临时管控集结",
        message="虹桥北村56幢实施临时封闭管理，请居住在新西社区的在职党员就地转为志愿者，"
                "到社区党群服务中心报到，接受社区党委的指挥调度。",
        community_ids=[communities["新西社区"].id],
        posts=[{"name": "协助转运", "needed": 4}, {"name": "楼道消杀", "needed": 3},
               {"name": "代购帮办", "needed": 3}, {"name": "卡口值守", "needed": 4}])
    members = db.session.scalars(select(User).where(
        User.role == "member", User.status == "approved",
        User.community_id == communities["新西社区"].id).order_by(User.id)).all()
    for number, member in enumerate(members[: len(members) // 2]):
        mobilisation.reply(member, call, "cannot" if number % 4 == 3 else "reporting",
                           "在外地出差" if number % 4 == 3 else None)
    if members:
        mobilisation.assign(secretary, call, members[0].id, call.posts[0].id, "8:00–12:00")


# (title, category, place, local start hour, hours, slots) of the services the reports name;
# a place names its community's own estate ({estate})
PAST_TASKS = [
    ("卡口值守", "checkpoint_duty", "{estate}北门卡口", 8, 4, 4),
    ("楼道消杀", "disinfection", "{estate}12幢楼道", 9, 2, 3),
    ("代购帮办", "errand", "{community}党群服务中心", 14, 3, 3),
    ("爱心义诊", "health", "{estate}架空层", 9, 3, 2),
    ("文明交通引导", "civility", "{estate}南门路口", 7, 2, 4),
    ("垃圾分类引导", "garbage", "{estate}垃圾分类亭", 7, 2, 3),
]
OPEN_TASKS = [
    ("协助转运", "transfer", "{estate}8幢楼下", 8, 3, 6, ["driving"]),
    ("卡口值守（早班）", "checkpoint_duty", "{estate}东门卡口", 8, 4, 4, []),
    ("爱心义诊", "health", "{community}卫生服务站", 9, 3, 3, ["medical", "nursing"]),
    ("信息采集", "info_collection", "{community}党群服务中心", 14, 3, 5, ["it"]),
    ("矛盾化解：加装电梯协商", "mediation", "{community}议事厅", 19, 2, 2, ["mediation", "legal"]),
]
# the task running whenever the demo starts, so check-in and check-out can be tried at once
RUNNING_TASK = ("党群服务中心志愿值班", "logistics", "公园社区党群服务中心一楼服务台")
# (kind, household, wish, value, the household's thanks, the story on the wall): every wish
# of the demo is a different one, and its words fit its kind of household
WISH_POOL = [
    ("elderly_alone", "张桂英", "一台电风扇", 150, "谢谢党员同志，夏天不怕热了！",
     "独居的张奶奶家里的旧电风扇坏了，在职党员送去新风扇并帮她装好。"),
    ("low_income", "李建华", "冬季棉被一床", 200, "棉被很暖和，谢谢你们。",
     "低保户李师傅家的被子用了十多年，党员送去一床新棉被。"),
    ("disability", "王秀兰", "一辆助行器", 300, "有了助行器，我能自己下楼晒太阳了。",
     "王阿姨腿脚残疾出行不便，党员为她挑选了一辆助行器。"),
    ("hardship", "陈志强", "孩子的课外读物和文具", 120, "孩子收到书特别开心。",
     "困难家庭的孩子收到了党员送来的课外读物和一套文具。"),
    ("extreme_poverty", "赵凤英", "一台电饭煲", 180, "饭煮得香，谢谢党员。",
     "特困供养对象赵奶奶收到一台新电饭煲，党员还教会了她使用。"),
    ("elderly_alone", "孙德福", "家里换一个节能灯泡", 30, "屋里亮堂多了。",
     "独居的孙爷爷家客厅灯坏了，党员上门换了节能灯。"),
    ("low_income", "周玉梅", "米面油一份", 160, "谢谢社区和党员的关心。",
     "低保户周阿姨收到了党员送来的米面油。"),
    ("disability", "吴国平", "一副老花镜", 80, "看报纸清楚了。",
     "视力残疾的吴师傅配上了合适的老花镜。"),
    ("hardship", "郑小军", "一个新书包", 90, "我会好好学习的！",
     "困难家庭的小学生背上了党员送的新书包。"),
    ("elderly_alone", "何秀珍", "陪同去医院复查一次", 0, "有人陪着心里踏实。",
     "独居的何奶奶在党员陪同下去医院做了复查。"),
    ("extreme_poverty", "钱永福", "一件羽绒服", 260, "今年冬天不冷了。",
     "特困供养对象钱爷爷收到了一件厚羽绒服。"),
    ("low_income", "冯桂兰", "一台二手洗衣机", 400, "再也不用手洗被单了。",
     "低保户冯阿姨家添了一台党员捐赠的洗衣机。"),
    ("disability", "许建国", "卫生间加装扶手", 150, "洗澡安全多了。",
     "肢体残疾的许师傅家卫生间装上了扶手。"),
    ("hardship", "曹丽娟", "孩子的一套校服", 110, "孩子穿上新校服很精神。",
     "困难家庭的孩子换上了党员送的新校服。"),
    ("elderly_alone", "邓秀英", "一部老年手机", 200, "能给孙子打视频电话了。",
     "独居的邓奶奶有了一部大字老年手机，党员教她视频通话。"),
    ("other", "彭文华", "阳台晾衣架维修", 50, "修好了，谢谢！",
     "党员帮彭阿姨修好了坏了半年的阳台晾衣架。"),
    ("low_income", "田玉兰", "一箱牛奶", 60, "谢谢你们惦记我。",
     "低保户田奶奶收到了党员送来的牛奶。"),
    ("elderly_alone", "董志明", "冬天的一双棉鞋", 90, "脚暖和了。",
     "独居的董爷爷收到了一双合脚的棉鞋。"),
    ("disability", "袁秀芳", "一台收音机", 70, "每天都能听戏了。",
     "视力残疾的袁阿姨收到了一台收音机。"),
    ("hardship", "潘建军", "一盏护眼台灯", 100, "孩子写作业不费眼了。",
     "困难家庭的孩子有了一盏护眼台灯。"),
]
WISH_STATUSES = ("confirmed", "claimed", "published", "submitted")
REQUESTS = [
    ("errand", "李大爷", "腿脚不便，想请人代买降压药", "completed"),
    ("repair", "张女士", "厨房水龙头漏水，家里没有人会修", "dispatched"),
    ("health", "王奶奶", "想请医生上门量血压", "submitted"),
]


def _load_activity(rng: random.Random, now, communities: dict, grids: dict) -> None:
    """Three months of service, open tasks, wishes and requests for the first communities."""
    from datetime import datetime, time, timedelta

    from volunteer.core.time import local_zone
    from volunteer.requests.models import RequestEvent, ServiceRequest
    from volunteer.tasks.models import Claim, Task, TaskSkill
    from volunteer.wishes.models import Wish, WishClaim

    zone = local_zone()
    today = now.astimezone(zone).date()
    for index, community in enumerate(communities.values()):
        secretary = db.session.scalar(select(User).where(
            User.role == "community_secretary", User.community_id == community.id))
        if secretary is None:
            continue
        members = list(db.session.scalars(select(User).where(
            User.role == "member", User.status == "approved",
            User.community_id == community.id).order_by(User.id)))
        grid = next((g for g in grids.values() if g.community_id == community.id), None)
        where = {"community": community.name, "estate": ESTATES.get(community.name, community.name)}
        for week in range(1, 13):  # a task a week for twelve weeks, served and confirmed
            title, category, place, hour, hours, slots = PAST_TASKS[(week + index) % 6]
            place = place.format(**where)
            day = today - timedelta(days=7 * week + index)
            start = datetime.combine(day, time(hour), zone)
            chosen = rng.sample(members, min(len(members), rng.randint(1, slots)))
            task = Task(community_id=community.id, street_id=community.street_id,
                        grid_id=grid.id if grid else None, created_by_id=secretary.id,
                        title=title, category=category, location=place, starts_at=start,
                        ends_at=start + timedelta(hours=hours), slots=slots,
                        slots_taken=len(chosen), status="open",
                        description="社区党委发布的志愿服务项目。",
                        published_at=start - timedelta(days=3))
            db.session.add(task)
            db.session.flush()
            for member in chosen:
                minutes = hours * 60 - rng.choice([0, 0, 15])
                db.session.add(Claim(
                    task_id=task.id, member_id=member.id, status="claimed",
                    checked_in_at=start, check_in_method=rng.choice(["button", "scanned"]),
                    checked_out_at=start + timedelta(minutes=minutes), self_minutes=minutes,
                    confirmed_at=task.ends_at + timedelta(hours=2), confirmed_by_id=secretary.id,
                    confirmed_minutes=minutes, quality=rng.choice([4, 5, 5]),
                    satisfaction=rng.choice([None, 5, 5, 4])))
        for offset, (title, category, place, hour, hours, slots, skills) in enumerate(OPEN_TASKS):
            place = place.format(**where)
            start = datetime.combine(today + timedelta(days=offset + 1), time(hour), zone)
            task = Task(community_id=community.id, street_id=community.street_id,
                        grid_id=grid.id if grid else None, created_by_id=secretary.id,
                        title=title, category=category, location=place, starts_at=start,
                        ends_at=start + timedelta(hours=hours), slots=slots, slots_taken=0,
                        status="open", description="欢迎在职党员就近认领。", published_at=now,
                        skills=[TaskSkill(tag=tag) for tag in skills])
            db.session.add(task)
        worker = db.session.scalar(select(User).where(
            User.role == "grid_worker", User.community_id == community.id)) or secretary
        for number, status in enumerate(WISH_STATUSES):
            kind, name, content, value, thanks, story = WISH_POOL[
                (index * len(WISH_STATUSES) + number) % len(WISH_POOL)]
            created = now - timedelta(days=20 - number * 4)
            wish = Wish(community_id=community.id, street_id=community.street_id,
                        grid_id=grid.id if grid else None, created_by_id=worker.id,
                        household_kind=kind, beneficiary_name=name,
                        address=f"{where['estate']}{number + 3}幢{101 + number}室",
                        phone=f"152{index:04d}{number:04d}", content=content, value=value,
                        status=status, created_at=created, updated_at=created)
            if status != "submitted":
                wish.published_at = created + timedelta(days=1)
                wish.reviewed_by_id = secretary.id
            if status in ("claimed", "confirmed") and members:
                claimant = members[number % len(members)]
                wish.claims_taken, wish.claimed_at = 1, created + timedelta(days=2)
                # the community accepted these claims, so the claimant sees the household
                wish.claim_rows = [WishClaim(
                    member_id=claimant.id, created_at=wish.claimed_at, state="accepted",
                    decided_at=wish.claimed_at + timedelta(hours=3), decided_by_id=worker.id)]
                if status == "confirmed":
                    wish.fulfilled_at = created + timedelta(days=4)
                    wish.fulfilled_by_id = claimant.id
                    wish.fulfil_note = "已送到家中，老人很满意。"
                    wish.confirmed_at = created + timedelta(days=5)
                    wish.confirmed_by_id = secretary.id
                    wish.satisfaction, wish.on_wall = 5, True
                    wish.thanks, wish.story = thanks, story
            db.session.add(wish)
        for number, (category, name, description, status) in enumerate(REQUESTS):
            created = now - timedelta(days=6 - number * 2, hours=3)
            request = ServiceRequest(
                tracking_code=f"DEMO{index:02d}{number:02d}", community_id=community.id,
                street_id=community.street_id, grid_id=grid.id if grid else None, name=name,
                phone=f"137{index:04d}{number:04d}",
                address=f"{where['estate']}{number + 5}幢{201 + number}室",
                category=category, description=description, status=status, created_at=created)
            request.events = [RequestEvent(action="submitted", created_at=created)]
            if status in ("dispatched", "completed") and members:
                request.accepted_at = created + timedelta(hours=2)
                request.accepted_by_id = worker.id
                request.dispatched_at = created + timedelta(hours=5)
                request.dispatched_by_id = secretary.id
                request.assignee_id = members[-1].id
                request.events += [
                    RequestEvent(action="accepted", actor_id=worker.id,
                                 created_at=request.accepted_at),
                    RequestEvent(action="dispatched", actor_id=secretary.id,
                                 member_id=members[-1].id, created_at=request.dispatched_at)]
                if status == "completed":
                    request.taken_at = created + timedelta(hours=6)
                    request.completed_at = created + timedelta(days=1)
                    request.completion_note = "已代购并送药上门。"
                    request.rating, request.rated_at = 5, created + timedelta(days=1, hours=2)
                    request.events += [
                        RequestEvent(action="taken", member_id=members[-1].id,
                                     created_at=request.taken_at),
                        RequestEvent(action="completed", member_id=members[-1].id,
                                     created_at=request.completed_at)]
            db.session.add(request)
