"""Reading a turn against the conversation: small talk, acts on the last answer, undo, patient descriptions, focus.

Every word list lives in `knowledge/conversation.yaml` (schema `ConversationFile`); this module only
compiles it and applies a few rules, each of which a test pins:

- a whole message that is a small-talk phrase, an act phrase (why / source / more / define) or an undo
  phrase is that, and nothing else;
- a message records findings only when it describes a patient (`patient_cues`), answers the slot the
  bot waits for, or adds to a patient being described (the focus is the current patient);
- a follow-up is read against the `Focus` (the last answered fact, its section, the entities and facets
  it was about, whether it was about the current patient): the turn is routed alone and rewritten with
  the focus's entities and facets, and `choose` picks one reading by the rule in its docstring.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal, NamedTuple

from guidebot.dialogue.turns import Suggestion, suggestions_from_json, suggestions_to_json

Reading = Literal["alone", "context"]


@dataclass
class Focus:
    """What the conversation is about after the last answer."""

    fact: str | None = None
    """The last answered fact (None before any)."""
    section: str | None = None
    """Its review section."""
    entities: list[str] = field(default_factory=list)
    """Entity ids the last answer was about (drug, cohort, complication, test, criterion)."""
    facets: list[str] = field(default_factory=list)
    """Facet ids the last question asked (dose, response, ...)."""
    patient: bool = False
    """True when the last answer was about the current patient (findings or an assessment)."""
    approach: str | None = None
    """The treatment approach of the current patient's last assessment, when one was reached."""
    citations: list[int] = field(default_factory=list)
    """The last answer's citations (for "source?")."""
    alternatives: list[Suggestion] = field(default_factory=list)
    """The other candidates of the last answer (offered on "that's not what I asked")."""
    text: str = ""
    """The last answer's text (for "what does X mean")."""

    def to_json(self) -> dict[str, Any]:
        """As stored in a `focus_set` event and shown in a turn's `focus`."""
        return {
            "fact": self.fact, "section": self.section, "entities": list(self.entities), "facets": list(self.facets),
            "patient": self.patient, "approach": self.approach, "citations": list(self.citations),
            "alternatives": suggestions_to_json(self.alternatives), "text": self.text,
        }

    def copy(self) -> Focus:
        """A copy whose lists can change without changing this Focus."""
        return Focus.from_json(self.to_json())

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Focus:
        """The inverse of `to_json` (an empty focus for None)."""
        if not data:
            return cls()
        return cls(
            fact=data.get("fact"), section=data.get("section"), entities=list(data.get("entities", [])),
            facets=list(data.get("facets", [])), patient=bool(data.get("patient")), approach=data.get("approach"),
            citations=list(data.get("citations", [])), alternatives=suggestions_from_json(data.get("alternatives")),
            text=data.get("text", ""),
        )


class ActRequest(NamedTuple):
    """A turn that acts on the last answer."""

    act: str
    """why, source, more or define."""
    term: str | None = None
    """For define: the abbreviation asked about (None: every abbreviation of the last answer)."""
    by_prefix: bool = False
    """Read from how a longer message starts ("why is it missed so often?"), not from the whole message."""
    bare_term: bool = False
    """For define: the message is nothing but the term ("uclh?"), which may instead ask about the thing it names."""


class Rewrite(NamedTuple):
    """How a turn relates to the focus."""

    text: str
    """The turn rewritten with the focus's entities and facets (the turn itself when there is no focus)."""
    names: list[str]
    """Entity ids the turn names itself."""
    facets: list[str]
    """Facet ids the turn asks."""
    leans: bool
    """The turn leans on the focus: a pronoun, an opener ("and ...", "what about ..."), or nothing but facets."""
    bare: bool = False
    """The turn is nothing but entities, facets, pronouns and fillers ("dose?", "bone lesions?", "and minor")."""
    elliptical: bool = False
    """The turn leans only by being one word naming no entity ("major?", "workup?"), not by a pronoun, an opener or
    a facet: alone, a confident reading of its own stands."""


def normalise(text: str) -> str:
    """Lower case, apostrophes dropped, other punctuation (but - / _ +) made spaces, spaces squeezed."""
    text = text.casefold().replace("\u2019", "'").replace("'", "")
    text = re.sub(r"[^\w\s/+\-]", " ", text)
    return " ".join(text.split())


PREFIX_ACT_YIELD = 0.6
"""A message read as an act by its start ("why do the glands fail?") that adds words of its own to the last answer is
a question instead when, alone, it is answered from another fact with at least this confidence (0.7 before acts in
the last answer's own words were kept as acts; 0.5 to 0.6 measure the same on the dev writers)."""
POINTING_TAIL = re.compile(r"\s+(?:there|here|in (?:there|here|that|this|it|the figure|the table))$")
"""Words pointing back at the last answer at the end of a define request ("what's CR_H there?")."""
DEFINE_TAILS = True
ASIDE_TAIL = re.compile(r"\s+(?:btw|by the way|again|anyway|exactly|tho|though)$")
"""An aside at the end of a define request ("what's TRM btw", "what is CR_H again?"): it asks nothing more."""
DEFINE_ASIDES = True
"""Whether a define request is read without an aside tail (switch for ablation)."""
"""Whether a define request is read without a pointing tail (switch for ablation: `guidebot eval --dialogue`)."""
SMALLTALK_YIELDS_TO_ACT = True
"""Whether a nod followed by an act's phrase ("ok but why") is that act rather than small talk."""
BEYOND_STEM = 5
"""Letters two words must share at their start to count as one word for `words_beyond` ("clotting", "clots" do not;
"thrombosis", "thrombotic" do)."""


LEANING_MAX_WORDS = 6
"""A message with a pronoun leans on the last answer only when it is at most this long."""

ECHO_MAX_WORDS = 5
"""A turn of at most this many words that only repeats terms of the last answer is answered by that answer's fact."""

SIBLING_MAX_WORDS = 2
"""A leaning turn of at most this many content words may be answered by a fact near the focus titled with them."""

KEYWORD_ACT_MAX_WORDS = 6
"""A message of at most this many words asks an act by its keywords ("which journal was that", "any more info")."""

KEYWORD_SPELLING = 0.8
"""How close (optimal string alignment similarity) a word of at least four letters must be to an act keyword to be read as it ("soruce")."""

SMALLTALK_MIN_CHARS = 6
"""A message (and a phrase) at least this long may be read as a misspelt small-talk phrase."""

ELLIPSIS_MAX_WORDS = 1
"""A turn of at most this many words, naming no entity, leans on the focus ("major?", "combos?")."""

COMPARED_ENTITIES = 2
"""A focus about more entities than this (a comparison) lends a follow-up its fact's name, not its first entity."""

SUBJECT_ENTITIES = 1
"""How many of the focus's entities a leaning turn is rewritten with (more pull it towards facts naming them all)."""


QUALIFIERS_KEEP_SUBJECT = True
"""Whether an entity named only as a setting ("and after transplant?") leaves the focus's subject the turn's subject
(switch for ablation)."""

PRONOUN_SIBLING_OF_SUBJECT = True
"""Whether a turn pointing by a pronoun ("risk factors for it") may be answered by a nearby fact titled with its
words only when that fact is about the focus's subject, the thing "it" means (switch for ablation)."""

BARE_TERM_ASKS_ITS_ENTITY = True
"""Whether a message that is nothing but a term naming one of the things the last answer set side by side ("uclh?"
after the cohorts compared) asks for that thing's own card rather than what the abbreviation stands for (switch for
ablation)."""

PICKED_AMONG = 2
"""A bare term picks one of the things the last answer set side by side when that answer names at least this many
things of its kind (the Mayo, UCLH and EBMT cohorts)."""

CONTRASTS_KEEP_SUBJECT = True
"""Whether "vs X" after a card that is no comparison keeps the card's subject and compares it with X (switch for
ablation)."""

ECHO_INFLECTIONS = True
"""Whether a terse turn echoes the last answer also by a word made from one of its words by an ending ("painful?"
after "frequency, pain and imaging"; the endings are `followup.endings`), not only by the word itself (switch for
ablation)."""
ECHO_STEM = 4
"""The shortest word of the last answer another word may be made from."""

QUALIFIERS_LAST = True
"""Whether a focus lists the entities a turn names as subjects before those it names as qualifiers ("ES rate in the
mayo series": engraftment syndrome, then Mayo), so that a later "it" means the subject (switch for ablation)."""


def _phrase_pattern(phrases: list[str]) -> re.Pattern[str] | None:
    """One pattern finding any of `phrases` as whole words (longest first)."""
    items = sorted({normalise(p) for p in phrases if normalise(p)}, key=len, reverse=True)
    if not items:
        return None
    return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(p) for p in items) + r")(?![\w-])")


def _deictic(norm: str) -> str:
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


class ConversationReader:
    """The compiled `conversation.yaml`; all methods are pure."""

    _compiled: dict[int, tuple[Any, ConversationReader]] = {}

    @classmethod
    def of(cls, data: Any) -> ConversationReader:
        """The reader of `data`, compiled once per loaded knowledge base (a chat starts in microseconds)."""
        key = id(data)
        cached = cls._compiled.get(key)
        if cached is None or cached[0] is not data:
            if len(cls._compiled) > 8:
                cls._compiled.clear()
            cached = cls._compiled[key] = (data, cls(data))
        return cached[1]

    def __init__(self, data: Any):
        self.data = data
        self._smalltalk = {normalise(p): s for s in data.smalltalk for p in s.phrases}
        self._acts = {_deictic(normalise(p)): a.id for a in data.acts for p in a.phrases}
        self._undo = {normalise(p) for p in data.undo}
        self._cues = [re.compile(c, re.I) for c in data.patient_cues]
        self._glossary = {k.casefold(): (k, v) for k, v in data.glossary.items()}
        self._pronouns = _phrase_pattern(data.followup.pronouns)
        self._thing_pronouns = _phrase_pattern([p for p in data.followup.pronouns
                                                if normalise(p) not in {normalise(q) for q in data.followup.patient_pronouns}])
        self._openers = sorted((normalise(o) for o in data.followup.openers), key=len, reverse=True)
        switches = sorted({normalise(w) for w in data.followup.switches if normalise(w)}, key=len, reverse=True)
        self._switch = re.compile(r"^\W*(?:" + "|".join(re.escape(w).replace(r"\ ", r"\W+") for w in switches) + r")\b[\s,.:;!-]*",
                                  re.I) if switches else None
        self._fillers = {normalise(f) for f in data.followup.fillers}
        self._vocatives = {normalise(v) for v in data.followup.vocatives if normalise(v)}
        self._politeness = _phrase_pattern(data.followup.politeness)
        self._prefixes = sorted(((normalise(p), a.id) for a in data.acts for p in a.prefixes), key=lambda x: -len(x[0]))
        self._entity_patterns = [(e.id, _phrase_pattern(e.words)) for e in data.entities]
        self._facet_patterns = [(f.id, _phrase_pattern(f.words)) for f in data.facets]
        self._facet_statements = {f.id: [re.compile(r, re.I) for r in f.states] for f in data.facets if f.states}
        self.entities = {e.id: e for e in data.entities}
        self.facets = {f.id: f for f in data.facets}
        self._templates = [(self._template(t), False) for a in data.acts if a.id == "define" for t in a.templates]
        self._templates += [(self._template(t), True) for a in data.acts if a.id == "define" for t in a.weak_templates]
        self._define_cues = _phrase_pattern([c for a in data.acts if a.id == "define" for c in a.cues])
        self._act_keywords = [(a.id, _phrase_pattern(a.keywords)) for a in data.acts if a.keywords]
        self._act_words = {normalise(k): a.id for a in data.acts for k in a.keywords if " " not in normalise(k)}
        self._glossary_terms = _phrase_pattern(list(data.glossary))
        self._qualifier_leads = [(kind, self._lead(words)) for kind, words in
                                 (("setting", data.followup.settings), ("scope", data.followup.scopes),
                                  ("contrast", data.followup.contrasts))]
        self._contrast_words = _phrase_pattern(data.followup.contrasts)

    @staticmethod
    def _lead(words: list[str]) -> re.Pattern[str] | None:
        """Finds one of `words` (and perhaps an article) at the end of a normalised text, just before an entity."""
        items = sorted({normalise(w) for w in words if normalise(w)}, key=len, reverse=True)
        if not items:
            return None
        return re.compile(r"(?:^|\s)(?:" + "|".join(re.escape(w) for w in items) + r")\s+(?:(?:the|a|an)\s+)?$")

    @staticmethod
    def _template(template: str) -> re.Pattern[str]:
        head, _, tail = normalise(template.replace("{term}", " qqtermqq ")).partition("qqtermqq")
        # words may follow a template that goes on after the term ("what does CR_H mean in that figure"),
        # never one that ends with it ("what is the VEGF cutoff" does not ask what VEGF means)
        trailing = r"(?:\s.*)?" if tail.strip() else ""
        return re.compile("^" + re.escape(head) + r"(?P<term>[\w/+\-]+)" + re.escape(tail) + trailing + "$")

    @cached_property
    def _fact_entities(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for entity in self.data.entities:
            for fact_id in entity.facts:
                out.setdefault(fact_id, []).append(entity.id)
        return out

    # -- whole-message readings -------------------------------------------------------------------

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
        """The small-talk entry the message is (with its reply), or None.

        The whole message is a small-talk phrase; or it is no question ("?"), one of its clauses is a phrase,
        and the other clauses name no entity or facet ("Thanks, that clarifies it.", "Interesting, thank you.").
        """
        whole = self._smalltalk.get(normalise(text)) or self._smalltalk.get(self._plain(text)) or self._loose_smalltalk(text)
        if whole is not None:
            return whole
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
        if rest and SMALLTALK_YIELDS_TO_ACT and _deictic(self._bare(rest)) in self._acts:
            return None
        return min(found, key=lambda s: self.SMALLTALK_PRIORITY.index(s.id))

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
        return rest if talk is not None and talk.id in self.LEADING_SMALLTALK and re.search(r"\w", rest) else None

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
        """The act on the last answer the message asks for, or None."""
        bare = self._bare(text)
        if _deictic(bare) in self._acts:
            return ActRequest(self._acts[_deictic(bare)])
        keyword = self._keyword_act(bare)
        if keyword is not None:
            return ActRequest(keyword)
        for prefix, act in self._prefixes:
            if bare == prefix or bare.startswith(prefix + " "):
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
            entry = self._glossary.get(term.casefold())
            if entry is None:
                continue
            if weak and not (m.end("term") == len(untailed) and re.search(
                    r"(?<![\w-])" + re.escape(entry[0]).replace("_", "_?") + r"(?![\w-])", last_answer, re.I)):
                continue
            return ActRequest("define", entry[0], bare_term=m.group(0) == term)
        if self._glossary_terms is not None:
            terms = {self._glossary[m.casefold()] for m in self._glossary_terms.findall(bare) if m.casefold() in self._glossary}
            if len(terms) == 1:
                term, expansion = terms.pop()
                # asked to spell it out, or ending with a guess at its expansion ("whats CIDP again, chronic inflam..?")
                if _guesses(bare, term, expansion) or (self._define_cues is not None and self._define_cues.search(bare)):
                    return ActRequest("define", term)
        return None

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
        return self._act_words[best[0]] if best else None

    def define(self, term: str | None, last_answer: str) -> list[tuple[str, str]]:
        """(abbreviation, expansion) for `term`, or for every glossary abbreviation the last answer uses."""
        if term is not None:
            entry = self._glossary.get(term.casefold())
            return [entry] if entry else []
        return [
            (k, v) for k, v in self.data.glossary.items()
            if re.search(r"(?<![\w-])" + re.escape(k) + r"(?![\w-])", last_answer)
        ]

    @cached_property
    def _question_markers(self) -> re.Pattern[str] | None:
        return _phrase_pattern(list(self.data.question_markers))

    def asks_about_disease(self, text: str) -> bool:
        """Whether a statement naming findings asks about the disease ("poems vs cidp", "lambda or kappa")."""
        pattern = self._question_markers
        if not pattern:
            return False
        if "?" not in text and self._negation is not None:
            # a statement's denied findings ("fundoscopy: no papilledema. no edema or effusions") ask nothing
            # only its "or" lists; "no M-protein in poems" and "no lesions vs myeloma" still ask. A denial may open
            # after "and" ("..., and no edema"), and its list goes on past a comma ("no edema, effusions or ascites")
            for sentence in re.split(r"[.;:\n]+", text):
                denying = False
                for clause in (normalise(c) for c in sentence.split(",")):
                    if not clause:
                        continue
                    denying = bool(self._negation.match(re.sub(r"^(?:and|but|also|plus)\s+", "", clause))) or (
                        denying and bool(re.search(r"\b(?:or|nor)\b", clause)))
                    if pattern.search(re.sub(r"\b(?:or|nor)\b", " ", clause) if denying else clause):
                        return True
            return False
        return bool(pattern.search(normalise(text)))

    @cached_property
    def _negation(self) -> re.Pattern[str] | None:
        """A clause that starts by denying a finding."""
        words = sorted({normalise(n) for n in self.data.negations if normalise(n)}, key=len, reverse=True)
        return re.compile(r"^(?:" + "|".join(re.escape(w) for w in words) + r")\b") if words else None

    def leans(self, text: str) -> bool:
        """Whether a message leans on the last answer: it starts with an opener ("and neuropathy"), or is short
        and has a pronoun ("% w lambda clone in that study"); a long description with an "it" does not."""
        norm = normalise(text)
        if any(norm == o or norm.startswith(o + " ") for o in self._openers):
            return True
        return len(norm.split()) <= LEANING_MAX_WORDS and bool(self._pronouns and self._pronouns.search(norm))

    def names_disease(self, text: str) -> bool:
        """Whether the turn names the disease itself ("what is poems", "poems prognosis?")."""
        return self._disease is not None and self._disease.search(normalise(text)) is not None

    @cached_property
    def _disease(self) -> re.Pattern[str] | None:
        return _phrase_pattern(list(self.data.followup.disease))

    def opens(self, text: str) -> bool:
        """Whether a message starts with an opener ("and ...", "what about ..."): it asks the same of something else."""
        norm = normalise(text)
        return any(norm == o or norm.startswith(o + " ") for o in self._openers)

    def general_question(self, text: str) -> bool:
        """Whether the message is a single question that starts with an interrogative ("is X plus Y enough to diagnose
        poems?"), not statements followed by a question ("X, Y and Z. Enough for diagnosis?")."""
        words = {normalise(w) for w in self.data.interrogatives}
        sentences = [x for x in re.split(r"(?<=[.!?])\s+|\n+", text.strip()) if x.strip()]
        first = normalise(text).split()[:1]
        return len(sentences) == 1 and text.rstrip().endswith("?") and bool(first) and first[0] in words

    def describes_patient(self, text: str) -> bool:
        """Whether the message describes a particular patient (a `patient_cues` expression matches). In a question, a
        patient in general ("in a pt with CIDP-like neuropathy, when to suspect POEMS?", `generic_patients`) is no cue."""
        if "?" in text or self.general_question(text):
            text = self._generic_patients.sub(" ", text) if self._generic_patients is not None else text
        return any(c.search(text) for c in self._cues)

    @cached_property
    def _generic_patients(self) -> re.Pattern[str] | None:
        expressions = list(self.data.generic_patients)
        return re.compile("|".join(f"(?:{e})" for e in expressions), re.I) if expressions else None

    @cached_property
    def _hypothetical(self) -> re.Pattern[str] | None:
        """A sentence that starts by supposing ("what if ...", "suppose ...", "and if ...")."""
        words = sorted({normalise(w) for w in self.data.hypotheticals if normalise(w)}, key=len, reverse=True)
        return re.compile(r"^(?:" + "|".join(re.escape(w) for w in words) + r")\b") if words else None

    def supposes(self, text: str, findings: Any) -> bool:
        """Whether every sentence of the message that names findings (`findings(sentence)` non-empty) supposes them
        ("what if VEGF is 300?", "if a patient had a kappa M-protein, could it still be POEMS?"); a described patient
        followed by a supposition ("62F, lambda, neuropathy. If her VEGF is 400, enough?") still describes her."""
        named = [(part, supposed) for part, supposed in self._supposition_parts(text) if findings(part)]
        return bool(named) and all(supposed for _, supposed in named)

    def stated_part(self, text: str) -> str:
        """The message without its supposed parts: what is recorded of "62F, lambda, neuropathy. If her VEGF is 400,
        enough?" is the patient described, not the VEGF supposed."""
        parts = self._supposition_parts(text)
        if not any(supposed for _, supposed in parts):
            return text
        return " ".join(part for part, supposed in parts if not supposed)

    def _supposition_parts(self, text: str) -> list[tuple[str, bool]]:
        """The message's sentences (a supposed clause inside one is a part of its own), each with whether it supposes."""
        if self._hypothetical is None:
            return [(text, False)]
        parts: list[str] = []
        for sentence in re.split(r"(?<=[.;!?])\s+|\n+|\s+-\s+", text):
            if not sentence.strip():
                continue
            # a supposed clause inside the sentence ("... if the M-protein is kappa?") is a part of its own
            m = self._hypothetical_clause.search(sentence) if self._hypothetical_clause is not None else None
            parts += [sentence[:m.start()], sentence[m.start():]] if m and m.start() > 0 else [sentence]
        return [(x, bool(self._hypothetical.match(normalise(x)) or (self._hypothetical_clause is not None
                                                                  and self._hypothetical_clause.match(normalise(x)))))
                for x in parts if x.strip()]

    @cached_property
    def _hypothetical_clause(self) -> re.Pattern[str] | None:
        words = sorted({normalise(w) for w in self.data.hypothetical_clauses if normalise(w)}, key=len, reverse=True)
        return re.compile(r"\b(?:" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words) + r")\b", re.I) if words else None

    # -- entities, facets and the focus -----------------------------------------------------------

    def entities_in(self, text: str) -> list[str]:
        """Entity ids named in `text`, in data order."""
        norm = normalise(text)
        return [eid for eid, pattern in self._entity_patterns if pattern is not None and pattern.search(norm)]

    def only_setting(self, norm: str, names: list[str], focus_text: str | None = None) -> bool:
        """Whether a normalised turn names `names` only as its setting and says nothing else of its own ("and after
        transplant?", "post hct?"); given the last answer, also only as what the subject is compared with ("vs
        myeloma?"), unless that answer is itself a comparison (then "vs myeloma?" names a new partner)."""
        kinds = {"setting"}
        if focus_text is not None and CONTRASTS_KEEP_SUBJECT and not self.compares(focus_text):
            kinds.add("contrast")
        if not names or not all(self.qualifiers(norm).get(e) in kinds for e in names):
            return False
        settings = {w for s in self.data.followup.settings for w in normalise(s).split()}
        return all(w in settings for w in self._rest(norm))

    def term_entity_facts(self, term: str, focus: Focus) -> list[str]:
        """The facts of the entity a bare term names, when that entity is not the focus's subject and the focused
        fact is not one of its facts ("uclh" after the cohorts compared: the UCLH cohort's row); else none. Nor when
        the last answer spells the term out: a key of abbreviations ("and ES?" after the table's key) is read for
        the meaning."""
        named = [e for e in self.entities_in(term) if e not in focus.entities[:1]]
        entry = self._glossary.get(term.casefold())
        if len(named) != 1 or (entry is not None and normalise(entry[1]) in normalise(focus.text)):
            return []
        kind = self.entities[named[0]].kind
        if len([e for e in self.entities_in(focus.text) if self.entities[e].kind == kind]) < PICKED_AMONG:
            return []  # only a pick among the things the last answer compared (cohorts side by side), not any term
        facts = list(self.entities[named[0]].facts)
        return [] if focus.fact in facts else facts

    def compares(self, answer: str) -> bool:
        """Whether an answer is a comparison: its first line (the card's title) sets things against each other."""
        first = normalise(answer.strip().split("\n", 1)[0]) if answer.strip() else ""
        return bool(self._contrast_words and self._contrast_words.search(first))

    def points_at_thing(self, text: str) -> bool:
        """Whether the turn has a pronoun for a thing ("it", "them"), not for the patient ("him")."""
        return bool(self._thing_pronouns and self._thing_pronouns.search(normalise(text)))

    def qualifiers(self, text: str) -> dict[str, str]:
        """The entities `text` names only as a qualifier of its subject, each as "setting" ("after transplant") or
        "scope" ("in the mayo series"): named right after one of `followup.settings` or `followup.scopes`
        (an article between them allowed), and nowhere else in the turn."""
        norm = normalise(text)
        out: dict[str, str] = {}
        for eid, pattern in self._entity_patterns:
            if pattern is None:
                continue
            kinds = set()
            for m in pattern.finditer(norm):
                before = norm[:m.start()]
                kind = next((k for k, lead in self._qualifier_leads if lead is not None and lead.search(before)), None)
                kinds.add(kind)
            if kinds and None not in kinds and len(kinds) == 1:
                out[eid] = kinds.pop()
        return out

    def facets_in(self, text: str) -> list[str]:
        """Facet ids asked in `text`, in data order ("%" asks a share: "% with a lambda clone?")."""
        norm = normalise(text) + (" percent" if "%" in text else "")
        # also read without the words that only soften ("has anyone actually treated ..." asks "anyone treated")
        plain = " ".join(self._politeness.sub(" ", norm).split()) if self._politeness is not None else norm
        return [fid for fid, pattern in self._facet_patterns if pattern is not None and (pattern.search(norm) or pattern.search(plain))]

    def covers(self, fact: Any, facets: list[str]) -> bool:
        """Whether a fact's own words (title, answer, questions, keywords) ask or answer every facet given."""
        document = normalise(" ".join([fact.title, fact.answer, *fact.questions, *fact.keywords]))
        return all(
            (pattern := dict(self._facet_patterns).get(f)) is not None and pattern.search(document) is not None
            for f in facets
        )

    def states(self, fact: Any, facets: list[str]) -> bool:
        """Whether a fact's answer (with its title) states every facet given: by the facet's `states` expressions on
        the answer as written ("51 patients" states a patient count; a trial's "how many cycles" question does not),
        else by the facet's words in it. Its questions and keywords do not count: they say what is asked, not answered."""
        if not facets:
            return False
        written = f"{fact.title}\n{fact.answer}"
        document = normalise(written)
        patterns = dict(self._facet_patterns)
        for facet in facets:
            statements = self._facet_statements.get(facet)
            if statements is not None:
                if not any(r.search(written) for r in statements):
                    return False
            elif (pattern := patterns.get(facet)) is None or pattern.search(document) is None:
                return False
        return True

    def names_outside(self, text: str, fact: Any) -> list[str]:
        """The treatments and cohorts a turn names that a fact is neither about nor names in its title or answer
        ("steroid dose?" answered by the melphalan dose: the dose it states is another drug's). Findings do not count:
        "my pt has papilledema, is bevacizumab safe?" asks about bevacizumab."""
        about = set(self.fact_entities(fact.id))
        written = normalise(f"{fact.title} {fact.answer}")
        return [e for e in self.entities_in(text) if e not in about and self.entities[e].kind in SUBJECT_KINDS
                and not any(p is not None and p.search(written) for eid, p in self._entity_patterns if eid == e)]

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

        def used(word: str) -> bool:
            return word in document or (len(word) >= BEYOND_STEM and word[:BEYOND_STEM] in stems)

        return [w for w in self.content_words(norm)
                if w not in self._act_words and w not in self._vocatives and w != "not" and not used(w)]

    def echoes(self, text: str, fact: Any) -> bool:
        """Whether every content word of a short turn is a word of the fact's answer or title: the turn picks a term
        out of the last answer ("TRM?", "CR_V?", "ES rate?" after a cohort's Table row)."""
        words = [p for w in self.content_words(text) for p in re.split(r"[-/+]", w) if p]
        if not words:
            return False
        document = set(re.split(r"[\s/+\-]+", normalise(f"{fact.title} {fact.answer}")))
        if not ECHO_INFLECTIONS:
            return all(w in document for w in words)
        # or a word made from one of the answer's by an ending ("painful?" after "pain and imaging")
        stems = {d for d in document if len(d) >= ECHO_STEM}
        endings = {normalise(e) for e in self.data.followup.endings}
        return all(w in document or any(w.startswith(d) and w[len(d):] in endings for d in stems) for w in words)

    def neighbourhood(self, fact: Any, entities: list[str]) -> list[str]:
        """The facts near a focus: the fact, its related facts, and the facts of its entities."""
        ids = [fact.id, *fact.related]
        for e in entities:
            if e in self.entities:
                ids += self.entities[e].facts
        return list(dict.fromkeys(ids))

    def narrow(self, answer: str, facets: list[str]) -> str | None:
        """The bullets of a Markdown answer that speak to the facets asked ("how is it treated?" -> the
        corticosteroid bullet), under the answer's lead-in line; None when none or all of them do."""
        patterns = [p for f, p in self._facet_patterns if f in facets and p is not None]
        if not patterns:
            return None
        lines = answer.strip().split("\n")
        items: list[list[str]] = []
        lead: list[str] = []
        for line in lines:
            if line.lstrip().startswith(("- ", "* ")):
                items.append([line])
            elif items and line.startswith("  "):
                items[-1].append(line)  # a bullet's continuation line
            elif not items:
                lead.append(line)
            else:
                return None  # prose after the list: keep the card whole
        kept = [i for i in items if any(p.search(normalise(" ".join(i))) for p in patterns)]
        if not kept or len(kept) == len(items):
            return None
        return "\n".join(lead + [line for item in kept for line in item])

    def content_words(self, text: str) -> list[str]:
        """The words of a turn that say what it asks about: not pronouns, openers, fillers or facet-only words."""
        norm = normalise(text)
        for _, pattern in self._facet_patterns:
            if pattern is not None:
                norm = pattern.sub(" ", norm)
        if self._pronouns is not None:
            norm = self._pronouns.sub(" ", norm)
        return [w for w in norm.split() if w not in self._fillers and (len(w) > 1 or w.isdigit())]

    def titled_sibling(self, text: str, facts: list[Any], *, headed: bool = False) -> str | None:
        """The one fact among `facts` whose title names every content word of a short leaning turn
        ("major?" -> "Major criteria", "and neuropathy" -> "Neuropathy: AL amyloidosis versus POEMS").
        The caller asks this only of a turn asking no facet: "bortezomib dose?" is not "Bortezomib-based regimens".
        `headed`: only a title that starts with one of the words ("pain?" after axonal loss is not "Sclerotic bone
        lesions: frequency, pain and imaging", a word deep in a title of a fact merely in the same section)."""
        words = self.content_words(text)
        if not words or len(words) > SIBLING_MAX_WORDS:
            return None
        def same(t: str, w: str) -> bool:
            return t == w or (len(w) >= 4 and t.startswith(w[:max(4, len(w) - 2)]))

        hits: list[tuple[tuple[int, int], str]] = []
        for fact in facts:
            title = normalise(fact.title).split()
            if all(any(same(t, w) for t in title) for w in words):
                first = min(i for i, t in enumerate(title) if any(same(t, w) for w in words))
                if headed and first > 0:
                    continue
                hits.append(((first, len(title)), fact.id))
        # the title headed by the words, then the one they fill best ("minor" -> "Minor criteria", not
        # "Polycythemia ... (one minor criterion)"; "neuropathy" -> "Neuropathy: AL amyloidosis versus POEMS")
        best = [fact_id for key, fact_id in hits if key == min(k for k, _ in hits)]
        return best[0] if len(best) == 1 else None

    def entity_fact_in_section(self, rewrite: Rewrite, section: Any, sections: dict[str, Any], focused: str) -> str | None:
        """For a turn that is nothing but one new entity ("and echo?"), the one fact of that entity in the focused
        fact's section (the work-up's echocardiogram, not the echo findings), or None."""
        if not (rewrite.bare and len(rewrite.names) == 1) or rewrite.facets:
            return None
        entity = self.entities.get(rewrite.names[0])
        facts = [f for f in (entity.facts if entity else []) if f != focused and sections.get(f) == section]
        return facts[0] if len(facts) == 1 else None

    def fact_entities(self, fact_id: str | None) -> list[str]:
        """The entities a fact is about (from the entities' `facts`)."""
        return list(self._fact_entities.get(fact_id or "", []))

    def _rest(self, norm: str) -> list[str]:
        """The words of a normalised turn that are not pronouns, openers, fillers, facets or entities."""
        for _, pattern in self._facet_patterns + self._entity_patterns:
            if pattern is not None:
                norm = pattern.sub(" ", norm)
        if self._pronouns is not None:
            norm = self._pronouns.sub(" ", norm)
        return [w for w in norm.split() if w not in self._fillers and not w.isdigit()]

    def rewrite(self, text: str, focus: Focus) -> Rewrite:
        """The turn read against the focus (see the module docstring)."""
        norm = normalise(text)
        names = [e for e in self.entities_in(text) if e not in focus.entities]
        facets = self.facets_in(text)
        pronoun = bool(self._pronouns and self._pronouns.search(norm))
        opener = any(norm == o or norm.startswith(o + " ") for o in self._openers)
        rest = self._rest(norm)
        # a one-word ellipsis ("major?", "catch?") leans as a pronoun does
        elliptical = not names and len(rest) <= ELLIPSIS_MAX_WORDS and len(norm.split()) <= ELLIPSIS_MAX_WORDS
        leans = pronoun or opener or (not rest and not names) or elliptical
        only_elliptical = elliptical and not (pronoun or opener or (not rest and not names))
        bare = not rest
        # a bare entity ("and neuropathy" after amyloidosis) is read with the focus's main entity beside it
        subject = [self._name(e) for e in (focus.entities[:SUBJECT_ENTITIES] if not names else focus.entities[:1] if bare else [])]
        kept = QUALIFIERS_KEEP_SUBJECT and self.only_setting(norm, names, focus.text)
        if kept:
            bare = False  # "vs myeloma?" after the lesions is not a bare new entity: it qualifies the focus's subject
        if names and not subject and kept:
            # "and after transplant?" after daratumumab: the new entity is when, the subject is still the focus's
            # (not "should she have induction before the transplant?", which names a subject of its own)
            subject = [self._name(e) for e in focus.entities[:SUBJECT_ENTITIES]]
        if len(focus.entities) > COMPARED_ENTITIES and not names and focus.fact:
            subject = []  # a comparison of several things ("hct vs len dex vs mel dex"): the fact is the subject
        if not subject and not names and focus.fact:
            subject = [focus.fact.split(".", 1)[-1].replace("_", " ")]
        # the same facet for another entity ("and the EBMT cohort?"); a turn naming no entity keeps its own
        extra_facets = [self.facets[f].words[0] for f in focus.facets if f in self.facets] if names and not facets else []
        parts = [text.rstrip("?. ")]
        if pronoun and not (self._thing_pronouns and self._thing_pronouns.search(norm)) and focus.patient:
            subject = []  # "what can we give him?": him is the patient, not the focus's first entity
        if pronoun and subject and self._thing_pronouns is not None and self._thing_pronouns.search(norm):
            parts = [self._thing_pronouns.sub(subject[0], norm, count=1)]
            subject = subject[1:]
        rewritten = " ".join(parts + subject + extra_facets)
        return Rewrite(rewritten, names, facets, leans, bare, only_elliptical)

    def _name(self, entity_id: str) -> str:
        entity = self.entities.get(entity_id)
        return entity.words[0] if entity else entity_id.replace("_", " ")

    @cached_property
    def reason_pattern(self) -> re.Pattern[str] | None:
        """Finds a reason marker ("because", "since") in a `normalise`d sentence."""
        return _phrase_pattern(list(self.data.reason_markers))

    def approach_entity(self, approach: str | None) -> str | None:
        """The entity a patient's treatment approach is about (`approaches`)."""
        return self.data.approaches.get(approach) if approach else None



SUBJECT_KINDS = frozenset({"drug", "cohort"})
"""Entity kinds a facet is asked of ("dose of X", "n in the Y cohort"): a fact must name them to answer for them."""


STAY_MARGIN = 0.05
"""A follow-up read in context is answered from the focus's neighbourhood (the focused fact, its related facts,
the facts of its entities) when the best of them scores within this much of the overall best."""

DECLINES_KEEPING_THE_DECLINE = frozenset({"dose_not_given", "duration_not_given", "other_drug", "other_condition"})
"""Contextual declines that stand even when the focused fact is close: the review does not give what was asked."""

ALONE_MARGIN = 0.25
REWRITE_CAUSED_DECLINE_YIELDS = True
"""Whether a leaning turn naming nothing and asking no facet, whose rewrite is declined for naming another condition
(the focus's), is read alone when alone it is answered (switch for ablation)."""
"""A leaning turn is still read alone when alone it is answered with this much more confidence than in context."""

DECLINES_NAMING_SOMETHING_ELSE = frozenset({"other_drug", "other_condition", "other_topic"})
"""Router decline reasons by which the turn itself names something the review does not cover."""


def choose(rewrite: Rewrite, alone: Any, context: Any | None, names_unknown: bool = False,
           focus_covers: bool | None = None, focus_general: bool = False) -> Reading:
    """Which reading of a turn to answer from, given the router's Match for each.

    1. No focus (no contextual reading): alone.
    2. The turn names a new entity and does not lean on the focus: alone (a topic switch), unless alone
       is declined and the contextual reading is answered.
    3. The turn leans on the focus (pronoun, opener, bare facet) or names nothing new: the contextual
       reading, answered or declined (a declined follow-up such as "dose?" after daratumumab is the right
       answer), unless the turn alone is declined for naming something else (another drug or condition),
       or names a word the knowledge base does not know and is declined alone ("and rituximab?"), or names
       nothing, does not lean, and is answered alone with at least the contextual confidence, or is answered
       alone with more than `ALONE_MARGIN` more confidence than in context. A bare facet ("which are the most
       common?") is read by the focused fact itself (`focus_covers`, from the fact's own words): in context when
       the fact speaks to that facet, whatever the margin; alone, when answered alone at least as surely, when
       it does not and the fact is about no entity in particular ("how common is it?" after POEMS's other names).
    4. The turn names a new entity and leans ("and the EBMT cohort?"): contextual when answered, else alone;
       a bare entity ("and neuropathy", "bone lesions?") only when the contextual reading is at least as sure.
    """
    if context is None or (alone.in_scope and alone.is_flow and not rewrite.leans):
        return "alone"
    if rewrite.names and not rewrite.leans:
        return "context" if (not alone.in_scope and context.in_scope) else "alone"
    if rewrite.names and not rewrite.bare:
        return "context" if context.in_scope else "alone"
    if rewrite.names:  # a bare entity: in context only when that reading is at least as sure
        return "context" if context.in_scope and (not alone.in_scope or context.confidence >= alone.confidence) else "alone"
    if not alone.in_scope and (alone.reason in DECLINES_NAMING_SOMETHING_ELSE or names_unknown):
        return "alone"  # "what about aflibercept?": the turn names something the review does not know
    if (not rewrite.leans or rewrite.elliptical) and alone.in_scope and not alone.is_flow and alone.confidence >= context.confidence:
        return "alone"  # a one-word turn that alone is a question of its own at least as surely ("workup?", "algorithm?")
    if rewrite.bare and rewrite.facets and focus_covers is not None:
        if focus_covers:
            return "context"  # the focused fact answers that facet: "which are the most common?" after skin changes
        if focus_general and alone.in_scope and not alone.is_flow and alone.confidence >= context.confidence:
            return "alone"  # the facet of POEMS itself, not of a fact that says nothing about it
        if not focus_general:
            return "context"  # the facet of the focus's entity, which the focused fact does not state ("survival?")
    if (REWRITE_CAUSED_DECLINE_YIELDS and not context.in_scope and context.reason in DECLINES_NAMING_SOMETHING_ELSE
            and not rewrite.names and not rewrite.facets and alone.in_scope and not alone.is_flow):
        # the rewrite put the focus's condition into a turn that names none ("why does catching it early matter"
        # after CIDP is declined as a question about CIDP): that decline is the rewrite's, the turn alone stands
        return "alone"
    if alone.in_scope and context.in_scope and alone.confidence > context.confidence + ALONE_MARGIN:
        return "alone"  # the turn alone is clearly surer ("How common is it?" is the prevalence, whatever came before)
    return "context"


ALWAYS_KEPT = frozenset({"dose_not_given", "duration_not_given"})
"""Contextual declines that stand whatever the turn alone says."""


def stays(rewrite: Rewrite, context: Any, best: float, focused: float, names_unknown: bool = False,
          alone: Any = None) -> bool:
    """Whether a follow-up read in context is answered from the focus's neighbourhood rather than the router's pick.

    Only for a turn that names nothing new, when the contextual reading is not a decline that stands
    (`DECLINES_KEEPING_THE_DECLINE`), and the focused fact scores within `STAY_MARGIN` of the best.
    """
    if (rewrite.names and not rewrite.bare) or names_unknown or focused <= 0.0:
        return False
    if not context.in_scope and context.reason in DECLINES_KEEPING_THE_DECLINE and (
            context.reason in ALWAYS_KEPT or alone is None or alone.reason == context.reason or rewrite.facets):
        # a decline the rewrite caused (a focus entity named "CIDP") does not stand, unless the turn asks a facet
        # of that entity ("how is it treated?" after the Castleman variant: the review gives no treatment for it)
        return False
    return focused >= best - STAY_MARGIN


__all__ = ["ECHO_MAX_WORDS", "ActRequest", "ConversationReader", "Focus", "Rewrite", "choose", "normalise", "stays"]
