"""The index cache: a pickle of the plain-data index, keyed so that any change to its inputs rebuilds it.

The key holds the guidebot version, `INDEX_FORMAT`, the router's own source files (an edited stopword list
must not reuse an old index), every knowledge file's (path, mtime_ns, size) and the re-ranker model's.
"""

from __future__ import annotations

import os

from guidebot.knowledge.locate import fingerprint
from guidebot.routing.index import INDEX_FORMAT, build_index
from guidebot.routing.reranker import MODEL_FILE
from guidebot.routing.semantic import config_path, vector_path



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


def _cache_key(root: str) -> tuple:
    from guidebot import __version__

    try:
        st = os.stat(os.path.join(root, MODEL_FILE))
        model = (st.st_mtime_ns, st.st_size)
    except OSError:
        model = None
    vectors = []
    for path in (vector_path(root), config_path(root)):  # not YAML, so `fingerprint` does not see them
        try:
            st = os.stat(path)
            vectors.append((st.st_mtime_ns, st.st_size))
        except OSError:
            vectors.append(None)
    return (__version__, INDEX_FORMAT, _code_stamp(), root, fingerprint(root), model, tuple(vectors))


def _cache_file(root: str) -> str:
    from zlib import crc32

    return os.path.join(cache_dir(), f"router-{crc32(root.encode('utf-8', 'surrogatepass')):08x}.pickle")


def load_index(root: str) -> dict:
    """The cached index when fresh; otherwise build it (validating the knowledge base) and try to cache it."""
    import pickle

    key = _cache_key(root)
    path = _cache_file(root)
    try:
        with open(path, "rb") as fh:
            stored = pickle.load(fh)
        if isinstance(stored, dict) and stored.get("key") == key:
            return stored["index"]
    except Exception:  # noqa: BLE001 - a missing, stale or corrupt cache is simply rebuilt
        pass
    from guidebot.knowledge import load_knowledge

    index = build_index(load_knowledge(root))
    _write_cache(path, {"key": key, "index": index})
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
