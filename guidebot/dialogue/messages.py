"""Reading a whole message: small talk, acts on the last answer (why / source / more / define), undo and an
explicit change of subject.

`MessageReading` is one part of `ConversationReader` (guidebot.dialogue.context), which compiles
`knowledge/conversation.yaml` into the tables read here; each rule is pinned by a test. A whole message that is a
small-talk phrase, an act phrase or an undo phrase is that, and nothing else.
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import TYPE_CHECKING, Any

from guidebot.dialogue.focus import ActRequest, abbreviation_key, normalise, opens_with, phrase_pattern

PREFIX_ACT_YIELD = 0.6
"""A message read as an act by its start ("why do the glands fail?") that adds words of its own to the last answer is
a question instead when, alone, it is answered from another fact with at least this confidence (0.7 before acts in
the last answer's own words were kept as acts; 0.5 to 0.6 measure the same on the dev writers)."""
POINTING_TAIL = re.compile(r"\s+(?:there|here|in (?:there|here|that|this|it|the figure|the table))$")
"""Words pointing back at the last answer at the end of a define request ("what's CR_H there?")."""
DEFINE_TAILS = True
"""Whether a define request is read without a pointing tail (switch for ablation: `guidebot eval --dialogue`)."""
ASIDE_TAIL = re.compile(r"\s+(?:btw|by the way|again|anyway|exactly|tho|though)$")
"""An aside at the end of a define request ("what's TRM btw", "what is CR_H again?"): it asks nothing more."""
DEFINE_ASIDES = True
"""Whether a define request is read without an aside tail (switch for ablation)."""
SMALLTALK_YIELDS_TO_ACT = True
"""Whether a nod followed by an act's phrase ("ok but why") is that act rather than small talk."""
BEYOND_STEM = 5
"""Letters two words must share at their start to count as one word for `words_beyond` ("clotting", "clots" do not;
"thrombosis", "thrombotic" do)."""
KEYWORD_ACT_MAX_WORDS = 6
"""A message of at most this many words asks an act by its keywords ("which journal was that", "any more info")."""

SWAPPED_KEYWORDS = True
"""Whether a four-letter act keyword with two letters swapped is read as it ("mroe"); below `KEYWORD_SPELLING` for
so short a word, and a wrong letter is not allowed ("test" is no "rest")."""
STRETCHED_WORDS = True
"""Whether a word stretched by a letter said three or more times is read as the plain word ("whyyy", "thxxx",
"cooool") when small talk and acts are read (switch for ablation)."""

KEYWORD_SPELLING = 0.8
"""How close (optimal string alignment similarity) a word of at least four letters must be to an act keyword to be read as it ("soruce")."""

SMALLTALK_MIN_CHARS = 6
"""A message (and a phrase) at least this long may be read as a misspelt small-talk phrase."""

ACT_NAMES_THE_ANSWERS = True
"""Whether a why/more request said at length may name the things the last answer is about (the entities listing its
fact) without becoming a question of its own ("why len and not thal" after the card preferring lenalidomide to
thalidomide; not "why does it say avoid bortezomib" after the algorithm, which only mentions it; switch for ablation)."""
ABBREVIATION_SPELLINGS = True
"""Whether an abbreviation is known however it is written ("crv", "CR-V" for CR_V; `abbreviation_key`) when a define
request is matched to the glossary and to the last answer (switch for ablation)."""
DEFINE_BY_EXPANSION = True
"""Whether a weak define request ("whats C+G", "C+G?") also counts as about the last answer when that answer spells the
term out ("cyclophosphamide plus G-CSF") rather than using it; not for a bare term naming a thing or a facet ("ES?"),
which may ask about it."""
GUESS_SET_OFF = True
"""Whether a guess at an expansion must be set off from the term (by punctuation, or trailing off with ".."): "whats
CIDP again, chronic inflam..?" guesses, "the neuropathy features of AL amyloid?" names AL amyloidosis."""
CLAIM_SMALLTALK = ("wrong", "not_what_i_asked")
"""Small talk that a person follows with a claim of their own ("you're wrong, our pts have CKD all the time"): the
message is that small talk whatever the claim names, unless it asks a question or states the patient's findings."""
REASKING_SMALLTALK = ("not_what_i_asked",)
"""Of those, small talk whose claim may be what was meant: a rest that is nothing but things and facets named ("not
that, the japanese one") is read as the turn, without the phrase; "not what i asked, i wanted the dose" says more and
gets the other candidates."""
CLAIMS_AFTER_SMALLTALK = True
"""Whether a wrong / not-what-I-asked phrase followed by a claim is that small talk (switch for ablation)."""
ABBREVIATION_IN_COMPOUNDS = True
"""Whether the last answer uses an abbreviation also as a part of a hyphenated word ("FDG-avid lesions"), so that
"what's FDG?" after it asks what FDG means rather than opening the FDG card (switch for ablation, round 12)."""
UNKNOWN_ABBREVIATIONS = True
"""Whether an explicit define request ("what does IFE stand for") for an abbreviation the glossary lacks is a define act
all the same: the glossary entries it is a part of ("ECOG" -> ECOG-PS, "CR" -> CR_H and CR_V), or a plain "the review
does not spell out IFE" (declined), rather than a card that mentions "stand for" (switch for ablation)."""
QUESTION_AFTER_CLAIM = True
"""Whether a question after a wrong / not-what-I-asked phrase ("you're wrong, what is the dose then?") is read without
the phrase, as a question after "thanks, ..." is (switch for ablation)."""
CLAIM_HEDGE_WORDS = 3
"""At most this many words may hedge a claim phrase inside its clause ("you're wrong i think", "pretty sure that's
wrong"); they may name nothing."""
DOUBT_RESTATES = True
"""Whether a doubt about the last answer that goes on to say what is doubted ("are you sure? even in remission",
"hm are you sure the ratio is normal?", "are you sure? wasnt that confounded") gets the review's statement again, with
its sources, rather than the apology of "you're wrong"; a bare doubt ("you sure?", "are you sure about that") and a
doubt followed by a claim of the person's own ("are you sure? i read it was used first line") stay small talk
(switch for ablation)."""
LAUGH_IS_ACK = True
"""Whether a message of nothing but `vocatives` (a laugh, a word to the bot: "haha", "lmao") is an acknowledgement."""
NOD_BEFORE_NOD = True
"""Whether a bare yes/no before an acknowledgement is part of it ("yeah makes sense", "yes fair"): the
acknowledgement; not before thanks or bye, which in a guided flow would swallow the answer (switch for ablation)."""

BARE_TERM_ASKS_ITS_ENTITY = True
"""Whether a message that is nothing but a term naming one of the things the last answer set side by side ("uclh?"
after the cohorts compared) asks for that thing's own card rather than what the abbreviation stands for (switch for
ablation)."""


def _symbols(text: str) -> str:
    """A message of symbols only (an emoji, an emoticon) as a small-talk key: "👍", ":)" ("👍👍" is "👍"; skin tones and
    emoji variants do not count)."""
    kept = re.sub(r"[\s\ufe0f\U0001F3FB-\U0001F3FF]+", "", text)
    return "".join(dict.fromkeys(kept)) if len(set(kept)) == 1 else kept


def _unstretched(text: str) -> list[str]:
    """The message as typed, then with each letter said three or more times said once, then twice: "whyyy" -> "why",
    "cooool" -> "col" then "cool"; one of them may be a phrase."""
    if not STRETCHED_WORDS or not re.search(r"([a-z])\1\1", text, re.I):
        return [text]
    return list(dict.fromkeys([text, re.sub(r"([a-z])\1{2,}", r"\1", text, flags=re.I),
                               re.sub(r"([a-z])\1{2,}", r"\1\1", text, flags=re.I)]))


def deictic(norm: str) -> str:
    """A normalised act phrase with "this" and "it" read as "that": "where does this come from" is "where does that
    come from", "cite it" is "cite that", so each phrase need not be listed with every pointing word."""
    return " ".join("that" if w in ("this", "it") else w for w in norm.split())


def _guesses(bare: str, term: str, expansion: str) -> bool:
    """Whether a message ends with the term followed by the start of its expansion, each word a prefix of the
    expansion's word ("cidp chronic inflam", "g-csf granulocyte"), the last one perhaps cut short."""
    words = bare.split()
    key = term.casefold()
    if key not in words:
        return False
    tail = words[words.index(key) + 1:]
    spelt = normalise(expansion).split()
    return 0 < len(tail) <= len(spelt) and all(
        len(w) >= 3 and s.startswith(w) for w, s in zip(tail, spelt))


def _as_typed(text: str, term: str) -> str | None:
    """`term` (read from the normalised message) as the person typed it, or None."""
    m = re.search(r"(?<![\w-])" + re.escape(term) + r"(?![\w-])", text, re.I)
    return m.group(0) if m else None


def _abbreviation_shaped(written: str) -> bool:
    """Whether a word looks like an abbreviation as typed: short, with two or more capitals ("IFE", "IgA", "ECOG"), not a
    word ("demyelinating") nor one capitalised at the start of a sentence."""
    return 2 <= len(written) <= 10 and sum(c.isupper() for c in written) >= 2


def _set_off(text: str, term: str) -> bool:
    """Whether a guess after `term` in the raw message is set off from it ("CIDP again, chronic inflam",
    "G-CSF = granulocyte") or the message trails off ("..", "…"), as a guess is, not run on as a name ("AL amyloid")."""
    if re.search(r"(?:\.\.|\u2026)\W*$", text):
        return True
    at = text.casefold().find(term.casefold())
    return at >= 0 and bool(re.search(r"[,=:;(\u2013\u2014]", text[at + len(term):]))


class MessageReading:
    """Small talk, acts, undo and topic switches (a part of `ConversationReader`; all methods are pure)."""

    caution_facts: frozenset[str] = frozenset()
    """The knowledge's caution fact ids (set by the manager, which holds the facts)."""
    # compiled by ConversationReader.__init__
    data: Any
    _smalltalk: dict[str, Any]
    _acts: dict[str, str]
    _undo: set[str]
    _glossary: dict[str, tuple[str, str]]
    glossary_expansions: dict[str, str]
    _pronouns: re.Pattern[str] | None
    _switch: re.Pattern[str] | None
    _fillers: set[str]
    _vocatives: set[str]
    _doubts: list[str]
    _own_claims: list[str]
    _doubt_hedges: frozenset[str]
    _question_starts: list[str]
    _politeness: re.Pattern[str] | None
    _prefixes: list[tuple[str, str]]
    _templates: list[tuple[re.Pattern[str], bool]]
    _define_cues: re.Pattern[str] | None
    _act_keywords: list[tuple[str, re.Pattern[str] | None]]
    _act_words: dict[str, str]
    _glossary_terms: re.Pattern[str] | None

    if TYPE_CHECKING:  # from the other parts of ConversationReader
        _disease: re.Pattern[str] | None
        def entities_in(self, text: str) -> list[str]: ...
        def facets_in(self, text: str) -> list[str]: ...
        def content_words(self, text: str) -> list[str]: ...
        def fact_entities(self, fact_id: str | None) -> list[str]: ...
        def _rest(self, norm: str) -> list[str]: ...

    def _bare(self, text: str) -> str:
        """The message without politeness and leading acknowledgements ("ok, sorry, why? please" -> "why")."""
        norm = normalise(text)
        if self._politeness is not None:
            stripped = " ".join(self._politeness.sub(" ", norm).split())
            norm = stripped or norm
        words = norm.split()
        while len(words) > 1 and self._smalltalk.get(words[0]) is not None and self._smalltalk[words[0]].id in ("ack", "thanks"):
            words = words[1:]
        return " ".join(words)

    def _plain(self, text: str) -> str:
        """The message without the words that address the bot or laugh, and with a word said twice said once
        ("hello hello bot" -> "hello"; "thanks man" -> "thanks")."""
        words = [w for w in normalise(text).split() if w not in self._vocatives]
        return " ".join(w for i, w in enumerate(words) if i == 0 or w != words[i - 1])

    SMALLTALK_PRIORITY = ("not_what_i_asked", "wrong", "bye", "thanks", "done", "greeting", "ack", "unasked")

    def smalltalk(self, text: str) -> Any | None:
        """The small-talk entry the message is (with its reply), or None; a stretched word ("thxxx", "byeee") is read as
        the plain word (`_unstretched`)."""
        for form in _unstretched(text):
            found = self._smalltalk_of(form)
            if found is not None:
                return found
        return None

    def _smalltalk_of(self, text: str) -> Any | None:
        """The small-talk entry the message is (with its reply), or None.

        The whole message is a small-talk phrase; or it is no question ("?"), one of its clauses is a phrase,
        and the other clauses name no entity or facet ("Thanks, that clarifies it.", "Interesting, thank you.").
        """
        whole = self._smalltalk.get(normalise(text) or _symbols(text)) or self._smalltalk.get(self._plain(text)) \
            or self._loose_smalltalk(text)
        if whole is not None:
            return whole
        if LAUGH_IS_ACK and normalise(text) and not self._plain(text) and "?" not in text:
            return self._smalltalk.get("ok")  # nothing but a laugh or a word to the bot ("haha", "lmao"): a nod
        claim = self._claim(text) if CLAIMS_AFTER_SMALLTALK else None
        if claim is not None:
            return claim
        if "?" in text:
            return None
        clauses = [normalise(c) for c in re.split(r"[,.!;:]+|\bbut\b", text) if normalise(c)]
        found = [self._smalltalk[c] for c in clauses if c in self._smalltalk]
        if not found:
            bare = self._bare(text)
            found = [self._smalltalk[bare]] if bare in self._smalltalk else []
        if not found:
            return None
        rest = " ".join(c for c in clauses if c not in self._smalltalk)
        if rest and (self.entities_in(rest) or self.facets_in(rest)):
            return None
        # "ok but why", "cool. refs": the rest is an act's phrase on the last answer, which matters more than the nod
        # (by its phrases only: "thanks, that explains it" has a why keyword and is still thanks)
        if rest and SMALLTALK_YIELDS_TO_ACT and deictic(self._bare(rest)) in self._acts:
            return None
        return min(found, key=lambda s: self.SMALLTALK_PRIORITY.index(s.id))

    def _claim(self, text: str) -> Any | None:
        """A wrong / not-what-I-asked phrase opening a message, followed by the person's own claim ("you're wrong, our
        poems pts have CKD all the time", "hm you're wrong i think, pretty sure it's primary", "are you sure? i read
        otherwise"): that small talk, unless what follows asks a question or gives one patient's findings (then the
        message is read for them: "that's wrong, she has lambda"; "that's wrong, i read it was lambda" and "we see
        neuropathy with len all the time" are claims)."""
        m = re.match(r"\s*([^,.!;:?]+)([,.!;:?]*)(.*)$", text, re.S)
        if m is None:
            return None
        clause, rest = self._plain(m.group(1)), m.group(3)
        talk = self._smalltalk.get(clause)
        if talk is None:
            # the phrase with a hedge of a few words that name nothing ("youre wrong i think", "pretty sure thats wrong")
            words = clause.split()
            for cut in range(1, min(CLAIM_HEDGE_WORDS, len(words) - 2) + 1):
                for phrase, hedge in ((words[:-cut], words[-cut:]), (words[cut:], words[:cut])):
                    found = self._smalltalk.get(" ".join(phrase))
                    if found is not None and found.id in CLAIM_SMALLTALK and not self._names_anything(" ".join(hedge)):
                        talk = found
                        break
                if talk is not None:
                    break
        if talk is None or talk.id not in CLAIM_SMALLTALK or "?" in rest:
            return None
        if any(set(self.fact_entities(fid)) & set(self.entities_in(rest)) for fid in self.caution_facts):
            return None  # "thats outdated, plasma exchange works": the caution answers it, not an apology
        if talk.id in REASKING_SMALLTALK and self._names_anything(rest) and not self._rest(normalise(rest)):
            return None  # "not that, the japanese one": what was meant, read without the phrase (`after_smalltalk`)
        if rest.strip() and self._particular_patient(rest):
            from guidebot.criteria.findings import extract_findings

            if extract_findings(rest):
                return None
        return talk

    def _particular_patient(self, text: str) -> bool:
        """Whether a claim speaks of one patient ("she has lambda", "my patient's VEGF is 900"), not of patients in
        general ("our pts have CKD all the time", "we see neuropathy with len all the time")."""
        words = set(normalise(text).split())
        if words & {normalise(p) for p in self.data.followup.patient_pronouns}:
            return True
        return bool(words & {"pt", "patient"}) and not words & {"pts", "patients"}

    def _names_anything(self, text: str) -> bool:
        return bool(self.entities_in(text) or self.facets_in(text) or (self._disease is not None and self._disease.search(text)))

    def _loose_smalltalk(self, text: str) -> Any | None:
        """A small-talk phrase said with a pointing tail ("are you sure about that") or misspelt by an edit or two
        ("thnaks", "youre worng", "thats not waht i asked"); never a bare yes/no (`unasked`), nor a message naming an
        entity or a facet."""
        plain = re.sub(r"\s+(?:about|on|with|for|to) (?:that|this|it)$", "", self._plain(text))
        if plain in self._smalltalk:
            return self._smalltalk[plain]
        words = plain.split()
        for cut in range(1, len(words)):
            # two phrases one after the other ("hello how are you", "ok thanks bye"): the one that matters more
            head, tail = self._smalltalk.get(" ".join(words[:cut])), self._smalltalk.get(" ".join(words[cut:]))
            if head is not None and tail is not None and "unasked" not in (head.id, tail.id):
                return min((head, tail), key=lambda t: self.SMALLTALK_PRIORITY.index(t.id))
            if NOD_BEFORE_NOD and head is not None and tail is not None and head.id == "unasked" and tail.id == "ack":
                return tail  # "yeah makes sense", "yes fair": a nod, not an answer
        if len(plain) < SMALLTALK_MIN_CHARS or self.entities_in(plain) or self.facets_in(plain):
            return None
        from rapidfuzz.distance import OSA

        words = plain.split()

        def misspells(phrase: str) -> bool:
            # word by word: each word the phrase's, or (four letters or more) one edit from it; "anything else" is not
            # "nothing else", two edits apart
            theirs = phrase.split()
            return len(theirs) == len(words) and all(
                w == t or (min(len(w), len(t)) >= 4 and OSA.distance(w, t) <= 1) for w, t in zip(words, theirs))

        found = [talk for p, talk in self._smalltalk.items()
                 if talk.id != "unasked" and len(p) >= SMALLTALK_MIN_CHARS and misspells(p)]
        return found[0] if found and all(t.id == found[0].id for t in found) else None

    LEADING_SMALLTALK = ("greeting", "thanks", "ack")

    def after_smalltalk(self, text: str) -> str | None:
        """The rest of a message that opens with a greeting, thanks or acknowledgement set off by punctuation
        ("thanks! n?", "ok, and TRM?", "got it. how is it treated?" -> "n?", "and TRM?", "how is it treated?"), or None.
        "no, ..." and "yes, ..." are kept whole: they may answer a question."""
        m = re.match(r"\s*([^,.!;:?]+)[,.!;:]+\s*(?=\S)", text)
        if m is None:
            return None
        talk = self._smalltalk.get(normalise(m.group(1))) or self._smalltalk.get(self._plain(m.group(1)))
        rest = text[m.end():]
        if talk is None or not re.search(r"\w", rest):
            return None
        # "you're wrong, what is the dose then?": the question is what to answer (a claim after it is small talk)
        leading = self.LEADING_SMALLTALK + (CLAIM_SMALLTALK if QUESTION_AFTER_CLAIM else ())
        return rest if talk.id in leading else None

    def doubt(self, text: str) -> str | None:
        """What a message doubting the last answer goes on to say ("are you sure? even in remission" -> "even in
        remission"; "hm are you sure the ratio is normal?" -> "the ratio is normal"), or None: no doubt (`doubts`)
        opens it, nothing but a pointing tail follows ("are you sure about that"), or a claim of the person's own does
        (`own_claims`: "are you sure? i read it was used first line")."""
        words = normalise(text).split()
        while words and words[0] in self._vocatives:
            words = words[1:]
        norm = " ".join(words)
        doubt = opens_with(norm, self._doubts)
        if doubt is None:
            return None
        rest = norm[len(doubt):].strip()
        if not (self.content_words(rest) or self._names_anything(rest)) \
                or opens_with(rest, self._own_claims) is not None:
            return None
        return rest

    def doubts_only(self, rest: str, fact: Any, focus_entities: list[str]) -> bool:
        """Whether what a doubt goes on to say (`doubt`) names nothing outside the last answer `fact`, so restating it
        answers the doubt: not small talk ("that's not what i asked", "lol"), not a question of its own, no entity
        the answer is not about, none a caution is about ("you sure thalidomide is worse?" gets the caution), no facet
        it does not state ("about the dose?"), no word it does not use ("even on dialysis") but hedges."""
        if self.smalltalk(rest) is not None or not (
                [w for w in self.content_words(rest) if w not in self._vocatives] or self.facets_in(rest)):
            return False
        if opens_with(rest, self._question_starts) is not None:
            return False
        named = set(self.entities_in(rest))
        if named - set(self.fact_entities(fact.id)) - set(focus_entities):
            return False
        if any(fid != fact.id and set(self.fact_entities(fid)) & named for fid in self.caution_facts):
            return False
        facets = self.facets_in(rest)
        if facets and not self.states(fact, facets):
            return False
        return not [w for w in self.words_beyond(rest, fact) if w not in self._doubt_hedges]

    def topic_switch(self, text: str) -> str | None:
        """The rest of a message that starts by changing the subject ("On a different note, how is POEMS different
        from myeloma?" -> "how is POEMS different from myeloma?"), or None when it does not (or says nothing more)."""
        if self._switch is None:
            return None
        m = self._switch.match(text)
        rest = text[m.end():].strip() if m else ""
        return rest if m and re.search(r"\w", rest) else None

    def is_undo(self, text: str) -> bool:
        """Whether the message takes the last recording back ("undo", "that's wrong")."""
        return normalise(text) in self._undo

    def act(self, text: str, last_answer: str = "", focus_entities: list[str] | None = None) -> ActRequest | None:
        """The act on the last answer the message asks for, or None ("whyyy" is "why": `_unstretched`)."""
        for form in _unstretched(text):
            found = self._act_of(form, last_answer, focus_entities)
            if found is not None:
                return found
        return None

    def _act_of(self, text: str, last_answer: str, focus_entities: list[str] | None) -> ActRequest | None:
        bare = self._bare(text)
        if deictic(bare) in self._acts:
            return ActRequest(self._acts[deictic(bare)])
        keyword = self._keyword_act(bare)
        if keyword is not None:
            return ActRequest(keyword)
        for prefix, act in self._prefixes:
            if opens_with(bare, (prefix,)) is not None:
                rest = bare[len(prefix):]
                new = [e for e in self.entities_in(rest) if e not in (focus_entities or [])]
                if not new:
                    return ActRequest(act, by_prefix=bare != prefix)
                break
        # "what's CR_H there?", "CD138 here?": a pointing tail asks about the last answer's term, as the bare term does
        untailed = POINTING_TAIL.sub("", bare) if DEFINE_TAILS else bare
        untailed = ASIDE_TAIL.sub("", untailed) if DEFINE_ASIDES else untailed
        for pattern, weak in self._templates:
            m = pattern.match(untailed)
            if not m:
                continue
            term = m.group("term")
            entry = self.glossary_entry(term)
            if entry is None:
                written = _as_typed(text, term)
                # only a request that asks nothing more: "EVO definition for criteria - pleural eff count?" does
                more = m.groupdict().get("more")
                if UNKNOWN_ABBREVIATIONS and not weak and not more and written is not None and _abbreviation_shaped(written):
                    # "what does IFE stand for": a define request all the same (the glossary entries it is part of,
                    # or "the review does not spell out IFE"), never a card that happens to say "stand for"
                    return ActRequest("define", written)
                continue
            bare_term = m.group(0) == term
            # a bare term naming a thing or a facet ("ES?") may ask about it: never a define by the expansion alone
            by_expansion = DEFINE_BY_EXPANSION and not (bare_term and self._names_anything(term))
            if weak and not (m.end("term") == len(untailed) and self.uses_term(entry, last_answer, by_expansion=by_expansion)):
                continue
            return ActRequest("define", entry[0], bare_term=bare_term)
        if self._glossary_terms is not None:
            named = {m: self.glossary_entry(m) for m in self._glossary_terms.findall(bare)}
            terms = {e for e in named.values() if e is not None}
            if len(terms) == 1:
                term, expansion = terms.pop()
                written = next(m for m, e in named.items() if e == (term, expansion))
                # asked to spell it out, or ending with a guess at its expansion ("whats CIDP again, chronic inflam..?")
                guessed = _guesses(bare, written, expansion) and (not GUESS_SET_OFF or _set_off(text, written))
                if guessed or (self._define_cues is not None and self._define_cues.search(bare)):
                    return ActRequest("define", term)
        return None

    def glossary_entry(self, term: str) -> tuple[str, str] | None:
        """The glossary's (abbreviation, expansion) for a term as written ("crv" is CR_V), or None."""
        if ABBREVIATION_SPELLINGS:
            return self._glossary.get(abbreviation_key(term))
        return next((e for e in self._glossary.values() if e[0].casefold() == term.casefold()), None)

    def uses_term(self, entry: tuple[str, str], text: str, *, by_expansion: bool = False) -> bool:
        """Whether `text` (the last answer) uses the abbreviation, however it is written ("CR_V" for "crv"), or, with
        `by_expansion`, spells it out ("cyclophosphamide plus G-CSF" for C+G; a parenthesis of the glossary's
        expansion is a note, not part of it)."""
        term, expansion = entry
        if ABBREVIATION_SPELLINGS:
            tokens = re.findall(r"[\w+]+(?:-[\w+]+)*", text)
            if ABBREVIATION_IN_COMPOUNDS:  # "FDG-avid lesions" uses FDG ("CR-V" stays one spelling of CR_V as well)
                tokens += [part for t in tokens if "-" in t for part in t.split("-")]
            used = abbreviation_key(term) in {abbreviation_key(t) for t in tokens}
        else:
            used = bool(re.search(r"(?<![\w-])" + re.escape(term).replace("_", "_?") + r"(?![\w-])", text, re.I))
        if used or not by_expansion:
            return used
        spelt = normalise(re.sub(r"\s*\(.*?\)", "", expansion))
        return bool(spelt) and f" {spelt} " in f" {normalise(text)} "

    def _keyword_act(self, bare: str) -> str | None:
        """The act a short message asks by its keywords: every word is a keyword of that one act (or a close misspelling
        of one), a filler or a pronoun ("which journal was that", "refs pls", "any more info", "soruce?"), and at least
        one is a keyword. A message naming anything else ("more common?", "what else should I send") is not an act."""
        if not bare or len(bare.split()) > KEYWORD_ACT_MAX_WORDS:
            return None
        found: set[str] = set()
        rest = bare
        for act_id, pattern in self._act_keywords:
            if pattern is not None and pattern.search(rest):
                found.add(act_id)
                rest = pattern.sub(" ", rest)
        if self._pronouns is not None:
            rest = self._pronouns.sub(" ", rest)
        for word in rest.split():
            if word in self._fillers:
                continue
            close = self._close_keyword(word)
            if close is None:
                return None
            found.add(close)
        return found.pop() if len(found) == 1 else None

    def _close_keyword(self, word: str) -> str | None:
        """The act whose one-word keyword `word` misspells, or None."""
        if len(word) < 4:
            return None
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        # optimal string alignment: a swapped pair of letters ("soruce") is one edit, as a wrong letter is
        best = process.extractOne(word, list(self._act_words), scorer=OSA.normalized_similarity, score_cutoff=KEYWORD_SPELLING)
        if best:
            return self._act_words[best[0]]
        if SWAPPED_KEYWORDS and len(word) == 4:
            # a four-letter keyword with two letters swapped ("mroe"); a wrong letter is another word ("test", "rest")
            swapped = [k for k in self._act_words if len(k) == 4 and sorted(k) == sorted(word) and OSA.distance(k, word) == 1]
            return self._act_words[swapped[0]] if len(swapped) == 1 else None
        return None

    def define(self, term: str | None, last_answer: str) -> list[tuple[str, str]]:
        """(abbreviation, expansion) for `term`, or for every glossary abbreviation the last answer uses."""
        if term is not None:
            entry = self.glossary_entry(term)
            if entry is not None:
                return [entry]
            # "ECOG" in "ECOG-PS", "CR" in CR_H and CR_V: the entries it is a part of
            key = abbreviation_key(term)
            return [e for e in dict.fromkeys(self._glossary.values())
                    if key in {abbreviation_key(p) for p in re.split(r"[-_+/\s]+", e[0]) if p}] if UNKNOWN_ABBREVIATIONS else []
        return [
            (k, v) for k, v in self.glossary_expansions.items()
            if re.search(r"(?<![\w-])" + re.escape(k) + r"(?![\w-])", last_answer)
        ]

    def words_beyond(self, text: str, fact: Any) -> list[str]:
        """The content words of an act said at length that the fact's title and answer do not use: "why are they so
        common?" after the card saying they are common uses none ([]), it asks about the last answer; "why does catching
        it early matter?" after the tests card asks about catching it early, another subject. Act keywords, the disease's
        names and the words that soften or address the bot never count; a word counts as used when the answer has a
        word that starts alike ("clotting" for "clots")."""
        norm = normalise(text)
        if self._disease is not None:
            norm = self._disease.sub(" ", norm)
        if self._politeness is not None:
            norm = self._politeness.sub(" ", norm)
        document = re.split(r"[\s/+\-]+", normalise(f"{fact.title} {fact.answer}"))
        stems = {w[:BEYOND_STEM] for w in document if w}

        # a word naming a thing the fact is about is the fact's, however it is spelt ("thal" for thalidomide)
        named = set(self.fact_entities(fact.id)) if ACT_NAMES_THE_ANSWERS else set()

        def used(word: str) -> bool:
            return word in document or (len(word) >= BEYOND_STEM and word[:BEYOND_STEM] in stems) \
                or bool(named and set(self.entities_in(word)) & named)

        return [w for w in self.content_words(norm)
                if w not in self._act_words and w not in self._vocatives and w != "not" and not used(w)]

    @cached_property
    def reason_pattern(self) -> re.Pattern[str] | None:
        """Finds a reason marker ("because", "since") in a `normalise`d sentence."""
        return phrase_pattern(list(self.data.reason_markers))


__all__ = [
    "ABBREVIATION_SPELLINGS", "ACT_NAMES_THE_ANSWERS", "ASIDE_TAIL", "BARE_TERM_ASKS_ITS_ENTITY", "CLAIMS_AFTER_SMALLTALK",
    "CLAIM_SMALLTALK", "DEFINE_ASIDES", "DEFINE_BY_EXPANSION", "DEFINE_TAILS", "DOUBT_RESTATES", "GUESS_SET_OFF",
    "LAUGH_IS_ACK",
    "NOD_BEFORE_NOD", "POINTING_TAIL", "PREFIX_ACT_YIELD", "QUESTION_AFTER_CLAIM", "REASKING_SMALLTALK",
    "SMALLTALK_YIELDS_TO_ACT", "STRETCHED_WORDS", "SWAPPED_KEYWORDS", "UNKNOWN_ABBREVIATIONS", "MessageReading", "deictic",
]
