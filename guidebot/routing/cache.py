"""The index cache: a pickle of the plain-data index, keyed so that any change to its inputs rebuilds it.

The key holds the guidebot version, `INDEX_FORMAT`, the router's own source files (an edited stopword list
must not reuse an old index), every knowledge file's (path, mtime_ns, size) and those of the other data files
the index was built from (the re-ranker model, the semantic vectors and their settings: `index.DATA_FILES`,
recorded in the cache so that reading it imports nothing of the index builder's).

A new machine has no cache: an installed package ships a prebuilt index (`SEED_FILE` in its knowledge
directory, written at packaging time by hatch_build.py), keyed by content (the router's sources and the
knowledge files' bytes), so the first `ask` reads it instead of validating the knowledge base and building.
"""

from __future__ import annotations

import os

from guidebot.knowledge.locate import fingerprint

INDEX_FORMAT = 16
"""Bump when the shape of the cached index or the normalisation changes: old caches are then rebuilt."""


class PackedWords:
    """A read-only {word: number} table kept as one sorted, newline-joined string and two arrays, looked up by
    bisection: the re-ranker's ~12,000 features read back from the cache as three objects, not as a dict of
    12,000 strings (milliseconds on every start of `guidebot ask`), for a few microseconds per question."""

    __slots__ = ("_text", "_starts", "_values")

    def __init__(self, table: dict[str, int]):
        from array import array

        words = sorted(table)
        self._text = "\n".join(words)
        self._starts = array("I")
        at = 0
        for word in words:
            self._starts.append(at)
            at += len(word) + 1
        self._values = array("I", (table[w] for w in words))

    def __reduce__(self):
        return _packed_words, (self._text, self._starts, self._values)

    def __len__(self) -> int:
        return len(self._values)

    def _find(self, word: str) -> int:
        text, starts = self._text, self._starts
        lo, hi = 0, len(starts)
        while lo < hi:
            mid = (lo + hi) // 2
            start = starts[mid]
            end = text.find("\n", start)
            probe = text[start:end] if end >= 0 else text[start:]
            if probe == word:
                return mid
            if probe < word:
                lo = mid + 1
            else:
                hi = mid
        return -1

    def get(self, word: str, default=None):
        at = self._find(word)
        return self._values[at] if at >= 0 else default

    def __contains__(self, word: str) -> bool:
        return self._find(word) >= 0

    def items(self):
        """(word, number) pairs, in sorted order (for building, never on the `ask` path)."""
        return zip(self._text.split("\n") if self._values else (), self._values)


def _packed_words(text: str, starts, values) -> PackedWords:
    table = PackedWords.__new__(PackedWords)
    table._text, table._starts, table._values = text, starts, values
    return table


class PackedLists:
    """A read-only {word: list of numbers} table (the postings) kept as `PackedWords` and two flat arrays: only
    the question's few words are ever looked up, so reading back every list as Python objects on each start
    of `guidebot ask` would be wasted. `get` returns an array, which iterates, slices, bisects and answers
    `in` like the list it replaces."""

    __slots__ = ("_rows", "_offsets", "_values")

    def __init__(self, table: dict[str, list], typecode: str):
        from array import array

        self._rows = PackedWords({word: i for i, word in enumerate(table)})
        self._offsets = array("I", [0])
        self._values = array(typecode)
        for numbers in table.values():
            self._values.extend(numbers)
            self._offsets.append(len(self._values))

    def __reduce__(self):
        return _packed_lists, (self._rows, self._offsets, self._values)

    def get(self, word: str, default=None):
        row = self._rows.get(word)
        if row is None:
            return default
        return self._values[self._offsets[row]:self._offsets[row + 1]]

    def __contains__(self, word: str) -> bool:
        return word in self._rows

    def __len__(self) -> int:
        return len(self._rows)

    def items(self):
        """(word, array) pairs (for building, never on the `ask` path)."""
        offsets, values = self._offsets, self._values
        return ((word, values[offsets[row]:offsets[row + 1]]) for word, row in self._rows.items())


def _packed_lists(rows: PackedWords, offsets, values) -> PackedLists:
    table = PackedLists.__new__(PackedLists)
    table._rows, table._offsets, table._values = rows, offsets, values
    return table


def cache_dir() -> str:
    """$GUIDEBOT_CACHE_DIR, else $XDG_CACHE_HOME/guidebot, else ~/.cache/guidebot (no platformdirs: start-up cost)."""
    explicit = os.environ.get("GUIDEBOT_CACHE_DIR")
    if explicit:
        return explicit
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = xdg if xdg else os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "guidebot")


def _code_stamp() -> tuple[tuple[str, int, int], ...]:
    """(name, mtime_ns, size) of every module of the router: an edited router (a new stopword, say) must not
    reuse an old index."""
    folder = os.path.dirname(__file__)
    stamps = []
    for name in sorted(os.listdir(folder)):
        if name.endswith(".py"):
            st = os.stat(os.path.join(folder, name))
            stamps.append((name, st.st_mtime_ns, st.st_size))
    return tuple(stamps)


def _cache_key(root: str, data_files: tuple[str, ...]) -> tuple:
    from guidebot import __version__

    stamps = []
    for name in data_files:  # not YAML, so `fingerprint` does not see them
        try:
            st = os.stat(os.path.join(root, name))
            stamps.append((name, st.st_mtime_ns, st.st_size))
        except OSError:
            stamps.append((name, None))
    return (__version__, INDEX_FORMAT, _code_stamp(), root, fingerprint(root), tuple(stamps))


def _cache_file(root: str) -> str:
    from zlib import crc32

    return os.path.join(cache_dir(), f"router-{crc32(root.encode('utf-8', 'surrogatepass')):08x}.pickle")


SEED_FILE = "index.seed.pickle"
"""The prebuilt index inside an installed package's knowledge directory (absent in a source checkout)."""


def content_key(root: str) -> tuple:
    """The key of a prebuilt index: the version, `INDEX_FORMAT`, and a digest of the router's sources and of
    every knowledge file and of the other data files the index reads (their bytes, not their times, which an
    install changes)."""
    import hashlib

    from guidebot import __version__
    from guidebot.knowledge.locate import knowledge_files
    from guidebot.routing.index import DATA_FILES  # a new machine builds or seeds: the builder is loaded anyway

    digest = hashlib.sha256()
    folder = os.path.dirname(__file__)
    sources = [os.path.join(folder, n) for n in sorted(os.listdir(folder)) if n.endswith(".py")]
    files = [str(p) for p in knowledge_files(root)] + [os.path.join(root, name) for name in DATA_FILES]
    for label, paths, base in (("code", sources, folder), ("knowledge", files, root)):
        for path in paths:
            try:
                with open(path, "rb") as fh:
                    data = fh.read()
            except OSError:
                data = b""
            digest.update(f"{label}:{os.path.relpath(path, base)}:{len(data)}\n".encode())
            digest.update(data)
    return (__version__, INDEX_FORMAT, digest.hexdigest())


def write_seed(root: str, target: str) -> None:
    """Build the index of the knowledge base at `root` and write it to `target` as a prebuilt index."""
    import pickle

    from guidebot.knowledge import load_knowledge
    from guidebot.routing.index import build_index

    index = build_index(load_knowledge(root))
    with open(target, "wb") as fh:
        pickle.dump({"key": content_key(root), "index": index}, fh, protocol=pickle.HIGHEST_PROTOCOL)


def _seed(root: str) -> dict | None:
    """The prebuilt index shipped with the knowledge at `root`, when there is one and it is of this content."""
    import pickle

    path = os.path.join(root, SEED_FILE)
    if not os.path.exists(path):
        return None
    try:
        with open(path, "rb") as fh:
            stored = pickle.load(fh)
        if isinstance(stored, dict) and stored.get("key") == content_key(root):
            return stored["index"]
    except Exception:  # noqa: BLE001 - an unreadable or stale seed is simply not used
        pass
    return None


def load_index(root: str) -> dict:
    """The cached index when fresh; else the package's prebuilt one when it matches; otherwise build it
    (validating the knowledge base). Either way, try to cache it."""
    import pickle

    path = _cache_file(root)
    try:
        with open(path, "rb") as fh:
            stored = pickle.load(fh)
        if isinstance(stored, dict) and stored.get("key") == _cache_key(root, tuple(stored.get("data_files", ()))):
            return stored["index"]
    except Exception:  # noqa: BLE001 - a missing, stale or corrupt cache is simply rebuilt
        pass
    from guidebot.routing.index import DATA_FILES, build_index

    # the key is taken before building, so that a file edited meanwhile makes the next run rebuild
    key = _cache_key(root, DATA_FILES)
    index = _seed(root)
    if index is None:
        from guidebot.knowledge import load_knowledge

        index = build_index(load_knowledge(root))
    _write_cache(path, {"key": key, "data_files": DATA_FILES, "index": index})
    return index


def _write_cache(path: str, payload: dict) -> None:
    """Write atomically (temp file + rename) so a concurrent reader never sees half a pickle; ignore failures."""
    import pickle
    import tempfile

    try:
        folder = os.path.dirname(path)
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".router-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(payload, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        pass  # an unwritable cache dir: the index just lives in memory for this process
