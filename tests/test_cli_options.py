"""The command line as a clerk types it: global options anywhere, and every mistake told
in a sentence with a non-zero status, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desk.cli import build_parser
from desk.i18n import catalog
from storage import maintenance, open_store
from tests.test_cli import Run, pinned_today

ADMIN = ("user", "add", "boss", "--role", "admin", "--password-stdin")


class Recording(Run):
    """Run, remembering every data folder the command line hands to storage."""

    def __init__(self, tmp_path: Path) -> None:
        super().__init__(tmp_path)
        self.used: list[Path] = []
        real = self.wiring
        self.wiring = real.__class__(
            open_store=lambda path, **kw: real.open_store(self._use(path), **kw),
            open_drafts=lambda path: real.open_drafts(self._use(Path(path).parent)),
            run_app=real.run_app, clock=real.clock,
            open_audit=lambda path: real.open_audit(self._use(path)),
            maintenance=_RecordingMaintenance(self), serve=real.serve,
        )

    def _use(self, path) -> Path:
        self.used.append(Path(path))
        return path


class _RecordingMaintenance:
    """The real maintenance functions; those handed a data folder record it."""

    _GIVEN_THE_DATA = ("check", "restore", "repair", "newest_good_backup")

    def __init__(self, run: Recording) -> None:
        self.run = run

    def __getattr__(self, name: str):
        real = getattr(maintenance, name)
        if name not in self._GIVEN_THE_DATA:
            return real
        return lambda folder, *args, **kwargs: real(self.run._use(folder), *args, **kwargs)


def _prepare(run: Run, backup: Path) -> None:
    """A hall with an administrator, a clerk, a category of its own and a backup."""
    data = ["--data", str(run.data)]
    assert run(*ADMIN, *data, stdin="secret123\n")[0] == 0
    assert run("user", "add", "clerk", "--role", "receptionist", "--password-stdin", *data, stdin="secret123\n")[0] == 0
    assert run("category", "add", "water", *data)[0] == 0
    store = open_store(run.data, today=pinned_today)
    try:
        maintenance.backup(store, backup.parent, backup.name)
    finally:
        store.close()


def _subcommands(backup: str) -> dict[str, tuple[tuple[str, ...], tuple[str, ...], str]]:
    """name -> (the command words, their own arguments, stdin)."""
    return {
        "user add": (("user", "add"), ("newbie", "--role", "station", "--password-stdin"), "secret123\n"),
        "user list": (("user", "list"), (), ""),
        "user disable": (("user", "disable"), ("clerk",), ""),
        "user enable": (("user", "enable"), ("clerk",), ""),
        "user passwd": (("user", "passwd"), ("clerk", "--password-stdin"), "another-pw\n"),
        "settings show": (("settings", "show"), (), ""),
        "settings set": (("settings", "set"), ("yellow_days", "4"), ""),
        "audit verify": (("audit", "verify"), (), ""),
        "audit head": (("audit", "head"), (), ""),
        "repair": (("repair",), (), ""),
        "check": (("check",), (), ""),
        "backup": (("backup",), (), ""),
        "restore": (("restore",), (backup,), ""),
        "category list": (("category", "list"), (), ""),
        "category add": (("category", "add"), ("forestry",), ""),
        "category remove": (("category", "remove"), ("water",), ""),
        "demo": (("demo",), ("--visits", "3", "--seed", "1"), ""),
        "calendar show": (("calendar", "show"), ("2027",), ""),
        "calendar holiday add": (("calendar", "holiday", "add"), ("2027-10-01..2027-10-07",), ""),
        "calendar workday add": (("calendar", "workday", "add"), ("2027-10-09",), ""),
        "app": ((), (), ""),
        "serve": (("serve",), ("--port", "8123"), ""),
        "serve display": (("serve",), ("--display",), ""),
    }


SUBCOMMANDS = sorted(_subcommands("-"))
# The ones that leave an entry in the audit trail (the app: its first start of the day backs up).
# `repair` on an intact folder changes nothing and so audits nothing.
AUDITED = {"user add", "user disable", "user enable", "user passwd", "settings set", "backup", "restore",
           "category add", "category remove", "app", "calendar holiday add", "calendar workday add"}


def _audit_lines(data: Path) -> list[dict]:
    return [json.loads(line) for line in (data / "audit.log").read_text(encoding="utf-8").splitlines()]


def _argv(name: str, backup: str, options: tuple[str, ...], before: bool) -> tuple[tuple[str, ...], str]:
    words, own, stdin = _subcommands(backup)[name]
    return ((*options, *words, *own) if before else (*words, *own, *options)), stdin


@pytest.mark.parametrize("before", [True, False], ids=["before", "after"])
@pytest.mark.parametrize("name", SUBCOMMANDS)
def test_global_options_reach_every_subcommand_in_either_order(name, before, tmp_path, monkeypatch):
    default = tmp_path / "default"
    monkeypatch.setenv("DESK_DATA", str(default))
    monkeypatch.delenv("DESK_COUNTER", raising=False)
    run = Recording(tmp_path)
    backup = tmp_path / "backups" / "one"
    _prepare(run, backup)
    run.used.clear()
    audited = len(_audit_lines(run.data))
    options = ("--data", str(run.data), "--counter", "window-7", "--lang", "en")
    argv, stdin = _argv(name, str(backup), options, before)
    code, out, err = run(*argv, stdin=stdin)
    assert (code, err) == (0, "")
    assert run.used and set(run.used) == {run.data}
    assert not default.exists()
    written = _audit_lines(run.data)[audited:]
    assert [e["counter"] for e in written] == ["window-7"] * len(written)
    assert bool(written) == (name in AUDITED)
    if name == "app":
        assert run.requests[-1].lang == "en"


@pytest.mark.parametrize("before", [True, False], ids=["before", "after"])
@pytest.mark.parametrize("name", SUBCOMMANDS)
def test_the_parser_keeps_global_options_in_either_order(name, before):
    options = ("--data", "D", "--counter", "C", "--lang", "en")
    argv, _ = _argv(name, "B", options, before)
    args = build_parser(catalog("en")).parse_args(list(argv))
    assert (str(args.data), args.counter, args.lang) == ("D", "C", "en")


def test_without_global_options_the_defaults_hold():
    args = build_parser(catalog("en")).parse_args(["user", "list"])
    assert (args.data, args.counter, args.lang) == (None, None, None)


def test_the_option_given_last_wins():
    args = build_parser(catalog("en")).parse_args(["--data", "A", "user", "list", "--data", "B"])
    assert str(args.data) == "B"


@pytest.mark.parametrize("argv, lang", [
    (["--lang", "en", "user", "list"], "en"),
    (["user", "list", "--lang", "en"], "en"),
    (["user", "list", "--lang=en"], "en"),
    (["--lang", "en", "user", "list", "--lang", "zh"], "zh"),
    (["--lang", "xx", "user", "list"], "zh"),
])
def test_the_language_is_read_before_parsing_as_the_parser_reads_it(argv, lang, monkeypatch):
    from desk.cli import _lang_from

    monkeypatch.delenv("DESK_LANG", raising=False)
    assert _lang_from(argv) == lang
