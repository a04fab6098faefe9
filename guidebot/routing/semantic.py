"""Meaning beyond surface words: static word vectors distilled from a sentence encoder (see
`guidebot.training.distil`), read with plain Python (`array`, no numpy or torch at ask time).

`knowledge/semantic.bin` holds a vocabulary (MiniLM's wordpieces plus whole words of the knowledge base), an
int8 vector and a float32 scale per entry, and a weight per entry (rarer words say more). A text's vector is
the weighted mean of its words' vectors; a word the table lacks as a whole is split into wordpieces the way
MiniLM's tokenizer would. Targets get a vector from their title, example questions and keywords at index
time; a question is compared with each by cosine. "blood clots" lands near thrombosis, "an antibody that
blocks the vessel growth factor" near bevacizumab, words the lexical scores never saw.

Exam vignettes ("A 54-year-old man with ... Which is the next best step?") are read in two parts
(`split_ask`): the sentence that asks, found by the cue list in `knowledge/semantic.yaml`, and the case
around it; the ask weighs more, so that the vignette's findings do not drown what it asks for.
"""

from __future__ import annotations

import math
import re
import struct
from array import array
from functools import lru_cache
from operator import mul
from pathlib import Path
from typing import NamedTuple

FORMAT_MAGIC = b"GBSEM1\n"
"""First bytes of the vector file; a file without them is not read."""
MAX_WEIGHT = 8.0
"""Word weights are stored as uint8 fractions of this."""
TOKEN_RE = re.compile(r"[a-z0-9]+")
"""A text's words for the vectors (after case folding), the same split at training and at ask time."""
MAX_PIECE_WORD = 40
"""Longer 'words' are not split into wordpieces (MiniLM maps them to [UNK])."""
MAX_TEXT_CHARS = 2000
"""Only this much of a question is read (a pasted document must not cost seconds)."""
VECTOR_FILE = "semantic.bin"
CONFIG_FILE = "semantic.json"


def wordpieces(word: str, vocab) -> list[str]:
    """MiniLM's greedy longest-match-first split of one word into wordpieces ([] when it has no split)."""
    if len(word) > MAX_PIECE_WORD:
        return []
    pieces = []
    start = 0
    while start < len(word):
        end = len(word)
        piece = None
        while start < end:
            candidate = word[start:end] if start == 0 else "##" + word[start:end]
            if candidate in vocab:
                piece = candidate
                break
            end -= 1
        if piece is None:
            return []
        pieces.append(piece)
        start = end
    return pieces


def write_table(path: Path, entries: list[str], rows: list[list[float]], weights: list[float]) -> int:
    """Write the vector file (used by the trainer); returns its size in bytes.

    Layout: magic, then `<IH` (entries, dims), the entries as UTF-8 joined by newlines (length-prefixed
    `<I`), `entries` uint8 weights, `entries` float32 scales, `entries x dims` int8 components."""
    dims = len(rows[0])
    scales = array("f")
    comps = array("b")
    for row in rows:
        peak = max(abs(x) for x in row) or 1.0
        scales.append(peak / 127.0)
        comps.extend(max(-127, min(127, round(x * 127.0 / peak))) for x in row)
    words = "\n".join(entries).encode("utf-8")
    quantised = bytes(max(0, min(255, round(255 * w / MAX_WEIGHT))) for w in weights)
    blob = (FORMAT_MAGIC + struct.pack("<IH", len(entries), dims) + struct.pack("<I", len(words)) + words
            + quantised + scales.tobytes() + comps.tobytes())
    path.write_bytes(blob)
    return len(blob)


class Table(NamedTuple):
    """The vector file, read."""

    index: dict[str, int]
    weights: bytes
    scales: array
    comps: array
    dims: int


def read_table(path: str | Path) -> Table:
    """The vector file; ValueError when it is not one."""
    blob = Path(path).read_bytes()
    if not blob.startswith(FORMAT_MAGIC):
        raise ValueError(f"{path}: not a guidebot vector file")
    pos = len(FORMAT_MAGIC)
    count, dims = struct.unpack_from("<IH", blob, pos)
    pos += 6
    (nbytes,) = struct.unpack_from("<I", blob, pos)
    pos += 4
    entries = blob[pos : pos + nbytes].decode("utf-8").split("\n")
    pos += nbytes
    weights = blob[pos : pos + count]
    pos += count
    scales = array("f")
    scales.frombytes(blob[pos : pos + 4 * count])
    pos += 4 * count
    comps = array("b")
    comps.frombytes(blob[pos : pos + count * dims])
    if len(entries) != count or len(comps) != count * dims:
        raise ValueError(f"{path}: truncated vector file")
    return Table(dict(zip(entries, range(count))), weights, scales, comps, dims)


@lru_cache(maxsize=4)
def load_table(path: str) -> Table | None:
    """The vector file at `path`, read once per process; None when it is missing or unreadable (the router then
    works on words alone)."""
    try:
        return read_table(path)
    except (OSError, ValueError, struct.error, UnicodeDecodeError):
        return None


def _entries(word: str, table: Table) -> list[int]:
    """Table rows for one word: the word itself, else its wordpieces."""
    row = table.index.get(word)
    if row is not None:
        return [row]
    return [table.index[p] for p in wordpieces(word, table.index)]


def embed(text: str, table: Table, stopwords: frozenset[str] = frozenset()) -> list[float] | None:
    """The unit vector of a text (weighted mean of its words' vectors), None when no word has one."""
    dims = table.dims
    acc = [0.0] * dims
    comps, scales, weights = table.comps, table.scales, table.weights
    found = False
    for word in TOKEN_RE.findall(text.casefold()):
        if word in stopwords:
            continue
        rows = _entries(word, table)
        if not rows:
            continue
        share = 1.0 / len(rows)  # a word split into pieces weighs as one word
        for row in rows:
            w = weights[row] * share * scales[row]
            if not w:
                continue
            found = True
            base = row * dims
            part = comps[base : base + dims]
            for k in range(dims):
                acc[k] += w * part[k]
    if not found:
        return None
    return _unit(acc)


def _unit(vec: list[float]) -> list[float] | None:
    norm = math.sqrt(sum(x * x for x in vec))
    return [x / norm for x in vec] if norm else None


def mix(parts: list[tuple[list[float] | None, float]]) -> list[float] | None:
    """The unit vector of a weighted sum of unit vectors (None parts skipped)."""
    present = [(v, w) for v, w in parts if v is not None and w]
    if not present:
        return None
    dims = len(present[0][0])
    acc = [0.0] * dims
    for vec, w in present:
        for k in range(dims):
            acc[k] += w * vec[k]
    return _unit(acc)


def cosine(a: list[float], b) -> float:
    """Cosine of two unit vectors."""
    return sum(map(mul, a, b))


class Ask(NamedTuple):
    """A question read as what it asks and the case around it (the case is "" when there is none)."""

    ask: str
    case: str


_SENTENCE_END = re.compile(r"(?<=[.?!;:])\s+")


def split_ask(text: str, cues: tuple[str, ...]) -> Ask:
    """The sentence that asks (the last one holding a cue such as "which is the next best step") and the case
    around it; a text of one sentence, or with no cue, is all ask."""
    sentences = [s for s in _SENTENCE_END.split(text.strip()) if s]
    if len(sentences) < 2:
        return Ask(text, "")
    folded = [f" {' '.join(TOKEN_RE.findall(s.casefold()))} " for s in sentences]
    for i in range(len(sentences) - 1, -1, -1):
        if any(f" {cue} " in folded[i] for cue in cues):
            return Ask(sentences[i], " ".join(sentences[:i] + sentences[i + 1 :]))
    return Ask(text, "")


CONFIG_NUMBERS = ("ask_weight", "case_weight", "best_phrase_share", "score_weight", "score_floor", "rescue_min", "rescue_margin", "rescue_max_out")
"""The numeric settings of `semantic.json`, every one required."""


def read_config(path: Path) -> dict:
    """The settings file, checked; ValueError naming the file and the setting when it is wrong."""
    import json

    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: cannot read the semantic settings: {exc}") from None
    if not isinstance(config, dict):
        raise ValueError(f"{path}: expected a JSON object")
    for name in CONFIG_NUMBERS:
        value = config.get(name)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 10:
            raise ValueError(f"{path}: {name} must be a number from 0 to 10")
    cues = config.get("ask_cues")
    if not isinstance(cues, list) or not all(isinstance(c, str) and c.strip() for c in cues):
        raise ValueError(f"{path}: ask_cues must be a list of words or phrases")
    config["ask_cues"] = [" ".join(TOKEN_RE.findall(c.casefold())) for c in cues]
    return config


def switched_on(config: dict) -> bool:
    """Whether a use of the vectors is switched on: the score term (`score_weight` above 0) or the rescue
    (`rescue_min` at most 1, a cosine that can be reached)."""
    return config["score_weight"] > 0 or config["rescue_min"] <= 1.0


def config_path(root: str | Path) -> str:
    return str(Path(root) / CONFIG_FILE)


def vector_path(root: str | Path) -> str:
    return str(Path(root) / VECTOR_FILE)


def build_vectors(root: str | Path | None, target_texts: list[list[str]], stopwords: frozenset[str]) -> dict | None:
    """The index's semantic part (plain data, pickled with it): every target's phrasing vectors and its
    centroid, flat `array("f")`s; the settings of `knowledge/semantic.yaml`. None without a vector file or
    settings (the router then works on words alone)."""
    if root is None:
        return None
    config_path = Path(root) / CONFIG_FILE
    table = load_table(vector_path(root))
    if table is None or not config_path.exists():
        return None
    try:
        config = read_config(config_path)
    except ValueError as exc:
        from guidebot.errors import InputError  # a broken knowledge file is bad input (exit 2), not a crash

        raise InputError(str(exc)) from None
    if not switched_on(config):
        return None  # nothing would read the vectors: no index build time, cache size or memory spent on them
    dims = table.dims
    zero = [0.0] * dims
    phrases, owner, spans, centroids = array("f"), array("i"), [], array("f")
    for ti, texts in enumerate(target_texts):
        lo = len(owner)
        vecs = [v for v in (embed(t, table, stopwords) for t in texts) if v is not None]
        for v in vecs:
            phrases.extend(v)
            owner.append(ti)
        spans.append((lo, len(owner)))
        centroids.extend(mix([(v, 1.0) for v in vecs]) or zero)
    return {"file": vector_path(root), "dims": dims, "phrases": phrases, "spans": spans, "centroids": centroids,
            "config": config}


class Similarity:
    """Question-to-target similarity over the index's semantic part: the mean of the best phrasing's cosine and
    the centroid's (the best phrasing is sharp, the centroid steady)."""

    def __init__(self, part: dict, stopwords: frozenset[str]):
        self.part = part
        self.config = part["config"]
        self.stopwords = stopwords
        self._phrases = memoryview(part["phrases"])
        self._centroids = memoryview(part["centroids"])
        self._cues = tuple(self.config.get("ask_cues", ()))

    @property
    def table(self) -> Table | None:
        return load_table(self.part["file"])

    def question_vector(self, text: str) -> list[float] | None:
        """The question's vector: its ask weighted over the case around it (see `split_ask`)."""
        table = self.table
        if table is None or table.dims != self.part["dims"]:
            return None
        ask, case = split_ask(text, self._cues)
        if not case:
            return embed(text, table, self.stopwords)
        return mix([(embed(ask, table, self.stopwords), self.config.get("ask_weight", 1.0)),
                    (embed(case, table, self.stopwords), self.config.get("case_weight", 1.0))])

    def best_targets(self, vec: list[float] | None, count: int) -> dict[int, float]:
        """The similarity of the `count` targets whose centroids are nearest `vec`: a cheap first pass over
        every target, the best-phrasing pass only for those."""
        if vec is None:
            return {}
        dims, centroids = self.part["dims"], self._centroids
        near = sorted(range(len(self.part["spans"])), key=lambda t: -sum(map(mul, vec, centroids[t * dims : (t + 1) * dims])))
        return self.scores(vec, near[:count])

    def rescue_target(self, text: str, fact_of: list[str], candidates: int) -> tuple[int, float] | None:
        """(target, similarity) of the one target a question means, when its similarity reaches `rescue_min`
        and leads every other fact's by `rescue_margin`; None otherwise, and always when `rescue_min` is above
        1 (switched off)."""
        config = self.config
        if config["rescue_min"] > 1.0:
            return None
        sims = self.best_targets(self.question_vector(text[:MAX_TEXT_CHARS]), candidates)
        if not sims:
            return None
        ranked = sorted(sims, key=lambda t: (-sims[t], t))
        top = ranked[0]
        runner = next((sims[t] for t in ranked[1:] if fact_of[t] != fact_of[top]), 0.0)
        if sims[top] < config["rescue_min"] or sims[top] - runner < config["rescue_margin"]:
            return None
        return top, sims[top]

    def scores(self, vec: list[float] | None, targets) -> dict[int, float]:
        """Target -> similarity to the question vector `vec` (empty without one)."""
        if vec is None:
            return {}
        dims = self.part["dims"]
        spans = self.part["spans"]
        phrases, centroids = self._phrases, self._centroids
        share = self.config.get("best_phrase_share", 0.5)
        out = {}
        for t in targets:
            lo, hi = spans[t]
            if lo == hi:
                continue
            best = max(sum(map(mul, vec, phrases[i * dims : (i + 1) * dims])) for i in range(lo, hi))
            centre = sum(map(mul, vec, centroids[t * dims : (t + 1) * dims]))
            out[t] = share * best + (1.0 - share) * centre
        return out
