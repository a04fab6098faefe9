"""Word keys shared by the index and the question: singular (`_stem`), crude root (`_root`), and the spelling-blind
keys used to read misspellings (`_sound`, `_skeleton`). Pure functions of one word, no data."""

from __future__ import annotations


def _stem(word: str) -> str:
    """Plural to singular, crudely but the same on both sides: "lesions" -> "lesion", "therapies" -> "therapy".

    Words ending in "ss", "us", "is" or "ys" ("mass", "status", "analysis") are kept whole, as are short
    words and words with digits.
    """
    if len(word) < 4 or not word.endswith("s") or word.endswith(("ss", "us", "is", "ys")) or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    return word[:-1]


_ROOT_SUFFIXES = (("ologically", "olog"), ("ological", "olog"), ("ologic", "olog"), ("ology", "olog"),
                  ("ographic", "ograph"), ("ography", "ograph"), ("ogram", "ograph"), ("ability", "abl"), ("ibility", "ibl"), ("ally", "al"), ("ization", "iz"), ("isation", "iz"), ("ations", "at"), ("ation", "at"), ("ment", ""),
                  ("ing", ""), ("ied", "y"), ("ised", "iz"), ("ized", "iz"), ("ed", ""), ("ise", "iz"), ("ize", "iz"))


_SOUNDS = (("ph", "f"), ("ae", "e"), ("oe", "e"), ("th", "t"), ("y", "i"), ("k", "c"), ("z", "s"), ("q", "c"))


def _sound(word: str) -> str:
    """A spelling-blind key for typo matching: "plasmaferesis" and "plasmapheresis", "papiledema" and
    "papilledema", "haematology" and "hematology" get the same key (ph=f, ae=oe=e, y=i, k=c, z=s, no
    doubled letters, no final e)."""
    for a, b in _SOUNDS:
        word = word.replace(a, b)
    out = []
    for c in word:
        if not out or out[-1] != c:
            out.append(c)
    if len(out) > 4 and out[-1] == "e":
        out.pop()  # a silent final e, as other languages spell it ("therapie", "neuropathie")
    return "".join(out)


SKELETON_MIN_LENGTH = 7
"""Words at least this long are also matched by their consonants (see `_skeleton`)."""


def _skeleton(word: str) -> str:
    """A vowel-blind key for long drug names: the first letter and the consonants of the sound key. The
    commonest slip in a drug name is a wrong vowel, often two ("ixozamib" for ixazomib, "lenalidamide"),
    which is more edits than a typo allows; the index keeps only keys that name one word."""
    key = _sound(word)
    return key[0] + "".join(c for c in key[1:] if c not in "aeiou")


def _root(word: str) -> str:
    """A crude root for conflating inflections the lexicon does not list: "treated", "treating", "treatment"
    -> "treat"; "radiation", "radiate" -> "radiat"; "mobilisation", "mobilized" -> "mobiliz"; "echocardiographic",
    "echocardiogram" -> "echocardiograph"; "pathophysiologic" -> "pathophysiolog".

    Used only to group words of the index into one class (see `build_index`), never shown; words shorter
    than five letters or with digits are kept whole, and a root is never shorter than four letters.
    """
    if len(word) < 5 or not word.isalpha():
        return word
    for suffix, repl in _ROOT_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) + len(repl) >= 4:
            word = word[: -len(suffix)] + repl
            if len(word) > 4 and word[-1] == word[-2] and word[-1] not in "lsz":
                word = word[:-1]  # "stopped" -> "stopp" -> "stop"
            break
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word
