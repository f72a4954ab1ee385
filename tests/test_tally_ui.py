"""The tally screen (F11) driven through the app: a supervisor opens it on today, moves
between days, weeks and months, types a range (a bad date is named and what was typed
stays), opens a number down to its matters; a receptionist is not offered it."""

from __future__ import annotations

import pytest
from rich.cells import cell_len
from textual.widgets import DataTable, Input

from desk.clock import fixed
from desk.lifecycle.table import Act, Inputs
from screens.detail import DetailScreen
from screens.form import FormModal
from screens.tally import MembersScreen, TallyScreen
from tests.conftest import form
from tests.pilot import make_app, notices, screen_lines, settle, text_of


@pytest.fixture
def supervisor(desk, admin):
    return desk.add_operator("钱主任", "supervisor", "secret123", by=admin)


@pytest.fixture
def hall(desk, operator):
    """21 Nov: one matter. 22 Nov (today, a Sunday): a repeat visit about it, accepted;
    two new matters, one by a visitor whose name looks like markup."""
    desk.clock = fixed("2026-11-21T09:00:00")
    first = desk.register(form(), operator).matter
    desk.clock = fixed("2026-11-22T09:00:00")
    desk.register(form(visitor_id=first.visitor_id, matter_id=first.id, category="", summary="", demands=""),
                  operator)
    desk.life.act(first.id, Act.ACCEPT, Inputs(), operator)
    desk.register(form(id_number="", name="[red]李四", category="labour"), operator)
    desk.register(form(id_number="", name="王五", category="medical", persons="6"), operator)
    desk.clock = fixed("2026-11-22T10:00:00")
    return first


def cell(app, label: str, column: int = 1) -> str:
    """The text in `column` of the row labelled `label` (columns: item, now, before,
    change, last year, change)."""
    table = app.screen.query_one("#tally-table", DataTable)
    for row in range(table.row_count):
        cells = table.get_row_at(row)
        if str(cells[0]).strip() == label:
            return str(cells[column]).strip()
    raise AssertionError(f"no row {label}")


def to_row(app, label: str) -> None:
    table = app.screen.query_one("#tally-table", DataTable)
    row = next(r for r in range(table.row_count) if str(table.get_row_at(r)[0]).strip() == label)
    table.move_cursor(row=row)


async def open_tally(pilot) -> None:
    await pilot.press("f11")
    await settle(pilot)
    assert isinstance(pilot.app.screen, TallyScreen)


async def test_a_supervisor_sees_today_beside_yesterday_and_last_year(desk, hall, supervisor):
    app = make_app(desk, logged_in="钱主任")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_tally(pilot)
        assert "本日 2026-11-22" in text_of(app, "#tally-period")
        assert "上期 2026-11-21" in text_of(app, "#tally-period")
        assert "去年同期 2025-11-22" in text_of(app, "#tally-period")
        assert [cell(app, "来访批次", c) for c in range(1, 6)] == ["3", "1", "+2", "0", "+3"]
        assert cell(app, "来访人次") == "8"
        assert (cell(app, "重复访批次"), cell(app, "集体访批次"), cell(app, "受理")) == ("1", "1", "1")
        assert cell(app, "及时受理率") == "100.0%" and cell(app, "及时受理率", 2) == "-"  # nothing accepted the 21st
        assert cell(app, "劳资") == "1" and cell(app, "红") == "0"


async def test_days_weeks_months_and_moving_between_them(desk, hall, supervisor):
    app = make_app(desk, logged_in="钱主任")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_tally(pilot)
        await pilot.press("w")
        await settle(pilot)
        assert "本周 2026-11-16 至 2026-11-22" in text_of(app, "#tally-period")
        assert "上期 2026-11-09 至 2026-11-15" in text_of(app, "#tally-period")
        assert cell(app, "来访批次") == "4"
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert "2026-11-09 至 2026-11-15" in text_of(app, "#tally-period").splitlines()[0]
        assert cell(app, "来访批次") == "0"
        await pilot.press("right")
        await pilot.press("right")  # there is no week after today's
        await settle(pilot)
        assert "2026-11-16 至 2026-11-22" in text_of(app, "#tally-period").splitlines()[0]
        assert "没有更后的一期：统计只到今天" in notices(app)
        await pilot.press("m")
        await settle(pilot)
        period = text_of(app, "#tally-period")
        assert "本月 2026-11-01 至 2026-11-22 （计到今天）" in period
        assert "上期 2026-10-01 至 2026-10-22" in period  # as many days as this month so far
        await pilot.press("d")
        await settle(pilot)
        assert "本日 2026-11-22" in text_of(app, "#tally-period")  # the last day of the month shown


async def test_a_range_with_a_bad_date_names_the_field_and_keeps_what_was_typed(desk, hall, supervisor):
    app = make_app(desk, logged_in="钱主任")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_tally(pilot)
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, FormModal)
        app.screen.query_one("#f-from", Input).value = "2026-11-31"
        app.screen.query_one("#f-to", Input).value = "2026-11-22"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, FormModal)
        assert text_of(app, "#e-from") == "起始日期：没有 2026-11-31 这一天"
        assert text_of(app, "#e-to") == ""
        assert app.screen.query_one("#f-from", Input).value == "2026-11-31"
        assert app.focused is app.screen.query_one("#f-from", Input)
        app.screen.query_one("#f-from", Input).value = "2026-11-23"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert text_of(app, "#e-from") == "起始日期还没到"
        app.screen.query_one("#f-from", Input).value = "2026-11-21"
        app.screen.query_one("#f-to", Input).value = "2026-11-20"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert text_of(app, "#e-to") == "截止日期早于起始日期"
        app.screen.query_one("#f-to", Input).value = "2026/11/22"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TallyScreen)
        assert "自选期间 2026-11-21 至 2026-11-22" in text_of(app, "#tally-period")
        assert "上期 2026-11-19 至 2026-11-20" in text_of(app, "#tally-period")
        assert cell(app, "来访批次") == "4"


async def test_a_number_opens_its_list_and_a_row_its_matter(desk, hall, supervisor):
    app = make_app(desk, logged_in="钱主任")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_tally(pilot)
        to_row(app, "来访批次")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MembersScreen)
        table = app.screen.query_one("#members-table", DataTable)
        rows = [[str(c) for c in table.get_row_at(r)] for r in range(table.row_count)]
        assert [r[2] for r in rows] == ["张三", "[red]李四", "王五"]  # a name as typed, never markup
        assert rows[0][1] == hall.number and rows[0][0] == "2026-11-22 09:00"
        assert "共 3 条" in text_of(app, "#members-status")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen) and app.screen.matter_id == hall.id
        await pilot.press("escape")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, TallyScreen)
        to_row(app, "劳资")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.title == "来访按类别 劳资"
        assert text_of(app, "#members-status").startswith("2026-11-22  共 1 条")
        assert app.screen.query_one("#members-table", DataTable).row_count == 1


async def test_a_rate_is_not_a_list(desk, hall, supervisor):
    app = make_app(desk, logged_in="钱主任")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_tally(pilot)
        to_row(app, "及时受理率")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TallyScreen)
        assert "比率没有明细：请在它的分子或分母那一行按回车" in notices(app)


async def test_the_charts_are_a_key_away(desk, hall, supervisor):
    app = make_app(desk, logged_in="钱主任")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_tally(pilot)
        await pilot.press("g")
        await pilot.pause()
        assert "各时段来访批次（最多 3，09 时）" in text_of(app, "#chart-visits")
        assert "劳资" in text_of(app, "#chart-categories")
        assert "法官" in text_of(app, "#chart-stations")
        await pilot.press("g")
        await pilot.pause()
        assert app.focused is app.screen.query_one("#tally-table")


async def test_a_leader_may_open_it_and_a_receptionist_is_not_offered_it(desk, hall, admin):
    desk.add_operator("赵局长", "leader", "secret123", by=admin)
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f11")
        await settle(pilot)
        assert not isinstance(app.screen, TallyScreen)
        assert app.check_action("tally", ()) is False
        assert "统计" not in [c.title for c in app.get_system_commands(app.screen)]
    app = make_app(desk, logged_in="赵局长")
    async with app.run_test(size=(80, 24)) as pilot:
        assert "统计" in [c.title for c in app.get_system_commands(app.screen)]
        await open_tally(pilot)
        assert cell(app, "来访批次") == "3"


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("who", ["钱主任", "赵局长"])
async def test_the_footer_and_hint_fit_80_columns(desk, hall, supervisor, admin, lang, who):
    from tests.test_footers import cut_keys

    desk.add_operator("赵局长", "leader", "secret123", by=admin)
    app = make_app(desk, logged_in=who, lang=lang)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_tally(pilot)
        assert not cut_keys(app), screen_lines(app)[-1]
        assert all(cell_len(line.rstrip()) <= 80 for line in screen_lines(app))
        assert cell_len(text_of(app, "#tally-status").strip()) <= 78  # the hint line is one line
        header = next(line for line in screen_lines(app) if ("项目" if lang == "zh" else "Item") in line)
        assert header.rstrip().endswith("增减" if lang == "zh" else "Change")  # both comparisons in sight


async def test_a_save_at_another_counter_is_counted_in_today_and_not_in_a_past_day(desk, hall, supervisor,
                                                                                  operator):
    from screens.base import StoreChanged

    app = make_app(desk, logged_in="钱主任")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_tally(pilot)
        desk.register(form(id_number="", name="赵六", category="labour"), operator)
        app.screen.post_message(StoreChanged())
        await settle(pilot)
        assert cell(app, "来访批次") == "4" and cell(app, "劳资") == "2"
        await pilot.press("left")
        await settle(pilot)
        desk.register(form(id_number="", name="钱七", category="labour"), operator)
        app.screen.post_message(StoreChanged())
        await settle(pilot)
        assert "本日 2026-11-21" in text_of(app, "#tally-period") and cell(app, "来访批次") == "1"


async def test_x_closes_the_day_shown_and_only_a_day(desk, hall, supervisor):
    """From the tally, a supervisor closes the day on screen (日结 is of one day)."""
    from screens.closeout import CloseOutScreen

    app = make_app(desk, logged_in="钱主任")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_tally(pilot)
        assert "x 日结" in text_of(app, "#tally-status")
        await pilot.press("w")
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        assert not isinstance(app.screen, CloseOutScreen)
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, CloseOutScreen) and app.screen.day == desk.clock.today()


async def test_a_closed_day_shows_its_signed_numbers_and_lists_what_they_counted(desk, hall, supervisor, operator):
    """After the close-out a visit is registered on the same day: the tally says the day is
    closed and shows the signed 3 visits, and the list behind the number has those 3."""
    desk.tally.close_day(desk.clock.today(), supervisor)
    desk.register(form(id_number="", name="赵六", category="labour"), operator)
    app = make_app(desk, logged_in="钱主任")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_tally(pilot)
        assert "已日结" in text_of(app, "#tally-period") and "钱主任" in text_of(app, "#tally-period")
        assert cell(app, "来访批次") == "3"
        to_row(app, "来访批次")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MembersScreen)
        assert app.screen.query_one("#members-table", DataTable).row_count == 3
