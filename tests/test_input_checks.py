"""Input that must be refused, naming the field and the reason, and mistakes that must be
told in a sentence rather than a traceback."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from desk import demo
from desk.cli import main
from desk.errors import DeskError, FormErrors
from desk.i18n import catalog, describe
from desk.store import StoreError
from desk.text import check_name, check_text
from storage import open_store
from storage.locks import ProcessLock, held
from tests.test_cli import ROOT, Run, pinned_today

INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u2028", "\u2029",
             "\u115f", "\u1160", "\u3164", "\uffa0", "\u2800"]
ODD_SPACES = ["\u00a0", "\u3000", "\u2003", "\u202f"]


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("DESK_DATA", str(tmp_path / "default"))  # a mistake must not reach a real hall
    return Run(tmp_path)


def _audit(data: Path) -> list[dict]:
    path = data / "audit.log"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


# -- check_text ---------------------------------------------------------------------------


@pytest.mark.parametrize("char", INVISIBLE)
@pytest.mark.parametrize("field", ["name", "representatives.2.name", "category", "summary", "password"])
def test_invisible_characters_are_refused_in_every_field(field, char):
    problem = check_text(field, f"clerk{char}")
    assert problem is not None and problem.field == field
    assert f"U+{ord(char):04X}" in describe(catalog("en"), FormErrors([problem]))


@pytest.mark.parametrize("char, code", [("\udcff", "err.text.encoding"), ("\ue000", "err.text.unknown_char"),
                                        ("\U000f0000", "err.text.unknown_char"), ("\u0378", "err.text.unknown_char")])
def test_broken_private_and_unassigned_characters_are_refused(char, code):
    problem = check_text("summary", f"a{char}b")
    assert (problem.code, problem.params) == (code, {"char": f"U+{ord(char):04X}"})


@pytest.mark.parametrize("char", ODD_SPACES)
@pytest.mark.parametrize("field", ["name", "representatives.3.name", "category"])
def test_a_name_takes_only_a_plain_space(field, char):
    problem = check_text(field, f"Li{char}Na")
    assert problem is not None and problem.code == "err.text.space"
    assert f"U+{ord(char):04X}" in catalog("zh")(problem.code, **problem.params)


@pytest.mark.parametrize("value", ["Li Na", "阿依古丽·买买提", "张三", "O'Brien-Smith"])
def test_ordinary_names_pass(value):
    assert check_text("name", value) is None


def test_a_summary_keeps_its_line_breaks_and_wide_spaces():
    assert check_text("summary", "第一行\n\u3000\u3000第二行\t完") is None


def test_each_refusal_names_the_character_in_both_languages():
    for char in ("\x1b", "\u202e", "\u200b", "\udcff", "\ue000", "\u3000"):
        problem = check_text("name", f"a{char}")
        for lang in ("zh", "en"):
            assert f"U+{ord(char):04X}" in catalog(lang)(problem.code, **problem.params)


# -- operators ----------------------------------------------------------------------------


def test_an_operator_name_with_a_zero_width_space_is_refused(desk, admin):
    with pytest.raises(FormErrors) as caught:
        desk.add_operator("clerk\u200b", "receptionist", "secret123", by=admin)
    [problem] = caught.value.errors
    assert problem.field == "name" and problem.params == {"char": "U+200B"}
    assert [o.name for o in desk.operators()] == ["管理员"]


@pytest.mark.parametrize("password", [" " * 8, " " * 12, "\t" * 9, "\u3000" * 8])
def test_a_password_of_only_blanks_is_refused(desk, admin, password):
    with pytest.raises(FormErrors) as caught:
        desk.add_operator("clerk", "receptionist", password, by=admin)
    assert [e.field for e in caught.value.errors] == ["password"]
    with pytest.raises(FormErrors):
        desk.reset_password("管理员", password, admin)


def test_cli_names_the_field_and_the_character(run):
    code, out, err = run("user", "add", "clerk\u200b", "--role", "station", "--password-stdin",
                         "--data", str(run.data), stdin="secret123\n")
    assert (code, out) == (1, "") and "姓名" in err and "U+200B" in err


def test_a_password_of_spaces_is_refused_on_the_command_line(run):
    code, _, err = run("user", "add", "clerk", "--role", "station", "--password-stdin",
                       "--data", str(run.data), stdin=" " * 10 + "\n")
    assert code == 1 and "密码" in err and "Traceback" not in err


# -- non-UTF-8 passwords --------------------------------------------------------------------


def _lenient_stdin(raw: bytes) -> io.TextIOWrapper:
    """What a POSIX-locale or UTF-8-mode Python gives as stdin: bad bytes become lone surrogates."""
    return io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8", errors="surrogateescape")


@pytest.mark.parametrize("verb", ["add", "passwd"])
def test_a_password_that_is_not_utf8_is_refused_with_a_message(run, verb):
    run("user", "add", "clerk", "--role", "station", "--password-stdin", "--data", str(run.data),
        stdin="secret123\n")
    args = ["user", verb, "clerk", "--password-stdin", "--data", str(run.data)]
    if verb == "add":
        args[2:3] = ["other", "--role", "station"]
    out, err = io.StringIO(), io.StringIO()
    code = main(args, wiring=run.wiring, out=out, err=err, stdin=_lenient_stdin(b"\xff\xfesecret123\n"))
    assert code == 1 and "密码" in err.getvalue() and "U+DCFF" in err.getvalue()


def test_a_stdin_that_cannot_decode_is_told_not_raised(run):
    class Undecodable(io.StringIO):
        def readline(self, *args):
            raise UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte")

    out, err = io.StringIO(), io.StringIO()
    code = main(["user", "add", "x", "--role", "station", "--password-stdin", "--data", str(run.data)],
                wiring=run.wiring, out=out, err=err, stdin=Undecodable())
    assert code == 1 and "UTF-8" in err.getvalue()


def test_a_non_utf8_password_through_the_real_launcher(tmp_path):
    result = subprocess.run(
        [sys.executable, "desk.py", "user", "add", "x", "--role", "admin", "--password-stdin", "--data", str(tmp_path)],
        cwd=ROOT, input=b"\xff\xfesecret123\n", capture_output=True, env={**os.environ, "LC_ALL": "C"},
    )
    err = result.stderr.decode("utf-8", errors="replace")
    assert result.returncode == 1 and "Traceback" not in err and "U+DC" in err


def test_passwords_never_raise_on_a_lone_surrogate():
    from desk.passwords import hash_password, verify_password

    assert verify_password("\udcff" * 8, hash_password("secret123")) is False


# -- categories ---------------------------------------------------------------------------


def test_a_category_with_an_escape_sequence_is_refused_naming_the_field(run):
    code, out, err = run("category", "add", "\x1b[2Jx", "--data", str(run.data))
    assert (code, out) == (1, "") and "问题类别" in err and "U+001B" in err and "\x1b" not in err


def test_the_services_name_the_category_field(desk, admin):
    with pytest.raises(FormErrors) as caught:
        desk.change_categories(admin, add="water\u200b")
    assert [(e.field, e.params) for e in caught.value.errors] == [("category", {"char": "U+200B"})]


@pytest.mark.parametrize("verb", ["add", "remove"])
@pytest.mark.parametrize("name", ["", "   ", "\u3000"])
def test_a_blank_category_name_is_refused_and_leaves_no_trace(run, verb, name):
    data = ["--data", str(run.data)]
    run("category", "list", *data)
    before = _audit(run.data)
    code, out, err = run("category", verb, name, *data)
    assert (code, out) == (1, "") and "必须填写" in err
    assert _audit(run.data) == before


def test_a_blank_category_is_refused_by_the_services(desk, admin):
    for change in ({"add": " "}, {"remove": ""}, {}):
        with pytest.raises(FormErrors) as caught:
            desk.change_categories(admin, **change)
        assert [(e.field, e.code) for e in caught.value.errors] == [("category", "err.required")]
    assert desk.audit.entries()[-1].action == "operator_add"


# -- settings -----------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["٣", "1_0", "+7", " 7", "7 ", "３", "-0", "0x7", ""])
def test_a_setting_takes_only_ascii_digits(run, value):
    data = ["--data", str(run.data)]
    code, _, err = run("settings", "set", "yellow_days", value, *data)
    assert code == 1 and "yellow_days" in err
    assert "yellow_days\t3\t" in run("settings", "show", *data)[1]


def test_a_setting_in_range_is_taken(run):
    data = ["--data", str(run.data)]
    assert run("settings", "set", "yellow_days", "07", *data)[0] == 0
    assert "yellow_days\t7\t" in run("settings", "show", *data)[1]


# -- the counter name ---------------------------------------------------------------------

TITLE = "\x1b]0;pwned\x07"  # sets the terminal's title when shown


def test_a_counter_with_control_characters_is_refused_before_anything_is_written(run):
    code, out, err = run("category", "add", "water", "--counter", f"w1{TITLE}", "--data", str(run.data))
    assert (code, out) == (1, "") and "--counter" in err and "U+001B" in err and "\x1b" not in err
    assert not run.data.exists()


def test_the_counter_from_the_environment_is_checked_too(run, monkeypatch):
    monkeypatch.setenv("DESK_COUNTER", "w\u200b1")
    code, _, err = run("category", "add", "water", "--data", str(run.data))
    assert code == 1 and "--counter" in err and "U+200B" in err
    assert not run.data.exists()


def test_a_host_name_that_is_no_fit_name_is_refused(run, monkeypatch):
    monkeypatch.delenv("DESK_COUNTER", raising=False)
    monkeypatch.setattr("socket.gethostname", lambda: f"pc{TITLE}")
    code, _, err = run("user", "list", "--data", str(run.data))
    assert code == 1 and "--counter" in err and "U+001B" in err


def test_a_plain_counter_name_is_recorded(run):
    assert run("category", "add", "water", "--counter", "窗口 3", "--data", str(run.data))[0] == 0
    assert _audit(run.data)[-1]["counter"] == "窗口 3"


# -- the last active administrator -----------------------------------------------------------


def test_the_only_active_admin_cannot_be_disabled(desk, admin, operator):
    with pytest.raises(DeskError) as caught:
        desk.set_active("管理员", False, admin)
    assert caught.value.code == "err.operator.last_admin"
    assert [o.active for o in desk.operators()] == [True, True]
    desk.set_active("王芳", False, admin)  # anyone else may be


def test_with_a_second_admin_one_may_be_disabled_but_not_both(desk, admin):
    desk.add_operator("备用管理员", "admin", "admin-pass2", by=admin)
    desk.set_active("管理员", False, admin)
    with pytest.raises(DeskError):
        desk.set_active("备用管理员", False, admin)
    desk.set_active("管理员", True, admin)


def test_a_role_is_changed_and_audited(desk, admin, operator):
    changed = desk.set_role("王芳", "leader", admin)
    assert changed.role.value == "leader"
    entry = desk.audit.entries()[-1]
    assert (entry.action, entry.target, entry.detail["role"]) == ("operator_role", "王芳", "leader")


def test_the_only_active_admin_cannot_be_demoted(desk, admin):
    with pytest.raises(DeskError) as caught:
        desk.set_role("管理员", "supervisor", admin)
    assert caught.value.code == "err.operator.last_admin"
    assert desk.operators()[0].role.value == "admin"


def test_a_role_change_needs_the_permission_and_a_real_role(desk, admin, operator):
    with pytest.raises(DeskError):
        desk.set_role("王芳", "admin", operator)  # a receptionist may not promote herself
    with pytest.raises(FormErrors):
        desk.set_role("王芳", "wizard", admin)


def test_the_command_line_changes_a_role_and_shows_the_refusal(run):
    data = ["--data", str(run.data)]
    run("user", "add", "boss", "--role", "admin", "--password-stdin", *data, stdin="secret123\n")
    run("user", "add", "clerk", "--role", "receptionist", "--password-stdin", *data, stdin="secret123\n")
    code, out, _ = run("user", "role", "clerk", "--role", "leader", *data)
    assert code == 0 and "clerk" in out and "值班领导" in out
    assert "clerk\tleader\t" in run("user", "list", *data)[1]
    code, _, err = run("user", "role", "boss", "--role", "station", *data)
    assert code == 1 and "唯一" in err
    code, _, err = run("user", "disable", "boss", *data)
    assert code == 1 and "唯一" in err


# -- mistakes told in a sentence ------------------------------------------------------------


def test_demo_on_a_hall_with_nobody_who_registers_is_refused(run):
    data = ["--data", str(run.data)]
    run("user", "add", "boss", "--role", "admin", "--password-stdin", *data, stdin="secret123\n")
    code, out, err = run("demo", "--visits", "5", *data)
    assert code == 1 and "Traceback" not in err and "登记" in err
    assert [o.split("\t")[0] for o in run("user", "list", *data)[1].splitlines()] == ["boss"]
    store = open_store(run.data, today=pinned_today)
    try:
        assert list(store.scan("visits")) == []
    finally:
        store.close()


def test_demo_refuses_before_writing_when_no_active_operator_registers(desk, admin, operator, clock):
    desk.set_active("王芳", False, admin)
    with pytest.raises(DeskError) as caught:
        demo.populate(desk.store, 3, clock.now(), seed=1)
    assert caught.value.code == "err.demo.no_clerk"
    assert list(desk.store.scan("visits")) == []


def test_a_lock_file_that_cannot_be_made_is_a_store_error(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    for path in (blocker / "desk.lock", tmp_path / "missing" / "desk.lock"):
        lock = ProcessLock(path, timeout=0.1)
        with pytest.raises(StoreError) as caught:
            with held(lock, path.parent):
                pass
        assert caught.value.code == "err.store.dir" and caught.value.params["path"] == str(path.parent)


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_a_lock_in_proc_is_a_store_error():
    with pytest.raises(StoreError) as caught:
        ProcessLock(Path("/proc/desk.lock"), timeout=0.1).acquire()
    assert caught.value.code == "err.store.dir"


def test_a_data_folder_whose_lock_cannot_be_opened_is_told(run):
    (run.data / "desk.lock").mkdir(parents=True)
    code, out, err = run("user", "list", "--data", str(run.data))
    assert (code, out) == (1, "") and str(run.data) in err


def _piped_into_nothing(*args: str) -> subprocess.CompletedProcess:
    """Like `desk ... | head -0`: the reader is gone before the first line is written."""
    proc = subprocess.Popen([sys.executable, "desk.py", *args], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    proc.stdout.close()
    err = proc.stderr.read().decode("utf-8", errors="replace")
    proc.stderr.close()
    return subprocess.CompletedProcess(args, proc.wait(), "", err)


@pytest.mark.parametrize("args", [("user", "list"), ("category", "list"), ("settings", "show")])
def test_output_into_a_closed_pipe_ends_quietly_with_a_failure_status(tmp_path, args):
    data = str(tmp_path / "data")
    subprocess.run([sys.executable, "desk.py", "user", "add", "boss", "--role", "admin", "--password-stdin",
                    "--data", data], cwd=ROOT, input=b"secret123\n", check=True, capture_output=True)
    result = _piped_into_nothing(*args, "--data", data)
    assert result.returncode != 0 and result.stderr == ""


# -- the operators screen ---------------------------------------------------------------------


async def test_the_operators_screen_changes_a_role_and_shows_the_last_admin_refusal(desk, admin, operator):
    from screens.role import RoleModal
    from tests.pilot import make_app

    app = make_app(desk, logged_in="管理员")
    async with app.run_test(size=(100, 34)) as pilot:
        app.action_operators()
        await pilot.pause()
        await pilot.press("r")  # on 管理员, the only administrator: refused before the question
        await pilot.pause()
        assert not isinstance(app.screen, RoleModal)
        assert any("唯一在用的管理员" in str(n.message) for n in app._notifications)
        assert app.screen.rows[0].role.value == "admin"
        await pilot.press("d", "y")
        await pilot.pause()
        assert app.screen.rows[0].active
        await pilot.press("down", "r")
        await pilot.pause()
        await pilot.press("down", "down", "enter")  # from receptionist down to leader
        await pilot.pause()
        assert app.screen.rows[1].role.value == "leader"
    assert desk.audit.entries()[-1].action == "operator_role"


def test_a_message_parameter_may_have_any_name():
    t = catalog("en")
    assert t("cli.error", message="m", key="k") == "desk: error: m"
    assert describe(t, DeskError("err.operator.unknown", name="x", key="k")) == "no operator named x"


# -- look-alikes: two names that look the same must be the same ----------------------------

SILENT_MARKS = ["\ufe00", "\ufe0f", "\U000e0100", "\U000e01ef", "\u034f", "\u17b4", "\u17b5", "\u180b", "\u180f"]


@pytest.mark.parametrize("char", SILENT_MARKS)
@pytest.mark.parametrize("field", ["name", "representatives.2.name", "category", "counter", "summary", "password"])
def test_marks_that_render_nothing_are_refused_like_other_invisible_characters(field, char):
    problem = check_text(field, f"张{char}三")
    assert (problem.field, problem.code, problem.params) == (field, "err.text.invisible", {"char": f"U+{ord(char):04X}"})


@pytest.mark.parametrize("value, char, normal", [
    ("张\uf9dc", "U+F9DC \uf9dc", "U+9686 隆"),  # a CJK compatibility ideograph
    ("\u2f08三", "U+2F08 \u2f08", "U+4EBA 人"),  # a Kangxi radical
    ("Ｌｉ Na", "U+FF2C Ｌ", "U+004C L"),  # full-width Latin
    ("ﬁn", "U+FB01 ﬁ", "U+0066 U+0069 fi"),
])
@pytest.mark.parametrize("field", ["name", "representatives.4.name", "category", "counter"])
def test_a_name_in_a_compatibility_form_is_refused_saying_what_it_normally_is(field, value, char, normal):
    problem = check_text(field, value)
    assert (problem.field, problem.code, problem.params) == (field, "err.text.compat", {"char": char, "normal": normal})
    for lang in ("zh", "en"):
        message = catalog(lang)(problem.code, **problem.params)
        assert char in message and normal in message


def test_compatibility_forms_stay_allowed_in_free_text():
    assert check_text("summary", "Ｌｉ说⼈口隆起") is None


@pytest.mark.parametrize("value, code", [("李  娜", "err.text.spaces"), (" 李娜", "err.text.edge_space"),
                                         ("李娜 ", "err.text.edge_space")])
@pytest.mark.parametrize("field", ["name", "category", "counter"])
def test_a_name_has_single_spaces_between_words_only(field, value, code):
    problem = check_name(field, value)
    assert (problem.field, problem.code) == (field, code)


@pytest.mark.parametrize("value", ["Li Na", "阿依古丽·买买提", "张三", "O'Brien-Smith", "窗口 3"])
def test_ordinary_names_pass_the_name_checks(value):
    assert check_name("name", value) is None


def test_a_visitor_or_representative_name_that_looks_like_another_is_refused(desk, operator):
    from desk.registration import PersonForm
    from tests.conftest import form

    with pytest.raises(FormErrors) as caught:
        desk.register(form(name="张\uf9dc", persons="6", representatives=(PersonForm("王  五"),)), operator)
    assert {e.field: e.code for e in caught.value.errors} == {
        "name": "err.text.compat", "representatives.2.name": "err.text.spaces"}


@pytest.mark.parametrize("name, char", [("\u0430dmin", "U+0430"), ("\u0391lice", "U+0391"), ("王\u0661", "U+0661")])
def test_an_operator_name_takes_only_chinese_characters_and_ascii(desk, admin, name, char):
    with pytest.raises(FormErrors) as caught:
        desk.add_operator(name, "receptionist", "secret123", by=admin)
    [problem] = caught.value.errors
    assert (problem.field, problem.code, problem.params["char"]) == ("name", "err.operator.letters", char)
    assert char in describe(catalog("zh"), caught.value)
    assert [o.name for o in desk.operators()] == ["管理员"]


@pytest.mark.parametrize("name", ["clerk2", "王芳", "阿依古丽·买买提", "O'Brien", "Li Na"])
def test_ordinary_operator_names_are_taken(desk, admin, name):
    assert desk.add_operator(name, "receptionist", "secret123", by=admin).name == name


def test_an_operator_name_differing_only_in_case_is_already_there(desk, admin):
    desk.add_operator("admin", "admin", "secret123", by=admin)
    with pytest.raises(FormErrors) as caught:
        desk.add_operator("Admin", "receptionist", "secret123", by=admin)
    assert [(e.field, e.code, e.params) for e in caught.value.errors] == [
        ("name", "err.operator.exists", {"name": "admin"})]


@pytest.mark.parametrize("name", ["医疗", "土地", "medical", "Forest Land", " 林地 ", "LAND"])
def test_a_category_named_like_a_builtin_one_is_already_there(desk, admin, name):
    with pytest.raises(DeskError) as caught:
        desk.change_categories(admin, add=name)
    assert caught.value.code == "err.category.exists"
    assert len(desk.settings().categories) == 8


def test_a_category_differing_only_in_case_is_already_there(desk, admin):
    desk.change_categories(admin, add="Water")
    with pytest.raises(DeskError) as caught:
        desk.change_categories(admin, add="water")
    assert (caught.value.code, caught.value.params) == ("err.category.exists", {"name": "water"})


def test_a_removed_builtin_comes_back_under_its_code_when_added_by_its_label(desk, admin):
    assert desk.change_categories(admin, remove="医疗") == "medical"
    assert "medical" not in desk.settings().categories
    assert desk.change_categories(admin, add="医疗") == "medical"
    assert desk.settings().categories[-1] == "medical"


def test_a_category_is_removed_by_the_label_the_list_shows_and_confirmed(run):
    data = ["--data", str(run.data)]
    code, out, err = run("category", "remove", "林地", *data)
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == "已删除问题类别 林地"
    assert "forest_land" not in out
    code, out, _ = run("category", "add", "水利", *data)
    assert code == 0 and out.splitlines()[0] == "已添加问题类别 水利"
    code, out, _ = run("--lang", "en", "category", "add", "forest land", *data)
    assert code == 0 and out.splitlines()[0] == "category forest land added"


def test_the_audit_entry_names_the_category_and_the_setting(desk, admin):
    desk.change_categories(admin, remove="林地")
    entry = desk.audit.entries()[-1]
    assert (entry.action, entry.target, entry.detail["remove"]) == ("settings", "forest_land", "forest_land")
    desk.change_categories(admin, add="水利")
    assert (desk.audit.entries()[-1].target, desk.audit.entries()[-1].detail["add"]) == ("水利", "水利")
    desk.set_number("yellow_days", "4", admin)
    entry = desk.audit.entries()[-1]
    assert (entry.target, entry.detail["yellow_days"]) == ("yellow_days", 4)


@pytest.mark.parametrize("counter, char", [("窗口\u30003", "U+3000"), ("窗口3\ufe0f", "U+FE0F"), ("窗口３", "U+FF13")])
def test_a_counter_name_is_checked_like_a_name(run, counter, char):
    code, out, err = run("category", "list", "--counter", counter, "--data", str(run.data))
    assert (code, out) == (1, "") and "--counter" in err and char in err
    assert not run.data.exists()


def test_a_counter_name_with_spaces_around_it_is_refused(run):
    code, _, err = run("category", "list", "--counter", " 窗口3", "--data", str(run.data))
    assert code == 1 and "--counter" in err
