"""The demo hall's complex matters as a reception office carries them: an owning leader
with the "five ones" (包案), the three meetings (三见面) planned at their moments and held,
overdue, cancelled or still ahead, 1+X supervision of the responsible department climbing
its ladder, and three-party follow-ups after a dissatisfied evaluation.

`DemoLife` calls in at each moment of a matter's life (registration, acceptance, the
first reply, a dissatisfied evaluation, closing, the end of its life so far). Records are
written in the life's transaction as the `Meetings` use cases write them, back-dated: a
meeting is kept as a draft until its time is known to have come, so a matter that closes
holds its meetings first and a meeting still ahead stays planned.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from desk.intake import add_event
from desk.lifecycle.service import next_document_number
from desk.meetings.records import (
    LADDER,
    THREE_MEETINGS,
    Meeting,
    MeetingKind,
    MeetingState,
    Participant,
    Rung,
    Supervision,
    SupervisionKind,
)
from desk.models import Matter, Track, Visitor
from desk.store import Transaction

TIMES = ("08:30", "09:00", "09:30", "10:00", "14:30", "15:00", "15:30")
CADRES = ("张建军", "李红兵", "王春生", "刘桂兰", "陈德华", "杨志勇", "黄秋菊", "周卫国", "吴金生", "徐丽萍")
HALL = "县信访局"
TEAMS = ("{hall}、{department}、{township}", "{department}、{township}、村（社区）两委")
PLANS = ("查明事实、依法依规处理，三十日内拿出化解方案", "先行调解，调解不成引导依法诉讼",
         "按政策标准重新核算，报县政府审定后答复", "召开联席会议会商，明确牵头单位和办理时限")
STABILITY = ("落实专人联系来访人，每周见面或通话一次", "由镇村干部做好思想疏导，防止矛盾激化",
             "重要时段安排专人稳控，发现异常及时报告")
FACTS = {
    MeetingKind.HUDDLE: ("村里保存有当年的协议和会议记录，事实基本清楚", "责任单位已掌握基本情况，尚缺相关票据",
                         "争议由来已久，此前村组调解两次未果", "相关政策文件已调取，诉求部分有依据"),
    MeetingKind.AT_ACCEPTANCE: ("向来访人告知受理情况和办理时限", "来访人补充提供了相关证明材料",
                                "与来访人逐条核对诉求，明确办理范围"),
    MeetingKind.AT_REPLY: ("当面送达处理意见书并逐条解释", "向来访人说明调查核实情况和政策依据"),
    MeetingKind.AFTER_REPLY: ("回访了解处理意见落实情况", "入户回访，相关款项已到位"),
    MeetingKind.THREE_PARTY: ("三方共同回访，来访人对处理结果仍有异议", "三方到场核实，处理意见已部分落实"),
}
APPROACHES = {
    MeetingKind.HUDDLE: ("由责任单位牵头，十日内组织现场核查", "先行调解，调解不成引导依法诉讼",
                         "按政策标准重新测算，报分管领导审定", "由包案领导召集相关部门会商"),
    MeetingKind.AT_ACCEPTANCE: ("按期调查核实，每半月向来访人通报进度", "责任单位二十日内提出处理意见"),
    MeetingKind.AT_REPLY: ("按处理意见抓好落实，镇村做好跟踪", "告知复查途径和期限"),
    MeetingKind.AFTER_REPLY: ("继续跟踪落实，视情况开展回访", "事项已化解，纳入常规回访"),
    MeetingKind.THREE_PARTY: ("由镇政府牵头再次协调，做好解释疏导", "加快兑现处理意见，两周后再次回访"),
}
VISITOR_SAID = {
    MeetingKind.HUDDLE: ("",),
    MeetingKind.AT_ACCEPTANCE: ("希望尽快解决，对办理思路表示认可", "坚持原诉求，要求书面答复",
                                "表示理解，同意等待调查结果"),
    MeetingKind.AT_REPLY: ("对答复基本认可，希望尽快兑现", "对处理意见有保留，考虑申请复查", "表示接受处理意见"),
    MeetingKind.AFTER_REPLY: ("感谢政府重视，表示不再上访", "问题已基本解决", "希望后续继续关注"),
    MeetingKind.THREE_PARTY: ("仍认为补偿偏低，希望再协调", "表示理解，愿意等待落实"),
}
SENT_BACK = ("事实尚未查清，退回责任单位重新办理", "处理意见未落实到位，退回重新办理",
             "来访人提出新的证据，需重新调查核实")
CANCELLED = ("来访人临时外出，改期", "责任单位负责人参加县里会议，改期", "遇暴雨道路中断，改期")
WAIVERS = ("来访人在外务工，电话沟通代替见面", "来访人明确表示不需要再见面", "已在联席会议上当面答复")
DEMANDS = ("请于规定期限内查明事实、依法处理，并将办理结果书面报送县信访局", "办理进度滞后，请加快办理并报送阶段性情况",
           "请责任领导亲自过问，限期答复来访人")
ANSWERS = ("正在调查核实，预计本周内提出处理意见", "已召开协调会，方案报县政府审定", "相关材料已调取，正在研究",
           "", "已形成处理意见，近日书面答复")
SUPERVISED_SHARE = {Track.COMPLEX: 0.5, Track.GENERAL: 0.03}
# A meeting missed this long ago would have been held or cancelled since: only recent
# slips stay overdue, so the agenda's red is the last weeks', not half a year's.
SLIP = dt.timedelta(days=21)


def _office(day: dt.date, time: str, tz) -> dt.datetime:
    hour, minute = (int(p) for p in time.split(":"))
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz)


def _weekday(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


@dataclass
class DemoMeetings:
    """What the demo's meetings remember: their random source, the hall's end, who acts,
    the departments' contacts, and the drafts of the matter being lived."""

    rng: random.Random
    now: dt.datetime
    leaders: list[str]  # the first is the main leader, the second (if any) the deputy
    supervisor: str
    contacts: dict[int, tuple[str, str]] = field(default_factory=dict)  # department: (name, contact)
    drafts: list[Meeting] = field(default_factory=list)  # planned, their time not yet known to have come

    def prepare(self, txn: Transaction) -> None:
        self.contacts = {d["id"]: (d["name"], d.get("contact", "")) for d in txn.scan("departments")}

    # -- the moments of a matter's life ------------------------------------------------------

    def registered(self, txn: Transaction, matter: Matter, at: dt.datetime) -> Matter:
        """A complex matter gets its leader (most do at once), and its huddle is planned."""
        self.drafts = []
        if matter.track is not Track.COMPLEX or not self.leaders:
            return matter
        rng = self.rng
        if rng.random() < 0.92:  # a few new ones wait for their leader
            leader = rng.choice(self.leaders)
            township = matter.township or "城关镇"
            department = rng.choice(list(self.contacts.values()))[0] if self.contacts else "责任单位"
            team = rng.choice(TEAMS).format(hall=HALL, department=department, township=township)
            owned = matter.edit(owner_leader=leader, team=team, plan=rng.choice(PLANS),
                                stability=rng.choice(STABILITY))
            matter = Matter.from_doc(txn.update("matters", owned.to_doc()))
            add_event(txn, matter, "owner", self.supervisor, min(at + dt.timedelta(minutes=rng.randrange(10, 50)), self.now),
                      leader=leader, was="")
        self._plan(matter, MeetingKind.HUDDLE, min(at + dt.timedelta(minutes=5), self.now), rng.randint(0, 2))
        return matter

    def accepted(self, matter: Matter, at: dt.datetime) -> None:
        if matter.track is Track.COMPLEX:
            self._plan(matter, MeetingKind.AT_ACCEPTANCE, at, self.rng.randint(1, 3))

    def replied(self, matter: Matter, at: dt.datetime) -> None:
        """The first reply: the meeting at reply, and the one after it."""
        if matter.track is Track.COMPLEX:
            self._plan(matter, MeetingKind.AT_REPLY, at, self.rng.randint(0, 3))
            self._plan(matter, MeetingKind.AFTER_REPLY, at, self.rng.randint(7, 20))

    def three_party(self, txn: Transaction, matter: Matter, at: dt.datetime, may_send_back: bool
                    ) -> tuple[dt.datetime, str] | None:
        """A dissatisfied evaluation at `at`: the three-party follow-up with the department,
        the township and the village. (when it was held, why it sends the matter back or
        ""), or None while it is ahead or overdue."""
        rng = self.rng
        draft = self._draft(matter, MeetingKind.THREE_PARTY, at, rng.randint(2, 7), txn)
        held = self._held_at(draft)
        if held > self.now or (self.now - held < SLIP and rng.random() < 0.1):  # ahead, or lately missed
            self._write(txn, matter, draft)
            return None
        back = rng.choice(SENT_BACK) if may_send_back and rng.random() < 0.3 else ""
        self._write(txn, matter, draft, held, sent_back=back)
        return held, back

    def before_close(self, txn: Transaction, matter: Matter, when: dt.datetime) -> Matter:
        """Every meeting held before `when` (one planned for later brought forward), or now
        and then a supervisor's waiver with the rest cancelled."""
        self._settle(txn, matter, when, forget=False)
        if self.rng.random() < 0.05:
            lacking = [k for k in THREE_MEETINGS if not self._held(txn, matter, k)]
            if lacking:
                reason = self.rng.choice(WAIVERS)
                for draft in self.drafts:
                    self._cancel(txn, matter, self._write(txn, matter, draft), reason, when - dt.timedelta(hours=2))
                self.drafts = []
                saved = Matter.from_doc(txn.update("matters", matter.edit(meetings_waived=reason).to_doc()))
                add_event(txn, saved, "waiver", self.supervisor, when - dt.timedelta(hours=1), note=reason,
                          missing=[k.value for k in lacking])
                return saved
        held = when - dt.timedelta(minutes=self.rng.randrange(30, 120))
        for draft in self.drafts:  # held ahead of the planned day
            starts = held - dt.timedelta(hours=1)
            early = draft.edit(day=starts.date(), time=f"{starts:%H:%M}", planned_at=min(draft.planned_at, starts))
            self._write(txn, matter, early, held)
        self.drafts = []
        return matter

    def ended(self, txn: Transaction, matter: Matter) -> None:
        """The matter's life so far is played: what is due by now is held (or forgotten,
        overdue), the rest stays planned. A matter no longer open cancels what is left."""
        self._settle(txn, matter, self.now, forget=matter.is_open)
        for draft in self.drafts:
            meeting = self._write(txn, matter, draft)
            if not matter.is_open:
                self._cancel(txn, matter, meeting, "事项不予受理，会议取消", max(draft.planned_at, matter.registered_at))
        self.drafts = []
        self._supervise(txn, matter)

    # -- meetings -------------------------------------------------------------------------

    def _plan(self, matter: Matter, kind: MeetingKind, at: dt.datetime, after_days: int) -> None:
        self.drafts.append(self._draft(matter, kind, at, after_days))

    def _draft(self, matter: Matter, kind: MeetingKind, at: dt.datetime, after_days: int,
               txn: Transaction | None = None) -> Meeting:
        rng = self.rng
        day = _weekday(at.date() + dt.timedelta(days=after_days))
        if _office(day, TIMES[-1], at.tzinfo) <= at:  # the day's last hour gone: the next working day
            day = _weekday(day + dt.timedelta(days=1))
        time = rng.choice([t for t in TIMES if _office(day, t, at.tzinfo) > at])
        return Meeting(0, matter.id, kind, day, time, self._place(matter, kind), matter.first_responder, at,
                       self._participants(matter, kind, txn))

    def _place(self, matter: Matter, kind: MeetingKind) -> str:
        township = matter.township or "城关镇"
        if kind in (MeetingKind.HUDDLE, MeetingKind.AT_ACCEPTANCE, MeetingKind.AT_REPLY):
            return self.rng.choice(("县信访接待中心二楼会议室", "县信访接待中心一楼调解室", f"{township}人民政府会议室"))
        return self.rng.choice((f"{township}人民政府会议室", "来访人家中", "村（社区）便民服务中心"))

    def _participants(self, matter: Matter, kind: MeetingKind, txn: Transaction | None) -> tuple[Participant, ...]:
        rng = self.rng
        township = matter.township or "城关镇"
        department, contact = (self.contacts.get(matter.sent.department_id, (matter.sent.department, ""))
                               if matter.sent else rng.choice(list(self.contacts.values()) or [("责任单位", "")]))
        people = [Participant(contact or rng.choice(CADRES), department),
                  Participant(rng.choice(CADRES), f"{township}人民政府")]
        if kind in (MeetingKind.HUDDLE, MeetingKind.THREE_PARTY):
            people.append(Participant(rng.choice(CADRES), "村（社区）两委"))
        if kind is not MeetingKind.THREE_PARTY:
            people.insert(0, Participant(matter.first_responder, HALL))
        if matter.owner_leader and kind in (MeetingKind.HUDDLE, MeetingKind.AT_REPLY):
            people.insert(0, Participant(matter.owner_leader, HALL))
        if kind is not MeetingKind.HUDDLE and txn is not None:
            doc = txn.get("visitors", matter.visitor_id)
            if doc:
                people.append(Participant(Visitor.from_doc(doc).name, "来访人"))
        return tuple(people)

    def _held_at(self, meeting: Meeting) -> dt.datetime:
        return meeting.starts() + dt.timedelta(minutes=self.rng.randrange(60, 150))

    def _settle(self, txn: Transaction, matter: Matter, until: dt.datetime, forget: bool) -> None:
        """Drafts whose time came by `until`: held (most), cancelled and planned again, or
        (`forget`, in the last weeks) left planned past their time: overdue."""
        rng = self.rng
        waiting = []
        while self.drafts:
            draft = self.drafts.pop(0)
            held = self._held_at(draft)
            if held > until:
                waiting.append(draft)
                continue
            fate = rng.random()
            if fate < 0.05:
                meeting = self._write(txn, matter, draft)
                self._cancel(txn, matter, meeting, rng.choice(CANCELLED), draft.starts() - dt.timedelta(hours=3))
                again = self._draft(matter, draft.kind, draft.starts(), rng.randint(2, 5))
                self.drafts.append(again.edit(participants=draft.participants))
            elif forget and fate < 0.09 and until - held < SLIP:  # lately missed: overdue
                self._write(txn, matter, draft)
            else:
                self._write(txn, matter, draft, held)
        self.drafts = waiting

    def _write(self, txn: Transaction, matter: Matter, draft: Meeting, held: dt.datetime | None = None,
               sent_back: str = "") -> Meeting:
        """The meeting as planned, or held at `held` with its record (one save of it either
        way), and the timeline's entries."""
        rng, kind = self.rng, draft.kind
        if held is not None:
            approach = sent_back or rng.choice(APPROACHES[kind])
            draft = draft.edit(state=MeetingState.HELD, facts=rng.choice(FACTS[kind]), approach=approach,
                               visitor_said=rng.choice(VISITOR_SAID[kind]), held_at=held,
                               recorded_by=draft.planned_by, sent_back=bool(sent_back))
        meeting = Meeting.from_doc(txn.insert("meetings", draft.to_doc()))
        add_event(txn, matter, "meeting_planned", draft.planned_by, draft.planned_at, meeting=meeting.id,
                  meeting_kind=kind.value, day=draft.day.isoformat(), time=draft.time, place=draft.place)
        if held is not None:
            add_event(txn, matter, "meeting_held", draft.planned_by, held, meeting=meeting.id, meeting_kind=kind.value,
                      sent_back=bool(sent_back))
        return meeting

    def _cancel(self, txn: Transaction, matter: Matter, meeting: Meeting, reason: str, at: dt.datetime) -> None:
        at = max(at, meeting.planned_at)
        txn.update("meetings", meeting.edit(state=MeetingState.CANCELLED, cancelled_reason=reason,
                                            cancelled_at=at).to_doc())
        add_event(txn, matter, "meeting_cancelled", meeting.planned_by, at, note=reason, meeting=meeting.id,
                  meeting_kind=meeting.kind.value)

    def _held(self, txn: Transaction, matter: Matter, kind: MeetingKind) -> bool:
        return any(d["kind"] == kind.value and d["state"] == MeetingState.HELD.value
                   for d in txn.find("meetings", "matter_id", matter.id))

    # -- 1+X supervision ----------------------------------------------------------------------

    def _supervise(self, txn: Transaction, matter: Matter) -> None:
        """Half the complex matters sent to a department (and a few general ones) are
        supervised: the written notice a week or two after sending, then phone follow-ups on
        the dates set, a rung higher each time the department let a date pass; until the
        department replied, or now."""
        rng, sent = self.rng, matter.sent
        if sent is None or rng.random() >= SUPERVISED_SHARE.get(matter.track, 0):
            return
        replied = [r.at for r in matter.replies if r.at > sent.at]
        until = min(replied[0], self.now) if replied else self.now
        department, contact = self.contacts.get(sent.department_id, (sent.department, ""))
        to = contact or department
        day = _weekday(sent.at.date() + dt.timedelta(days=rng.randint(5, 15)))
        due = day + dt.timedelta(days=rng.randint(7, 15))
        at = self._at(day, sent.at)
        if at > until:
            return
        self._entry(txn, matter, Supervision(
            0, matter.id, SupervisionKind.WRITTEN, day, self.supervisor, to, sent.department_id, self.supervisor, at,
            demand=rng.choice(DEMANDS), due=due, document_number=next_document_number(txn, "supervision", day.year)))
        rung: Rung | None = None
        for _ in range(rng.choice((0, 1, 1, 2, 2, 3, 4))):
            late = rng.random() < 0.5  # the date passed unanswered: one rung up
            day = _weekday(due + dt.timedelta(days=rng.randint(1, 4) if late else 0))
            when = self._at(day, at)
            if when > until:
                break
            at = when
            rung = Rung.STAFF if rung is None else LADDER[min(LADDER.index(rung) + late, len(LADDER) - 1)]
            due = _weekday(day + dt.timedelta(days=rng.randint(3, 7)))
            self._entry(txn, matter, Supervision(
                0, matter.id, SupervisionKind.PHONE, day, self._caller(rung), to, sent.department_id,
                self.supervisor, at, rung=rung, answer=rng.choice(ANSWERS), next_on=due))
        today = self.now.date()
        if replied or due >= today or rng.random() < 0.35:  # a third let the last date pass: overdue
            return
        # Still unanswered: the hall called again these last days, a rung up, and set a date ahead.
        day = max(today - dt.timedelta(days=rng.randint(0, 3)), due + dt.timedelta(days=1))
        at = self._at(day, at)
        if at > self.now:
            return
        rung = Rung.STAFF if rung is None else LADDER[min(LADDER.index(rung) + 1, len(LADDER) - 1)]
        self._entry(txn, matter, Supervision(
            0, matter.id, SupervisionKind.PHONE, day, self._caller(rung), to, sent.department_id, self.supervisor,
            at, rung=rung, answer=rng.choice(ANSWERS), next_on=_weekday(today + dt.timedelta(days=rng.randint(1, 6)))))

    def _caller(self, rung: Rung) -> str:
        if rung is Rung.MAIN_LEADER and self.leaders:
            return self.leaders[0]
        if rung is Rung.DEPUTY_LEADER and self.leaders:
            return self.leaders[-1]
        return self.supervisor

    def _at(self, day: dt.date, after: dt.datetime) -> dt.datetime:
        at = dt.datetime.combine(day, dt.time(self.rng.randrange(8, 17), self.rng.randrange(60)), tzinfo=after.tzinfo)
        return max(at, after + dt.timedelta(minutes=20))

    def _entry(self, txn: Transaction, matter: Matter, entry: Supervision) -> None:
        saved = Supervision.from_doc(txn.insert("supervisions", entry.to_doc()))
        number = saved.document_number
        add_event(txn, matter, "supervision", saved.recorded_by, saved.recorded_at, supervision=saved.id,
                  supervision_kind=saved.kind.value, rung=saved.rung.value if saved.rung else "", to=saved.to,
                  document="supervision" if number else "", document_number=number)
