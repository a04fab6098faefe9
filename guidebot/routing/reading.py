"""Reading a question's words: split words joined again, misspellings corrected, lexicon applied, roots folded.

See the package docstring (`guidebot.routing`) for the normalisation; `Reader` is one layer of `Router`.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from functools import cached_property

from rapidfuzz import process
from rapidfuzz.distance import OSA

from guidebot.routing.normalisation import (
    CHITCHAT, FRAMING_VOCAB, GENERIC, MIN_TYPO_LENGTH, NEVER_CORRECTED, SAME_INITIAL_BELOW,
    STOPWORDS, TYPO_CUTOFF, _fold, _join_spelt, _lexicon_groups, _read_by_context, described_terms,
)
from guidebot.routing.wordkeys import SKELETON_MIN_LENGTH, _root, _skeleton, _sound, _stem
from guidebot.routing.config import RoutingData
from guidebot.routing.phonetic import joined_by_sound
from guidebot.routing.question import _without_exam_framing, _words

MAX_SPLIT_PARTS = 3
"""A word split apart by dictation is joined again from at most this many pieces ("guy neco mastia")."""
MIN_LETTER_JOIN_LENGTH = 4
"""...or four, when one piece is a lone letter joined into an exact spelling ("veg f" -> vegf)."""
MIN_SOUNDED_LENGTH = 8
"""A join with a known piece must sound exactly like a word of at least this many letters ("plasma fur esis")."""
MIN_REJOINED_LENGTH = 6
"""...and only when the pieces have at least this many letters together: short joins ("a" + "rm") would
make words out of chat."""


class Reader:
    """The query side of normalisation, over the index `self._ix`."""

    _ix: dict
    _cfg: RoutingData

    def normalise(self, text: str) -> list[str]:
        """The question's words: cleaned, misspellings of known words corrected, lexicon applied."""
        return [w for g in self.groups(text) for w in g]

    def groups(self, text: str) -> list[tuple[str, ...]]:
        """The question's words grouped by concept (see `_lexicon_groups`): a word split apart joined again
        (`_rejoined`); unknown words matched by sound, else by one edit, to a known one; lexicon applied; each
        word folded onto its root class (`_fold`)."""
        ix = self._ix
        # issue 19 item 7: a dictated drug name first ("lenny lid oh mide"), then words split apart ("scler otic")
        spelt = _join_spelt(self._letters_read(_without_exam_framing(_words(text))))
        tokens = joined_by_sound(spelt, self._is_unheard, self._is_function_word, ix.get("sound_keys", {}))
        tokens = self._rejoined(tokens)
        fixes = ix["fixes"]
        roots = ix["roots"]
        other_conditions = self._cfg.words["other_conditions"]
        fixed = []
        for tok in tokens:
            tok = fixes.get(tok, tok)  # a curator's deliberate misspelling ("syndrom") is the word it misspells
            if self._is_known(tok) or tok.isdigit() or tok in NEVER_CORRECTED or tok in other_conditions:
                fixed.append(tok)
                continue
            best = self._correction(tok)
            if best is None:
                # a misspelt function or framing word ("shoudl", "evry", "descibe") is that word, not an
                # unknown topic that would send the question away
                framing = process.extractOne(tok, FRAMING_VOCAB, scorer=OSA.distance, score_cutoff=1)
                best = framing[0] if framing and framing[0][0] == tok[0] else None
            fixed.append(best or tok)
        groups = _lexicon_groups(_read_by_context(fixed), ix["lexicon"])
        # an agent described by what it is ("an antibody against the vessel growth factor") reads as named,
        # unless it is named already
        named = {w for g in groups for w in g}
        # described in the words typed or in the review's terms they stand for ("the growth hormone for vessels"
        # is VEGF); "|" keeps the two from running together into a cue
        seen = [*fixed, "|", *(w for g in groups for w in g)]
        descriptions = ix.get("descriptions", [])
        described = [canon for canon in described_terms(seen, descriptions) if not set(canon) <= named]
        if described:
            # a term described may complete another's description: "the newer cousin of the 1960s birth-defect
            # sedative" describes thalidomide, and so lenalidomide
            seen += ["|", *(w for canon in described for w in canon)]
            described += [canon for canon in described_terms(seen, descriptions)
                          if not set(canon) <= named and canon not in described]
        groups += described
        return [tuple(_fold(w, roots) for w in g) for g in groups]

    def _letters_read(self, tokens: list[str]) -> list[str]:
        """`tokens` with each run of letters spoken by name or typed one by one ("see eye dee pee", "u c l h u k")
        read as the known words its letters spell ("cidp"; "uclh uk"), and digit words right after it as digits
        ("pee dee one" -> pd 1). A run stays as it is unless its letters split wholly into known words; a name
        that is an everyday word too ("see", "you") spells no word under three letters."""
        names, word_names = self._cfg.spoken_letters, self._cfg.spoken_letter_words
        if not names:
            return tokens
        out: list[str] = []
        i = 0
        while i < len(tokens):
            j = i
            while j < len(tokens) and (tokens[j] in names or tokens[j] in word_names or (len(tokens[j]) == 1 and tokens[j].isalpha())):
                j += 1
            run = tokens[i:j]
            spoken = sum(t in names or t in word_names for t in run)
            if len(run) < 2 or not (spoken or len(run) >= 3):
                out.append(tokens[i])
                i += 1
                continue
            digits = []
            while j + len(digits) < len(tokens) and tokens[j + len(digits)] in self._cfg.spoken_digits:
                digits.append(self._cfg.spoken_digits[tokens[j + len(digits)]])
            # a digit may end the last word ("pee dee el one" -> pd l1), else it stands alone ("pd 1")
            words = self._spelt_words(run + digits) if digits else None
            if words is None:
                words = self._spelt_words(run)
                if words is not None:
                    words += digits
            if words is None:
                out.append(tokens[i])
                i += 1
                continue
            out.extend(words)
            i = j + len(digits)
        return out

    def _spelt_words(self, run: list[str]) -> list[str] | None:
        """The known words a run of letters spells, longest first from the left, or None (see `_letters_read`)."""
        names, word_names, known = self._cfg.spoken_letters, self._cfg.spoken_letter_words, self._ix["known"]
        letters = [names.get(t) or word_names.get(t) or t for t in run]
        everyday = [t in word_names for t in run]
        words: list[str] = []
        i = 0
        while i < len(letters):
            for k in range(len(letters) - i, 1, -1):
                word = "".join(letters[i : i + k])
                if word in known and not word.isdigit() and (k >= 3 or not any(everyday[i : i + k])):
                    words.append(word)
                    i += k
                    break
            else:
                return None
        return words

    def _is_unheard(self, tok: str) -> bool:
        """A word guidebot does not know at all, however short (a piece of a dictated word, for `joined_by_sound`)."""
        ix = self._ix
        return not (tok in ix["known"] or tok in STOPWORDS or tok in CHITCHAT or _root(tok) in ix["roots"] or tok.isdigit()
                    or tok in ix["fixes"] or tok in NEVER_CORRECTED or tok in self._cfg.words["other_conditions"])

    @staticmethod
    def _is_function_word(tok: str) -> bool:
        return tok in STOPWORDS or tok in CHITCHAT

    def _is_known(self, tok: str) -> bool:
        """A word read as it is: known to the index, a function word, too short to correct, or an inflection
        of a known word."""
        return (tok in self._ix["known"] or tok in STOPWORDS or tok in CHITCHAT or len(tok) < MIN_TYPO_LENGTH
                or _root(tok) in self._ix["roots"])

    def _correction(self, tok: str) -> str | None:
        """The known word an unknown `tok` misspells, or None: by sound, else by one edit, else (long drug
        names) by consonants."""
        ix = self._ix
        sounds = ix["sounds"].get(_sound(tok))
        if sounds is not None:  # spelt as it sounds: "melfalan", "plasmaferesis", "papiledema"
            return sounds
        # OSA counts a swapped pair of letters ("stnad") as one edit, where ratio would count two
        best = process.extractOne(tok, ix["vocab"], scorer=OSA.normalized_similarity, score_cutoff=TYPO_CUTOFF)
        # a short word one edit from a known word of another initial is more likely a word of its own
        # ("taper" is not "paper")
        if best and len(tok) < SAME_INITIAL_BELOW and best[0][0] != tok[0]:
            best = None
        if best is None and len(tok) >= SKELETON_MIN_LENGTH:
            # vowels wrong more than once in a long word ("ixozamib")
            return ix["skeletons"].get(_skeleton(tok))
        return best[0] if best else None

    @cached_property
    def _vocab_by_length(self) -> tuple[list[int], list[str]]:
        """(lengths, words): the vocabulary sorted by length, for `_vocab_near`."""
        words = sorted(self._ix["vocab"], key=len)
        return [len(w) for w in words], words

    def _vocab_near(self, length: int) -> list[str]:
        """The vocabulary words within one letter of `length` long: the only ones a word of that length can be
        one edit from (joining tries several spans per question; the whole vocabulary for each would double
        the routing time)."""
        lengths, words = self._vocab_by_length
        return words[bisect_left(lengths, length - 1) : bisect_right(lengths, length + 1)]

    def _rejoined_word(self, joined: str) -> str | None:
        """The known word that joined pieces spell as it sounds or with one edit, keeping the first letter; a
        join may not stretch as far as a single misspelling does ("thecurrent" is not "recurrent")."""
        near = self._ix["sounds"].get(_sound(joined))
        if near is not None:
            return near
        best = process.extractOne(joined, self._vocab_near(len(joined)), scorer=OSA.distance, score_cutoff=1)
        return best[0] if best and best[0][0] == joined[0] else None

    def _sounded_word(self, joined: str) -> str | None:
        """The known word `joined` sounds exactly like (same spelling-blind key, or same metaphone key), or None."""
        near = self._ix["sounds"].get(_sound(joined))
        if near is not None:
            return near
        from guidebot.routing.phonetic import metaphone  # only for a long join with a known piece

        return self._ix.get("sound_keys", {}).get(metaphone(joined))

    def _rejoined(self, tokens: list[str]) -> list[str]:
        """`tokens` with a word that dictation or a phone keyboard split apart ("scler otic", "guy neco mastia",
        "poe ems") joined again: up to `MAX_SPLIT_PARTS` neighbouring words, at least one of them unknown,
        whose letters together spell a known word; or, when every one of them is unknown, a word one edit from
        a known one. A function word or a name is never swallowed, and a known word only into an exact
        spelling: "anti vegf ab" keeps its bevacizumab phrase, "a trophy" and "has colitis" stay what they say."""
        known, roots, fixes = self._ix["known"], self._ix["roots"], self._ix["fixes"]
        other_conditions, drugs = self._cfg.words["other_conditions"], self._cfg.drugs
        # a short piece counts too ("poe ems"): too short to correct alone, not too short to join
        unknown = [
            len(t) > 1 and not (t in known or t in STOPWORDS or t in CHITCHAT or _root(t) in roots or t.isdigit()
                                or t in fixes or t in NEVER_CORRECTED or t in other_conditions)
            for t in tokens
        ]
        # a lone letter cut off a short name ("veg f", "tim p", "s pep", "poe m s") may join into that name exactly
        # (with unknown pieces only: "m protein" stays the lexicon's phrase)
        letter = [len(t) == 1 and t.isalpha() and t not in STOPWORDS for t in tokens]
        unheard = unknown
        unknown = [u or b for u, b in zip(unknown, letter)]
        if not any(unknown):
            return tokens
        out: list[str] = []
        i = 0
        while i < len(tokens):
            for k in range(min(MAX_SPLIT_PARTS, len(tokens) - i), 1, -1):
                parts = tokens[i : i + k]
                if not any(unknown[i : i + k]) or not all(p.isalpha() for p in parts):
                    continue
                joined = "".join(parts)
                with_letter = any(letter[i : i + k]) and all(u or b for u, b in zip(unheard[i : i + k], letter[i : i + k]))
                if len(joined) < (MIN_LETTER_JOIN_LENGTH if with_letter else MIN_REJOINED_LENGTH):
                    continue
                joined = _stem(joined)
                if with_letter:
                    # a lone letter joins only into an exact spelling, never a function word or a name
                    exact = joined in known and not any(p in STOPWORDS or p in other_conditions or p in drugs for p in parts)
                    word = joined if exact else None
                elif joined in known or _root(joined) in roots:
                    # spelt exactly ("patho physiology", "end ocrine"): a known piece may be part of it, but
                    # never a function word or a name ("a trophy", "myeloma relative")
                    swallows = any(p in STOPWORDS or p in CHITCHAT or p in other_conditions or p in drugs for p in parts)
                    word = None if swallows else joined
                elif all(unknown[i : i + k]):
                    word = self._rejoined_word(joined)
                elif len(joined) >= MIN_SOUNDED_LENGTH and unheard[i + k - 1] and not any(letter[i : i + k]) and not any(
                        p in STOPWORDS or p in CHITCHAT or p in other_conditions or p in drugs for p in parts):
                    # a known piece of a long dictated word ("metallo protein aces", "mel fa lan") joins only
                    # when an unknown piece ends it, no lone letter is in it ("car t cells" is no cortisol) and
                    # the whole sounds exactly like a known word: one edit would stretch "anti vegf ab"
                    word = self._sounded_word(joined)
                else:
                    word = None  # a known word is never stretched into a misspelling ("anti vegf ab")
                if word is not None and word not in STOPWORDS and word not in GENERIC:
                    out.append(word)
                    i += k
                    break
            else:
                out.append(tokens[i])
                i += 1
        return out
