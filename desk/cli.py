"""The command line. Storage and the UI are passed in by the launcher (`launch.py`),
so this module, like all of `desk/`, depends only on the protocols in `desk.store`."""

from __future__ import annotations

import argparse
import getpass
import os
import re
import socket
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, NoReturn, TextIO

from desk import (
    __version__,
    cli_calendar,
    cli_closeout,
    cli_data,
    cli_ledger,
    cli_life,
    cli_referral,
    cli_tally,
    demo,
    serving,
)
from desk.audit import AuditLog, Auditor
from desk.clock import Clock, SystemClock
from desk.errors import DeskError, FormErrors
from desk.i18n import DEFAULT_LANGUAGE, LANGUAGES, Catalog, catalog, describe
from desk.models import Operator, Role
from desk.services import Desk, command_line_operator
from desk.settings import LIMITS, NUMERIC_SETTINGS, UNIT_SETTINGS
from desk.store import DraftBox, Maintenance, Store, StoreError
from desk.text import check_name


@dataclass(frozen=True)
class AppRequest:
    """What the launcher needs to start the Textual app."""

    desk: Desk
    lang: str
    notice: str = ""  # shown on the login screen, e.g. the demo login
    # Work for after the screen is up (the day's backup reads the whole year): returns
    # what to tell the person, or "".
    background: Callable[[], str] | None = None
    display: bool = False  # the hall display instead of the desk: no login, read-only


@dataclass(frozen=True)
class Wiring:
    open_store: Callable[..., Store]  # (path, today=callable giving the hall's date)
    open_drafts: Callable[[Path], DraftBox]
    run_app: Callable[[AppRequest], int]
    clock: Clock = SystemClock()
    open_audit: Callable[[Path], AuditLog] | None = None
    maintenance: Maintenance | None = None
    serve: Callable[[serving.ServeRequest], int] | None = None  # `desk serve`: the web server


class UsageError(Exception):
    pass


def _folder(value: str) -> Path:
    """`--data ''` would be the current directory: refused, as the catalog's error says."""
    if not value.strip():
        raise argparse.ArgumentTypeError("empty")
    return Path(value)


def default_data_dir() -> Path:
    env = os.environ.get("DESK_DATA")
    if env:
        return Path(env)
    from platformdirs import user_data_dir

    return Path(user_data_dir("desk", appauthor=False))


def _lang_from(argv: list[str]) -> str:
    """The language must be known before the parser is built: its help text is translated.
    Like the parser, the last `--lang` wins, wherever it stands."""
    chosen = os.environ.get("DESK_LANG")
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(argv):
            chosen = argv[i + 1]
        elif arg.startswith("--lang="):
            chosen = arg.split("=", 1)[1]
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE


# argparse's own words (usage, options, its error messages) come from gettext in English;
# these are the ones a clerk meets, put through the catalog instead.
_ARGPARSE_ERRORS = (
    (re.compile(r"^the following arguments are required: (?P<names>.+)$"), "cli.argparse.required"),
    (re.compile(r"^argument (?P<arg>\S+): invalid choice: (?P<value>.+?) \(choose from (?P<choices>.+)\)$"),
     "cli.argparse.choice"),
    (re.compile(r"^unrecognized arguments: (?P<args>.+)$"), "cli.argparse.unknown"),
    (re.compile(r"^argument (?P<arg>\S+): invalid int value: (?P<value>.+)$"), "cli.argparse.int"),
    (re.compile(r"^argument (?P<arg>\S+): empty$"), "cli.argparse.empty"),
)


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser that speaks the catalog's language."""

    def __init__(self, *args: Any, t: Catalog, **kwargs: Any) -> None:
        self.t = t
        super().__init__(*args, add_help=False, **kwargs)
        self._positionals.title = t("cli.argparse.positionals")
        self._optionals.title = t("cli.argparse.options")
        self.add_argument("-h", "--help", action="help", help=t("cli.help.help"))

    def _get_formatter(self) -> argparse.HelpFormatter:
        t = self.t

        class Formatter(argparse.HelpFormatter):
            def add_usage(self, usage, actions, groups, prefix=None):  # type: ignore[no-untyped-def]
                # argparse also calls this with prefix "" to build a subcommand's prog
                super().add_usage(usage, actions, groups, prefix=t("cli.argparse.usage") if prefix is None else prefix)

        return Formatter(prog=self.prog)

    def error(self, message: str) -> NoReturn:
        for pattern, key in _ARGPARSE_ERRORS:
            match = pattern.match(message)
            if match:
                message = self.t(key, **match.groupdict())
                break
        self.print_usage(sys.stderr)
        self.exit(2, self.t("cli.error", message=f"{self.prog}: {message}") + "\n")

    def add_subparsers(self, **kwargs: Any):  # type: ignore[no-untyped-def]
        return super().add_subparsers(parser_class=partial(_Parser, t=self.t), **kwargs)


def _global_options(t: Catalog, default: Any) -> argparse.ArgumentParser:
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument("--data", type=_folder, default=default, metavar=t("cli.metavar.dir"), help=t("cli.help.data"))
    options.add_argument("--lang", choices=sorted(LANGUAGES), default=default, help=t("cli.help.lang"))
    options.add_argument("--counter", default=default, metavar=t("cli.metavar.counter"), help=t("cli.help.counter"))
    return options


def build_parser(t: Catalog) -> argparse.ArgumentParser:
    # A subparser writes its defaults over what the main parser already read, so its copies
    # of the global options have none: `desk --data D user add` keeps D.
    common = _global_options(t, argparse.SUPPRESS)
    parser = _Parser(prog="desk", description=t("cli.description"), parents=[_global_options(t, None)], t=t)
    parser.add_argument("--version", action="version", version=f"desk {__version__}", help=t("cli.help.version"))
    parser.add_argument("--demo", action="store_true", help=t("cli.help.demo"))
    sub = parser.add_subparsers(dest="command", metavar=t("cli.metavar.command"))

    demo_p = sub.add_parser("demo", parents=[common], help=t("cli.help.demo_cmd"), description=t("cli.help.demo_cmd"))
    demo_p.add_argument("--visits", type=int, required=True, metavar="N", help=t("cli.help.visits"))
    demo_p.add_argument("--seed", type=int, metavar="S", help=t("cli.help.seed"))

    user = sub.add_parser("user", parents=[common], help=t("cli.help.user"), description=t("cli.help.user"))
    user_sub = user.add_subparsers(dest="user_command", metavar=t("cli.metavar.command"), required=True)
    add = user_sub.add_parser("add", parents=[common], help=t("cli.help.user_add"), description=t("cli.help.user_add"))
    add.add_argument("name", metavar=t("cli.metavar.name"), help=t("cli.help.user_name"))
    add.add_argument("--role", required=True, choices=[r.value for r in Role], help=t("cli.help.role"))
    add.add_argument("--password-stdin", action="store_true", help=t("cli.help.password_stdin"))
    user_sub.add_parser("list", parents=[common], help=t("cli.help.user_list"), description=t("cli.help.user_list"))
    for verb in ("disable", "enable", "passwd", "role"):
        p = user_sub.add_parser(verb, parents=[common], help=t(f"cli.help.user_{verb}"), description=t(f"cli.help.user_{verb}"))
        p.add_argument("name", metavar=t("cli.metavar.name"), help=t("cli.help.user_name"))
        if verb == "passwd":
            p.add_argument("--password-stdin", action="store_true", help=t("cli.help.password_stdin"))
        if verb == "role":
            p.add_argument("--role", required=True, choices=[r.value for r in Role], help=t("cli.help.role"))

    settings = sub.add_parser("settings", parents=[common], help=t("cli.help.settings"), description=t("cli.help.settings"))
    settings_sub = settings.add_subparsers(dest="settings_command", metavar=t("cli.metavar.command"), required=True)
    settings_sub.add_parser("show", parents=[common], help=t("cli.help.settings_show"))
    set_p = settings_sub.add_parser("set", parents=[common], help=t("cli.help.settings_set"))
    set_p.add_argument("name", choices=sorted((*NUMERIC_SETTINGS, *UNIT_SETTINGS)))
    set_p.add_argument("value")

    cli_data.add_parsers(sub, common, t)
    cli_referral.add_parsers(sub, common, t)
    cli_calendar.add_parsers(sub, common, t)
    cli_life.add_parsers(sub, common, t)
    cli_tally.add_parsers(sub, common, t)
    cli_closeout.add_parsers(sub, common, t)
    cli_ledger.add_parsers(sub, common, t)
    sub.add_parser("display", parents=[common], help=t("cli.help.display"), description=t("cli.help.display"))
    serve = sub.add_parser("serve", parents=[common], help=t("cli.help.serve"), description=t("cli.help.serve"))
    serve.add_argument("--host", default=serving.LOOPBACK, metavar=t("cli.metavar.host"), help=t("cli.help.serve_host"))
    serve.add_argument("--port", type=int, metavar=t("cli.metavar.port"), help=t("cli.help.serve_port"))
    serve.add_argument("--display", action="store_true", help=t("cli.help.serve_display"))
    serve.add_argument("--cert", type=_folder, metavar=t("cli.metavar.file"), help=t("cli.help.serve_cert"))
    serve.add_argument("--key", type=_folder, metavar=t("cli.metavar.file"), help=t("cli.help.serve_key"))
    serve.add_argument("--allow-host", action="append", metavar=t("cli.metavar.host"), help=t("cli.help.serve_allow_host"))

    cat = sub.add_parser("category", parents=[common], help=t("cli.help.category"), description=t("cli.help.category"))
    cat_sub = cat.add_subparsers(dest="category_command", metavar=t("cli.metavar.command"), required=True)
    cat_sub.add_parser("list", parents=[common], help=t("cli.help.category_list"))
    for verb in ("add", "remove"):
        p = cat_sub.add_parser(verb, parents=[common], help=t(f"cli.help.category_{verb}"))
        p.add_argument("name", metavar=t("cli.metavar.name"))
    return parser


def _read_password(t: Catalog, from_stdin: bool, stdin: TextIO) -> str:
    """A strict stdin raises on bytes that are not UTF-8; a lenient one passes them on as
    lone surrogates, which `check_password` refuses with the same kind of message."""
    try:
        if from_stdin:
            return stdin.readline().rstrip("\r\n")
        if not stdin.isatty():
            raise UsageError(t("cli.password.no_tty"))
        first = getpass.getpass(t("cli.password.prompt"))
        if getpass.getpass(t("cli.password.again")) != first:
            raise UsageError(t("cli.password.mismatch"))
        return first
    except UnicodeDecodeError:
        raise UsageError(t("cli.password.encoding")) from None


def counter_name(t: Catalog, given: str | None) -> str:
    """The counter named in every audit entry. It is shown on the audit screen, so it is
    checked like a typed name (it is recorded as given, spaces and all) before anything is written."""
    counter = given or os.environ.get("DESK_COUNTER") or socket.gethostname()
    problem = check_name("counter", counter)
    if problem:
        raise UsageError(t("err.counter", message=t(problem.code, **problem.params)))
    return counter


class _Commands:
    def __init__(self, args: argparse.Namespace, wiring: Wiring, t: Catalog, out: TextIO, stdin: TextIO,
                 err: TextIO = sys.stderr) -> None:
        self.args, self.wiring, self.t, self.out, self.stdin, self.err = args, wiring, t, out, stdin, err
        self.opened: list[Desk] = []
        self._counter = counter_name(t, args.counter)  # checked before anything is written

    def _open(self, data_dir: Path | None = None, *, readonly: bool = False) -> Desk:
        path = data_dir or self.data_dir()
        store = self.wiring.open_store(path, today=self.wiring.clock.today, readonly=readonly)
        audit = Auditor(self.wiring.open_audit(path), self.wiring.clock, self.counter()) if self.wiring.open_audit else None
        desk = Desk(store, self.wiring.clock, self.wiring.open_drafts(path / "drafts"), audit=audit, folder=path)
        self.opened.append(desk)
        return desk

    open_desk = _open

    def data_dir(self) -> Path:
        return Path(self.args.data or default_data_dir())

    def existing_data_dir(self) -> Path:
        """For commands that only read: a folder that is not there is an error, not created."""
        path = self.data_dir()
        if self.wiring.open_audit is None or not path.is_dir():
            raise UsageError(self.t("err.store.no_dir", path=str(path), detail="-"))
        if not self.maintenance().holds_data(path):
            raise UsageError(self.t("err.store.no_hall", path=str(path)))
        return path

    def open_existing(self) -> Desk:
        """For commands that only read: a mistyped --data must not make a new, empty hall
        and answer from it as if it were the real one; nor may a look fold the journal."""
        return self._open(self.existing_data_dir(), readonly=True)

    def counter(self) -> str:
        return self._counter

    def maintenance(self) -> Maintenance:
        if self.wiring.maintenance is None:
            raise UsageError(self.t("err.store.dir", path="-", detail="-"))
        return self.wiring.maintenance

    def stamp(self) -> str:
        return self.wiring.clock.now().strftime("%Y%m%d-%H%M%S")

    @staticmethod
    def usage_error(message: str) -> UsageError:
        return UsageError(message)

    def told_audit_failures(self, desk: Desk | None = None) -> int:
        """An action that was done but not audited is told as both: done, and not audited.
        Each failure is told once; the exit status stays 0 (a retry would do it twice)."""
        for opened in [desk] if desk is not None else self.opened:
            while opened.audit_failures:
                exc = opened.audit_failures.pop(0)
                print(self.t("cli.audit_failed", message=describe(self.t, exc)), file=self.err)
        return 0

    @property
    def me(self) -> Operator:
        return command_line_operator(getpass.getuser())

    def signer(self, desk: Desk, needs_as: str) -> Operator:
        """The operator named with --as, after their password: what a close-out signs, an
        export writes out or an import adds is done by a person whose role allows it, never
        by the command line's administrator. `needs_as` is the catalog key said without --as."""
        name = self.args.signer
        if not name:
            raise UsageError(self.t(needs_as))
        if self.args.password_stdin:
            password = self.stdin.readline().rstrip("\r\n")
        elif self.stdin.isatty():
            password = getpass.getpass(self.t("cli.closeout.password", name=name))
        else:
            raise UsageError(self.t("cli.password.no_tty"))
        return desk.authenticate(name, password)

    def app(self) -> int:
        desk = self._open()
        try:
            desk.referrals.ensure_stations()  # a hall made before stations: the 分流 list is not empty
            return self.wiring.run_app(AppRequest(desk, self.t.lang, notice=self._trail_behind(desk),
                                                  background=partial(self._daily_backup, desk)))
        finally:
            desk.store.close()

    def display(self) -> int:
        """Read-only and without a login: a TV in the waiting area may run it all day."""
        desk = self.open_existing()
        try:
            return self.wiring.run_app(AppRequest(desk, self.t.lang, display=True))
        finally:
            desk.store.close()

    def serve(self) -> int:
        """Every seat's browser gets its own desk process on this PC, over the same data.
        The folder is checked as the desk checks it (a hall, on a local disk, with operators)
        before anything listens: a mistake is told here, not in every browser."""
        args = self.args
        if self.wiring.serve is None:
            raise UsageError(self.t("err.serve.unavailable"))
        if (args.cert is None) != (args.key is None):
            raise UsageError(self.t("err.serve.tls_pair"))
        port = args.port if args.port is not None else (serving.DISPLAY_PORT if args.display else serving.DESK_PORT)
        if not 1 <= port <= 65535:
            raise UsageError(self.t("err.serve.port_range", port=port))
        # Each seat's counter is this one and the seat's address: it must pass as a counter
        # too, or every seat would close at once (the longest address, IPv6, is 45 characters).
        problem = check_name("counter", f"{self.counter()}@{'f' * 45}")
        if problem:
            raise UsageError(self.t("err.counter", message=self.t(problem.code, **problem.params)))
        path = self.existing_data_dir()
        desk = self._open(path)
        try:
            if not args.display and not desk.has_operators():  # the first browser would make the administrator
                raise UsageError(self.t("err.serve.no_operators", path=str(path)))
            current = desk.settings()
        finally:
            desk.store.close()
        auditor = Auditor(self.wiring.open_audit(path), self.wiring.clock, self.counter()) if self.wiring.open_audit else None
        note = serving.ConnectionLog(auditor, self.me, self.t, self.out, self.err)
        return self.wiring.serve(serving.ServeRequest(
            host=args.host, port=port, display=args.display, sessions=current.serve_sessions,
            idle_seconds=0 if args.display else current.serve_idle_minutes * 60, cert=args.cert, key=args.key,
            t=self.t, seat_args=partial(serving.seat_args, path.absolute(), self.t.lang, self.counter(), args.display),
            note=note, out=self.out, allowed_hosts=tuple(n.lower() for n in args.allow_host or ())))

    def _trail_behind(self, desk: Desk) -> str:
        """The store opens, but a trail cut back or replaced is told at the login, not absorbed."""
        behind = getattr(desk.store, "trail_behind", None)
        if not behind:
            return ""
        return self.t("check.trail_behind", found=behind[0], expected=behind[1]) + self.t("notice.run_check")

    def _daily_backup(self, desk: Desk) -> str:
        """The first start of a day keeps a backup; a failure is told, and does not stop the desk."""
        if self.wiring.maintenance is None:
            return ""
        try:
            made = self.wiring.maintenance.daily(desk.store, self.wiring.clock.today().isoformat(),
                                                 desk.settings().backup_keep)
        except StoreError as exc:
            return self.t("backup.daily_failed", message=describe(self.t, exc))
        if made is not None:
            desk.note_maintenance(self.me, "backup", str(made))
        return ""

    def demo_app(self) -> int:
        import tempfile

        with tempfile.TemporaryDirectory(prefix="desk-demo-") as folder:
            desk = self._open(Path(folder) / "data")
            try:
                demo.populate(desk.store, 400, self.wiring.clock.now(), seed=None, days=120)
                login = self.t("cli.demo.login", password=demo.DEMO_PASSWORD)
                print(login, file=self.out)
                return self.wiring.run_app(AppRequest(desk, self.t.lang, notice=login))
            finally:
                desk.store.close()

    def demo(self) -> int:
        if self.args.visits < 1:
            raise UsageError(self.t("cli.demo.visits"))
        desk = self._open()
        try:
            started = time.perf_counter()
            matters = demo.populate(desk.store, self.args.visits, self.wiring.clock.now(), seed=self.args.seed)
            seconds = time.perf_counter() - started
            print(self.t("cli.demo.done", visits=self.args.visits, matters=matters, seconds=f"{seconds:.1f}"), file=self.out)
            for operator in desk.operators():
                print(f"  {operator.name}  ({self.t('role.' + operator.role.value)})", file=self.out)
            print(self.t("cli.demo.password", password=demo.DEMO_PASSWORD), file=self.out)
            return 0
        finally:
            desk.store.close()

    def user_add(self) -> int:
        password = _read_password(self.t, self.args.password_stdin, self.stdin)
        desk = self._open()
        try:
            operator = desk.add_operator(self.args.name, self.args.role, password, by=self.me)
        finally:
            desk.store.close()
        print(self.t("cli.user.added", name=operator.name, role=self.t("role." + operator.role.value)), file=self.out)
        return 0

    def category(self) -> int:
        """The category list is hall data: a hall may add its own groups beside the eight."""
        desk = self.open_existing() if self.args.category_command == "list" else self._open()
        try:
            verb, name = self.args.category_command, getattr(self.args, "name", "")
            if verb != "list":
                code = desk.change_categories(self.me, **{verb: name})
                done = "cli.category.added" if verb == "add" else "cli.category.removed"
                print(self.t(done, name=self.t.label("category", code)), file=self.out)
            for code in desk.settings().categories:
                print(f"{code}\t{self.t.label('category', code)}", file=self.out)
        finally:
            desk.store.close()
        return 0

    def settings(self) -> int:
        desk = self.open_existing() if self.args.settings_command == "show" else self._open()
        try:
            if self.args.settings_command == "set":
                desk.set_setting(self.args.name, self.args.value, self.me)
            current = desk.settings()
            for name in NUMERIC_SETTINGS:
                print(f"{name}\t{getattr(current, name)}\t{self.t('setting.' + name)}", file=self.out)
                limit = name.removesuffix("_days")
                if limit in LIMITS:  # each time limit with the unit its days are counted in
                    unit = getattr(current, f"{limit}_unit").value
                    print(f"{limit}_unit\t{unit}\t{self.t('day_unit.' + unit)}", file=self.out)
        finally:
            desk.store.close()
        return 0

    def user_change(self) -> int:
        verb, name = self.args.user_command, self.args.name
        password = _read_password(self.t, self.args.password_stdin, self.stdin) if verb == "passwd" else ""
        desk = self._open()
        try:
            if verb == "passwd":
                desk.reset_password(name, password, self.me)
            elif verb == "role":
                desk.set_role(name, self.args.role, self.me)
            else:
                desk.set_active(name, verb == "enable", self.me)
        finally:
            desk.store.close()
        role = self.t(f"role.{self.args.role}") if verb == "role" else ""
        print(self.t(f"cli.user.{verb}", name=name, role=role), file=self.out)
        return 0

    def user_list(self) -> int:
        desk = self.open_existing()
        try:
            for op in desk.operators():
                state = self.t("operator.active" if op.active else "operator.disabled")
                print(f"{op.name}\t{op.role.value}\t{self.t('role.' + op.role.value)}\t{state}", file=self.out)
        finally:
            desk.store.close()
        return 0


def _run(argv: list[str], wiring: Wiring, out: TextIO, err: TextIO, stdin: TextIO) -> int:
    t = catalog(_lang_from(argv))
    args = build_parser(t).parse_args(argv)
    commands: _Commands | None = None
    try:
        commands = _Commands(args, wiring, t, out, stdin, err)
        code = _dispatch(args, commands)
        out.flush()
        return code
    except (UsageError, FormErrors, DeskError, StoreError) as exc:
        print(t("cli.error", message=describe(t, exc)), file=err)
        return 1
    except BrokenPipeError:
        raise
    except OSError as exc:  # a path the system refuses (too long, a device ...): said, not a traceback
        path = str(exc.filename or "")
        path = path if len(path) <= 80 else path[:77] + "..."
        print(t("cli.error", message=t("err.file", path=path, detail=exc.strerror or str(exc))), file=err)
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        if commands is not None:
            commands.told_audit_failures()


def _dispatch(args: argparse.Namespace, commands: _Commands) -> int:
    if args.command == "demo":
        return commands.demo()
    if args.command == "user":
        run = {"add": commands.user_add, "list": commands.user_list}.get(args.user_command, commands.user_change)
        return run()
    if args.command == "settings":
        return commands.settings()
    if args.command in cli_data.COMMANDS:
        return cli_data.run(commands)
    if args.command in cli_referral.COMMANDS:
        return cli_referral.run(commands)
    if args.command in cli_calendar.COMMANDS:
        return cli_calendar.run(commands)
    if args.command in cli_life.COMMANDS:
        return cli_life.run(commands)
    if args.command in cli_tally.COMMANDS:
        return cli_tally.run(commands)
    if args.command in cli_closeout.COMMANDS:
        return cli_closeout.run(commands)
    if args.command in cli_ledger.COMMANDS:
        return cli_ledger.run(commands)
    if args.command == "category":
        return commands.category()
    if args.command == "display":
        return commands.display()
    if args.command == "serve":
        return commands.serve()
    return commands.demo_app() if args.demo else commands.app()


def _discard_output(*streams: TextIO) -> None:
    """After a broken pipe, point stdout at devnull so that Python's own flush at exit does
    not fail again with a traceback (the recipe in the `signal` module's documentation)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        for stream in streams:
            try:
                os.dup2(devnull, stream.fileno())
            except (AttributeError, OSError, ValueError):
                pass  # an in-memory stream in a test has no descriptor to redirect
    finally:
        os.close(devnull)


def main(argv: list[str] | None = None, *, wiring: Wiring, out: TextIO = sys.stdout,
         err: TextIO = sys.stderr, stdin: TextIO = sys.stdin) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        return _run(argv, wiring, out, err, stdin)
    except BrokenPipeError:  # `desk user list | head -1`: the reader has all it wanted
        _discard_output(out, sys.stdout)
        return 1
