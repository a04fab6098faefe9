"""Input limits in one place, and `read_capped`, the one way guidebot reads a file a person hands it.

Every bound below is far above anything real input needs and far below what would cost memory or time;
a value beyond one is an input error (exit 2, one line), never a traceback. Imports only `os`.
"""

from __future__ import annotations

import errno
import os
import stat

from guidebot.errors import InputError

MAX_CASE_BYTES = 1_000_000
"""A case file is a few hundred bytes; anything over 1 MB is a mistake (wrong file), not a case."""
MAX_KNOWLEDGE_FILE_BYTES = 2_000_000
"""A knowledge file larger than this is certainly a mistake (the whole real base is far smaller)."""
MAX_SESSION_BYTES = 20_000_000
"""A session log of a thousand turns is a few MB; a larger one is not guidebot's."""

MAX_DEPTH = 40
"""Nesting of mappings and lists in a YAML/JSON document (the knowledge base uses 6)."""
MAX_NODES = 100_000
"""Scalars, mappings and lists in one knowledge file (the largest has about 2,000)."""
MAX_CASE_NODES = 1_000
"""Scalars, mappings and lists in one case file (every field set, all seven endocrine items: about 50)."""
MAX_NUMBER_DIGITS = 30
"""Digits in a number read from a file or typed: more is not a measurement (and 5000 digits cost seconds)."""

MAX_LESIONS = 1000
"""Upper bound of a sclerotic bone lesion count: "innumerable" lesions are still far fewer."""
MAX_VEGF_PG_ML = 1_000_000
"""Upper bound of a VEGF level in pg/mL: reported levels are in the hundreds to tens of thousands."""

_KINDS = {
    stat.S_IFDIR: "a directory",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFIFO: "a named pipe",
    stat.S_IFSOCK: "a socket",
}


class UnreadableFile(InputError):
    """A file that cannot be read as input; `reason` says why in a phrase (the caller names the file)."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


def read_capped(path: str | os.PathLike[str], cap: int) -> bytes:
    """The bytes of a regular file of at most `cap` bytes; `UnreadableFile` otherwise.

    The size is checked by reading (at most `cap + 1` bytes), not trusted from `stat`, and anything but a
    regular file (a directory, /dev/zero, a FIFO, a socket) is refused before a byte is read. The file is
    opened non-blocking, so a FIFO without a writer cannot hang the open.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except ValueError:  # a NUL in the name
        raise UnreadableFile("not a valid file name") from None
    except FileNotFoundError:
        raise UnreadableFile("no such file") from None
    except PermissionError:
        raise UnreadableFile("cannot read the file (permission denied)") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UnreadableFile("cannot read the file (a loop of symbolic links)") from None
        raise UnreadableFile(f"cannot read the file ({exc.strerror or exc})") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise UnreadableFile(f"not a regular file ({_KINDS.get(stat.S_IFMT(mode), 'a special file')})")
        chunks, total = [], 0
        while total <= cap:
            chunk = os.read(fd, min(1 << 20, cap + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > cap:
            raise UnreadableFile(f"file is too large (over {cap:,} bytes)")
        return b"".join(chunks)
    except OSError as exc:
        raise UnreadableFile(f"cannot read the file ({exc.strerror or exc})") from None
    finally:
        os.close(fd)


def too_many_digits(text: str) -> bool:
    """Whether a number's text has more than MAX_NUMBER_DIGITS digits (checked before `int()` or `float()`)."""
    return sum(ch.isdigit() for ch in text) > MAX_NUMBER_DIGITS
