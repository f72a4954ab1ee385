"""The demo hall lives its matters' lives: every state, deadlines of every colour, demo
departments, extensions, reviews, re-examinations and hand-overs, the same for the same
seed, and `desk check` finds nothing wrong with it."""

from __future__ import annotations

from collections import Counter

import pytest

from desk import demo
from desk.deadlines import row_warning
from desk.lifecycle.records import ExtensionState
from desk.models import Event, Matter, Status
from tests.test_cli import Run, pinned_today


@pytest.fixture(scope="module")
def hall(tmp_path_factory):
    from storage import open_store
    from tests.conftest import PINNED, fixed

    clock = fixed(PINNED)
    store = open_store(tmp_path_factory.mktemp("demo") / "data", today=clock.today)
    demo.populate(store, 1500, clock.now(), seed=4)
    yield store, clock
    store.close()


def test_matters_in_every_state(hall):
    store, _ = hall
    matters = [Matter.from_doc(d) for d in store.scan("matters")]
    assert {m.status for m in matters} == set(Status)
    assert any(m.not_accepted_again and m.is_open for m in matters)
    assert any(m.not_accepted_again and not m.is_open for m in matters)
    assert any(m.hand_over is not None for m in matters)
    states = {m.extension.state for m in matters if m.extension}
    assert states >= {ExtensionState.REQUESTED, ExtensionState.APPROVED, ExtensionState.DECLINED}
    assert {m.sent.routing.value for m in matters if m.sent} == {"assign", "transfer"}
    names = {d["name"] for d in store.scan("departments")}
    assert {"城关镇人民政府", "县自然资源局"} <= names
    assert all(d["contact"] and d["phone"] for d in store.scan("departments"))


def test_deadlines_of_every_colour(hall):
    store, clock = hall
    from desk.context import Context

    rules = Context(store, clock).rules()
    colours = Counter(row_warning(r, clock.today(), rules) for r in store.columns("matters"))
    assert {c for c in colours if c} == {"red", "yellow", "green"}
    open_count = sum(n for c, n in colours.items() if c)
    assert colours["red"] < open_count / 4  # a hall that is mostly on time


def test_acts_happen_after_registration_and_never_after_now(hall):
    store, clock = hall
    registered = {d["id"]: d["registered_at"] for d in store.scan("matters")}
    events = [Event.from_doc(d) for d in store.scan("events")]
    acts = [e for e in events if e.kind not in ("registered", "repeat_visit")]
    assert len(acts) > len(registered)
    assert all(e.at <= clock.now() for e in events)
    assert all(e.at.isoformat() >= registered[e.matter_id] for e in acts)


def test_repeat_visits_reach_re_examined_matters(hall):
    store, _ = hall
    events = [Event.from_doc(d) for d in store.scan("events")]
    assert any(e.kind == "repeat_visit" and e.data.get("not_accepted_again") for e in events)


def test_the_same_seed_gives_the_same_lives(tmp_path):
    def hall(name):
        r = Run(tmp_path / name)
        r("demo", "--data", str(r.data), "--visits", "300", "--seed", "9")
        from storage import open_store

        s = open_store(r.data, today=pinned_today)
        try:
            return sorted((m["number"], m["status"], str(m["clocks"])) for m in s.scan("matters"))
        finally:
            s.close()

    assert hall("a") == hall("b")


def test_a_fresh_demo_hall_checks_clean(tmp_path):
    r = Run(tmp_path)
    assert r("demo", "--data", str(r.data), "--visits", "400", "--seed", "2")[0] == 0
    code, out, err = r("check", "--data", str(r.data))
    assert code == 0, out + err
    assert "错误" not in out + err
    said = out.splitlines()
    assert said[-1].startswith("数据完好")
    # Besides that: only the calendar's unknown year and the backup a new hall has not made yet.
    assert all("工作日历不知道" in line or "desk backup" in line for line in said[:-1]), said
