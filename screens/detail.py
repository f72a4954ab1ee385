"""One matter in full: the matter, its life (deadlines, where it was sent, extension,
replies, evaluation, review), the visitor, every visit and the timeline of events.
`a` opens what can be done to it now (screens/act.py), `m` its meetings, ownership and
supervision (screens/meet.py); the receipt (and the slip of its open referral) can be
printed again from here: `p`."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header, Static

from desk.documents import How
from desk.lifecycle.service import Done
from desk.lifecycle.table import Act
from desk.matters import MatterDetail
from desk.meetings.rules import missing
from desk.models import Event, Matter, Track
from screens.act import ActsOnMatter, handling_due
from screens.base import DeskScreen, Refers, own_key, plain
from screens.documents import IssuesDocuments
from screens.life import event_about, life_banner, life_rows
from screens.meet import MeetsOnMatter
from screens.meet_view import MeetingsOf, meeting_rows


class DetailScreen(ActsOnMatter, MeetsOnMatter, Refers, IssuesDocuments, DeskScreen):
    BINDINGS = [
        Binding("escape", "back", "key.back", id="back"),
        Binding("a", "acts", "key.acts", id="acts"),
        Binding("m", "meet", "key.meet", id="meet"),
        Binding("f", "refer", "key.refer", id="refer"),
        Binding("p", "issue('all', 'print')", "key.print", id="print"),
        Binding("n", "print_notice", "key.print_notice", id="print_notice", show=False),
        Binding("P", "issue('referral_slip', 'print')", "key.print_slip", id="print_slip", show=False),
        Binding("o", "issue('all', 'open')", "key.open_documents", id="open_documents", show=False),
        own_key("f3", "register"),  # still working, not in the Footer: room at 80 columns
    ]

    def __init__(self, matter_id: int) -> None:
        super().__init__()
        self.matter_id = matter_id
        self.detail: MatterDetail | None = None
        self.acts: list[Act] = []
        self.meet: MeetingsOf | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="detail"):
            yield Static("", id="detail-banner")
            yield Static("", id="detail-matter")
            yield Static("", id="detail-life")
            yield Static("", id="detail-meetings")
            yield Static("", id="detail-visitor")
            yield Static("", id="detail-visits")
            yield Static("", id="detail-timeline")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.reload()

    def reload(self) -> None:
        self.detail = self.desk.matter_detail(self.matter_id, self.operator)
        self.acts = self.desk.life.acts(self.detail.matter, self.operator)
        banner = life_banner(self.app.catalog, self.detail)
        self.query_one("#detail-banner", Static).update(banner)
        self.query_one("#detail-banner", Static).display = bool(banner.plain)
        self.query_one("#detail-matter", Static).update(self._matter())
        life = life_rows(self.app.catalog, self.detail, self.desk.life.departments())
        self.query_one("#detail-life", Static).update(self._grid(self.app.catalog("detail.life"), life))
        self.meet = self._meetings()
        meetings = self.query_one("#detail-meetings", Static)
        meetings.display = self.meet.shown()
        if meetings.display:
            rows = meeting_rows(self.app.catalog, self.meet, self.desk.clock.now())
            meetings.update(self._grid(self.app.catalog("meet.section"), rows))
        self.query_one("#detail-visitor", Static).update(self._visitor())
        self.query_one("#detail-visits", Static).update(self._visits())
        self.query_one("#detail-timeline", Static).update(self._timeline())
        self.refresh_bindings()

    def _meetings(self) -> MeetingsOf:
        m, service = self.detail.matter, self.desk.meetings
        meetings = service.of_matter(m.id)
        supervisions = service.supervisions(m.id)
        watched = m.is_open and (bool(supervisions) or m.track is Track.COMPLEX)
        return MeetingsOf(m, meetings, service.proposals(m) if m.is_open else [], missing(m, meetings),
                          supervisions, service.next_step(supervisions) if watched else None,
                          self.detail.visitor.name if self.detail.visitor else "")

    def _grid(self, title: str, rows: list[tuple[str, Text]]) -> Table:
        table = Table.grid(padding=(0, 2))
        table.title = title
        table.title_justify = "left"
        table.title_style = "bold underline"
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for label, value in rows:
            table.add_row(label, value)
        return table

    def _matter(self) -> Table:
        t, d = self.app.catalog, self.detail
        m = d.matter
        rows = [
            ("receipt.number", Text(m.number, style="bold")),
            ("receipt.query_code", Text(m.query_code)),
            ("receipt.status", Text(t(f"status.{m.status.value}"))),
            ("receipt.track", Text(t(f"track.{m.track.value}"))),
            ("field.category", plain(t.label("category", m.category))),
            ("receipt.first_responder", plain(m.first_responder)),
            ("receipt.registered", Text(f"{m.registered_at:%Y-%m-%d %H:%M}")),
            ("field.place", plain(m.place)),
            ("field.summary", plain(m.summary)),
            ("field.demands", plain(m.demands)),
        ]
        if m.closed_at:
            rows += [("detail.closed_at", Text(f"{m.closed_at:%Y-%m-%d %H:%M}")), ("detail.resolution", plain(m.resolution))]
        return self._grid(t("detail.matter"), [(t(k), v) for k, v in rows])

    def _visitor(self) -> Table:
        t, v = self.app.catalog, self.detail.visitor
        if v is None:
            return self._grid(t("detail.visitor"), [])
        born = f"{v.birth_date.isoformat()} {t('sex.' + v.sex)}" if v.birth_date else ""
        rows = [
            ("field.name", plain(v.name)),
            ("field.id_number", plain(v.id_number)),
            ("detail.born", Text(born)),
            ("field.phone", plain(v.phone)),
            ("field.township", plain(f"{v.township} {v.village}")),
            ("field.address", plain(v.address)),
        ]
        return self._grid(t("detail.visitor"), [(t(k), v) for k, v in rows])

    def _visits(self) -> Table:
        t = self.app.catalog
        rows = []
        for visit in self.detail.visits:
            line = Text(f"{t('visit_kind.' + visit.kind.value)}  {t('lookup.persons', count=visit.persons)}")
            for flag in ("skip_level", "threat"):
                if getattr(visit, flag):
                    line.append(f"  {t('field.' + flag)}", style="bold red")
            if visit.representatives:
                line.append("  " + t("detail.representatives") + " ")
                line.append(", ".join(p.name for p in visit.representatives))
            rows.append((f"{visit.at:%Y-%m-%d %H:%M}", line))
        return self._grid(t("detail.visits"), rows)

    def _timeline(self) -> Table:
        t = self.app.catalog
        rows = []
        for event in self.detail.events:
            line = Text(t(f"event.{event.kind}") + "  ")
            if event.kind == "document":  # which document: 分流单, 受理回执
                line.append(t.label("document", event.data.get("document", "")) + "  ")
            line.append_text(self._about(event))
            line.append_text(event_about(t, event))
            line.append(event.operator, style="italic")
            if event.note:
                line.append("  ")
                line.append(event.note)
            rows.append((f"{event.at:%Y-%m-%d %H:%M}", line))
        return self._grid(t("detail.timeline"), rows)

    def _about(self, event: Event) -> Text:
        """What a station's event was about: the ticket, the station, the outcome and what it
        recorded (an agreement, the onward ticket)."""
        t, data = self.app.catalog, event.data
        if event.kind.startswith(("meeting", "supervision", "owner")):
            return self._about_meeting(event)
        if not event.kind.startswith("referr"):
            return Text()
        parts = [data.get("ticket", ""), data.get("station", "")]
        if data.get("outcome"):
            parts.append(t(f"outcome.{data['outcome']}"))
        if data.get("agreement"):
            parts.append(t("detail.agreement", text=data["agreement"]))
        if data.get("transferred_to"):
            parts.append(t("detail.transferred_to", ticket=data["transferred_to"]))
        return plain("  ".join(p for p in parts if p) + "  ")

    def _about_meeting(self, event: Event) -> Text:
        """Which meeting, which rung of the ladder to whom, which leader owns it now."""
        t, data = self.app.catalog, event.data
        parts = [t.label("meeting_kind", data.get("meeting_kind", "")) if data.get("meeting_kind") else "",
                 data.get("day", ""), data.get("time", ""), data.get("place", ""),
                 t.label("supervision_kind", data["supervision_kind"]) if data.get("supervision_kind") else "",
                 t.label("rung", data["rung"]) if data.get("rung") else "",
                 t("meet.to", name=data["to"]) if data.get("to") else "", data.get("leader", ""),
                 t("event.send_back") if data.get("sent_back") else ""]
        return plain("  ".join(p for p in parts if p) + "  ")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "acts":
            return bool(self.acts)
        if action == "meet":
            return bool(self.meet_acts())
        if action == "refer":
            return self.can_refer(self.detail.matter if self.detail else None)
        if action == "print_notice":
            return self.may_print("all") and self.latest_notice() is not None
        if action == "issue":
            return self.may_print(str(parameters[0]))
        return True

    def document_matter(self) -> int:
        return self.matter_id

    def slip_referral(self) -> int | None:
        """The slip of the matter's latest open referral: where the visitor goes now."""
        open_ones = [r for r in self.desk.referrals.referrals_of(self.matter_id) if r.open]
        return open_ones[-1].id if open_ones else None

    def document_written(self, printed) -> None:
        super().document_written(printed)
        self.reload()  # the timeline shows the document at once

    def action_back(self) -> None:
        self.dismiss()

    def latest_notice(self) -> Event | None:
        # the act that issued a notice, never a print of it, nor a supervision notice
        numbered = [e for e in self.detail.events if e.data.get("document_number") and "inputs" in e.data
                    and e.kind != "document"] if self.detail else []
        return numbered[-1] if numbered else None

    def action_print_notice(self) -> None:
        notice = self.latest_notice()
        if notice is None:
            self.toast(self.t("acts.no_notice"), "warning")
            return
        if notice.kind == "supervision":  # a 督办单 is printed from its entry
            self.write_supervision(notice.data["supervision"], How.PRINT, self.operator)
            return
        self.issue_notice(notice.id, How.PRINT)

    def action_acts(self) -> None:
        self.ask_act(self.detail.matter, self.acts, handling_due(self.detail.deadlines))

    def acted(self, done: Done) -> None:
        self.reload()

    def action_meet(self) -> None:
        self.ask_meet()

    def met(self) -> None:
        self.reload()

    def action_refer(self) -> None:
        self.ask_refer(self.detail.matter)

    def referred(self, matter: Matter) -> None:
        self.reload()
