"""A wide adversarial sweep: many generated payloads per class of hostile input, each run through the real
commands, counted as clean or not. Prints attempts and clean outcomes per class; no assertions (the
fast, pinned subset lives in tests/test_adversarial.py).

    .venv/bin/python bench/adversarial_sweep.py [--verbose]

Clean means: exit 0, or exit 2 with exactly one line `guidebot: error: ...` on stderr (no traceback, no
"internal error"); stdout and stderr valid UTF-8 without terminal control codes; done within 5 seconds.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from guidebot.cli import main  # noqa: E402

CODES = ("\x1b", "\x9b", "\x9d", "\x90", "\x07", "\x00", "\x9c")
BIG = "1" + "0" * 400

results: dict[str, list[tuple[bool, str]]] = defaultdict(list)


class _Stdin(io.TextIOWrapper):
    def isatty(self) -> bool:
        return False


def run(args: list[str], stdin: bytes = b"") -> tuple[int, bytes, bytes, float]:
    """`guidebot ARGS` in-process with `stdin`: (code, stdout bytes, stderr bytes, seconds)."""
    out, err = io.BytesIO(), io.BytesIO()
    out_text = io.TextIOWrapper(out, encoding="utf-8", errors="strict", write_through=True)
    err_text = io.TextIOWrapper(err, encoding="utf-8", errors="strict", write_through=True)
    old_stdin = sys.stdin
    sys.stdin = _Stdin(io.BytesIO(stdin), encoding="utf-8")
    started = time.perf_counter()
    try:
        with contextlib.redirect_stdout(out_text), contextlib.redirect_stderr(err_text):
            try:
                code = main(args)
            except SystemExit as exc:  # argparse's --help and the like
                code = int(exc.code or 0)
            except BaseException as exc:  # noqa: BLE001 - anything escaping main is unclean
                code = -1
                err_text.write(f"ESCAPED {type(exc).__name__}: {exc}\n")
    finally:
        sys.stdin = old_stdin
    return code, out.getvalue(), err.getvalue(), time.perf_counter() - started


def judge(cls: str, label: str, code: int, out: bytes, err: bytes, seconds: float) -> None:
    problems = []
    try:
        text = out.decode("utf-8") + err.decode("utf-8")
    except UnicodeDecodeError:
        problems.append("not UTF-8")
        text = ""
    if code not in (0, 2):
        problems.append(f"exit {code}")
    if code == 2:
        lines = err.decode("utf-8", "replace").splitlines()
        if len(lines) < 1 or not lines[-1].startswith("guidebot: error: "):
            problems.append("no one-line reason")
        elif len(lines) > 1 and not lines[-1].endswith("problem(s) in the knowledge base") and not all(
            line.startswith("guidebot: error: ") for line in lines
        ):
            # `kb check` ends its file:line problems with a count; `assess` names every problem of a case
            # file, one `guidebot: error:` line each (issue 17); anything else is one line
            problems.append(f"{len(lines)} lines on stderr")
    if "Traceback" in text or "internal error" in text:
        problems.append("internal error")
    if any(c in text for c in CODES):
        problems.append("terminal code in output")
    if seconds > 5:
        problems.append(f"{seconds:.1f} s")
    results[cls].append((not problems, f"{label}: {', '.join(problems) or 'clean'} | {err[:160]!r}"))


def sweep_structure(tmp: Path, kb_copy: Path) -> None:
    payloads = []
    for levels in range(2, 10):
        lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
        prev = "a"
        for name in "bcdefghij"[: levels - 1]:
            lines.append(f"{name}: &{name} [" + ",".join(["*" + prev] * 9) + "]")
            prev = name
        payloads.append((f"bomb{levels}.yaml", "\n".join(lines) + "\n"))
    payloads += [("self.yaml", "a: &x [*x]\n"), ("selfmap.yaml", "a: &x {b: *x}\n"), ("merge.yaml", "b: &b {x: 1}\n<<: *b\n")]
    for depth in (41, 100, 990, 5000, 50_000):
        payloads += [(f"flow{depth}.yaml", "a: " + "[" * depth + "]" * depth + "\n"),
                     (f"map{depth}.yaml", "a: " + "{b: " * depth + "1" + "}" * depth + "\n"),
                     (f"deep{depth}.json", '{"a": ' + "[" * depth + "]" * depth + "}"),
                     (f"obj{depth}.json", '{"a":' * depth + "1" + "}" * depth)]
    for depth in (45, 200):
        payloads.append((f"block{depth}.yaml", "".join("  " * i + f"k{i}:\n" for i in range(depth)) + "  " * depth + "x: 1\n"))
    for digits in (31, 400, 4301, 5000, 100_000):
        payloads += [(f"int{digits}.yaml", f"sclerotic_bone_lesions: {'7' * digits}\n"),
                     (f"int{digits}.json", f'{{"sclerotic_bone_lesions": {"7" * digits}}}'),
                     (f"float{digits}.yaml", f"vegf_pg_ml: {'7' * digits}.5\n"),
                     (f"float{digits}.json", f'{{"vegf_pg_ml": {"7" * digits}.5e3}}')]
    payloads += [("many.yaml", "[" + ",".join(["1"] * 400_000) + "]\n"), ("keys.yaml", "".join(f"k{i}: 1\n" for i in range(60_000)))]
    for name, text in payloads:
        path = tmp / name
        path.write_text(text)
        judge("structure", f"assess {name}", *run(["assess", str(path), "--json"]))
    for name, text in payloads[:12] + payloads[12:40:4]:
        planted = kb_copy / "facts" / ("zz_" + name.replace(".json", ".yaml"))
        planted.write_text(text)
        judge("structure", f"kb check +{name}", *run(["kb", "check", str(kb_copy)]))
        planted.unlink()


def sweep_files(tmp: Path, kb_copy: Path) -> None:
    fifo = tmp / "fifo.yaml"
    os.mkfifo(fifo)
    os.symlink("loop.yaml", tmp / "loop.yaml")
    os.symlink(tmp / "nowhere", tmp / "dangling.yaml")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(tmp / "sock.yaml"))
    big = tmp / "big.yaml"
    big.write_bytes(b"# x\n" * 300_000)
    bin_file = tmp / "bin.yaml"
    bin_file.write_bytes(bytes(range(256)) * 10)
    latin = tmp / "latin.yaml"
    latin.write_bytes("polyneuropathy: true # caf\xe9\n".encode("latin-1"))
    targets = ["/dev/zero", "/dev/urandom", "/dev/null", "/dev/stdin", "/proc/self/status", "/proc/self/mem", "/",
               str(tmp), str(fifo), str(tmp / "loop.yaml"), str(tmp / "dangling.yaml"), str(tmp / "sock.yaml"),
               str(big), str(bin_file), str(latin), str(tmp / "missing.yaml"), ""]
    for target in targets:
        judge("files", f"assess {target}", *run(["assess", target]))
        judge("files", f"kb check --source {target}", *run(["kb", "check", "--source", target]))
    for target in targets[:6] + targets[8:14]:
        planted = kb_copy / "facts" / "zz_planted.yaml"
        if os.path.lexists(planted):
            planted.unlink()
        os.symlink(target, planted)
        judge("files", f"kb check facts/->{target}", *run(["kb", "check", str(kb_copy)]))
        planted.unlink()
    os.symlink(tmp / "kbloop", tmp / "kbloop")
    for args in (["kb", "check", str(tmp / "kbloop")], ["ask", "vegf", "--knowledge", str(tmp / "kbloop")],
                 ["ask", "vegf", "--knowledge", "/dev/zero"], ["ask", "vegf", "--knowledge", str(fifo)]):
        judge("files", " ".join(args), *run(args))
    sock.close()


NUMBERS = [BIG, "1e400", "1E400", "-1e400", "9" * 4301, "9" * 5000, "1" * 1999, "1,000,000,000,000", "1.7976931348623157e309",
           "0." + "0" * 500 + "1", "NaN", "inf", "-5", "5000", "1000001", "²", "٣", "½", "0x10", "1_000"]


def sweep_numbers(tmp: Path) -> None:
    for n in NUMBERS:
        for field in ("sclerotic_bone_lesions", "vegf_pg_ml"):
            path = tmp / "n.yaml"
            path.write_text(f"{field}: {n}\n", encoding="utf-8")
            judge("numbers", f"yaml {field}={n[:20]}", *run(["assess", str(path)]))
            path = tmp / "n.json"
            path.write_text(f'{{"{field}": {n}}}', encoding="utf-8")
            judge("numbers", f"json {field}={n[:20]}", *run(["assess", str(path)]))
        lesions = "check the diagnostic criteria for my patient\nyes\nyes\nyes\n"
        judge("numbers", f"chat lesion slot {n[:20]}", *run(["chat", "--jsonl"], f"{lesions}{n}\n{n} lesions\n2\n".encode()))
        judge("numbers", f"chat free text {n[:20]}",
              *run(["chat", "--plain"], f"my patient has {n} sclerotic lesions and vegf {n} pg/ml\n{n}\n/refs {n}\n/case\n".encode()))
        judge("numbers", f"ask {n[:20]}", *run(["ask", f"vegf {n} pg/ml, {n} bone lesions, marrow clean: radiate or transplant?", "--json"]))


HOSTILE = ["\x1b[2J\x1b[H", "\x1b]0;title\x07", "\x1b]8;;http://x\x1b\\l\x1b]8;;\x1b\\", "\x9b31m", "\x9d0;t\x9c", "\x90q\x9c",
           "\x1bP1|x\x1b\\", "\x00\x07\x7f", "\u202eabc", "\x1b", "\x1b[", "\x9b", "[red]markup[/red]", "**bold** `code`",
           "\x1b[6n", "\x1b[?1049h", "\x1bc", "\x1b(0", "\x85\x8d\x8e"]


def sweep_text(tmp: Path) -> None:
    rng = random.Random(15)
    for h in HOSTILE:
        judge("text", f"ask {h!r}", *run(["ask", f"vegf {h} cutoff", "--json"]))
        judge("text", f"ask --jsonl {h!r}", *run(["ask", "--jsonl"], f"what is {h} poems\n".encode()))
        judge("text", f"chat --plain {h!r}", *run(["chat", "--plain"], f"{h}\nis bevacizumab {h} safe\n/refs {h}\n".encode()))
        judge("text", f"chat --jsonl {h!r}", *run(["chat", "--jsonl"], f"{h} my patient has papilledema\n".encode()))
        path = tmp / "k.yaml"
        path.write_text(json.dumps({f"{h}field": 1}), encoding="utf-8")
        judge("text", f"case key {h!r}", *run(["assess", str(path)]))
        path = tmp / "k.json"
        path.write_text(json.dumps({f"{h}field": 1, "polyneuropathy": f"{h}"}), encoding="utf-8")
        judge("text", f"json key {h!r}", *run(["assess", str(path)]))
        judge("text", f"file name {h!r}", *run(["assess", str(tmp / f"x{h}.yaml")]))
    for _ in range(40):
        blob = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300)))
        judge("text", "ask --jsonl random bytes", *run(["ask", "--jsonl"], blob + b"\n" + blob))
        judge("text", "chat --jsonl random bytes", *run(["chat", "--jsonl"], blob + b"\n"))
        judge("text", "ask argv random bytes", *run(["ask", os.fsdecode(blob.replace(b"\x00", b"")) or "x", "--json"]))


def sweep_sessions(tmp: Path) -> None:
    data = tmp / "data"
    os.environ["GUIDEBOT_DATA_DIR"] = str(data)
    for umask in (0o000, 0o002, 0o022, 0o077, 0o277):
        old = os.umask(umask)
        try:
            export = tmp / f"export{umask:o}.md"
            code, out, err, s = run(["chat", "--jsonl", "--export", str(export)], f"what is poems\n/export {tmp / f'in{umask:o}.md'}\n".encode())
        finally:
            os.umask(old)
        modes = {p: os.stat(p).st_mode & 0o777 for p in [data, data / "sessions", *(data / "sessions").iterdir(), export, tmp / f"in{umask:o}.md"]}
        bad = {str(p): oct(m) for p, m in modes.items() if m not in (0o700, 0o600)}
        results["sessions"].append((code == 0 and not bad, f"umask {umask:o}: {bad or 'private'}"))
    ids = [p.stem for p in (data / "sessions").glob("*.jsonl")]
    real = (data / "sessions" / f"{ids[0]}.jsonl").read_text()
    rng = random.Random(7)
    crafted = []
    for n in range(60):  # mutations of a real log: cuts, swapped types, planted codes, huge values
        lines = real.splitlines()
        i = rng.randrange(len(lines))
        event = json.loads(lines[i])
        key = rng.choice(list(event))
        event[key] = rng.choice([None, 1, -1, 1e308, "x" * 10, [], {}, True, "\x1b[2J", {"text": 5}, [[[]]], 10**30])
        lines[i] = json.dumps(event)
        if n % 5 == 0:
            lines.insert(rng.randrange(len(lines)), lines[rng.randrange(len(lines))][: rng.randrange(1, 40)])
        crafted.append("\n".join(lines) + "\n")
    crafted += [f'{{"event":"slot_set","field":"vegf_pg_ml","value":{"9" * 5000}}}\n', "[" * 100_000 + "\n", "\x00" * 1000,
                '{"event":"bot_said","turn":{"text":"x","awaiting":{"slot":"polyneuropathy","kind":"int"}}}\n']
    for n, text in enumerate(crafted):
        path = data / "sessions" / f"crafted{n}.jsonl"
        path.write_text(text)
        judge("sessions", f"resume crafted{n}", *run(["chat", "--plain", "--resume", f"crafted{n}"], b"yes\n2\n"))
        judge("sessions", f"export crafted{n}", *run(["sessions", "export", f"crafted{n}"]))
    judge("sessions", "sessions list", *run(["sessions", "list"]))
    judge("sessions", "sessions prune", *run(["sessions", "prune", "--keep", "5"]))
    for bad in (["sessions", "show", "../../etc/passwd"], ["sessions", "delete", "-x"], ["sessions", "export", "\x1b[2J"],
                ["chat", "--resume", "../x", "--plain"], ["chat", "--plain", "--resume", "nope"]):
        judge("sessions", " ".join(bad), *run(bad))


def sweep_terminal_and_serve() -> None:
    env = {k: v for k, v in os.environ.items() if k != "TEXTUAL_DRIVER"}
    for args in ([], ["ui"], ["--resume"], ["--new"], ["--resume", "x"]):
        started = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "guidebot", *args], stdin=subprocess.DEVNULL, capture_output=True,
                              cwd=REPO, env=env, timeout=30)
        judge("no terminal", f"guidebot {' '.join(args)}", proc.returncode, proc.stdout, proc.stderr, time.perf_counter() - started)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        for args in (["--port", port], ["--host", "nope.invalid"], ["--host", "192.0.2.1"], ["--host", "\x1b[2J"],
                     ["--port", "0"], ["--port", "99999"], ["--host", "::1", "--port", "-1"], ["--host", "", "--port", port],
                     ["--host", "a" * 300]):
            judge("serve args", f"serve {args}", *run(["serve", *args]))


def main_() -> None:
    parser = argparse.ArgumentParser(description="adversarial sweep")
    parser.add_argument("--verbose", action="store_true", help="print every attempt that was not clean")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        os.environ["GUIDEBOT_DATA_DIR"] = str(tmp / "data")
        os.environ.setdefault("GUIDEBOT_CACHE_DIR", str(tmp / "cache"))
        kb_copy = tmp / "knowledge"
        shutil.copytree(REPO / "knowledge", kb_copy)
        for name, sweep in (("structure", lambda: sweep_structure(tmp, kb_copy)), ("files", lambda: sweep_files(tmp, kb_copy)),
                            ("numbers", lambda: sweep_numbers(tmp)), ("text", lambda: sweep_text(tmp)),
                            ("sessions", lambda: sweep_sessions(tmp)), ("terminal", sweep_terminal_and_serve)):
            started = time.perf_counter()
            sweep()
            print(f"  ({name} swept in {time.perf_counter() - started:.1f} s)", file=sys.stderr)
    total = clean = 0
    for cls, outcomes in results.items():
        ok = sum(1 for good, _ in outcomes if good)
        total, clean = total + len(outcomes), clean + ok
        print(f"{cls:>12}: {len(outcomes):4d} attempts, {ok:4d} clean")
        if args.verbose:
            for good, label in outcomes:
                if not good:
                    print(f"              NOT CLEAN {label}")
    print(f"{'all':>12}: {total:4d} attempts, {clean:4d} clean")


if __name__ == "__main__":
    main_()
