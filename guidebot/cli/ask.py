"""`guidebot ask`: answers one question (plain text or `--json`), or one per stdin line with `--jsonl`.

The start-up path of this command is the one users feel most, so it imports only the router (which reads
its cached plain-data index): no pydantic, yaml, markdown_it, textual or platformdirs.
"""

from __future__ import annotations

import argparse
import sys

from guidebot.errors import ExitCode, InputError

CARE_SECTIONS = ("diagnosis.", "criteria.", "differential.", "treatment.")
"""Facts (by id prefix) that answer a diagnostic or treatment question: asked about a described patient, the
answer object also carries that patient's `assessment` (a workup question gets the workup, no verdict)."""
MAX_LINE_CHARS = 2000
"""A `--jsonl` line longer than this is truncated before matching (the answer object says so)."""

MAX_LINE_BYTES = 4 * MAX_LINE_CHARS + 64
"""A `--jsonl` line is read at most this many bytes at a time: a line without an end never fills memory."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """QUESTION, --json, --jsonl, --refs, --knowledge."""
    parser.add_argument("question", nargs="?", metavar="QUESTION", help="the question, in quotes")
    parser.add_argument("--json", action="store_true", help="print the answer object as JSON (docs/interface.md, section 2)")
    parser.add_argument("--jsonl", action="store_true", help="read one question per stdin line, write one JSON answer per line")
    parser.add_argument("--refs", action="store_true", help="also print the full references cited")
    parser.add_argument("--knowledge", metavar="DIR", help="knowledge directory (default: the built-in one)")


def clean_question(text: str | bytes, max_len: int | None = None) -> str:
    """The question as `clean_text` makes it: no escape sequences or controls, bad bytes replaced, one line."""
    from guidebot.text import clean_text

    return clean_text(text, max_len)


def _utf8_stdout() -> None:
    """JSON goes out as UTF-8 whatever the locale says (PYTHONIOENCODING=ascii, a C locale without UTF-8 mode)."""
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None and (sys.stdout.encoding or "").lower().replace("-", "") != "utf8":
        reconfigure(encoding="utf-8", errors="replace")


def run(args: argparse.Namespace) -> int:
    """Answer the question(s); returns the exit code."""
    if args.json or args.jsonl:
        _utf8_stdout()
    if args.jsonl:
        if args.question is not None:
            raise InputError("give either a QUESTION or --jsonl, not both")
        return _run_jsonl(args)
    if args.question is None:
        raise InputError("no question given: guidebot ask \"QUESTION\" (or --jsonl to read stdin)")
    question = clean_question(args.question, MAX_LINE_CHARS)
    if not question:
        raise InputError("the question is empty")
    import gc

    # one answer, then the process ends: the cyclic collector would only walk the index's many small objects
    # again and again while they are unpickled (a tenth of the load), never freeing any of them; switched back
    # on after, for callers that run `main` in a longer-lived process
    collecting = gc.isenabled()
    gc.disable()
    try:
        from guidebot.routing import get_router

        router = get_router(args.knowledge)
        obj = _answer(router, question, args.knowledge)
        if args.json:
            import json

            print(json.dumps(public(obj), ensure_ascii=False))
        else:
            print(format_plain(obj, router if args.refs else None))
    finally:
        if collecting:
            gc.enable()
    return ExitCode.OK


def _answer(router, question: str, knowledge: str | None = None) -> dict:
    """The router's answer; a described patient asking for a verdict gets that patient's `assessment`."""
    match = router.route(question)
    obj = router.answer_for(question, match)
    # only a question routed to a verdict imports the dialogue stage (its package loads the whole manager), and
    # only a described patient among those loads the knowledge base and the criteria engine
    if obj.get("in_scope") and router.asks_for_verdict(obj.get("intent")):
        from guidebot.dialogue.described import MIN_FINDINGS, count_findings, with_assessment

        if count_findings(question) >= MIN_FINDINGS:
            obj = with_assessment(obj, question, knowledge)
    elif obj.get("in_scope") and str(obj.get("intent")).startswith(CARE_SECTIONS) and match.described:
        # a described patient's diagnostic or treatment question answered by another fact (a caution) still
        # gets the patient's assessment (INTERFACE section 2), beside that fact; the router says whether the
        # question describes a patient when its rules read the findings, so other questions never load them
        from guidebot.dialogue.described import with_assessment_beside

        obj = with_assessment_beside(obj, question, knowledge)
    return obj


def public(obj: dict) -> dict:
    """The answer object as printed: INTERFACE section 2 keys first, extension keys after, no internal ones.

    `answer` keeps the Markdown's paragraphs and lists but not its soft line breaks (the knowledge files wrap
    their text; a program wants whole sentences)."""
    from guidebot.render import unwrap_soft_breaks

    public_obj = {k: v for k, v in obj.items() if k != "plain"}
    if isinstance(public_obj.get("answer"), str):
        public_obj["answer"] = unwrap_soft_breaks(public_obj["answer"])
    return public_obj


def format_plain(obj: dict, router=None) -> str:
    """An answer as terminal text: title, body, `Sources: [..]`, suggestions; full references when given a router."""
    parts = [obj.get("title") or "", obj.get("plain") or obj.get("answer", "")]
    if obj.get("citations"):
        from guidebot.render import format_citations

        parts.append(f"Sources: {format_citations(obj['citations'])}")
    if obj.get("in_scope") and obj.get("suggestions"):
        parts.append("You may also mean: " + "; ".join(obj["suggestions"]))
    if router is not None and obj.get("citations"):
        refs = []
        for n in obj["citations"]:
            try:
                refs.append(router.reference(n))
            except KeyError:
                refs.append(f"{n}. (not in the reference list)")
        parts.append("References:\n" + "\n".join(refs))
    return "\n\n".join(p for p in parts if p)


def _run_jsonl(args: argparse.Namespace) -> int:
    """One JSON object per stdin line, in order, flushed as it goes; a bad line gets an answer, never a crash."""
    import json

    from guidebot.routing import get_router

    router = get_router(args.knowledge)
    out = sys.stdout
    stdin = sys.stdin.buffer
    while True:
        # bytes, decoded leniently by clean_question: invalid UTF-8 becomes U+FFFD, never an error mid-stream
        raw = stdin.readline(MAX_LINE_BYTES)
        if not raw:
            break
        cut = not raw.endswith(b"\n") and len(raw) >= MAX_LINE_BYTES
        while cut:  # the rest of an overlong line is read and dropped a chunk at a time
            rest = stdin.readline(MAX_LINE_BYTES)
            if not rest or rest.endswith(b"\n"):
                break
        question = clean_question(raw, MAX_LINE_CHARS + 1)
        note = None
        if len(question) > MAX_LINE_CHARS or cut:
            note = f"the question was over {MAX_LINE_CHARS} characters long; only the first {MAX_LINE_CHARS} were used"
            question = question[:MAX_LINE_CHARS]
        if "\ufffd" in question:
            note = ((note + "; ") if note else "") + "invalid UTF-8 in the line was replaced"
        try:
            obj = public(_answer(router, question, args.knowledge))
        except Exception as exc:  # noqa: BLE001 - one bad line must not end the stream
            obj = {"question": question, "in_scope": False, "intent": None, "confidence": 0.0,
                   "answer": "guidebot could not answer this line.", "citations": [], "suggestions": [],
                   "error": clean_question(f"{type(exc).__name__}: {exc}", 500)}
        if note:
            obj["note"] = note
        out.write(json.dumps(obj, ensure_ascii=False) + "\n")
        out.flush()
    return ExitCode.OK
