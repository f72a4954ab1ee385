import io
import subprocess
import sys
from pathlib import Path

import pytest

from desk.cli import AppRequest, Wiring, main
from desk.clock import fixed
from desk.idcard import parse_id_number
from storage import FileAuditLog, FileDraftBox, maintenance, open_store
from tests.conftest import PINNED

ROOT = Path(__file__).resolve().parent.parent
pinned_today = fixed(PINNED).today  # never the wall clock: a test must mean the same in 2028


class Run:
    def __init__(self, tmp_path: Path) -> None:
        self.requests: list[AppRequest] = []
        self.told: list[str] = []
        self.served: list = []  # `desk serve`: what the web server would have been asked
        self.wiring = Wiring(open_store, FileDraftBox, self._run_app, fixed(PINNED), FileAuditLog, maintenance,
                             serve=self._serve)
        self.data = tmp_path / "data"

    def _run_app(self, request: AppRequest) -> int:
        """As the app does: the background work runs once the screen would be up; what it
        has to tell is kept beside the request."""
        self.requests.append(request)
        self.told.append(request.background() if request.background else "")
        return 0

    def _serve(self, request) -> int:
        self.served.append(request)
        return 0

    def __call__(self, *argv: str, stdin: str = "") -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        code = main(list(argv), wiring=self.wiring, out=out, err=err, stdin=io.StringIO(stdin))
        return code, out.getvalue(), err.getvalue()


@pytest.fixture
def run(tmp_path):
    return Run(tmp_path)


def test_user_add_and_list(run):
    code, out, err = run("user", "add", "王芳", "--role", "receptionist", "--password-stdin", "--data", str(run.data), stdin="secret123\n")
    assert (code, err) == (0, "") and "王芳" in out
    code, out, _ = run("user", "list", "--data", str(run.data))
    assert code == 0 and out.splitlines() == ["王芳\treceptionist\t接待员\t在用"]


def test_errors_go_to_stderr_with_a_reason_and_a_nonzero_status(run):
    code, out, err = run("user", "add", "王芳", "--role", "receptionist", "--password-stdin", "--data", str(run.data), stdin="short\n")
    assert code == 1 and out == ""
    assert err.startswith("desk：错误：") and "密码" in err and "8" in err
    code, _, err = run("--lang", "en", "user", "add", "x", "--role", "admin", "--data", str(run.data))
    assert code == 1 and "--password-stdin" in err  # no terminal to type a password in


def test_a_second_desk_on_the_same_data_directory_sees_the_same_records(run):
    held = open_store(run.data, today=pinned_today)
    try:
        code, _, err = run("user", "add", "王芳", "--role", "receptionist", "--password-stdin",
                           "--data", str(run.data), stdin="secret123\n")
        assert code == 0, err
        held.refresh()
        assert [d["name"] for d in held.scan("operators")] == ["王芳"]
    finally:
        held.close()


def test_demo_fills_a_hall_with_realistic_visits(run):
    code, out, err = run("demo", "--data", str(run.data), "--visits", "300", "--seed", "5")
    assert code == 0, err
    store = open_store(run.data, today=pinned_today)
    try:
        visits = list(store.scan("visits"))
        visitors = list(store.scan("visitors"))
        matters = list(store.scan("matters"))
    finally:
        store.close()
    assert len(visits) == 300
    assert {v["kind"] for v in visits} == {"first", "repeat"}
    assert any(v["persons"] >= 5 for v in visits)
    assert {m["track"] for m in matters} == {"simple", "general", "complex"}
    assert len({m["category"] for m in matters}) == 8
    for visitor in visitors:
        if visitor["id_number"]:
            parse_id_number(visitor["id_number"])  # every number has a valid check digit
    assert all("\u4e00" <= v["name"][0] <= "\u9fff" for v in visitors)
    assert len({m["number"] for m in matters}) == len(matters)


def test_demo_is_repeatable_with_a_seed(tmp_path):
    def hall(name):
        r = Run(tmp_path / name)
        r("demo", "--data", str(r.data), "--visits", "50", "--seed", "9")
        s = open_store(r.data, today=pinned_today)
        try:
            return [(m["number"], m["summary"]) for m in s.scan("matters")]
        finally:
            s.close()

    assert hall("a") == hall("b")


def test_demo_mode_opens_a_throwaway_hall_and_prints_the_login(run):
    code, out, _ = run("--demo")
    assert code == 0 and "demo1234" in out
    [request] = run.requests
    assert "demo1234" in request.notice
    assert not request.desk.store.data_dir.exists()  # thrown away on exit


def test_app_uses_the_data_directory_from_the_environment(run, monkeypatch):
    monkeypatch.setenv("DESK_DATA", str(run.data))
    assert run("--lang", "en")[0] == 0
    assert run.requests[0].lang == "en" and run.requests[0].desk.store.data_dir == run.data


@pytest.mark.parametrize("launcher", [["desk.py"], ["-m", "launch"]])
def test_the_launcher_and_the_command_behave_the_same(launcher, tmp_path):
    script = Path(sys.executable).with_name("desk")
    argv = [["--version"], ["user", "list", "--data", str(tmp_path / "d")], ["--help"], ["user", "add", "--help"]]
    for args in argv:
        via_file = subprocess.run([sys.executable, *launcher, *args], cwd=ROOT, capture_output=True, text=True)
        via_command = subprocess.run([str(script), *args], cwd=ROOT, capture_output=True, text=True)
        assert (via_file.returncode, via_file.stdout, via_file.stderr) == \
            (via_command.returncode, via_command.stdout, via_command.stderr)
        assert via_file.returncode == (1 if "list" in args else 0)  # no hall there: said, not made


def test_help_is_translated():
    out = subprocess.run([sys.executable, "desk.py", "--lang", "en", "--help"], cwd=ROOT, capture_output=True, text=True)
    assert "demo hall" in out.stdout
    out = subprocess.run([sys.executable, "desk.py", "--help"], cwd=ROOT, capture_output=True, text=True)
    assert "演示大厅" in out.stdout


def test_categories_are_configurable(run):
    data = ["--data", str(run.data)]
    code, out, _ = run("category", "add", "水利", *data)
    assert code == 0 and out.splitlines()[-1] == "水利\t水利"
    assert out.splitlines()[:2] == ["已添加问题类别 水利", "land\t土地"]
    code, _, err = run("category", "add", "水利", *data)
    assert code == 1 and "已有问题类别 水利" in err
    code, out, _ = run("category", "remove", "水利", *data)
    assert code == 0 and out.splitlines()[0] == "已删除问题类别 水利" and "水利" not in "".join(out.splitlines()[1:])
    code, _, err = run("category", "remove", "不存在", *data)
    assert code == 1 and "没有问题类别" in err


def test_user_disable_enable_passwd_and_audit_verify(run):
    data = ["--data", str(run.data)]
    run("user", "add", "王芳", "--role", "receptionist", "--password-stdin", *data, stdin="secret123\n")
    assert run("user", "disable", "王芳", *data)[0] == 0
    assert run("user", "list", *data)[1].split("\t")[-1].strip() == "已停用"
    assert run("user", "enable", "王芳", *data)[0] == 0
    code, out, _ = run("user", "passwd", "王芳", "--password-stdin", *data, stdin="another-pw\n")
    assert code == 0 and "王芳" in out
    code, _, err = run("user", "disable", "无此人", *data)
    assert code == 1 and "没有名为 无此人 的操作员" in err
    code, out, _ = run("audit", "verify", *data)
    assert code == 0 and "完好" in out
    log = run.data / "audit.log"
    text = log.read_text(encoding="utf-8").replace("王芳", "王方", 1)
    log.write_text(text, encoding="utf-8")
    code, out, _ = run("audit", "verify", *data)
    assert code == 1 and "第 1 行" in out and "被改动" in out


def test_hostile_text_on_the_command_line_is_refused(run):
    data = ["--data", str(run.data)]
    for name in ("\x1b[31m红\x1b[0m", "张\u202e三", "张\x00三", "张" * 21):
        code, _, err = run("user", "add", name, "--role", "station", "--password-stdin", *data, stdin="secret123\n")
        assert code == 1 and "姓名" in err
        assert "\x1b" not in err and "\x00" not in err


def test_a_password_that_is_not_utf8_is_refused(run):
    import io

    stdin = io.TextIOWrapper(io.BytesIO(b"\xff\xfe bad\n"), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = main(["user", "add", "王芳", "--role", "station", "--password-stdin", "--data", str(run.data)],
                wiring=run.wiring, out=out, err=err, stdin=stdin)
    assert code == 1 and "UTF-8" in err.getvalue()


def test_settings_show_and_set(run):
    data = ["--data", str(run.data)]
    run("user", "add", "王芳", "--role", "receptionist", "--password-stdin", *data, stdin="secret123\n")
    code, out, _ = run("settings", "show", *data)
    assert code == 0 and "idle_lock_minutes\t5\t" in out
    code, out, _ = run("settings", "set", "idle_lock_minutes", "1", *data)
    assert code == 0 and "idle_lock_minutes\t1\t" in out
    code, _, err = run("settings", "set", "idle_lock_minutes", "999", *data)
    assert code == 1 and "0 到 240" in err


def test_argument_errors_speak_the_catalog_language():
    out = subprocess.run([sys.executable, "desk.py", "user", "add"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 2
    assert "用法：desk user add" in out.stderr and "缺少参数：" in out.stderr
    out = subprocess.run([sys.executable, "desk.py", "--lang", "en", "user", "add", "x", "--role", "boss"],
                         cwd=ROOT, capture_output=True, text=True)
    assert "--role cannot be 'boss'" in out.stderr and "usage: desk user add" in out.stderr


@pytest.mark.parametrize("argv", [("user", "list"), ("settings", "show"), ("category", "list"),
                                  ("audit", "head"), ("audit", "verify")])
def test_a_command_that_only_reads_never_makes_a_hall_where_there_is_none(run, argv):
    """A mistyped --data answered from a new empty hall would look like the real one."""
    run.data.mkdir()
    code, out, err = run(*argv, "--data", str(run.data))
    assert code != 0 and out == ""
    assert str(run.data) in err
    assert list(run.data.iterdir()) == []
    typo = run.data.parent / "typo"
    assert run(*argv, "--data", str(typo))[0] != 0 and not typo.exists()


def test_check_names_a_file_given_as_the_data_folder(run, tmp_path):
    a_file = tmp_path / "afile"
    a_file.write_text("x")
    code, out, err = run("check", str(a_file))
    assert code == 1 and "Traceback" not in out + err and str(a_file) in out + err


def test_a_path_the_system_refuses_is_a_sentence_not_a_traceback(run):
    code, out, err = run("user", "list", "--data", "a" * 5000)
    assert code == 1 and "Traceback" not in err and len(err) < 300


@pytest.mark.parametrize("argv", [("backup",), ("repair",)])
def test_backup_and_repair_need_a_hall_and_make_none(run, argv):
    run.data.mkdir()
    code, _, err = run(*argv, "--data", str(run.data))
    assert code == 1 and "没有接待台的数据" in err and list(run.data.iterdir()) == []


def test_a_yellow_warning_as_long_as_the_acceptance_limit_is_refused(run):
    data = ["--data", str(run.data)]
    run("user", "add", "王芳", "--role", "receptionist", "--password-stdin", *data, stdin="secret123\n")
    code, _, err = run("settings", "set", "yellow_days", "15", *data)  # the limit is 15 days
    assert code == 1 and "必须小于受理期限" in err
    code, _, err = run("settings", "set", "acceptance_days", "3", *data)  # yellow is 3
    assert code == 1 and "必须小于受理期限" in err
    assert "acceptance_days\t15\t" in run("settings", "show", *data)[1]
    assert run("settings", "set", "yellow_days", "14", *data)[0] == 0
