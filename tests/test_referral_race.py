"""Two officers press call next at the same moment, on two desks (two processes): they
never get the same ticket. The revision check refuses one save, and that desk takes the next."""

from __future__ import annotations

import multiprocessing
import random
import threading

from desk.audit import Auditor
from desk.clock import fixed
from desk.referral import ReferralForm, Staffing, StationKind
from desk.referral.queue import of_day
from desk.services import Desk
from storage import FileAuditLog, open_store
from tests.conftest import PINNED, form

READ_WAIT = 30.0  # a safety net only: both desks always read, unless one failed


def _call_next(data: str, officer: str, station_id: int, started, read, results) -> None:
    """One desk's call next, under a worst-case scheduler: the queue read outside the save
    waits until the other desk has read it too, so both start from the same first ticket."""
    from pathlib import Path

    import desk.referral.queue as queue

    real, reads = queue.waiting, []

    def held_back(reader, station, day):
        found = real(reader, station, day)
        reads.append(len(found))
        if len(reads) == 1:
            try:
                read.wait(READ_WAIT)
            except threading.BrokenBarrierError:
                pass
        return found

    queue.waiting = held_back
    clock = fixed(PINNED)
    store = open_store(Path(data), today=clock.today)
    try:
        desk = Desk(store, clock, audit=Auditor(FileAuditLog(Path(data)), clock, officer))
        me = next(o for o in desk.operators() if o.name == officer)
        started.wait(60)
        called = desk.referrals.call_next(station_id, me)
        results.put((officer, called.ticket, len(reads)))
    finally:
        store.close()


def test_two_desks_calling_next_at_once_never_get_the_same_ticket(data_dir, clock):
    store = open_store(data_dir, today=clock.today)
    try:
        desk = Desk(store, clock, rng=random.Random(3), audit=Auditor(FileAuditLog(data_dir), clock, "窗口1"))
        admin = desk.add_operator("管理员", "admin", "admin-pass")
        clerk = desk.add_operator("王芳", "receptionist", "secret123", by=admin)
        officers = [desk.add_operator(n, "station", "password1", by=admin).name for n in ("法官甲", "法官乙")]
        judge = next(s for s in desk.referrals.stations() if s.kind is StationKind.JUDGE)
        desk.referrals.set_roster([clock.today()], judge.prefix, officers, Staffing.RESIDENT, admin)
        for name in ("张三", "李四", "王五"):
            matter = desk.register(form(name=name, id_number=""), clerk).matter
            desk.referrals.refer(matter.id, ReferralForm(judge.id), clerk)
    finally:
        store.close()
    spawn = multiprocessing.get_context("spawn")
    started, read, results = spawn.Barrier(2), spawn.Barrier(2), spawn.Queue()
    desks = [spawn.Process(target=_call_next, args=(str(data_dir), o, judge.id, started, read, results))
             for o in officers]
    for d in desks:
        d.start()
    outcome = sorted(results.get(timeout=60) for _ in desks)
    for d in desks:
        d.join(60)
    assert [d.exitcode for d in desks] == [0, 0]
    assert sorted(ticket for _, ticket, _ in outcome) == ["J001", "J002"]
    assert sorted(reads for _, _, reads in outcome) == [1, 2]  # one desk was refused and read again
    store = open_store(data_dir, today=clock.today)
    try:
        desk = Desk(store, clock, audit=Auditor(FileAuditLog(data_dir), clock, "窗口1"))
        calls = [(e.operator, e.target) for e in desk.audit.entries() if e.action == "referral_call"]
        assert sorted(calls) == sorted((o, t) for o, t, _ in outcome)
        states = {r.ticket: r.state.value for r in of_day(store, clock.today())}
    finally:
        store.close()
    assert states == {"J001": "called", "J002": "called", "J003": "waiting"}
