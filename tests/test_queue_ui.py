"""The station's queue through Pilot: a receptionist refers at registration on one desk,
the station officer's desk on the same data folder sees the ticket, calls, serves and
finishes it from the keyboard, and the outcome is on the matter for the receptionist."""

from __future__ import annotations

import random

from desk.audit import Auditor
from desk.matters import MatterFilter
from desk.referral import ReferralForm, Staffing, State, StationKind
from desk.services import Desk
from screens.queue import QueueScreen
from screens.receipt import ReceiptScreen
from storage import FileAuditLog, FileDraftBox, open_store
from tests.conftest import VALID_ID, form
from tests.pilot import make_app, notices, settle, text_of, wait_for

SIZE = (80, 24)


async def test_a_referral_made_at_the_counter_is_called_and_finished_at_the_station(desk, admin, operator, data_dir,
                                                                                     clock):
    officer = desk.add_operator("法官甲", "station", "password1", by=admin)
    judge = next(s for s in desk.referrals.stations() if s.kind is StationKind.JUDGE)
    desk.referrals.set_roster([clock.today()], "J", [officer.name], Staffing.RESIDENT, admin)
    station_store = open_store(data_dir, today=clock.today)  # the second desk, open before the referral
    station_desk = Desk(station_store, clock, FileDraftBox(data_dir / "drafts2"), random.Random(1),
                        audit=Auditor(FileAuditLog(data_dir), clock, "法官室"))
    try:
        counter = make_app(desk, logged_in="王芳")
        async with counter.run_test(size=(100, 34)) as pilot:
            await pilot.press("f3")
            await pilot.pause()
            screen = counter.screen
            for field, value in (("name", "张三"), ("id_number", VALID_ID)):
                screen.query_one(f"#f-{field}").value = value
            screen.query_one("#f-category").value = "labour"
            screen.query_one("#f-summary").text = "工资被拖欠\n第二行"
            screen.query_one("#f-station").value = str(judge.id)
            await pilot.pause()
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert isinstance(counter.screen, ReceiptScreen)
            receipt = text_of(counter, "#receipt-body")
            assert "J001" in receipt and "3号窗口" in receipt
        station = make_app(station_desk, logged_in="法官甲")
        async with station.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert isinstance(station.screen, QueueScreen)  # an officer lands on their station's queue
            station.read_other_counters()
            await wait_for(pilot, lambda: len(station.screen.rows) == 1)
            row = station.screen.rows[0]
            assert (row.referral.ticket, row.name, row.summary) == ("J001", "张*", "工资被拖欠")
            assert [str(c) for c in station.screen._cells(row)][6] == "老"  # born 1949: elderly, called first
            await pilot.press("n")
            await pilot.pause()
            assert station.screen.rows[0].referral.state is State.CALLED
            await pilot.press("s")
            await pilot.pause()
            assert station.screen.rows[0].referral.state is State.SERVING
            await pilot.press("f")
            await pilot.pause()
            assert not station.screen.query_one("#need-agreement").display  # only what the outcome needs
            station.screen.query_one("#f-outcome").value = "mediation_agreed"
            await pilot.pause()
            assert station.screen.query_one("#need-agreement").display
            station.screen.query_one("#f-agreement").value = "三日内付清"
            await pilot.pause()
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert isinstance(station.screen, QueueScreen) and station.screen.rows == []
    finally:
        station_store.close()
    desk.refresh()
    matter = desk.matters(MatterFilter(), operator)[0].matter
    events = desk.matter_detail(matter.id, operator).events
    assert events[-1].kind == "referral_outcome" and events[-1].data["agreement"] == "三日内付清"
    assert events[-1].operator == "法官甲"



async def test_a_finish_with_what_its_outcome_needs_missing_stays_open_and_keeps_the_note(
        desk, admin, operator, clock):
    from screens.finish import FinishModal

    matter, _ = one_ticket_waiting(desk, admin, operator, clock)
    app = make_app(desk, logged_in="法官甲")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key in ("n", "s", "f"):
            await pilot.press(key)
            await pilot.pause()
        assert isinstance(app.screen, FinishModal)
        await pilot.press("ctrl+s")  # no outcome chosen: none is assumed
        await pilot.pause()
        assert isinstance(app.screen, FinishModal) and "办理结果" in text_of(app, "#e-outcome")
        app.screen.query_one("#f-outcome").value = "transferred"
        app.screen.query_one("#f-note").text = "林权争议，需检察院监督"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, FinishModal) and "驻点" in text_of(app, "#e-to_station")
        assert app.screen.query_one("#f-note").text == "林权争议，需检察院监督"


async def test_a_no_show_is_asked_before_the_ticket_leaves_the_queue(desk, admin, operator, clock):
    from screens.confirm import ConfirmModal

    matter, referral = one_ticket_waiting(desk, admin, operator, clock)
    app = make_app(desk, logged_in="法官甲")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("escape")
        await pilot.pause()
        assert desk.referrals.referrals_of(matter.id)[0].state is State.CALLED  # not gone on one key
    assert referral.ticket == "J001"


def one_ticket_waiting(desk, admin, operator, clock):
    """法官甲 on duty at the judge's station today, and one matter's ticket waiting there."""
    officer = desk.add_operator("法官甲", "station", "password1", by=admin)
    judge = next(s for s in desk.referrals.stations() if s.kind is StationKind.JUDGE)
    desk.referrals.set_roster([clock.today()], "J", [officer.name], Staffing.RESIDENT, admin)
    matter = desk.register(form(name="张三", id_number=""), operator).matter
    return matter, desk.referrals.refer(matter.id, ReferralForm(station_id=judge.id), operator).referral


async def test_the_form_ticks_priority_for_the_station(desk, admin, operator, clock):
    judge = next(s for s in desk.referrals.stations() if s.kind is StationKind.JUDGE)
    app = make_app(desk, logged_in=operator.name)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        screen = app.screen
        screen.query_one("#f-name").value = "张三"
        screen.query_one("#f-category").value = "labour"
        screen.query_one("#f-summary").text = "工资被拖欠"
        screen.query_one("#f-station").value = str(judge.id)
        screen.query_one("#f-disabled").value = True
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ReceiptScreen)
    newest = desk.matters(MatterFilter(), operator)[0].matter
    (referral,) = desk.referrals.referrals_of(newest.id)
    assert [p.value for p in referral.priority] == ["disabled"]


async def test_an_officer_on_no_roster_today_is_told_at_login(desk, admin):
    desk.add_operator("法官丙", "station", "password1", by=admin)
    app = make_app(desk, logged_in="法官丙")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not isinstance(app.screen, QueueScreen)
        assert any("不在值班表上" in n for n in notices(app))
