"""The hall display: the latest call, the waiting counts, a bell on each new call, and
never a name; and `desk display` opens it read-only, without a login."""

from __future__ import annotations

from desk.referral import ReferralForm
from screens.display import create_display_app
from tests.conftest import VALID_ID_MALE, form
from tests.pilot import text_of
from tests.test_referral import judge, officer, on_duty, ref, stations  # noqa: F401  (fixtures)


def refer(desk, operator, judge, name):  # noqa: F811
    matter = desk.register(form(name=name, id_number="" if name != "张三" else VALID_ID_MALE), operator).matter
    return desk.referrals.refer(matter.id, ReferralForm(station_id=judge.id), operator).referral


async def test_the_display_shows_the_latest_call_rings_once_per_call_and_never_a_name(
        desk, operator, judge, on_duty):  # noqa: F811
    refer(desk, operator, judge, "张三")
    refer(desk, operator, judge, "李四")
    desk.referrals.call_next(judge.id, on_duty)
    app = create_display_app(desk, refresh_seconds=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert text_of(app, "#call") == f"请 J001 到 {judge.window} {judge.name}"
        assert f"{judge.name}（{judge.window}）：1 人" in text_of(app, "#waiting")
        desk.referrals.call_next(judge.id, on_duty)
        app.read_board()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert text_of(app, "#call").startswith("请 J002") and "J001" in text_of(app, "#recent")
        assert app.bells == 1  # the first board on screen rings nothing; each new call once
        screen = "".join(text_of(app, f"#{w}") for w in ("call", "recent", "waiting"))
        assert "张" not in screen and "李" not in screen


def test_desk_display_opens_read_only_without_a_login(tmp_path):
    from tests.test_cli import Run

    run = Run(tmp_path)
    assert run("display", "--data", str(run.data))[0] == 1  # no hall there: said, not made
    run("user", "add", "boss", "--role", "admin", "--password-stdin", "--data", str(run.data), stdin="secret123\n")
    assert run("display", "--data", str(run.data))[0] == 0
    request = run.requests[-1]
    assert request.display and request.desk.store.readonly
