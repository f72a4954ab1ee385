"""Printing from the receipt screen through Pilot: `p` prints the receipt and, when the
visitor was referred, the slip; `P` the slip alone; `o` opens them. In a worker, with a
notification that says only what was done; each document is then on the matter's timeline."""

from __future__ import annotations

from desk.referral import StationKind
from screens.detail import DetailScreen
from screens.receipt import ReceiptScreen
from tests.conftest import form
from tests.pilot import make_app, notices, settle, text_of

SIZE = (80, 24)


def footer_keys(app) -> list[tuple[int, int, str]]:
    """(first column, last column + 1, text) of each key the Footer shows."""
    from textual.widgets import Footer

    keys = app.screen.query_one(Footer).query("FooterKey")
    return sorted((k.region.x, k.region.right, str(k.render())) for k in keys)


def footer_text(app) -> str:
    return " ".join(text for _, _, text in footer_keys(app))


async def _receipt_screen(pilot, app, receipt) -> None:
    await settle(pilot)
    app.push_screen(ReceiptScreen(receipt))
    await pilot.pause()


async def test_p_prints_the_receipt_and_the_slip_in_a_worker(desk, operator, opener, data_dir):
    desk.referrals.ensure_stations()
    judge = next(s for s in desk.referrals.stations() if s.kind is StationKind.JUDGE)
    receipt = desk.register(form(station=str(judge.id), track="simple"), operator)
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=SIZE) as pilot:
        await _receipt_screen(pilot, app, receipt)
        keys = footer_keys(app)
        assert "p 打印" in [text for _, _, text in keys]
        assert all(right <= SIZE[0] for _, right, _ in keys)  # every key fits at 80 columns, none over another
        assert all(a[1] <= b[0] for a, b in zip(keys, keys[1:], strict=False))
        await pilot.press("p")
        await settle(pilot)
        assert [how for how, _ in opener.asked] == ["print", "print"]
        receipt_file, slip_file = (path for _, path in opener.asked)
        assert receipt_file.parent == data_dir / "documents" and "-receipt-" in receipt_file.name
        assert "-referral_slip-" in slip_file.name and slip_file.exists()
        assert notices(app)[-2:] == [f"受理回执已发送到默认打印机（test）：{receipt_file}",
                                     f"分流单已发送到默认打印机（test）：{slip_file}"]
        await pilot.press("P")
        await settle(pilot)
        assert "-referral_slip-" in opener.asked[2][1].name and len(opener.asked) == 3
        await pilot.press("o")
        await settle(pilot)
        assert [how for how, _ in opener.asked] == ["print", "print", "print", "open", "open"]
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        timeline = text_of(app, "#detail-timeline")
        assert timeline.count("出具文书") == 5 and timeline.count("分流单") == 3 and slip_file.name in timeline


async def test_without_a_referral_there_is_no_slip_to_print(desk, operator, opener):
    receipt = desk.register(form(), operator)
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=SIZE) as pilot:
        await _receipt_screen(pilot, app, receipt)
        await pilot.press("P")
        await settle(pilot)
        assert opener.asked == []
        await pilot.press("p")
        await settle(pilot)
        assert [path.name.split("-")[2] for _, path in opener.asked] == ["receipt"]


async def test_a_printer_that_fails_is_told_truthfully(desk, operator, opener):
    opener.works = False
    receipt = desk.register(form(), operator)
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=SIZE) as pilot:
        await _receipt_screen(pilot, app, receipt)
        await pilot.press("p")
        await settle(pilot)
        path = opener.asked[0][1]
        told = notices(app)[-1]
        assert told.startswith("受理回执已保存，但没有打印：lp 报错：no default destination")
        assert str(path) in told and "已发送" not in told


async def test_a_broken_template_is_named_in_the_notification(desk, operator, opener, data_dir):
    receipt = desk.register(form(), operator)
    (data_dir / "templates").mkdir()
    (data_dir / "templates" / "receipt.docx").write_text("not a document", encoding="utf-8")
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=SIZE) as pilot:
        await _receipt_screen(pilot, app, receipt)
        await pilot.press("p")
        await settle(pilot)
        assert opener.asked == []
        assert notices(app)[-1].startswith("文书模板 receipt.docx 无法使用")


async def test_the_detail_view_prints_again_and_its_timeline_shows_it_at_once(desk, operator, opener):
    desk.referrals.ensure_stations()
    judge = next(s for s in desk.referrals.stations() if s.kind is StationKind.JUDGE)
    receipt = desk.register(form(station=str(judge.id)), operator)
    app = make_app(desk, logged_in="王芳")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(DetailScreen(receipt.matter.id))
        await pilot.pause()
        assert "p 打印" in footer_text(app) and "出具文书" not in text_of(app, "#detail-timeline")
        assert all(right <= SIZE[0] for _, right, _ in footer_keys(app))
        await pilot.press("p")
        await settle(pilot)
        assert [path.name.split("-")[2] for _, path in opener.asked] == ["receipt", "referral_slip"]
        timeline = text_of(app, "#detail-timeline")
        assert timeline.count("出具文书") == 2 and "受理回执" in timeline and "分流单" in timeline
