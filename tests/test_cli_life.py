"""`desk department`, `desk reason` and limits' units at the command line."""

from __future__ import annotations

import pytest

from desk.lifecycle.calendar import DayUnit
from desk.settings import load_settings
from storage import open_store
from tests.test_cli import Run, pinned_today


@pytest.fixture
def run(tmp_path):
    return Run(tmp_path)


def _hall(run) -> list[str]:
    data = ["--data", str(run.data)]
    assert run("user", "add", "boss", "--role", "admin", "--password-stdin", *data, stdin="secret123\n")[0] == 0
    return data


def test_departments_are_added_edited_disabled_and_named_by_name_or_number(run):
    data = _hall(run)
    code, out, _ = run("department", "add", "县自然资源局", "--contact", "张科长", "--phone", "0736-7221001", *data)
    assert code == 0 and "编号 1" in out
    assert run("department", "edit", "1", "--name", "县自然资源和规划局", *data)[0] == 0
    assert run("department", "disable", "县自然资源和规划局", *data)[0] == 0
    code, out, _ = run("department", "list", *data)
    assert out.splitlines() == ["1\t县自然资源和规划局\t张科长\t0736-7221001\t已停用"]
    assert run("department", "enable", "1", *data)[0] == 0
    code, _, err = run("department", "add", "县自然资源和规划局", *data)
    assert code == 1 and "已有名为" in err
    code, _, err = run("department", "edit", "没有这个局", "--phone", "1", *data)
    assert code == 1 and "没有这个责任单位" in err
    code, _, err = run("department", "add", "县人社局", "--phone", "电话", *data)
    assert code == 1 and "电话只能包含" in err


def test_reasons_for_not_accepting_are_the_halls_list(run):
    data = _hall(run)
    code, out, _ = run("reason", "list", *data)
    assert code == 0 and "outside_remit\t不属于本机关职权范围" in out
    code, out, _ = run("reason", "add", "信访人已撤回", *data)
    assert code == 0 and out.splitlines()[-1] == "信访人已撤回\t信访人已撤回"
    code, _, err = run("reason", "add", "不属于本机关职权范围", *data)  # a built-in one by its label
    assert code == 1 and "已有这个不予受理的理由" in err
    assert run("reason", "remove", "Outside the hall's remit", *data)[0] == 0  # by its English label
    code, _, err = run("reason", "remove", "没有的理由", *data)
    assert code == 1 and "没有这个不予受理的理由" in err
    store = open_store(run.data, today=pinned_today)
    try:
        assert load_settings(store).reject_reasons == ("legal_procedure", "reexamined", "other", "信访人已撤回")
    finally:
        store.close()


def test_a_limits_unit_is_set_checked_and_shown(run):
    data = _hall(run)
    code, out, _ = run("settings", "set", "review_answer_unit", "working", *data)
    assert code == 0 and "review_answer_unit\tworking\t工作日" in out
    assert "acceptance_unit\tcalendar\t日历日" in out
    code, _, err = run("settings", "set", "review_answer_unit", "weeks", *data)
    assert code == 1 and "calendar, working" in err
    store = open_store(run.data, today=pinned_today)
    try:
        assert load_settings(store).review_answer_unit is DayUnit.WORKING
    finally:
        store.close()
    assert '"review_answer_unit":"working"' in (run.data / "audit.log").read_text(encoding="utf-8")
