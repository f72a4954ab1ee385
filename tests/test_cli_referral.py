"""`desk station ...` and `desk roster ...`: global options either side, errors as one sentence."""

from __future__ import annotations

import pytest

from tests.test_cli import Run


@pytest.fixture
def run(tmp_path):
    run = Run(tmp_path)
    for name, role in (("boss", "admin"), ("法官甲", "station"), ("法官乙", "station"), ("王芳", "receptionist")):
        assert run("user", "add", name, "--role", role, "--password-stdin", "--data", str(run.data),
                   stdin="secret123\n")[0] == 0
    return run


def test_a_new_hall_lists_one_station_of_each_kind(run):
    code, out, err = run("--lang", "en", "station", "list", "--data", str(run.data))
    assert (code, err) == (0, "")
    assert [line.split("\t")[0] for line in out.splitlines()] == ["J", "P", "G", "L", "M", "C"]
    assert out.splitlines()[4].split("\t")[3:] == ["mediation group", "labour", "active"]


def test_stations_are_added_edited_and_disabled(run):
    data = str(run.data)
    code, out, err = run("station", "add", "--kind", "mediation", "--name", "土地调处组", "--window", "9号窗口",
                         "--prefix", "td", "--category", "land", "--data", data)
    assert (code, err) == (0, "") and "TD" in out
    assert run("--data", data, "station", "edit", "TD", "--window", "10号窗口")[0] == 0
    assert run("station", "disable", "土地调处组", "--lang", "en", "--data", data)[1] == "station 土地调处组 disabled\n"
    line = run("station", "list", "--data", data, "--lang", "en")[1].splitlines()[-1]
    assert line.split("\t") == ["TD", "土地调处组", "10号窗口", "mediation group", "land", "disabled"]


@pytest.mark.parametrize(("argv", "words"), [
    (("station", "add", "--kind", "judge", "--name", "x", "--window", "1", "--prefix", "J1"), "capital letters"),
    (("station", "add", "--kind", "judge", "--name", "x", "--window", "1", "--prefix", "J"), "prefix J is used"),
    (("station", "edit", "ZZ", "--window", "1"), "no such station: ZZ"),
    (("roster", "set", "2026-13-01", "J", "法官甲"), "not a date"),
    (("roster", "set", "2026-11-23", "J", "王芳"), "王芳 is not a station officer and cannot be on this roster"),
    (("roster", "set", "2026-11-27", "J", "--through", "2026-11-23"), "is before the first"),
    (("roster", "show", "--date", "soon"), "not a date"),
])
def test_refusals_are_one_sentence_on_stderr(run, argv, words):
    code, out, err = run("--lang", "en", *argv, "--data", str(run.data))
    assert code == 1 and out == ""
    assert err.startswith("desk: error: ") and words in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_the_roster_is_set_for_working_days_and_shown_by_date(run):
    data = str(run.data)
    code, out, _ = run("roster", "set", "2026-11-23", "J", "法官甲", "法官乙", "--through", "2026-11-30",
                       "--staffing", "resident", "--data", data, "--lang", "en")
    assert code == 0 and out == ("roster of J set for 6 days: on those days only 法官甲 (resident), 法官乙 (resident) "
                                 "(what was there before is replaced)\n")  # Mon-Fri and the next Monday
    shown = run("--lang", "en", "roster", "show", "--date", "2026-11-24", "--data", data)[1].splitlines()
    assert shown[0] == "roster of 2026-11-24" and shown[1].endswith("法官甲 (resident), 法官乙 (resident)")
    assert shown[2].endswith("nobody on duty")
    weekend = run("--lang", "en", "roster", "show", "--date", "2026-11-28", "--data", data)[1].splitlines()
    assert weekend[1].endswith("nobody on duty")
    assert run("roster", "set", "2026-11-24", "J", "--data", data)[0] == 0  # nobody: cleared
    assert run("--lang", "en", "roster", "show", "--date", "2026-11-24", "--data", data)[1].splitlines()[1].endswith(
        "nobody on duty")


def test_today_is_the_default_date_of_roster_show(run):
    data = str(run.data)
    assert run("roster", "set", "2026-11-22", "P", "法官乙", "--data", data)[0] == 0  # PINNED's day
    shown = run("roster", "show", "--data", data)[1].splitlines()
    assert shown[0] == "2026-11-22 值班表" and shown[2].endswith("法官乙 (轮驻)")


def test_reading_commands_never_make_a_hall(tmp_path):
    run = Run(tmp_path)
    code, _, err = run("station", "list", "--data", str(run.data))
    assert code == 1 and err and not run.data.exists()


def test_a_hall_made_before_stations_has_them_when_the_desk_starts(tmp_path):
    from desk.clock import fixed
    from desk.operators import add_operator
    from storage import open_store
    from tests.conftest import PINNED
    from tests.test_cli import pinned_today

    run = Run(tmp_path)
    store = open_store(run.data, today=pinned_today)
    with store.transaction() as txn:  # as the release before stations left a hall
        add_operator(txn, "boss", "admin", "secret123", fixed(PINNED).now())
    store.close()
    assert run("--data", str(run.data))[0] == 0
    assert len(run.requests[-1].desk.referrals.stations()) == 6
