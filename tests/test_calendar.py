"""The working-day calendar: deadlines across China's holidays and make-up working days
(调休), a year nobody has entered yet, and the hall's corrections, kept in the store.

The dates below are checked by hand against the State Council's 2026 schedule
(国办发明电〔2025〕7号): Spring Festival 2-15..2-23 off, 2-14 and 2-28 (Saturdays) worked;
National Day and Mid-autumn 9-25..9-27 and 10-1..10-7 off, 9-20 (Sunday) and 10-10
(Saturday) worked."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desk.errors import DeskError
from desk.lifecycle.calendar import (
    Calendar,
    Change,
    Corrections,
    DayKind,
    DayUnit,
    Due,
    correct,
    library,
    load_calendar,
)
from storage import open_store
from tests.test_cli import Run

W, C = DayUnit.WORKING, DayUnit.CALENDAR
D = dt.date


@pytest.fixture(scope="module")
def cal() -> Calendar:
    return Calendar()


def corrected(*changes: tuple[Change, list[dt.date]]) -> Calendar:
    calendar = Calendar()
    for change, days in changes:
        calendar = Calendar(correct(calendar, change, days)[0])
    return calendar


# -- the library's 2026 ----------------------------------------------------------------------


def test_the_library_has_2026_with_its_make_up_days():
    days = library().days
    assert sorted(d for d, (kind, _) in days.items() if d.year == 2026 and kind is DayKind.WORKDAY) == [
        D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 5, 9), D(2026, 9, 20), D(2026, 10, 10)]
    spring = [d for d, (kind, name) in days.items() if d.year == 2026 and name == "spring_festival"
              and kind is DayKind.HOLIDAY]
    assert (min(spring), max(spring), len(spring)) == (D(2026, 2, 15), D(2026, 2, 23), 9)
    national = [d for d, (kind, name) in days.items() if d.year == 2026 and name == "national_day"
                and kind is DayKind.HOLIDAY]
    assert (min(national), max(national)) == (D(2026, 10, 1), D(2026, 10, 7))


def test_the_library_agrees_with_holidays_on_every_working_day():
    """A second source, `holidays`, on every day of every year both have the State Council's
    schedule for. They differ on one day: 2005-12-31, a make-up Saturday for New Year 2006
    that chinesecalendar files under neither year."""
    holidays = pytest.importorskip("holidays")
    lib = library()
    theirs = holidays.China(years=range(lib.first, lib.last + 1))
    last = min(lib.last, max(d.year for d in theirs.weekend_workdays))
    cal, day, differ = Calendar(), D(lib.first, 1, 1), []
    while day.year <= last:
        if cal.is_workday(day) != theirs.is_working_day(day):
            differ.append(day)
        day += dt.timedelta(days=1)
    assert last >= 2026 and differ == [D(2005, 12, 31)]


# -- deadlines ----------------------------------------------------------------------------


def test_working_days_across_national_day_and_its_make_up_days(cal):
    assert cal.add(D(2026, 9, 30), 1, W) == Due(D(2026, 10, 8), False)  # 10-1..10-7 off
    assert cal.add(D(2026, 9, 30), 3, W).day == D(2026, 10, 10)  # the make-up Saturday counts
    assert cal.add(D(2026, 9, 18), 1, W).day == D(2026, 9, 20)  # so does the make-up Sunday
    assert cal.add(D(2026, 9, 24), 1, W).day == D(2026, 9, 28)  # Mid-autumn 9-25..9-27
    # Monday 9-21, 15 working days: 22 23 24 | 28 29 30 | 8 9 10(Sat) 12 13 14 15 16 19
    assert cal.add(D(2026, 9, 21), 15, W) == Due(D(2026, 10, 19), False)
    assert cal.add(D(2026, 9, 21), 15, C) == Due(D(2026, 10, 6), False)  # calendar days ignore it all


def test_working_days_across_the_spring_festival(cal):
    assert cal.add(D(2026, 2, 13), 1, W).day == D(2026, 2, 14)  # Saturday, worked
    assert cal.add(D(2026, 2, 13), 2, W).day == D(2026, 2, 24)  # 2-15..2-23 off
    # Thursday 2-12, 15 working days: 13 14(Sat) | 24 25 26 27 28(Sat) | 3-2 .. 3-6 | 9 10 11
    assert cal.add(D(2026, 2, 12), 15, W) == Due(D(2026, 3, 11), False)


def test_zero_days_is_the_same_day(cal):
    assert cal.add(D(2026, 10, 3), 0, W) == Due(D(2026, 10, 3), False)
    assert cal.add(D(2027, 10, 3), 0, W) == Due(D(2027, 10, 3), False)
    assert cal.add(D(2026, 10, 3), 0, C) == Due(D(2026, 10, 3), False)


def test_days_left_in_working_days(cal):
    assert cal.days_left(D(2026, 10, 9), D(2026, 10, 12), W) == 2  # Saturday 10-10 is worked
    assert cal.days_left(D(2026, 10, 12), D(2026, 10, 12), W) == 0
    assert cal.days_left(D(2026, 9, 30), D(2026, 10, 8), W) == 1  # the holiday does not count
    assert cal.days_left(D(2026, 10, 3), D(2026, 9, 30), W) == -1  # overdue during the holiday
    assert cal.days_left(D(2026, 10, 13), D(2026, 10, 9), W) == -3  # 10 12 13
    assert cal.days_left(D(2026, 10, 3), D(2026, 9, 30), C) == -3
    assert cal.days_left(D(2025, 12, 30), D(2026, 1, 5), W) == 3  # 12-31, 1-4 (Sun, worked), 1-5


def test_a_year_nobody_knows_counts_weekends_only(cal):
    assert not cal.knows(2027) and cal.knows(2026) and cal.knows(2004) and not cal.knows(2003)
    assert cal.unknown_years([2026, 2027, 2003, 2027]) == [2003, 2027]
    # Thursday 2027-09-30, weekends only: Fri 10-1, Mon 10-4, Tue 10-5
    assert cal.add(D(2027, 9, 30), 3, W) == Due(D(2027, 10, 5), True)
    # a limit from 2026 that runs into 2027 is an estimate too
    assert cal.add(D(2026, 12, 30), 3, W) == Due(D(2027, 1, 4), True)  # 12-31, 1-1 (Fri), 1-4
    assert cal.add(D(2026, 12, 1), 3, W).estimated is False
    assert cal.add(D(2027, 9, 30), 3, C) == Due(D(2027, 10, 3), False)


# -- the hall's corrections ---------------------------------------------------------------


def test_a_holiday_added_moves_the_deadline():
    calendar = corrected((Change.HOLIDAY_ADD, [D(2026, 10, 8)]))
    assert not calendar.is_workday(D(2026, 10, 8))
    assert calendar.add(D(2026, 9, 30), 1, W).day == D(2026, 10, 9)


def test_a_holiday_removed_becomes_a_working_day():
    calendar = corrected((Change.HOLIDAY_REMOVE, [D(2026, 10, 5)]))  # a Monday
    assert calendar.add(D(2026, 9, 30), 1, W).day == D(2026, 10, 5)


def test_a_make_up_day_added_and_removed():
    added = corrected((Change.WORKDAY_ADD, [D(2026, 10, 11)]))  # the Sunday after 10-10
    assert added.add(D(2026, 10, 9), 2, W).day == D(2026, 10, 11)
    removed = corrected((Change.WORKDAY_REMOVE, [D(2026, 10, 10)]))
    assert removed.add(D(2026, 10, 9), 1, W).day == D(2026, 10, 12)
    assert removed.kind(D(2026, 10, 10)) is DayKind.PLAIN and removed.corrected(D(2026, 10, 10))


def test_removing_undoes_and_leaves_no_correction_behind():
    calendar = corrected((Change.HOLIDAY_ADD, [D(2026, 10, 8)]), (Change.HOLIDAY_REMOVE, [D(2026, 10, 8)]))
    assert calendar.corrections.days == ()
    calendar = corrected((Change.WORKDAY_ADD, [D(2026, 10, 5)]), (Change.WORKDAY_REMOVE, [D(2026, 10, 5)]))
    assert calendar.corrections.days == () and not calendar.is_workday(D(2026, 10, 5))


def test_an_ordinary_weekday_is_not_a_make_up_day_to_remove():
    with pytest.raises(DeskError) as refused:
        correct(Calendar(), Change.WORKDAY_REMOVE, [D(2026, 10, 10), D(2026, 10, 12)])
    assert refused.value.code == "err.calendar.ordinary_workday" and refused.value.params["date"] == "2026-10-12"


def test_a_day_already_as_asked_is_told_unchanged():
    corrections, outcomes = correct(Calendar(), Change.HOLIDAY_ADD, [D(2026, 10, 3), D(2026, 10, 8)])
    assert [o.changed for o in outcomes] == [False, True]
    assert corrections.days == ((D(2026, 10, 8), DayKind.HOLIDAY),)


def test_corrections_apply_in_a_year_nobody_knows_and_a_declared_year_is_known():
    days = [D(2027, 10, 1) + dt.timedelta(days=i) for i in range(7)]
    entered = corrected((Change.HOLIDAY_ADD, days))
    assert entered.add(D(2027, 9, 30), 1, W) == Due(D(2027, 10, 8), True)
    declared = Calendar(entered.corrections.with_complete([2027]))
    assert declared.knows(2027) and declared.add(D(2027, 9, 30), 1, W) == Due(D(2027, 10, 8), False)


@st.composite
def calendars(draw) -> Calendar:
    """The library's calendar with a few random corrections over 2026 and 2027."""
    day = st.dates(D(2026, 1, 1), D(2027, 12, 31))
    overrides = draw(st.dictionaries(day, st.sampled_from(list(DayKind)), max_size=12))
    complete = draw(st.sets(st.sampled_from([2027]), max_size=1))
    return Calendar(Corrections(tuple(sorted(overrides.items())), tuple(complete)))


@settings(max_examples=150, deadline=None)
@given(calendars(), st.dates(D(2025, 11, 1), D(2027, 10, 1)), st.integers(0, 90))
def test_a_deadline_is_the_nth_working_day_counted_one_by_one(calendar, start, days):
    due = calendar.add(start, days, W)
    day, left = start, days
    while left:
        day += dt.timedelta(days=1)
        left -= calendar.is_workday(day)
    assert due.day == day
    assert calendar.days_left(start, due.day, W) == days
    counted = range((start + dt.timedelta(days=1)).year, day.year + 1) if days else ()
    assert due.estimated == any(not calendar.knows(y) for y in counted)
    if days:
        assert calendar.days_left(due.day + dt.timedelta(days=1), due.day, W) < 0


# -- in the store, through the service ------------------------------------------------------------


def test_corrections_are_saved_audited_and_read_back(desk, admin, data_dir, clock):
    outcomes = desk.calendar.add_holidays([D(2026, 10, 8)], admin)
    assert [o.changed for o in outcomes] == [True]
    desk.calendar.add_workdays([D(2026, 10, 11)], admin)
    other = open_store(data_dir, today=clock.today)  # another counter on the same data
    try:
        calendar = load_calendar(other)
        assert not calendar.is_workday(D(2026, 10, 8)) and calendar.is_workday(D(2026, 10, 11))
    finally:
        other.close()
    trail = [(e.action, e.target) for e in desk.audit_entries(admin) if e.action.startswith("calendar")]
    assert trail == [("calendar_holiday_add", "2026-10-08"), ("calendar_workday_add", "2026-10-11")]


def test_the_calendar_is_built_once_per_revision(desk, admin):
    first = desk.calendar.current()
    assert desk.calendar.current() is first
    desk.calendar.add_holidays([D(2026, 10, 8)], admin)
    assert desk.calendar.current() is not first
    desk.calendar.add_holidays([D(2026, 10, 8)], admin)  # already so: nothing saved, nothing audited
    assert len([e for e in desk.audit_entries(admin) if e.action.startswith("calendar")]) == 1


def test_declaring_a_year_needs_its_holidays_first(desk, admin):
    with pytest.raises(DeskError) as refused:
        desk.calendar.complete_year(2027, admin)
    assert refused.value.code == "err.calendar.nothing_entered"
    with pytest.raises(DeskError) as refused:
        desk.calendar.complete_year(2026, admin)
    assert refused.value.code == "err.calendar.in_library"
    desk.calendar.add_holidays([D(2027, 1, 1)], admin)
    assert desk.calendar.complete_year(2027, admin) and desk.calendar.current().knows(2027)
    assert desk.calendar.reopen_year(2027, admin) and not desk.calendar.current().knows(2027)


def test_a_receptionist_may_not_change_the_calendar(desk, operator):
    for change in (desk.calendar.add_holidays, desk.calendar.remove_holidays, desk.calendar.add_workdays):
        with pytest.raises(DeskError) as refused:
            change([D(2026, 10, 8)], operator)
        assert refused.value.code == "err.permission"
    with pytest.raises(DeskError):
        desk.calendar.complete_year(2027, operator)
    assert desk.calendar.current().corrections == Corrections()


# -- the command line ------------------------------------------------------------------------------


@pytest.fixture
def run(tmp_path) -> Run:
    run = Run(tmp_path)
    assert run("user", "add", "boss", "--role", "admin", "--password-stdin", "--data", str(run.data),
               stdin="secret123\n")[0] == 0
    return run


def test_show_says_where_each_day_comes_from(run):
    data = ("--data", str(run.data))
    assert run("calendar", "holiday", "add", "2026-10-08", *data)[0] == 0
    code, out, err = run("--lang", "en", "calendar", "show", "2026", *data)
    assert (code, err) == (0, "")
    assert out.startswith("2026: known (the State Council's schedule, from chinesecalendar")
    assert "  10-01 Thu to 10-07 Wed (7 days)  National Day  State Council\n" in out
    assert "  10-10 Sat  National Day  State Council\n" in out
    assert "  10-08 Thu  hall correction\n" in out
    code, out, _ = run("calendar", "show", *data)  # this year (the pinned clock's)
    assert code == 0 and out.startswith("2026 年：放假安排已知")


def test_show_says_when_a_year_is_not_known(run):
    code, out, _ = run("--lang", "en", "calendar", "show", "2027", "--data", str(run.data))
    assert code == 0 and "2027: the calendar does not know" in out and "weekends only" in out


def test_runs_of_days_and_what_became_of_each(run):
    data = ("--data", str(run.data))
    code, out, err = run("--lang", "en", "calendar", "holiday", "add", "2027-10-01..2027-10-03", "2026-10-03", *data)
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "2027-10-01 Fri: now a holiday", "2027-10-02 Sat: now a holiday", "2027-10-03 Sun: now a holiday",
        "2026-10-03 Sat: already a holiday, unchanged",
        "note: 2027 is still counted by weekends only; once it is entered in full run desk calendar complete 2027"]
    assert run("calendar", "complete", "2027", *data)[0] == 0
    code, out, _ = run("--lang", "en", "calendar", "show", "2027", *data)
    assert out.startswith("2027: known (entered by the hall and declared complete)")


@pytest.mark.parametrize("argv, named", [
    (("holiday", "add", "2026-13-01"), "2026-13-01"),
    (("workday", "add", "2026/10/11"), "2026/10/11"),
    (("holiday", "remove", "2026-10-09..2026-10-01"), "2026-10-09..2026-10-01"),
    (("holiday", "add", "3026-10-01"), "3026-10-01"),
    (("workday", "remove", "2026-10-12"), "2026-10-12"),  # an ordinary Monday
    (("show", "26"), "26"),
])
def test_a_bad_date_is_named_in_one_line_and_nothing_changes(run, argv, named):
    code, out, err = run("calendar", *argv, "--data", str(run.data))
    assert code == 1 and out == "" and len(err.splitlines()) == 1 and named in err
    assert run("calendar", "show", "--data", str(run.data))[1].count("本厅") == 0


def test_check_warns_of_next_year_without_failing(run):
    code, out, err = run("--lang", "en", "check", "--data", str(run.data))
    assert (code, err) == (0, "")
    assert ("note: the working-day calendar does not know 2027: working-day limits falling in it count "
            "weekends only; add the State Council's schedule with `desk calendar holiday add …`") in out
