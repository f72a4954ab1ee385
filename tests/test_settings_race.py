"""Three counters change the settings at the same moment: every change lands."""

from __future__ import annotations

import multiprocessing
import sys
import threading

import pytest

from storage import open_store
from tests.test_cli import Run, pinned_today

READ_WAIT = 30.0  # a safety net only: the three always arrive, unless a counter failed


def _add_category(data: str, name: str, started, read) -> None:
    """One counter's `desk category add`, run by a worst-case scheduler: a read of the
    settings made without the write lock waits until the other counters have made theirs.
    A read inside a transaction holds the lock, so the others could not read meanwhile."""
    import desk.services as services
    from launch import main

    real, first = services.load_settings, [True]

    def held_back(reader):
        settings = real(reader)
        if type(reader).__name__ != "Transaction" and first:
            first.pop()
            try:
                read.wait(READ_WAIT)
            except threading.BrokenBarrierError:
                pass
        return settings

    services.load_settings = held_back
    started.wait(60)
    sys.exit(main(["category", "add", name, "--data", data]))


@pytest.mark.parametrize("saved", [False, True], ids=["never-saved", "saved-before"])
def test_three_counters_adding_categories_at_once_all_land(tmp_path, saved):
    run = Run(tmp_path)
    assert run("user", "add", "boss", "--role", "admin", "--password-stdin", "--data", str(run.data),
               stdin="secret123\n")[0] == 0
    if saved:
        assert run("settings", "set", "yellow_days", "4", "--data", str(run.data))[0] == 0
    spawn = multiprocessing.get_context("spawn")
    started, read = spawn.Barrier(3), spawn.Barrier(3)
    names = ["水利", "交通", "教育"]
    counters = [spawn.Process(target=_add_category, args=(str(run.data), n, started, read)) for n in names]
    for counter in counters:
        counter.start()
    for counter in counters:
        counter.join(60)
    assert [c.exitcode for c in counters] == [0, 0, 0]
    store = open_store(run.data, today=pinned_today)
    try:
        settings = [doc for doc in store.scan("settings")]
    finally:
        store.close()
    assert len(settings) == 1 and set(names) <= set(settings[0]["categories"])
