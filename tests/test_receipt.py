"""The receipt and what comes after it: the next person at the counter sees nothing of
the last one, and a repeat visit's receipt tells the visit from the registration."""

from __future__ import annotations

import io

from rich.console import Console

from desk.clock import fixed
from desk.registration import RegistrationForm
from screens.lookup import LookupScreen
from screens.receipt import ReceiptScreen
from screens.register import RegisterScreen
from tests.conftest import form
from tests.pilot import make_app, settle, text_of, type_text

SIZE = (80, 24)


async def repeat_visit_receipt(pilot) -> ReceiptScreen:
    """Look the person up, Ctrl+R on the result, Ctrl+S: the receipt of a repeat visit."""
    await type_text(pilot, "zs")
    await settle(pilot)
    await pilot.press("ctrl+r")
    await pilot.pause()
    assert isinstance(pilot.app.screen, RegisterScreen)
    await pilot.press("ctrl+s")
    await pilot.pause()
    assert isinstance(pilot.app.screen, ReceiptScreen)
    return pilot.app.screen


def lookup_is_blank(app) -> bool:
    lookup = next(s for s in app.screen_stack if isinstance(s, LookupScreen))
    return (lookup.query_one("#query").value == "" and lookup.hits == []
            and lookup.query_one("#hits").row_count == 0 and str(lookup.query_one("#hit-info").content) == "")


async def test_a_finished_receipt_leaves_nothing_of_the_visitor_on_screen(desk, operator):
    desk.register(form(), operator)
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=SIZE) as pilot:
        await repeat_visit_receipt(pilot)
        await pilot.press("enter")  # 完成
        await settle(pilot)
        assert isinstance(app.screen, LookupScreen)
        assert lookup_is_blank(app)
        assert app.focused.id == "query"  # ready for the next visitor


async def test_another_section_from_a_receipt_finishes_it_for_good(desk, operator):
    """F3 from a receipt, then Esc from the new form: the lookup, never the last receipt."""
    desk.register(form(), operator)
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=SIZE) as pilot:
        await repeat_visit_receipt(pilot)
        await pilot.press("d")  # the matter's detail, over the receipt
        await pilot.pause()
        await pilot.press("f3")
        await pilot.pause()
        assert isinstance(app.screen, RegisterScreen)
        assert not any(isinstance(s, ReceiptScreen) for s in app.screen_stack)
        assert lookup_is_blank(app)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, LookupScreen) and lookup_is_blank(app)


async def test_a_repeat_visits_receipt_tells_the_visit_from_the_registration(desk, operator, clock):
    """Registered months ago: the deadline is long past and shows its warning colour."""
    desk.clock = fixed("2026-06-01T09:00:00")
    first = desk.register(form(), operator)
    desk.clock = clock
    receipt = desk.register(RegistrationForm(name="张三", matter_id=first.matter.id), operator)
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(ReceiptScreen(receipt))
        await pilot.pause()
        body = text_of(app, "#receipt-body")
        assert "本次来访时间  2026-11-22 10:00" in body
        assert "原登记时间    2026-06-01 09:00" in body
        assert "登记时间  " not in body.replace("原登记时间", "")
        assert "2026-06-16  红" in body
        [due] = [line for line in coloured(app.screen.query_one("#receipt-body").content) if "2026-06-16" in line]
        assert "41m" in due  # on red, as everywhere else a deadline shows


def coloured(renderable) -> list[str]:
    console = Console(width=80, file=io.StringIO(), force_terminal=True, color_system="standard")
    console.print(renderable)
    return console.file.getvalue().splitlines()


async def test_a_first_registrations_receipt_has_one_time(desk, operator):
    receipt = desk.register(form(), operator)
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(ReceiptScreen(receipt))
        await pilot.pause()
        body = text_of(app, "#receipt-body")
        assert "登记时间    2026-11-22 10:00" in body and "本次来访" not in body and "原登记" not in body
