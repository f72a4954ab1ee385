"""A living demo hall: realistic visits spread over the past months.

Everything is drawn from a seeded random source, so `--seed` gives the same hall twice.
Visits are saved through the same validation and intake code as the counter uses.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from desk import intake
from desk.deadlines import Rules
from desk.errors import DeskError, FormErrors
from desk.idcard import check_digit
from desk.lifecycle.calendar import load_calendar
from desk.lifecycle.demo import DemoLife, lives_on
from desk.lifecycle.service import perform
from desk.lifecycle.table import Act, Inputs, Situation
from desk.meetings.demo import DemoMeetings
from desk.models import Matter, Operator, Role, Track
from desk.operators import add_operator, list_operators
from desk.passwords import hash_password
from desk.permissions import Action, allowed
from desk.referral.demo import DemoStations, demo_officers
from desk.registration import PersonForm, RegistrationForm, validate
from desk.settings import Settings, load_settings
from desk.store import Store

DEMO_PASSWORD = "demo1234"
DEMO_OPERATORS = (
    ("demo", Role.RECEPTIONIST), ("leader", Role.LEADER), ("station", Role.STATION),
    ("supervisor", Role.SUPERVISOR), ("admin", Role.ADMIN),
    ("王芳", Role.RECEPTIONIST), ("李娜", Role.RECEPTIONIST), ("赵磊", Role.LEADER),
    *demo_officers(),
)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国建华志强春梅海燕玉兰红梅德明桂花金凤国强淑珍德胜永红"
TOWNSHIPS = {
    "城关镇": ("东门社区", "西街社区", "南湖村", "北岭村"),
    "新华乡": ("新华村", "石桥村", "柳树湾村"),
    "太平镇": ("太平村", "青山村", "河口村", "李家坪村"),
    "龙潭镇": ("龙潭村", "杉木村", "黄土岭村"),
    "岩汪湖镇": ("岩汪村", "湖滨村", "渔场社区"),
    "坡头镇": ("坡头村", "花园村", "白鹤村"),
    "崔家桥镇": ("崔家桥村", "金星村", "红旗村"),
    "聂家桥乡": ("聂家桥村", "茶园村"),
}
# County region codes (first six digits of the ID number) around the demo hall.
REGIONS = ("430722", "430721", "430723", "430702", "430703", "430724")
PHONE_PREFIXES = ("130", "131", "132", "135", "136", "137", "138", "139", "150", "151", "152",
                  "157", "158", "159", "177", "180", "181", "186", "187", "188", "189", "199")

SUMMARIES = {
    "land": ("与邻居因宅基地界址发生争议，要求重新丈量确权", "承包地被村组调整，本人未同意，要求恢复原承包地",
             "土地流转租金两年未付，要求村委会协调支付"),
    "forest_land": ("山林界址不清，与邻村村民争执，要求调处", "林权证记载面积与实际不符，要求更正",
                    "承包林地被他人砍伐，要求赔偿"),
    "labour": ("在工地务工被拖欠工资三万余元，要求帮助追讨", "工作中受伤，用人单位不认定工伤，要求依法处理",
               "被公司无故辞退，未支付经济补偿"),
    "housing": ("小区物业服务差、乱收费，要求整改", "购买商品房逾期交房，开发商拒不赔偿违约金",
                "楼上漏水多次协商未果，要求调解"),
    "demolition": ("房屋征收补偿标准偏低，要求重新评估", "征地补偿款未足额发放，要求查明去向",
                   "安置房迟迟未交付，要求明确交付时间"),
    "medical": ("家属在医院治疗后死亡，对诊疗过程有异议，要求鉴定", "手术后出现并发症，要求医院赔偿",
                "新农合报销被拒，要求说明理由"),
    "marriage_family": ("离婚后对方不按时支付抚养费", "兄弟间因赡养老人费用分担发生纠纷",
                        "遗产继承分割有争议，要求调解"),
    "other": ("反映村务不公开，要求公开账目", "低保资格被取消，要求复核", "邻里噪音扰民多次沟通无果"),
}
DEMANDS = ("请求依法处理", "要求尽快解决", "要求相关部门给出书面答复", "要求赔偿损失", "请求调解")
PLACES = ("村委会", "镇政府", "工地", "小区", "县人民医院", "自家承包地", "山场")


def demo_id_number(rng: random.Random, birth: dt.date, male: bool) -> str:
    seq = rng.randrange(0, 100) * 10 + rng.choice((1, 3, 5, 7, 9) if male else (0, 2, 4, 6, 8))
    first17 = f"{rng.choice(REGIONS)}{birth:%Y%m%d}{seq:03d}"
    return first17 + check_digit(first17)


@dataclass
class _Person:
    name: str
    id_number: str
    phone: str
    township: str
    village: str


def _person(rng: random.Random, today: dt.date) -> _Person:
    birth = today - dt.timedelta(days=rng.randrange(18 * 365, 85 * 365))
    male = rng.random() < 0.55
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
    township = rng.choice(list(TOWNSHIPS))
    id_number = demo_id_number(rng, birth, male) if rng.random() < 0.9 else ""
    phone = rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}" if rng.random() < 0.85 else ""
    return _Person(name, id_number, phone, township, rng.choice(TOWNSHIPS[township]))


def _visit_times(rng: random.Random, count: int, now: dt.datetime, days: int) -> list[dt.datetime]:
    """Working-day opening hours, spread over `days` before now, oldest first."""
    start = now - dt.timedelta(days=days)
    times = []
    while len(times) < count:
        day = start + dt.timedelta(days=rng.randrange(days + 1))
        if day.weekday() >= 5:
            continue
        at = day.replace(hour=rng.randrange(8, 17), minute=rng.randrange(60), second=0, microsecond=0)
        if at <= now:
            times.append(at)
    return sorted(times)


def ensure_demo_operators(store: Store, now: dt.datetime) -> list[Operator]:
    existing = list_operators(store)
    if existing:
        return existing
    hashed = hash_password(DEMO_PASSWORD)  # scrypt is slow on purpose; the demo accounts share one
    with store.transaction() as txn:
        return [add_operator(txn, name, role.value, DEMO_PASSWORD, now, hashed) for name, role in DEMO_OPERATORS]


def _form(rng: random.Random, person: _Person, settings: Settings) -> RegistrationForm:
    category = rng.choice(settings.categories)
    persons = rng.randrange(5, 31) if rng.random() < 0.05 else rng.choice((1, 1, 1, 2, 3))
    reps = tuple(PersonForm(_person(rng, dt.date(2000, 1, 1)).name) for _ in range(rng.randrange(0, 5))) if persons >= 5 else ()
    track = rng.choices((Track.SIMPLE, Track.GENERAL, Track.COMPLEX), weights=(40, 45, 15))[0]
    return RegistrationForm(
        name=person.name, id_number=person.id_number, phone=person.phone, township=person.township,
        village=person.village, address=f"{person.township}{person.village}{rng.randrange(1, 99)}号",
        persons=str(persons), representatives=reps, skip_level=rng.random() < 0.03,
        threat=rng.random() < 0.02, key_person=rng.random() < 0.02, category=category,
        place=rng.choice(PLACES), summary=rng.choice(SUMMARIES.get(category, SUMMARIES["other"])),
        demands=rng.choice(DEMANDS), track=track.value,
    )


BATCH = 500  # visits per save: a year of visits in one transaction would be held whole in memory


def populate(
    store: Store, visits: int, now: dt.datetime, seed: int | None = None, days: int = 180,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Add `visits` visits ending at `now`; return how many matters were created."""
    rng = random.Random(seed)
    everyone = ensure_demo_operators(store, now)
    operators = [o.name for o in everyone if allowed(o, Action.REGISTER)]
    if not operators:  # a real hall with only an administrator: never add demo accounts to it
        raise DeskError("err.demo.no_clerk")
    rules = Rules(load_settings(store), load_calendar(store))
    # The stations draw from a source of their own: the same seed gives the same visits as before.
    stations = DemoStations(random.Random(None if seed is None else seed * 7919 + 1), now)
    with store.transaction() as txn:
        stations.prepare(txn, everyone)
    # The matters' lives draw from their own source too, for the same reason.
    leaders = [o.name for o in everyone if allowed(o, Action.APPROVE)]
    life = DemoLife(random.Random(None if seed is None else seed * 7919 + 2), now, rules,
                    [o.name for o in everyone if o.role is Role.RECEPTIONIST] or operators,
                    leaders[0] if leaders else operators[0],
                    next((o.name for o in everyone if o.role is Role.SUPERVISOR), operators[0]))
    # The meetings and supervision too: a hall as before, with its complex matters carried.
    life.meetings = DemoMeetings(random.Random(None if seed is None else seed * 7919 + 3), now,
                                 [o.name for o in everyone if o.role is Role.LEADER and o.active], life.supervisor)
    with store.transaction() as txn:
        life.prepare(txn)
    hall = _Hall(rng, now, rules, operators, stations, life)
    times = _visit_times(rng, visits, now, days)
    created = 0
    for start in range(0, len(times), BATCH):
        with store.transaction() as txn:
            for n, at in enumerate(times[start:start + BATCH], start=start + 1):
                created += hall.visit(txn, at)
                if progress and n % 1000 == 0:
                    progress(n)
    with store.transaction() as txn:
        still_open = [m for m, _, _ in hall.open_matters if _reread(txn, m).is_open]
        stations.waiting_today(txn, still_open, operators[0])
        stations.bookings(txn, still_open, operators[0])
    return created


@dataclass
class _Hall:
    """What the demo remembers between visits: who came, and which matters are open."""

    rng: random.Random
    now: dt.datetime
    rules: Rules
    operators: list[str]
    stations: DemoStations
    life: DemoLife
    people: list[_Person] = field(default_factory=list)
    open_matters: list[tuple[int, int, _Person]] = field(default_factory=list)  # a list for O(1) choice
    visitor_ids: dict[str, int] = field(default_factory=dict)  # by ID number: a person coming back is chosen

    def visit(self, txn, at: dt.datetime) -> int:
        """One visit, through the counter's own validation and intake; 1 when it made a matter."""
        rng = self.rng
        if self.open_matters and rng.random() < 0.15:
            matter_id, visitor_id, person = rng.choice(self.open_matters)
            form = RegistrationForm(name=person.name, id_number=person.id_number,
                                    persons=str(rng.choice((1, 1, 2))), visitor_id=visitor_id, matter_id=matter_id)
        else:
            person = rng.choice(self.people) if self.people and rng.random() < 0.1 else _person(rng, at.date())
            self.people.append(person)
            form = replace(_form(rng, person, self.rules.settings), visitor_id=self.visitor_ids.get(person.id_number))
        try:
            reg = validate(form, self.rules.settings, at.date())
            receipt = intake.register(txn, reg, rng.choice(self.operators), at, self.rules, rng)
        except FormErrors:  # born after the visit, or a drawn ID number already taken: draw again
            return 0
        if person.id_number:
            self.visitor_ids[person.id_number] = receipt.visitor.id
        if _settle(txn, receipt, rng, at, self.now, person, self.rules):
            self.stations.after_visit(txn, receipt.matter, at, receipt.visit.operator)
            ended = self.life.live(txn, _reread(txn, receipt.matter.id), at)
            if lives_on(ended):  # a later visit may be about it: still open, or re-examined
                self.open_matters.append((ended.id, receipt.visitor.id, person))
        return 0 if receipt.repeat else 1


def _reread(txn, matter_id: int) -> Matter:
    """The matter as the station left it (a referral may have saved it again)."""
    return Matter.from_doc(txn.get("matters", matter_id))


def _settle(txn, receipt, rng, at, now, person, rules) -> bool:
    """Close most simple matters on the spot; the rest live on (True)."""
    matter = receipt.matter
    if receipt.repeat:
        return False
    if matter.track is Track.SIMPLE and rng.random() < 0.7:
        note = rng.choice(("当场解答政策，来访人表示理解", "联系村委会当场协调解决", "引导至法律援助窗口咨询后解决"))
        when = min(at + dt.timedelta(minutes=30), now)
        situation = Situation(matter.first_responder, False, when.date(), rules)
        perform(txn, matter, Act.CLOSE, Inputs(text=note), situation, when)
        return False
    return True
