"""Sound-alikes: dictated or misheard words read by how they sound ("bev as is you mab" -> bevacizumab,
"lenny lid oh mide" -> lenalidomide).

Speech recognition cuts a long drug name into short everyday words; spelling correction cannot rejoin them
(the pieces are real words, and far more than one edit apart). Their metaphone key (jellyfish's metaphone)
is close to the drug's: BFSSYMB for "bevasisyoumab", BFSSMB for bevacizumab. A run of words is replaced by a
long known word only when the run starts and ends with words guidebot does not know and holds no known
content word: "plasma exchange", "give the drug" and "a trophy" stay what they say.

jellyfish is imported only for a question with at least two unknown words (about 3 ms once per process).
"""

from __future__ import annotations

from collections.abc import Callable

MIN_WORD_LENGTH = 7
"""Only long known words are targets: a short key matches too much ("liver" and "lever")."""
MIN_KEY_LENGTH = 4
"""Words with shorter keys are no targets (too many everyday runs sound like them)."""
NEAR_KEY_LENGTH = 5
"""A key at least this long may be one edit from the word's key (a dictated vowel adds a Y or an H)."""
MIN_LENGTH_SLACK = 3
"""The joined pieces may differ from the word's length by this many letters, or a third of it if more."""
MAX_RUN = 5
"""At most this many words are joined ("bev as is you mab")."""
MIN_KNOWN_START_LENGTH = 10
"""A run that starts with a known word ("plasma fur esis") must spell at least this many letters."""
SYLLABLE_LENGTH = 4
"""A known word this short may be a syllable of a dictated name ("bevvy size you mab", "organ oh meg a lee"),
joined only into a word of `MIN_KNOWN_START_LENGTH` letters or more that it sounds exactly like."""


def _bare(key: str) -> str:
    """A metaphone key without Y and H: a dictated vowel adds them ("you", "oh")."""
    return key.replace("Y", "").replace("H", "")


def metaphone(word: str) -> str:
    """jellyfish's metaphone key of a word (upper case), with "th" (0) read as T: speech recognition hears
    "thalidomide" as "tally doe mide"."""
    import jellyfish  # only when a question has unknown pieces to join; see the module docstring

    return jellyfish.metaphone(word).replace("0", "T")


def sound_keys(vocabulary, misspelt: dict[str, str], used: set[str]) -> dict[str, str]:
    """Metaphone key -> the long word of `vocabulary` that has it, for keys that name one word: a curator's
    misspelling (a key of `misspelt`, or a lexicon variant within two edits of a word the facts use, in
    `used`: "thalidomid") counts as that word."""
    from rapidfuzz.distance import OSA

    owners: dict[str, set[str]] = {}
    for word in vocabulary:
        if len(word) >= MIN_WORD_LENGTH and word.isalpha():
            owners.setdefault(metaphone(word), set()).add(misspelt.get(word, word))
    keys = {}
    for key, words in sorted(owners.items()):
        if len(key) < MIN_KEY_LENGTH:
            continue
        real = sorted(w for w in words if w in used)
        if len(words) == 1:
            keys[key] = next(iter(words))
        elif len(real) == 1 and all(OSA.distance(w, real[0]) <= 2 for w in words):
            keys[key] = real[0]
    return keys


def _near(key: str, keys: dict[str, str]) -> str | None:
    word = keys.get(key)
    if word is not None or len(key) < NEAR_KEY_LENGTH:
        return word
    from rapidfuzz import process
    from rapidfuzz.distance import Levenshtein

    best = process.extractOne(key, list(keys), scorer=Levenshtein.distance, score_cutoff=1)
    return keys[best[0]] if best and best[0][0] == key[0] else None


def joined_by_sound(tokens: list[str], is_unknown: Callable[[str], bool], is_function: Callable[[str], bool],
                    keys: dict[str, str]) -> list[str]:
    """`tokens` with each run of dictated pieces that sounds like a long known word replaced by that word."""
    if not keys or sum(map(is_unknown, tokens)) < 2:
        return tokens
    bare_keys: dict[str, str] | None = None
    out: list[str] = []
    i = 0
    while i < len(tokens):
        replaced = False
        # a known word may start the run ("plasma fur esis") only if the whole sounds exactly like a long word
        known_start = not is_unknown(tokens[i]) and not is_function(tokens[i]) and i + 1 < len(tokens) and is_unknown(tokens[i + 1])
        if (is_unknown(tokens[i]) or known_start) and tokens[i].isalpha():
            for k in range(min(MAX_RUN, len(tokens) - i), 1, -1):
                run = tokens[i : i + k]
                if not all(t.isalpha() for t in run):
                    continue
                # a known content word is never swallowed, but for a short syllable into a long exact sound-alike
                syllables = not is_unknown(run[-1]) or not all(is_unknown(t) or is_function(t) for t in run[1:-1])
                if syllables and not all(is_unknown(t) or is_function(t) or len(t) <= SYLLABLE_LENGTH for t in run[1:]):
                    continue
                joined = "".join(run)
                if syllables:
                    if bare_keys is None:
                        bare_keys = {_bare(key): w for key, w in keys.items() if len(w) >= MIN_KNOWN_START_LENGTH}
                    word = bare_keys.get(_bare(metaphone(joined))) if len(joined) >= MIN_KNOWN_START_LENGTH else None
                elif known_start:
                    word = keys.get(metaphone(joined)) if len(joined) >= MIN_KNOWN_START_LENGTH else None
                else:
                    word = _near(metaphone(joined), keys)
                # the pieces spell about as many letters as the word: a key one edit away is no licence to
                # read a long run of chat as a short word, or two words as one long name
                # (an exact key from spoken syllables may spell more: "bevvy size you mab" is 15 letters for 11)
                slack = len(word) // 2 if syllables and word is not None else len(word or "") // 3
                if word is not None and abs(len(joined) - len(word)) <= max(MIN_LENGTH_SLACK, slack):
                    out.append(word)
                    i += k
                    replaced = True
                    break
        if not replaced:
            out.append(tokens[i])
            i += 1
    return out
