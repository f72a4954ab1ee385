"""The store under SIGKILL and under several processes writing at once (see tests/torture.py)."""

import os

import pytest

from tests.torture import contention_trial, crash_trial

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the trials fork child processes")

CRASH_TRIALS = 50


def test_every_save_that_returned_survives_a_kill_at_any_moment(tmp_path):
    acked = 0
    for trial in range(CRASH_TRIALS):
        result = crash_trial(tmp_path / f"t{trial}", seed=trial)
        assert result.lost == [], f"trial {trial}: {result.lost[:5]}"
        acked += result.acked
    assert acked > CRASH_TRIALS * 5  # the child really wrote, checkpoints included, before the kills


def test_three_processes_writing_at_once_lose_nothing_and_equal_a_serial_replay(tmp_path):
    result = contention_trial(tmp_path / "data", processes=3, writes=350)
    assert result.problems == []
    assert result.accepted + result.conflicts >= 3 * 350
    assert result.accepted >= 1000
    assert result.conflicts >= 3 * 350 // 50  # stale saves were refused, not applied
