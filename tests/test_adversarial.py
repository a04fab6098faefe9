"""Hostile input, class by class: every payload ends cleanly (a result, or exit 2 with one line), fast.

Classes: YAML/JSON structure (aliases, depth, size), special and oversized files, numbers beyond any
measurement, text hygiene (controls, escape sequences, bad bytes), private and locked session data, crafted
session logs, no terminal, and `serve`'s address errors. `serve`'s websocket has its own tests.
"""

from __future__ import annotations

import io
import json
import os
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from chatdriver import run_chat, turns

from guidebot.cli import main
from guidebot.dialogue.events import event_from_json
from guidebot.dialogue.store import (
    Retention,
    SessionInUse,
    SessionStore,
    delete_session,
    list_sessions,
    prune_sessions,
)
from guidebot.errors import GuidebotError
from guidebot.limits import MAX_LESIONS, UnreadableFile, read_capped
from guidebot.text import clean_text

REPO = Path(__file__).resolve().parent.parent
BIG = "1" + "0" * 400
"""A number past float's range: float() makes it infinity, and int(infinity) raises OverflowError."""
HUGE = "1" * 5000
"""More digits than int() converts (Python's 4300-digit limit raises ValueError)."""

def SHORT(value: object) -> str:  # noqa: N802 - used as a pytest ids= callable
    """A short test id for a long payload."""
    text = repr(value)
    return text if len(text) <= 30 else f"{text[:24]}...({len(text)})"


TERMINAL_CODES = ("\x1b", "\x9b", "\x9d", "\x90", "\x07", "\x00")
"""What must never reach a terminal from input: ESC, 8-bit CSI/OSC/DCS, BEL, NUL."""


def cli(args: list[str], capsys) -> tuple[int, str, str]:
    """Run `guidebot ARGS` in-process: (exit code, stdout, stderr)."""
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_line_error(code: int, err: str, *words: str) -> None:
    """Exit 2, one line on stderr naming the problem, no traceback, no terminal codes."""
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith("guidebot: error: "), err
    assert "Traceback" not in err and "internal error" not in err
    assert not any(c in err for c in TERMINAL_CODES), repr(err)
    for word in words:
        assert word.lower() in err.lower(), err


def billion_laughs(levels: int = 9) -> str:
    """The classic alias bomb: ~350 bytes that expand to 9**levels items when built."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    previous = "a"
    for name in "bcdefghijk"[: levels - 1]:
        lines.append(f"{name}: &{name} [" + ",".join(["*" + previous] * 9) + "]")
        previous = name
    return "\n".join(lines) + "\n"


# -- 1. YAML / JSON structure ----------------------------------------------------------------------------

STRUCTURE_PAYLOADS = {
    "billion_laughs.yaml": (billion_laughs(), "alias"),
    "self_reference.yaml": ("polyneuropathy: &x [*x]\n", "alias"),
    "merge_key.yaml": ("base: &b {polyneuropathy: true}\n<<: *b\n", "alias"),
    "alias_as_value.yaml": ("polyneuropathy: &t true\npapilledema: *t\n", "alias"),
    "deep_flow.yaml": ("polyneuropathy: " + "[" * 990 + "]" * 990 + "\n", "nested too deeply"),
    "deep_block.yaml": ("".join("  " * i + f"k{i}:\n" for i in range(60)) + "  " * 60 + "x: 1\n", "nested too deeply"),
    "deep.json": ('{"polyneuropathy": ' + "[" * 990 + "]" * 990 + "}", "nested too deeply"),
    "deep_objects.json": ('{"a":' * 500 + "1" + "}" * 500, "nested too deeply"),
    "huge_int.yaml": (f"sclerotic_bone_lesions: {HUGE}\n", "too many digits"),
    "huge_int.json": (f'{{"sclerotic_bone_lesions": {HUGE}}}', "too many digits"),
    "huge_float.json": (f'{{"vegf_pg_ml": {HUGE}.5}}', "too many digits"),
    "big_float.yaml": (f"vegf_pg_ml: {BIG}.0\n", "too many digits"),
}


@pytest.mark.parametrize("name", sorted(STRUCTURE_PAYLOADS))
def test_hostile_case_file_structure_is_one_line(name, tmp_path, capsys):
    text, words = STRUCTURE_PAYLOADS[name]
    path = tmp_path / name
    path.write_text(text)
    started = time.perf_counter()
    code, out, err = cli(["assess", str(path), "--json"], capsys)
    assert time.perf_counter() - started < 2
    assert_one_line_error(code, err, name, words)
    assert out == ""


def test_an_anchor_without_an_alias_is_fine(tmp_path, capsys):
    path = tmp_path / "anchor.yaml"
    path.write_text("polyneuropathy: &p true\n")
    code, out, _ = cli(["assess", str(path), "--json"], capsys)
    assert code == 0 and json.loads(out)["criteria"]["mandatory"]["polyneuropathy"] == "unknown"


TOO_MANY_VALUES = {
    "list.yaml": lambda: "[" + ",".join(["1"] * 400_000) + "]\n",
    "keys.yaml": lambda: "".join(f"k{i}: 1\n" for i in range(60_000)),
    "list.json": lambda: "[" + ",".join(["1"] * 400_000) + "]",
    "keys.json": lambda: json.dumps({f"k{i}": 1 for i in range(60_000)}),
    "endocrine.json": lambda: json.dumps({"endocrinopathy": ["thyroid"] * 100_000}),
}


@pytest.mark.parametrize("name", sorted(TOO_MANY_VALUES))
def test_a_case_file_with_too_many_values_is_refused_fast(name, tmp_path, capsys):
    path = tmp_path / name
    path.write_text(TOO_MANY_VALUES[name]())
    started = time.process_time()
    code, _, err = cli(["assess", str(path)], capsys)
    assert_one_line_error(code, err, "too large")
    assert time.process_time() - started < 2


def test_node_count_is_bounded(monkeypatch):
    from guidebot.knowledge import positions

    monkeypatch.setattr(positions, "MAX_NODES", 100)
    with pytest.raises(positions.YamlSyntaxError, match="too large"):
        positions.load_positioned("[" + ",".join(["1"] * 200) + "]")
    assert positions.load_positioned("[" + ",".join(["1"] * 50) + "]").data == [1] * 50
    with pytest.raises(positions.YamlSyntaxError, match="over 10 values"):
        positions.load_positioned("[" + ",".join(["1"] * 50) + "]", max_nodes=10)


@pytest.fixture
def knowledge_copy(tmp_path):
    """A private copy of the real knowledge base to break."""
    import shutil

    target = tmp_path / "knowledge"
    shutil.copytree(REPO / "knowledge", target)
    return target


@pytest.mark.parametrize(
    "name, plant",
    [
        ("bomb", lambda k: (k / "facts" / "bomb.yaml").write_text(billion_laughs())),
        ("deep", lambda k: (k / "facts" / "deep.yaml").write_text("facts: " + "[" * 500 + "]" * 500 + "\n")),
        ("loop", lambda k: os.symlink("loop.yaml", k / "facts" / "loop.yaml")),
        ("device", lambda k: os.symlink("/dev/zero", k / "facts" / "zero.yaml")),
        ("fifo", lambda k: os.mkfifo(k / "facts" / "pipe.yaml")),
        ("huge_int", lambda k: (k / "facts" / "n.yaml").write_text(f"facts: [{HUGE}]\n")),
    ],
)
def test_hostile_knowledge_folder_is_reported_not_crashed(name, plant, knowledge_copy, capsys):
    plant(knowledge_copy)
    started = time.perf_counter()
    code, _, err = cli(["kb", "check", str(knowledge_copy)], capsys)
    assert code == 2 and "internal error" not in err and "Traceback" not in err
    assert err.splitlines()[-1] == "guidebot: error: 1 problem(s) in the knowledge base"
    from guidebot.routing import clear_routers

    clear_routers()
    code, out, err = cli(["ask", "vegf cutoff", "--knowledge", str(knowledge_copy)], capsys)
    assert_one_line_error(code, err, "invalid knowledge base")
    assert time.perf_counter() - started < 10


def test_a_knowledge_directory_that_is_a_link_loop(tmp_path, capsys):
    os.symlink(tmp_path / "kb", tmp_path / "kb")
    code, _, err = cli(["ask", "vegf cutoff", "--knowledge", str(tmp_path / "kb")], capsys)
    assert_one_line_error(code, err, "loop")


# -- 2. special and oversized files ------------------------------------------------------------------------


@pytest.mark.parametrize("target, kind", [("/dev/zero", "character device"), ("/dev/urandom", "character device"),
                                          ("/dev/null", "character device")])
def test_devices_are_not_regular_files(target, kind, capsys):
    code, out, err = cli(["assess", target], capsys)
    assert_one_line_error(code, err, "not a regular file", kind)


def test_a_fifo_without_a_writer_does_not_hang(tmp_path, capsys):
    fifo = tmp_path / "case.yaml"
    os.mkfifo(fifo)
    started = time.perf_counter()
    code, _, err = cli(["assess", str(fifo)], capsys)
    assert_one_line_error(code, err, "not a regular file", "named pipe")
    assert time.perf_counter() - started < 1


def test_directories_sockets_loops_and_missing_files(tmp_path, capsys):
    code, _, err = cli(["assess", str(tmp_path)], capsys)
    assert_one_line_error(code, err, "directory")
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(tmp_path / "s.yaml"))
        code, _, err = cli(["assess", str(tmp_path / "s.yaml")], capsys)
        assert_one_line_error(code, err, "socket")
    os.symlink("x.yaml", tmp_path / "x.yaml")
    code, _, err = cli(["assess", str(tmp_path / "x.yaml")], capsys)
    assert_one_line_error(code, err, "loop")
    code, _, err = cli(["assess", str(tmp_path / "missing.yaml")], capsys)
    assert_one_line_error(code, err, "no such file")
    code, _, err = cli(["assess", "nul\x00name.yaml"], capsys)
    assert_one_line_error(code, err, "not a valid file name")


def test_the_cap_is_read_not_trusted_from_the_size(tmp_path):
    # /proc files report a size of 0 yet hold text: the reader must count what it reads
    status = Path("/proc/self/status")
    if status.exists():
        assert status.stat().st_size == 0
        assert len(read_capped(status, 1_000_000)) > 100
        with pytest.raises(UnreadableFile, match="too large"):
            read_capped(status, 50)
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * 1_000_001)
    with pytest.raises(UnreadableFile, match="too large"):
        read_capped(big, 1_000_000)
    assert len(read_capped(big, 1_000_001)) == 1_000_001


@pytest.mark.parametrize("source", ["/dev/zero", "/dev/urandom", "/"])
def test_kb_check_source_must_be_a_regular_file(source, capsys):
    code, _, err = cli(["kb", "check", "--source", source], capsys)
    assert_one_line_error(code, err, "--source", "not a regular file")


def test_an_oversized_case_file(tmp_path, capsys):
    path = tmp_path / "big.yaml"
    path.write_text("polyneuropathy: true\n" + "# padding\n" * 120_000)
    code, _, err = cli(["assess", str(path)], capsys)
    assert_one_line_error(code, err, "too large")


# -- 3. numbers beyond any measurement -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, words",
    [
        ("sclerotic_bone_lesions: 5000\n", "at most 1,000"),
        ("sclerotic_bone_lesions: -1\n", ">= 0"),
        ("vegf_pg_ml: 10000000\n", "at most 1,000,000"),
        ("vegf_pg_ml: .inf\n", "finite"),
        ("vegf_pg_ml: .nan\n", "finite"),
        (f"sclerotic_bone_lesions: {BIG}\n", "too many digits"),
    ],
)
def test_numbers_in_case_files_are_bounded(text, words, tmp_path, capsys):
    path = tmp_path / "case.yaml"
    path.write_text(text)
    code, _, err = cli(["assess", str(path)], capsys)
    assert_one_line_error(code, err, words)


@pytest.mark.parametrize("text", ['{"vegf_pg_ml": 1e400}', '{"vegf_pg_ml": NaN}', '{"vegf_pg_ml": Infinity}',
                                  '{"sclerotic_bone_lesions": 1e400}'])
def test_non_finite_json_numbers(text, tmp_path, capsys):
    path = tmp_path / "case.json"
    path.write_text(text)
    code, _, err = cli(["assess", str(path)], capsys)
    assert_one_line_error(code, err)


ASK_LESIONS = ["check the diagnostic criteria for my patient", "yes", "yes", "yes"]
"""Answers that bring the guided assessment to its lesion count (an int slot)."""


@pytest.mark.parametrize("reply", [BIG, HUGE[:1990], "1e400", f"{BIG} lesions", "5000", "1,000,000,000,000", "²", "-3"], ids=SHORT)
def test_a_huge_number_at_a_count_slot_is_reasked(reply, monkeypatch):
    code, out = run_chat(["--jsonl"], [*ASK_LESIONS, reply, "2"], monkeypatch)
    objects = turns(out)
    assert code == 0 and len(objects) == len(ASK_LESIONS) + 3
    assert objects[-2]["awaiting"]["slot"] == "sclerotic_bone_lesions"  # re-asked, nothing lost
    assert objects[-1]["awaiting"]["slot"] != "sclerotic_bone_lesions"  # the next answer is taken


@pytest.mark.parametrize(
    "line",
    [f"my patient has {BIG} sclerotic lesions and vegf {BIG} pg/ml", f"vegf {HUGE[:1900]}", f"{BIG} bone lesions, poems?",
     "vegf 1e400 pg/ml and 1e400 lesions", f"vegf {BIG}.5 pg/mL in plasma"],
    ids=SHORT,
)
def test_huge_numbers_in_free_text_never_raise(line, monkeypatch, capsys):
    code, out = run_chat(["--plain", "--export", os.devnull], [line, "/case"], monkeypatch)
    assert code == 0 and "internal error" not in out
    code, out, err = cli(["ask", line, "--json"], capsys)
    assert code == 0 and json.loads(out)["question"]


def test_findings_skip_out_of_range_numbers():
    from guidebot.dialogue.findings import extract_findings

    assert "sclerotic_bone_lesions" not in extract_findings(f"{MAX_LESIONS + 1} sclerotic lesions")
    assert extract_findings("3 sclerotic lesions")["sclerotic_bone_lesions"] == 3
    assert "vegf_pg_ml" not in extract_findings(f"vegf {BIG} pg/ml")


# -- 4. text hygiene -----------------------------------------------------------------------------------

HOSTILE_TEXT = [
    "\x1b[2J\x1b[H clear screen",
    "\x1b]0;pwned title\x07 osc title",
    "\x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\ hyperlink",
    "\x9b31m eight-bit csi",
    "\x9d0;title\x9c eight-bit osc",
    "\x90q dcs \x9c",
    "\x1bP1;2|payload\x1b\\ dcs",
    "NUL\x00BEL\x07DEL\x7f",
    "rtl \u202eevil\u202c override",
    "lone \udcff surrogate",
]


@pytest.mark.parametrize("text", HOSTILE_TEXT, ids=SHORT)
def test_clean_text_leaves_no_terminal_code(text):
    cleaned = clean_text(text)
    assert not any(c in cleaned for c in TERMINAL_CODES + ("\u202e", "\x9c"))
    cleaned.encode("utf-8")  # no lone surrogate survives (it would raise here)
    assert cleaned == clean_text(cleaned)  # idempotent


def test_clean_text_bytes_bounds_and_layout():
    assert clean_text(b"bad \xff\xfe bytes") == "bad \ufffd\ufffd bytes"
    assert clean_text("x" * 10_000_000, 5) == "xxxxx"
    assert clean_text("a\n  - b\x1b[1m\tc", keep_newlines=True) == "a\n  - b\tc"
    assert clean_text("a\r\n\x1b[31mb  c") == "a b c"


def test_ask_json_is_valid_utf8_without_terminal_codes():
    argv = [sys.executable, "-m", "guidebot", "ask", "--json"]
    question = b"vegf \xff\xfe cutoff \xc2\x9b31m \xc2\x9d0;x\x07 \x1b[2J"
    proc = subprocess.run([*argv, os.fsdecode(question)], capture_output=True, cwd=REPO, timeout=60)
    assert proc.returncode == 0
    text = proc.stdout.decode("utf-8")  # raises if not valid UTF-8
    assert not any(c in text for c in TERMINAL_CODES) and "\\u009b" not in text
    lines = b"vegf \xff cutoff \xc2\x9b31m\n\x1b]0;t\x07what is poems\n" + b"\xc3\x28" * 5000 + b"\n"
    proc = subprocess.run([sys.executable, "-m", "guidebot", "ask", "--jsonl"], input=lines, capture_output=True, cwd=REPO, timeout=60)
    objects = [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines()]
    assert len(objects) == 3 and "invalid UTF-8" in objects[0]["note"]
    assert not any(c in json.dumps(objects, ensure_ascii=False) for c in TERMINAL_CODES)


def test_ask_json_is_utf8_whatever_the_locale():
    env = {**os.environ, "PYTHONIOENCODING": "ascii", "LC_ALL": "C"}
    proc = subprocess.run([sys.executable, "-m", "guidebot", "ask", "what is the vegf cutoff", "--json"], capture_output=True,
                          cwd=REPO, timeout=60, env=env)
    assert proc.returncode == 0 and json.loads(proc.stdout.decode("utf-8"))["in_scope"] is True


def test_chat_output_never_echoes_terminal_codes(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # "/export" writes its file here
    lines = [*HOSTILE_TEXT[:-1], b"lone \xff byte", "/refs \x1b[31m", "/export", "\x9b2J"]
    code, out = run_chat(["--plain"], lines, monkeypatch)
    assert code == 0 and not any(c in out for c in TERMINAL_CODES)
    code, out = run_chat(["--jsonl"], lines, monkeypatch)
    assert code == 0 and not any(c in out for c in TERMINAL_CODES)


def test_the_app_echoes_typed_text_clean_and_literal():
    from guidebot.ui.widgets import UserTurn

    shown = str(UserTurn("a\x1b[31mred\x9b2J\x1b]0;x\x07 [b]markup[/b]\nline two").render())
    assert shown == "ared [b]markup[/b]\nline two"  # codes gone, markup shown as typed, layout kept


@pytest.mark.parametrize(
    "text",
    ['"\\e[31mred\\e[0m": 1\n', '"\\x9b2J": true\n', '"\\u001b]0;title\\u0007": 1\n', '"zzz\\u202e": 1\n',
     "polyneuropathy: true\npolyneuropathy: false\n"],
)
def test_case_file_field_names_are_echoed_clean(text, tmp_path, capsys):
    path = tmp_path / "case.yaml"
    path.write_text(text)
    code, _, err = cli(["assess", str(path)], capsys)
    assert_one_line_error(code, err, "field")


def test_json_field_names_and_file_names_are_echoed_clean(tmp_path, capsys):
    path = tmp_path / "case\x1b[31m.json"
    path.write_text('{"\\u001b[2Jevil": 1}')
    code, _, err = cli(["assess", str(path)], capsys)
    assert_one_line_error(code, err, "unknown field")


def test_knowledge_problems_are_printed_clean(knowledge_copy, capsys):
    (knowledge_copy / "facts" / "x.yaml").write_text('facts:\n  - id: x\n    "\\e]0;t\\a": 1\n')
    code, _, err = cli(["kb", "check", str(knowledge_copy)], capsys)
    assert code == 2 and not any(c in err for c in TERMINAL_CODES)


# -- 5. private, locked, bounded session data -----------------------------------------------------------


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("GUIDEBOT_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def _modes(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): stat.S_IMODE(p.stat().st_mode) for p in [root, *root.rglob("*")]}


@pytest.mark.parametrize("umask", [0o000, 0o022, 0o277])
def test_data_is_private_whatever_the_umask(umask, data_dir, tmp_path, monkeypatch):
    old = os.umask(umask)
    try:
        export = tmp_path / "export.md"
        code, out = run_chat(["--jsonl", "--export", str(export)], [*ASK_LESIONS, f"/export {tmp_path / 'in_chat.md'}"], monkeypatch)
    finally:
        os.umask(old)
    assert code == 0
    modes = _modes(data_dir)
    assert {m for p, m in modes.items() if (data_dir / p).is_dir()} == {0o700}
    assert {m for p, m in modes.items() if (data_dir / p).is_file()} == {0o600}
    assert stat.S_IMODE(export.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "in_chat.md").stat().st_mode) == 0o600


def test_an_old_world_readable_log_is_made_private_on_resume(data_dir, monkeypatch):
    run_chat(["--jsonl"], ["what is poems"], monkeypatch)
    log = next((data_dir / "sessions").glob("*.jsonl"))
    os.chmod(log, 0o644)
    os.chmod(data_dir / "sessions", 0o755)
    run_chat(["--jsonl", "--resume"], ["what is the vegf cutoff"], monkeypatch)
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    assert stat.S_IMODE((data_dir / "sessions").stat().st_mode) == 0o700


def _session_id(data_dir: Path) -> str:
    return next((data_dir / "sessions").glob("*.jsonl")).stem


def test_a_second_process_resuming_a_session_is_told_it_is_in_use(data_dir, monkeypatch):
    run_chat(["--jsonl"], ["what is poems"], monkeypatch)
    session_id = _session_id(data_dir)
    holder = SessionStore.open(session_id)  # this process holds it, as a running chat would
    try:
        proc = subprocess.run([sys.executable, "-m", "guidebot", "chat", "--plain", "--resume", session_id],
                              input=b"yes\n", capture_output=True, cwd=REPO, timeout=60, env={**os.environ})
        assert proc.returncode == 2
        assert b"open in another guidebot" in proc.stderr and str(os.getpid()).encode() in proc.stderr
        assert proc.stderr.count(b"\n") == 1
        with pytest.raises(SessionInUse):
            delete_session(session_id)
    finally:
        holder.release()
    assert not (data_dir / "sessions" / f"{session_id}.lock").exists()


def test_a_stale_lock_file_does_not_block(data_dir, monkeypatch):
    run_chat(["--jsonl"], ["what is poems"], monkeypatch)
    session_id = _session_id(data_dir)
    # a chat killed with SIGKILL leaves its lock file behind, but not its lock
    proc = subprocess.Popen([sys.executable, "-m", "guidebot", "chat", "--plain", "--resume", session_id],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO)
    lock = data_dir / "sessions" / f"{session_id}.lock"
    deadline = time.monotonic() + 30
    while not lock.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.kill()
    proc.wait()
    assert lock.exists()
    code, out = run_chat(["--jsonl", "--resume", session_id], ["what is the vegf cutoff"], monkeypatch)
    assert code == 0 and "Resumed session" in turns(out)[0]["text"]


def _make_sessions(directory: Path, count: int) -> list[str]:
    ids = []
    for n in range(count):
        store = SessionStore(f"s{n:03d}", directory)
        store.append([event_from_json(e) for e in (
            {"event": "session_started", "session_id": store.session_id, "started": "2026-01-01T00:00:00Z"},
            {"event": "user_said", "text": f"question {n}"},
            {"event": "bot_said", "turn": {"text": "answer", "assessment": {"verdict": "not_met"}}})])
        store.release()
        os.utime(store.path, (1_000_000 + n, 1_000_000 + n))
        ids.append(store.session_id)
    return ids


def _keep_everything(monkeypatch):
    """The setup's own appends must prune nothing (its sessions are dated 1970)."""
    monkeypatch.setenv("GUIDEBOT_KEEP_SESSIONS", "0")
    monkeypatch.setenv("GUIDEBOT_KEEP_DAYS", "0")


def test_retention_by_count_and_age(tmp_path, monkeypatch):
    _keep_everything(monkeypatch)
    ids = _make_sessions(tmp_path, 6)
    now = 1_000_003 + 86400 * 10  # s003 is exactly 10 days old (kept), s002 a second older
    assert prune_sessions(Retention(keep=4, days=0), tmp_path, now) == ["s001", "s000"]
    assert prune_sessions(Retention(keep=0, days=10), tmp_path, now) == ["s002"]  # over 10 days since last use
    assert [s.session_id for s in list_sessions(tmp_path)] == ids[:2:-1]


def test_a_new_session_prunes_by_the_environment(data_dir, monkeypatch):
    _keep_everything(monkeypatch)
    _make_sessions(data_dir / "sessions", 5)
    monkeypatch.setenv("GUIDEBOT_KEEP_SESSIONS", "3")
    run_chat(["--jsonl"], ["what is poems"], monkeypatch)
    assert len(list_sessions()) == 3
    monkeypatch.setenv("GUIDEBOT_KEEP_DAYS", "90")  # the 1970 ones go, the new one stays
    run_chat(["--jsonl"], ["what is poems"], monkeypatch)
    assert len(list_sessions()) == 2
    monkeypatch.setenv("GUIDEBOT_KEEP_DAYS", "soon")
    with pytest.raises(GuidebotError, match="GUIDEBOT_KEEP_DAYS must be a whole number"):
        Retention.from_env()


def test_session_summaries_are_typed_and_clean(tmp_path):
    store = SessionStore("x1", tmp_path)
    store.append([event_from_json(e) for e in (
        {"event": "session_started", "session_id": "x1", "started": "2026-02-03T04:05:06Z"},
        {"event": "user_said", "text": "\x1b[31mmy patient\x9b2J"},
        {"event": "bot_said", "turn": {"text": "done", "assessment": {"verdict": "meets_criteria"}}})])
    (summary,) = list_sessions(tmp_path)
    assert (summary.session_id, summary.started, summary.turns, summary.verdict) == ("x1", "2026-02-03 04:05", 1, "meets_criteria")
    assert summary.first_question == "my patient" and summary.in_use  # the store that wrote it holds it
    store.release()
    assert not list_sessions(tmp_path)[0].in_use


def test_sessions_cli(data_dir, monkeypatch, capsys, tmp_path):
    run_chat(["--jsonl"], ["is bevacizumab safe in poems?"], monkeypatch)
    session_id = _session_id(data_dir)
    code, out, _ = cli(["sessions"], capsys)
    assert code == 0 and session_id in out and "bevacizumab" in out
    code, out, _ = cli(["sessions", "list", "--json"], capsys)
    assert json.loads(out.splitlines()[0])["id"] == session_id
    code, out, _ = cli(["sessions", "show", session_id], capsys)
    assert code == 0 and "you> is bevacizumab safe" in out
    code, out, _ = cli(["sessions", "export", session_id, "-o", str(tmp_path / "e.md")], capsys)
    assert code == 0 and stat.S_IMODE((tmp_path / "e.md").stat().st_mode) == 0o600
    assert "## Transcript" in (tmp_path / "e.md").read_text()
    for bad in (["sessions", "show", "../../etc/passwd"], ["sessions", "delete", "nope"], ["sessions", "delete"],
                ["sessions", "prune", "--keep", "-1"]):
        code, _, err = cli(bad, capsys)
        assert_one_line_error(code, err)
    code, out, _ = cli(["sessions", "delete", session_id], capsys)
    assert code == 0 and list_sessions() == []
    code, out, _ = cli(["sessions", "dir"], capsys)
    assert out.strip() == str(data_dir / "sessions")


# -- 6. crafted session logs -----------------------------------------------------------------------------

_OK_TURN = {"event": "bot_said", "turn": {"text": "hi"}}
CRAFTED_LOGS = {
    "huge_int": f'{{"event":"slot_set","field":"sclerotic_bone_lesions","value":{HUGE},"source":"answer"}}\n',
    "inf_value": '{"event":"slot_set","field":"vegf_pg_ml","value":1e400,"source":"answer"}\n',
    "nan": '{"event":"slot_set","field":"vegf_pg_ml","value":NaN,"source":"answer"}\n',
    "deep": '{"event":"user_said","text":' + "[" * 3000 + "]" * 3000 + "}\n",
    "field_not_text": '{"event":"slot_set","field":123,"value":1,"source":"answer"}\n',
    "unknown_field": '{"event":"slot_set","field":"zzz","value":1,"source":"answer"}\n',
    "bad_kind": '{"event":"bot_said","turn":{"text":"x","awaiting":{"slot":"polyneuropathy","kind":"weird"}}}\n',
    "turn_not_object": '{"event":"bot_said","turn":"text"}\n',
    "text_not_text": '{"event":"bot_said","turn":{"text":["a"]}}\n',
    "workup_index": '{"event":"workup_step","index":99999999999}\n',
    "not_an_event": "[1,2,3]\n",
    "binary": "\x00\x01\x02 garbage\n",
}


@pytest.mark.parametrize("name", sorted(CRAFTED_LOGS))
def test_a_crafted_session_log_is_corrupt_not_a_crash(name, data_dir, monkeypatch, capsys):
    sessions = data_dir / "sessions"
    sessions.mkdir(parents=True)
    (sessions / "crafted.jsonl").write_text(json.dumps(_OK_TURN) + "\n" + CRAFTED_LOGS[name] + json.dumps(_OK_TURN) + "\n")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"yes\n")))
    code, out, err = cli(["chat", "--plain", "--resume", "crafted"], capsys)
    assert_one_line_error(code, err, "crafted")
    code, out, err = cli(["sessions", "export", "crafted"], capsys)
    assert_one_line_error(code, err, "crafted")


def test_a_session_log_with_terminal_codes_is_shown_clean(data_dir, monkeypatch):
    sessions = data_dir / "sessions"
    sessions.mkdir(parents=True)
    turn = {"text": "\x1b]0;pwned\x07hello \x9b2J\x1b[31mthere", "awaiting": None}
    (sessions / "planted.jsonl").write_text(json.dumps({"event": "user_said", "text": "\x1b[2J"}) + "\n"
                                            + json.dumps({"event": "bot_said", "turn": turn}) + "\n")
    code, out = run_chat(["--plain", "--resume", "planted"], [], monkeypatch)
    assert code == 0 and "hello there" in out and not any(c in out for c in TERMINAL_CODES)


@pytest.mark.parametrize("kind", ["fifo", "symlink", "oversized"])
def test_special_session_files(kind, data_dir, monkeypatch, capsys):
    sessions = data_dir / "sessions"
    sessions.mkdir(parents=True)
    log = sessions / "odd.jsonl"
    if kind == "fifo":
        os.mkfifo(log)
    elif kind == "symlink":
        os.symlink("/dev/zero", log)
    else:
        from guidebot import limits

        monkeypatch.setattr("guidebot.dialogue.store.MAX_SESSION_BYTES", 1000)
        log.write_text((json.dumps(_OK_TURN) + "\n") * 100)
        assert limits.MAX_SESSION_BYTES > 1000
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"")))
    started = time.perf_counter()
    code, _, err = cli(["chat", "--plain", "--resume", "odd"], capsys)
    assert_one_line_error(code, err, "odd")
    assert time.perf_counter() - started < 2
    code, out, _ = cli(["sessions"], capsys)
    assert code == 0


# -- 7. no terminal, and serve's address -------------------------------------------------------------------


@pytest.mark.parametrize("args", [[], ["ui"], ["--resume"], ["--new"]])
def test_no_terminal_says_so_at_once(args):
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "guidebot", *args], stdin=subprocess.DEVNULL, capture_output=True,
                          cwd=REPO, timeout=20, env={k: v for k, v in os.environ.items() if k != "TEXTUAL_DRIVER"})
    assert time.perf_counter() - started < 5  # the limit is a second of our own; the rest is interpreter start
    assert proc.returncode == 2 and proc.stdout == b""
    assert b"needs a terminal" in proc.stderr and b"chat --plain" in proc.stderr
    assert proc.stderr.count(b"\n") == 1 and b"\x1b" not in proc.stderr


def test_serve_with_a_taken_port_or_a_bad_host(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, _, err = cli(["serve", "--port", str(port)], capsys)
        assert_one_line_error(code, err, "already in use", str(port))
    for host, words in [("no-such-host.invalid", "cannot be resolved"), ("192.0.2.123", "not an address of this machine"),
                        ("\x1b[31m", "--host")]:
        code, _, err = cli(["serve", "--host", host, "--port", "8123"], capsys)
        assert_one_line_error(code, err, words)
    code, _, err = cli(["serve", "--port", "70000"], capsys)
    assert_one_line_error(code, err, "65535")


# -- found by the review of this suite ----------------------------------------------------------------


@pytest.mark.parametrize("payload", ["polyneuropathy: true\x01\n", "# a comment \x9b\npolyneuropathy: true\n", "papilledema: \ufffe\n"])
def test_a_control_character_in_a_case_file_is_a_one_line_error(tmp_path, capsys, payload):
    case = tmp_path / "case.yaml"
    case.write_text(payload, encoding="utf-8")
    code, _, err = cli(["assess", str(case)], capsys)
    assert_one_line_error(code, err, "character")


def test_a_control_character_in_a_knowledge_file_is_a_problem_with_its_line(knowledge_copy, capsys):
    lexicon = knowledge_copy / "lexicon.yaml"
    lexicon.write_text(lexicon.read_text(encoding="utf-8") + "# \x01\n", encoding="utf-8")
    code, _, err = cli(["kb", "check", str(knowledge_copy)], capsys)
    assert code == 2 and "lexicon.yaml:" in err and "character" in err and "Traceback" not in err


def test_the_model_file_is_read_within_its_cap(knowledge_copy, capsys):
    model = knowledge_copy / "reranker.json"
    model.unlink()
    model.symlink_to("/dev/zero")
    code, _, err = cli(["kb", "check", str(knowledge_copy)], capsys)
    assert code == 2 and "reranker.json" in err and "internal error" not in err


def test_an_unterminated_escape_string_is_cleaned_in_one_pass():
    from guidebot.text import clean_text

    # each OSC start once re-scanned the rest of the text (quadratic); the result must be the text without it
    hostile = "\x9d" * 20_000 + "\x1b"
    assert clean_text(hostile) == ""
    assert clean_text("a\x1b]0;title\x07b") == "ab"


def test_a_token_or_session_id_with_a_trailing_newline_is_refused():
    from guidebot.dialogue.store import SessionStore
    from guidebot.errors import GuidebotError
    from guidebot.ui.web import server

    with pytest.raises(GuidebotError):
        server.check_token("a" * 20 + "\n")
    with pytest.raises(GuidebotError):
        SessionStore("20260101-000000-abcdef\n")


def test_the_log_never_carries_the_token():
    import logging

    from guidebot.ui.web.server import OneLineFormatter

    record = logging.LogRecord("aiohttp", logging.ERROR, __file__, 1, "Bad request line 'GET /\\xff?token=abcdef0123456789abcd HTTP/1.1'", None, None)
    line = OneLineFormatter().format(record)
    assert "abcdef0123456789abcd" not in line and "token=..." in line


def test_a_busy_learning_database_is_a_clear_error(data_dir):
    import sqlite3

    from guidebot.errors import GuidebotError
    from guidebot.learning.store import LearningStore

    store = LearningStore()
    store.db.execute("PRAGMA busy_timeout = 10")
    other = sqlite3.connect(store.path)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(GuidebotError, match="could not be saved"):
            store.review("cloze:diagnosis.vegf_threshold:0", "diagnosis", "cloze", 3, True)
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_exporting_to_an_html_name_keeps_the_markdown(data_dir, tmp_path):
    from guidebot.dialogue.manager import DialogueManager

    manager = DialogueManager()
    manager.respond("what is the VEGF cutoff")
    manager.respond(f"/export {tmp_path / 'chat.html'}")
    assert "VEGF" in (tmp_path / "chat.html").read_text(encoding="utf-8")
    assert (tmp_path / "chat.assessment.html").read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")
