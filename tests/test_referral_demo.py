"""The demo hall has stations, a week's roster, referrals with outcomes, and a live queue today."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from desk import demo
from desk.referral import Outcome, State
from desk.referral.queue import of_day
from desk.referral.records import Referral, StationKind


def test_the_demo_hall_has_a_live_queue_at_the_stations(desk, clock):
    demo.populate(desk.store, 400, clock.now(), seed=3, days=60)
    station_login = next(o for o in desk.operators() if o.name == "station")
    mine = desk.referrals.my_stations(station_login)
    assert [s.prefix for s in mine] == ["J"]
    week = [clock.today().replace(day=d) for d in range(16, 21)]  # Monday to Friday of the pinned week
    kinds = {s.id: s.kind for s in desk.referrals.stations()}
    stations = [[r for r in desk.referrals.roster(day) if kinds[r.station_id] is not StationKind.LEADER]
                for day in [*week, clock.today()]]
    assert all(len(rostered) == 6 for rostered in stations)
    leader_days = desk.referrals.leader_days(week[0], week[0] + dt.timedelta(days=13))  # Tue and Thu, and today
    assert [(d.day, names) for d, _, names in leader_days] == [
        (17, ("leader",)), (19, ("赵磊",)), (22, ("leader",)), (24, ("leader",)), (26, ("赵磊",))]
    assert len(desk.referrals.queue(leader_days[0][1].id, next(o for o in desk.operators() if o.name == "leader"))) >= 3
    waiting = desk.referrals.queue(mine[0].id, station_login)
    assert len(waiting) >= 3 and all(r.referral.state is State.WAITING for r in waiting)
    everything = [Referral.from_doc(d) for d in desk.store.scan("referrals")]
    outcomes = Counter(r.outcome for r in everything if r.state is State.DONE)
    assert {Outcome.ANSWERED, Outcome.LEGAL_ROUTE, Outcome.MEDIATION_AGREED} <= set(outcomes)
    past = [r for r in everything if r.day < clock.today()]
    assert past and all(not r.open for r in past)  # transfers were played through too
    today = of_day(desk.store, clock.today())
    assert len({r.ticket for r in today}) == len(today)


def test_the_same_seed_gives_the_same_referrals(tmp_path, clock):
    from storage import open_store

    tickets = []
    for n in range(2):
        store = open_store(tmp_path / str(n), today=clock.today)
        try:
            demo.populate(store, 150, clock.now(), seed=8, days=30)
            tickets.append(sorted((d["ticket"], d["day"], d["state"]) for d in store.scan("referrals")))
        finally:
            store.close()
    assert tickets[0] == tickets[1] and tickets[0]
