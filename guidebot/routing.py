"""The router: normalises a question, scores it against every fact and flow, and decides what to answer.

Callers: `guidebot ask`, the dialogue manager and the UI (through `get_router()`), `guidebot eval` and
`bench/routing.py`.

The `ask` path must start fast (about 2.5x a bare `import rapidfuzz`), so this module imports nothing heavy
at the top: no pydantic, yaml, markdown_it or platformdirs. The index is built once from the validated
knowledge base (`build_index`, which does import those) and cached as a pickle of plain Python data keyed
by the guidebot version, `INDEX_FORMAT`, this module's own stamp and every knowledge file's
(path, mtime_ns, size).

Normalisation (`_clean` + lexicon), the same for the index and the question: NFKC, Greek letters spelt out,
dashes and apostrophes folded, case folded, accents dropped, punctuation to spaces, plurals to singular
(and, on the question side, a name spelt out letter by letter, "P O E M S", joined into one word);
then lexicon variants become their canonical words (longest phrase first); then every word is replaced by
the most frequent word of the knowledge base sharing its crude root (`_root`: "treated", "treating" ->
"treatment"; "mobilised" -> "mobilization"). On the question side only, an unknown word is first matched
by how it sounds (`_sound`: "plasmaferesis", "papiledema", "melfalan") and then, if still unknown, read as a
misspelling of a known word one edit away (OSA).

Scoring, per target (a fact or a guided flow), from signals weighted by IDF over the index's words (so
"dose" or "treatment" decide less than "bevacizumab"; words of one lexicon concept share one weight):

- coverage: the share of the question's information found among the target's words (example questions,
  title, keywords; words only in its answer count half). An unknown word counts as informative and lowers
  coverage: that is what sends "lupus nephritis treatment" out of scope;
- F1 against the target's best single phrasing, and against its title;
- focus: how many of its title and questions use the question's words; emphasis: how many of its
  phrasings say exactly what was asked;
- BM25 against the target's whole document (title, phrasings, keywords and the answer text, field-weighted),
  so an answer's own vocabulary counts even where no example question uses it;
- fuzzy: rapidfuzz's token_sort_ratio against its closest phrasing (see `_fuzzy` for why not `cdist`).
A few question words ("when", "why", "many", "who") are kept at a low weight: they say what kind of answer is
wanted ("when to use radiotherapy" is about indication).

Decision rules on top (`route`): contentless input (nothing but function and framing words: "who made
you") is out of scope. A caution whose agent (its `triggers`, else the keywords its title names) the
question names is shown however far behind it scores, unless the best fact is titled after that same agent, and it is always offered among the suggestions; otherwise a
caution close to the best wins when its title names what was asked. Then the best is declined when it
covers too little of the question (more is needed when the question has an unknown word, likely another
drug or disease), when the question names a drug the best target never mentions, when it asks about
another condition (amyloidosis, myeloma, CIDP...) that the best target's phrasings do not name (or asks only
how that condition is treated), or when it asks for a dose (a dose word, or an amount with its unit:
"40mg") or a count ("how many cycles") the best target does not give. A question naming a caution's agent
is never declined for low coverage: it gets the caution.
"""

from __future__ import annotations

import os
import unicodedata
from math import log
from pathlib import Path
from typing import NamedTuple

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from guidebot.knowledge.locate import fingerprint, knowledge_dir

INDEX_FORMAT = 5
"""Bump when the shape of the cached index or the normalisation changes: old caches are then rebuilt."""

# ---------------------------------------------------------------------------------------------------
# Decision thresholds, tuned on the tuning slice of tests/eval (see `guidebot eval --slice tune`).

MIN_COVERAGE = 0.4
"""Below this share of the question's information found in the best target, the question is out of scope."""
UNKNOWN_MIN_COVERAGE = 0.5
"""The coverage needed instead when the question has a word guidebot does not know (likely another topic);
it must be exceeded, not just reached: the known words must outweigh the unknown one."""
MIN_SCORE = 0.39
"""Below this combined score the question is out of scope even with enough coverage."""
CLOSE_MARGIN = 0.1
"""Targets scoring within this much of the best are offered as suggestions (distinct facts only)."""
RELATED_DISCOUNT = 0.05
"""How much further behind a rival that the best fact lists as related counts for confidence."""
MAX_SUGGESTIONS = 3
"""How many suggestions at most accompany an answer."""
CAUTION_MARGIN = 0.25
"""A safety caution within this much of the best wins: a drug question must reach its caution first."""
W_COVERAGE = 0.35
"""Weight of IDF coverage (recall of the question's information over the target's whole vocabulary)."""
W_F1 = 0.4
"""Weight of the IDF-weighted F1 between the question and the target's best choice."""
W_FUZZY = 0.25
"""Weight of the fuzzy (token_sort_ratio) similarity to the target's closest choice."""
W_FOCUS = 0.15
"""Weight of focus: the share of the target's title and example questions that use the question's words."""
W_TITLE = 0.1
"""Weight of the F1 against the target's title alone: "list the major criteria" is the fact titled so."""
UNKNOWN_FACTOR = 1.0
"""An unknown word weighs this share of the rarest known word's IDF (it most likely names an uncovered topic)."""
ANSWER_WEIGHT = 0.5
"""A question word found only in a target's answer text (not its phrasings) counts this much toward coverage."""
W_EXACT = 0.1
"""Weight of emphasis: how many of the target's choices match the question exactly (saturating)."""
EXACT_F1 = 0.85
"""A choice whose F1 with the question reaches this counts as saying exactly what was asked."""
EXACT_SATURATION = 4
"""Exact-matching choices beyond this many add nothing more."""
W_BM25 = 0.3
"""Weight of BM25 of the question against the target's whole document (title, phrasings and answer text)."""
BM25_K1 = 1.2
"""BM25 term-frequency saturation."""
BM25_B = 0.75
"""BM25 document-length normalisation."""
FIELD_WEIGHTS = {"title": 3.0, "question": 1.0, "keyword": 1.0, "answer": 1.0}
"""How much one occurrence of a word counts in a target's document, by where it occurs."""
_W_TOTAL = W_COVERAGE + W_F1 + W_FUZZY + W_FOCUS + W_TITLE + W_EXACT + W_BM25
FUZZY_CANDIDATES = 40
"""How many lexical front-runners get the (costlier) fuzzy comparison; the rest cannot catch up."""
FUZZY_FLOOR = 30.0
"""Fuzzy scores below this are noise and count as 0 (also lets rapidfuzz skip work)."""
TYPO_CUTOFF = 0.79
"""Normalised OSA similarity at or above which an unknown word is read as a misspelling of a known one
(one edit or swap in five letters)."""
MIN_TYPO_LENGTH = 4
"""Words shorter than this are never typo-corrected (too many near neighbours)."""
SAME_INITIAL_BELOW = 7
"""A typo correction of a word shorter than this must keep its first letter."""
MAX_QUESTION_CHARS = 500
"""Longer input is truncated before matching (a pasted document is not a question)."""


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


_ROOT_SUFFIXES = (("ability", "abl"), ("ibility", "ibl"), ("ization", "iz"), ("isation", "iz"), ("ations", "at"), ("ation", "at"), ("ment", ""),
                  ("ing", ""), ("ied", "y"), ("ised", "iz"), ("ized", "iz"), ("ed", ""), ("ise", "iz"), ("ize", "iz"))


_SOUNDS = (("ph", "f"), ("ae", "e"), ("oe", "e"), ("th", "t"), ("y", "i"), ("k", "c"), ("z", "s"), ("q", "c"))


def _sound(word: str) -> str:
    """A spelling-blind key for typo matching: "plasmaferesis" and "plasmapheresis", "papiledema" and
    "papilledema", "haematology" and "hematology" get the same key (ph=f, ae=oe=e, y=i, k=c, z=s, no
    doubled letters)."""
    for a, b in _SOUNDS:
        word = word.replace(a, b)
    out = []
    for c in word:
        if not out or out[-1] != c:
            out.append(c)
    return "".join(out)


def _root(word: str) -> str:
    """A crude root for conflating inflections the lexicon does not list: "treated", "treating", "treatment"
    -> "treat"; "radiation", "radiate" -> "radiat"; "mobilisation", "mobilized" -> "mobiliz".

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


STOPWORDS = frozenset(
    """a an the of in on at to for with without by from and or but if then than as is are was were be been
    being am do does did doing done can could should would will shall may might must have has had having
    i me my we our us you your he she it its they them their this that these those there here what which
    whose when where why how whats hows wheres tell per explain describe about any some much many
    more most very really please pls plz just also so into out up down over under again about vs versus
    give me know need want get gets getting got use used using someone person people make makes made making
    im ive youre youve isnt arent wasnt werent dont doesnt didnt cant couldnt shouldnt wouldnt wont havent hasnt
    hadnt theyre hes shes thats theres his her him hers himself herself their theirs bc cuz coz because since
    once w still already yet even though although while ever each every actually exactly basically literally
    definitely probably maybe perhaps anyway honestly truly quite rather pretty""".split()
)
"""Function words: no topic in them, so coverage ignores them. ("my patient" is kept: it marks the guided
flows, and IDF already keeps it from outweighing a topic word.)"""

GENERIC = frozenset(
    """effective efficacy efficacious helpful help helps safe safety useful usefulness work works working role
    ok okay good best better option options occur occurs occurring often frequency frequent
    frequently rate rates usual usually typical typically happen happens seen see look looks like mean means
    meaning definition data evidence results result value values level levels number numbers type types
    kind sort thing things indicated indication recommended recommend advice advise ideas idea disease diseases
    condition conditions disorder disorders illness question questions trainee trainees quick needed required
    present presence description overview summary info information reasonable appropriate likely unlikely
    expected expect expecting fine worked helped helping recommended recommends happened happening occurred
    worried worry worrying concern concerned concerning think thinking thought wonder wondering
    complaining complain all nutshell gist tldr brief briefly call called send sending sent asked
    asking ask consultant attending registrar boss senior team colleague bad""".split()
)
"""Words that frame a question ("is X effective", "how often") more than they name its topic: a fact need
not contain them, so they weigh `GENERIC_WEIGHT` of their IDF and barely move coverage."""
GENERIC_WEIGHT = 0.25

DOSE_WORDS = frozenset({"dose", "doses", "dosing", "dosage", "dosed", "mg", "much"})
"""A question with one of these asks for a dose: only a fact whose answer gives one (a number with mg or
Gy) may answer it; otherwise the review does not give that dose and guidebot says so."""
_DOSE_IN_ANSWER = ("mg", "gy")
DOSE_UNITS = frozenset({"mg", "mcg", "ug", "g", "gy", "iu", "unit", "mgkg", "mgm2"})
"""Units that, stuck to a number ("40mg", "1mg/kg", "5000iu"), make the question ask for a dose too."""

OTHER_CONDITIONS = frozenset(_stem(w) for w in {"amyloidosis", "myeloma", "cidp", "mgus", "lymphoma", "diabetes", "castleman",
                              "waldenstrom", "macroglobulinemia", "guillain", "gbs", "vasculitis", "sarcoidosis"})
"""Conditions other than POEMS (the review names several only to tell them apart from it): a question about
one of them, not naming POEMS, is answered only by a fact whose phrasings name it too."""

OTHER_CONDITION_QUALIFIERS = frozenset("multiple al primary systemic smoldering chronic acute idiopathic multicentric unicentric".split())
"""Words that only qualify another condition's name ("multiple myeloma", "AL amyloidosis")."""

MANAGEMENT_WORDS = frozenset("treatment treat treated therapy survival prognosis management manage cure".split())
"""Words asking how a condition is managed or what its outlook is: about another condition, only a fact whose
phrasings say so answers."""

DRUGS = frozenset(
    "lenalidomide thalidomide bortezomib ixazomib daratumumab bevacizumab dexamethasone cyclophosphamide melphalan "
    "plerixafor corticosteroid heparin".split()
)
"""Drugs the review names (as the lexicon spells them): a question naming one is answered only by a target
that mentions it somewhere, so a drug question never gets a neighbouring fact about something else."""

COUNT_UNITS = frozenset({"day", "days", "cycle", "week", "month", "fraction"})
"""Units of a regimen's length ("days" stays plural: see `_stem`): "how many cycles of X" is answered only by
an answer giving a number of them."""

NEVER_CORRECTED = frozenset(
    """write wrote written compose sing draw paint translate joke story song essay limerick haiku recipe code
    program script""".split()
)
"""Everyday words that are never read as a misspelling of a knowledge-base word ("write" is not "white",
"story" not "history"): left unknown, they tell that the request is not a question for the review."""

DOMAIN_WORDS = frozenset({"poems", "syndrome"})
"""Words nearly every question has here: ignored for matching unless the question has nothing else."""

CHITCHAT = frozenset(
    """hi hello hey hiya yo thanks thank thx ty cheers ok okay k yes no yeah yep nope bye goodbye morning
    evening afternoon good great cool nice lol hmm huh""".split()
)
"""Greetings and fillers: a question made only of these (and stopwords) is not a question for the review."""

QUESTION_CUES = frozenset("when why many who".split())
"""Question words that tell what kind of answer is wanted ("when to use radiotherapy" is about indication,
"how many people" about prevalence, "who diagnoses it" about specialists): kept, at `GENERIC_WEIGHT`,
instead of dropped as function words; a question of nothing else ("who made you") has no topic."""

STOPWORDS = frozenset(_stem(w) for w in STOPWORDS) - QUESTION_CUES
GENERIC = GENERIC | QUESTION_CUES
CHITCHAT = frozenset(_stem(w) for w in CHITCHAT)
GENERIC = frozenset(_stem(w) for w in GENERIC)
DOSE_WORDS = frozenset(_stem(w) for w in DOSE_WORDS)
DOMAIN_WORDS = frozenset(_stem(w) for w in DOMAIN_WORDS)
_NO_FOLD = STOPWORDS | CHITCHAT | GENERIC | DOSE_WORDS | DOMAIN_WORDS

_GREEK = {
    "α": " alpha ",
    "β": " beta ",
    "ß": " beta ",  # the review's text (and German keyboards) write IL-1β as "1ß"
    "γ": " gamma ",
    "δ": " delta ",
    "κ": " kappa ",
    "λ": " lambda ",
    "μ": "u",  # µg/µL: NFKC has already turned the micro sign into mu
}
_CHARMAP = {ord(k): v for k, v in _GREEK.items()}
_CHARMAP.update({ord(k.upper()): v for k, v in _GREEK.items() if k.upper() != k and len(k.upper()) == 1})
_CHARMAP.update({ord(c): "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"})  # dashes, minus
_CHARMAP.update({ord(c): "" for c in "'\u2018\u2019\u02bc`"})  # apostrophes: "patient's" -> "patients"
_CHARMAP.update({ord("%"): " percent ", ord("&"): " and "})


def _clean(text: str) -> str:
    """Case, Unicode and punctuation folded; words separated by single spaces. No lexicon yet."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).translate(_CHARMAP)
        # accents off ("Bélec" -> "belec") so an unaccented keyboard still matches
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    else:
        text = text.translate(_CHARMAP)
    text = text.casefold()
    # everything that is not a letter or digit separates words ("anti-VEGF" -> "anti vegf", "pg/mL")
    out = [c if c.isalnum() else " " for c in text]
    return " ".join(_stem(w) for w in "".join(out).split())




def _join_spelt(tokens: list[str]) -> list[str]:
    """A name spelt out letter by letter ("P O E M S": three or more single letters in a row) as one word."""
    out: list[str] = []
    run: list[str] = []
    for tok in [*tokens, ""]:
        if len(tok) == 1 and tok.isalpha():
            run.append(tok)
            continue
        out.extend([_stem("".join(run))] if len(run) >= 3 else run)
        run = []
        if tok:
            out.append(tok)
    return out


def _lexicon_groups(tokens: list[str], lexicon: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]]) -> list[tuple[str, ...]]:
    """Replace lexicon variants by their canonical words (whole words or phrases, longest first, one pass).

    Returns groups: one per canonical expansion (its words) and one per untouched word, so that scoring can
    weigh "autologous hematopoietic cell transplant" (what "auto-SCT" becomes) as one concept, not four.
    """
    out: list[tuple[str, ...]] = []
    i = 0
    n = len(tokens)
    while i < n:
        for variant, canonical in lexicon.get(tokens[i], ()):
            k = len(variant)
            if tuple(tokens[i : i + k]) == variant:
                out.append(canonical)
                i += k
                break
        else:
            out.append((tokens[i],))
            i += 1
    return out


def _apply_lexicon(tokens: list[str], lexicon: dict) -> list[str]:
    """The words after lexicon replacement (see `_lexicon_groups`)."""
    return [w for group in _lexicon_groups(tokens, lexicon) for w in group]


def _group_weights(groups: list[tuple[str, ...]], idf: dict[str, float], unknown: float) -> dict[str, float]:
    """IDF weight per informative word; the words of one multi-word concept share the weight of its rarest word."""
    weights: dict[str, float] = {}
    for group in groups:
        words = [w for w in group if w not in STOPWORDS and w not in CHITCHAT]
        if not words:
            continue
        # an unknown word usually names something the review does not cover (it lowers coverage), but an
        # unknown number ("100k", "2019") says little about the topic
        raw = [
            idf.get(w, unknown) * (GENERIC_WEIGHT if w in GENERIC or (w not in idf and not w.isalpha()) else 1.0)
            for w in words
        ]
        scale = max(raw) / sum(raw) if len(words) > 1 else 1.0
        for w, r in zip(words, raw):
            weights[w] = max(weights.get(w, 0.0), r * scale)
    return weights


def compile_lexicon(terms: list[tuple[str, list[str]]]) -> dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]]:
    """(canonical, variants) pairs -> {first word: [(variant words, canonical words)]}, longest variant first."""
    table: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
    seen: set[tuple[str, ...]] = set()
    for canonical, variants in terms:
        canon = tuple(_clean(canonical).split())
        for variant in variants:
            words = tuple(_clean(variant).split())
            if not words or words == canon or words in seen:
                continue  # a variant belongs to the first term that claims it
            seen.add(words)
            table.setdefault(words[0], []).append((words, canon))
    for entries in table.values():
        entries.sort(key=lambda e: -len(e[0]))
    return table


def normalise(text: str, lexicon: dict | None = None) -> str:
    """The one normalisation both the index and the query go through: Unicode, case, punctuation, lexicon."""
    tokens = _clean(text).split()
    if lexicon:
        tokens = _apply_lexicon(tokens, lexicon)
    return " ".join(tokens)


# ---------------------------------------------------------------------------------------------------
# The result types


class Suggestion(NamedTuple):
    """Another fact or flow the person may have meant."""

    intent: str
    """Its id (a fact id or a flow id such as `diagnosis.assess`)."""
    title: str
    """Its title, as shown to the person."""


class Match(NamedTuple):
    """What the router made of one question."""

    intent: str | None
    """The fact id or flow id chosen; None when the question is out of scope."""
    confidence: float
    """0..1: the best target's combined score, lowered when a rival is close."""
    in_scope: bool
    """False when nothing in the knowledge base fits (or the input has no content)."""
    suggestions: list[Suggestion] | tuple[()] = ()
    """Close rivals of the chosen target (or a few starting points when out of scope)."""
    is_flow: bool = False
    """True when `intent` is a guided flow (diagnosis.assess, treatment.plan, workup.guide)."""
    reason: str = ""
    """Why it was declined, when it was: `empty`, `contentless`, `low_coverage`, `low_score`, `dose_not_given`."""


OUT_OF_SCOPE_STARTERS = (
    "diagnosis.assess",
    "criteria.rule",
    "diagnosis.vegf_threshold",
    "treatment.algorithm",
    "workup.overview",
    "treatment.bevacizumab",
)
"""What an out-of-scope answer offers instead (those that exist in the knowledge base)."""

FLOW_NOTE = "This is a guided flow: `guidebot chat` (or the app) walks you through it step by step."
"""Added to a flow's one-shot answer; written so that its Markdown reads the same as plain text."""
FLOW_NOTE_PLAIN = "This is a guided flow: guidebot chat (or the app) walks you through it step by step."


# ---------------------------------------------------------------------------------------------------
# Building the index (slow path: imports the knowledge loader and the renderer)


def _fact_tokens(texts: list[str], lexicon: dict) -> list[str]:
    return [normalise(t, lexicon) for t in texts]


def _gives_dose(text: str) -> bool:
    """Whether an answer states a dose: a number followed by mg or Gy ("45 Gy", "140-200 mg/m²")."""
    words = _clean(text).split()
    return any(w in _DOSE_IN_ANSWER and i > 0 and words[i - 1].isdigit() for i, w in enumerate(words))


def _counted_units(text: str) -> list[str]:
    """The regimen units an answer counts ("12 cycles", "3 days" -> ["cycle", "day"])."""
    words = _clean(text).split()
    return sorted({w for i, w in enumerate(words) if w in COUNT_UNITS and i > 0 and words[i - 1].isdigit()})


def _index_typos(kb, lexicon: dict) -> dict[str, str]:
    """Misspellings curators wrote on purpose into example questions ("diagnostic critera"), mapped to the word.

    Left alone, such a word would be "known", so a person's own misspelling of it would not be corrected and
    would only reach the one fact that happens to carry the same typo. A word seen once, one edit away from a
    word seen at least three times, is read as that word.
    """
    counts: dict[str, int] = {}
    phrases = [p for f in kb.facts.values() for p in (f.title, *f.questions, *f.keywords)]
    phrases += [p for i in getattr(kb, "intents", []) for p in (i.title, *i.questions)]
    for phrase in phrases:
        for group in _lexicon_groups(_clean(phrase).split(), lexicon):
            for w in group:
                counts[w] = counts.get(w, 0) + 1
    # only words a lexicon term names on their own are words in their own right; "syndrom" inside the variant
    # "engraftment syndrom" is still a misspelling of "syndrome" when it stands alone
    lexicon_words = {w for entries in lexicon.values() for variant, canonical in entries for w in canonical}
    lexicon_words |= {variant[0] for entries in lexicon.values() for variant, _ in entries if len(variant) == 1}
    common = [w for w, c in counts.items() if c >= 3 and len(w) >= MIN_TYPO_LENGTH]
    fixes = {}
    for word, count in counts.items():
        if count > 2 or len(word) < 5 or not word.isalpha() or word in lexicon_words or word in STOPWORDS:
            continue
        # one edit only, same first letter: "critera" is "criteria", but "nephropathy" is not "neuropathy"
        # and "ineligible" is not "eligible"
        best = process.extractOne(word, [w for w in common if w not in STOPWORDS], scorer=OSA.distance, score_cutoff=1)
        if not best or best[1] != 1 or best[0][0] != word[0]:
            continue
        near = best[0]
        if len(word) < 6 or count > 1:
            # shorter or repeated words need a far commoner neighbour ("marow" twice, "marrow" 44 times), and
            # a word that only adds or drops an ending ("risky", "later") is a word of its own
            if counts[near] < 10 * count or near.startswith(word) or word.startswith(near):
                continue
        fixes[word] = near
    return fixes


def _fold(word: str, roots: dict[str, str]) -> str:
    """The word that speaks for `word`'s root class in the index ("treated" -> "treatment"), or `word`."""
    if word in _NO_FOLD:
        return word
    return roots.get(_root(word), word)


def _root_classes(kb, lexicon: dict, fixes: dict[str, str]) -> dict[str, str]:
    """{root: the knowledge base's most frequent word with that root}, over phrasings and answers.

    Questions say "treated", facts "treatment"; one class per root lets them meet on one word without
    listing every inflection in the lexicon.
    """
    counts: dict[str, int] = {}
    texts = [p for f in kb.facts.values() for p in (f.title, *f.questions, *f.keywords, f.answer)]
    texts += [p for i in getattr(kb, "intents", []) for p in (i.title, *i.questions)]
    for text in texts:
        for group in _lexicon_groups(_clean(text).split(), lexicon):
            for w in group:
                w = fixes.get(w, w)
                counts[w] = counts.get(w, 0) + 1
    roots: dict[str, str] = {}
    for w, c in sorted(counts.items(), key=lambda wc: (-wc[1], len(wc[0]), wc[0])):
        if w not in _NO_FOLD:
            roots.setdefault(_root(w), w)
    return roots


def build_index(kb) -> dict:
    """Plain-data routing index of a KnowledgeBase (or any object with its attributes); pickled as the cache."""
    from guidebot.render import format_reference, markdown_to_plain

    terms = [(t.canonical, list(t.variants)) for t in getattr(kb, "lexicon", [])]
    lexicon = compile_lexicon(terms)

    targets: list[tuple[str, str, bool, str]] = []  # (id, title, is_flow, answering fact id)
    choices: list[str] = []
    choice_target: list[int] = []
    bags: list[set[str]] = []
    cautions: list[int] = []

    choice_is_keyword: list[bool] = []
    title_choice: list[int] = []  # per target: the index of its title among the choices
    choice_groups: list[list[tuple[str, ...]]] = []
    choice_span: list[tuple[int, int]] = []  # per target: its choices are choices[lo:hi]
    sentences: list[int] = []  # per target: how many of its choices are its title or an example question

    fixes = _index_typos(kb, lexicon)
    roots = _root_classes(kb, lexicon, fixes)

    def fold_groups(phrase: str) -> list[tuple[str, ...]]:
        return [tuple(_fold(fixes.get(w, w), roots) for w in g) for g in _lexicon_groups(_clean(phrase).split(), lexicon)]

    def add_target(tid: str, title: str, is_flow: bool, fact_id: str, questions: list[str], keywords: list[str]) -> None:
        ti = len(targets)
        targets.append((tid, title, is_flow, fact_id))
        bag: set[str] = set()
        count = 0
        title_choice.append(len(choices))
        tf: dict[str, float] = {}
        for phrase, is_keyword in [(title, False), *((q, False) for q in questions), *((k, True) for k in keywords)]:
            groups = fold_groups(phrase)
            fw = FIELD_WEIGHTS["keyword" if is_keyword else ("title" if phrase is title else "question")]
            for g in groups:
                for w in g:
                    tf[w] = tf.get(w, 0.0) + fw
            norm = " ".join(w for g in groups for w in g)
            if not norm:
                continue
            choice_groups.append(groups)
            choices.append(norm)
            choice_target.append(ti)
            choice_is_keyword.append(is_keyword)
            count += not is_keyword
            bag.update(norm.split())
        for g in fold_groups(facts_plain[fact_id]):
            for w in g:
                tf[w] = tf.get(w, 0.0) + FIELD_WEIGHTS["answer"]
        doc_tf.append(tf)
        bags.append(bag)
        sentences.append(max(1, count))
        choice_span.append((title_choice[-1], len(choices)))

    doc_tf: list[dict[str, float]] = []
    facts_plain = {f.id: markdown_to_plain(f.answer) for f in kb.facts.values()}
    facts: dict[str, dict] = {}
    for fact in kb.facts.values():
        add_target(fact.id, fact.title, False, fact.id, list(fact.questions), list(fact.keywords))
        safety = getattr(fact, "safety", None)
        if safety is not None and str(getattr(safety, "value", safety)) == "caution":
            cautions.append(len(targets) - 1)
        facts[fact.id] = {
            "id": fact.id,
            "title": fact.title,
            "answer": fact.answer.strip(),
            "plain": facts_plain[fact.id],
            "citations": list(fact.citations),
            "section": str(getattr(fact.section, "value", fact.section)),
            "related": list(fact.related),
        }
    dose_facts = {fid for fid, f in facts.items() if _gives_dose(f["plain"])}
    fact_units = {fid: _counted_units(f["plain"]) for fid, f in facts.items()}
    for intent in getattr(kb, "intents", []):
        add_target(intent.id, intent.title, True, intent.fact, list(intent.questions), [])

    # a caution's anchors: its `triggers` (the agents it is about) or, without them, the phrasings of its
    # keywords that its title names ("bevacizumab", "plasma exchange", "bortezomib"): a question naming one
    # is about that caution first
    anchors: dict[int, list[tuple[str, ...]]] = {}
    for ti in cautions:
        triggers = list(getattr(kb.facts[targets[ti][3]], "triggers", None) or [])
        if triggers:
            found = set()
            for trigger in triggers:
                words = tuple(dict.fromkeys(
                    w for g in fold_groups(trigger) for w in g if w not in STOPWORDS and w not in DOMAIN_WORDS
                ))
                if words:
                    found.add(words)
            anchors[ti] = sorted(found)
            continue
        lo, hi = choice_span[ti]
        title_words = set(choices[title_choice[ti]].split())
        found = set()
        for ci in range(lo, hi):
            words = tuple(w for w in choices[ci].split() if w not in STOPWORDS and w not in DOMAIN_WORDS)
            if choice_is_keyword[ci] and words and set(words) <= title_words:
                found.add(words)
        anchors[ti] = sorted(found)

    n = len(targets)
    df: dict[str, int] = {}
    postings: dict[str, list[int]] = {}
    for ti, bag in enumerate(bags):
        for tok in bag:
            df[tok] = df.get(tok, 0) + 1
            postings.setdefault(tok, []).append(ti)
    # log(1 + N/df): "poems" (in nearly every target) keeps a little weight, a drug name in one fact a lot
    idf = {tok: log(1.0 + n / d) for tok, d in df.items()}
    choice_postings: dict[str, list[int]] = {}
    choice_weight: list[float] = []
    choice_content: list[str] = []
    for ci, norm in enumerate(choices):
        weights = _group_weights(choice_groups[ci], idf, 0.0)
        informative = [w for w in weights if w not in DOMAIN_WORDS] or list(weights)
        choice_weight.append(sum(weights[w] for w in informative))
        choice_content.append(" ".join(informative))
        for w in informative:
            choice_postings.setdefault(w, []).append(ci)
    # words of each target's answer that its phrasings lack: weak evidence that the answer covers them
    answer_postings: dict[str, list[int]] = {}
    for ti, (_, _, _, fact_id) in enumerate(targets):
        words = {w for g in fold_groups(facts[fact_id]["plain"]) for w in g} - bags[ti] - STOPWORDS
        for w in words:
            answer_postings.setdefault(w, []).append(ti)
    # BM25 postings over each target's whole document: word -> [(target, saturated tf)], precomputed
    lengths = [sum(v for w, v in tf.items() if w not in STOPWORDS) for tf in doc_tf]
    avg_len = (sum(lengths) / len(lengths)) if lengths else 1.0
    doc_postings: dict[str, list[tuple[int, float]]] = {}
    for ti, tf in enumerate(doc_tf):
        k = BM25_K1 * (1.0 - BM25_B + BM25_B * lengths[ti] / avg_len)
        for w, f in tf.items():
            if w in STOPWORDS:
                continue
            doc_postings.setdefault(w, []).append((ti, f / (f + k)))
    variant_words = {w for entries in lexicon.values() for variant, _ in entries for w in variant}
    answer_words = set(answer_postings)
    vocab = sorted((set(df) | variant_words | answer_words) - STOPWORDS)
    # spelling-blind keys of the vocabulary (long words only; the first word in sorted order keeps a key)
    sounds: dict[str, str] = {}
    for w in vocab:
        if len(w) >= MIN_TYPO_LENGTH + 1 and w.isalpha():
            sounds.setdefault(_sound(w), w)
    references = {int(num): format_reference(ref) for num, ref in getattr(kb, "references", {}).items()}
    return {
        "format": INDEX_FORMAT,
        "targets": targets,
        "choices": choices,
        "choice_target": choice_target,
        "choice_content": choice_content,
        "choice_is_keyword": choice_is_keyword,
        "sentences": sentences,
        "title_choice": title_choice,
        "choice_span": choice_span,
        "choice_weight": choice_weight,
        "choice_postings": choice_postings,
        "postings": postings,
        "answer_postings": answer_postings,
        "doc_postings": doc_postings,
        "idf": idf,
        "max_idf": log(1.0 + n),
        "vocab": [w for w in vocab if len(w) >= MIN_TYPO_LENGTH and not w.isdigit()],
        "known": set(df) | variant_words | answer_words,
        "roots": roots,
        "fixes": fixes,
        "sounds": sounds,
        "lexicon": lexicon,
        "cautions": cautions,
        "caution_anchors": anchors,
        "dose_targets": [ti for ti, t in enumerate(targets) if t[3] in dose_facts],
        "answer_units": {ti: fact_units[t[3]] for ti, t in enumerate(targets) if fact_units[t[3]]},
        "facts": facts,
        "references": references,
        "review": getattr(kb, "review", ""),
    }


# ---------------------------------------------------------------------------------------------------
# The cache


def cache_dir() -> str:
    """$GUIDEBOT_CACHE_DIR, else $XDG_CACHE_HOME/guidebot, else ~/.cache/guidebot (no platformdirs: start-up cost)."""
    explicit = os.environ.get("GUIDEBOT_CACHE_DIR")
    if explicit:
        return explicit
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = xdg if xdg else os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "guidebot")


def _code_stamp() -> tuple[int, int]:
    """(mtime_ns, size) of this module: an edited router (a new stopword, say) must not reuse an old index."""
    st = os.stat(__file__)
    return (st.st_mtime_ns, st.st_size)


def _cache_key(root: str) -> tuple:
    from guidebot import __version__

    return (__version__, INDEX_FORMAT, _code_stamp(), root, fingerprint(Path(root)))


def _cache_file(root: str) -> str:
    from zlib import crc32

    return os.path.join(cache_dir(), f"router-{crc32(root.encode('utf-8', 'surrogatepass')):08x}.pickle")


def _load_index(root: str) -> dict:
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


# ---------------------------------------------------------------------------------------------------
# The router


class _Scored(NamedTuple):
    """Internal: one target's scores for a question."""

    target: int
    score: float
    coverage: float
    fuzzy: float
    title: float = 0.0
    """Share of the question's information found in the target's title."""


class Router:
    """Routes questions to facts and flows over a plain-data index; cheap to call, deterministic."""

    def __init__(self, index: dict):
        """Wrap an index made by `build_index` (usually through `get_router`)."""
        self._ix = index
        self._targets = index["targets"]
        self._by_id = {t[0]: i for i, t in enumerate(self._targets)}
        self._cautions = set(index["cautions"])
        self._dose_targets = set(index["dose_targets"])

    # -- normalisation of the query side ------------------------------------------------------

    def normalise(self, text: str) -> list[str]:
        """The question's words: cleaned, misspellings of known words corrected, lexicon applied."""
        return [w for g in self.groups(text) for w in g]

    def groups(self, text: str) -> list[tuple[str, ...]]:
        """The question's words grouped by concept (see `_lexicon_groups`): unknown words matched by sound,
        else by one edit, to a known one; lexicon applied; each word folded onto its root class (`_fold`)."""
        ix = self._ix
        tokens = _join_spelt(_clean(text[:MAX_QUESTION_CHARS]).split())
        known = ix["known"]
        roots = ix["roots"]
        fixes = ix["fixes"]
        fixed = []
        for tok in tokens:
            tok = fixes.get(tok, tok)  # a curator's deliberate misspelling ("syndrom") is the word it misspells
            if (tok in known or tok in STOPWORDS or tok in CHITCHAT or len(tok) < MIN_TYPO_LENGTH or tok.isdigit()
                    or tok in NEVER_CORRECTED or _root(tok) in roots):
                fixed.append(tok)
                continue
            sounds = ix["sounds"].get(_sound(tok))
            if sounds is not None:  # spelt as it sounds: "melfalan", "plasmaferesis", "papiledema"
                fixed.append(sounds)
                continue
            # OSA counts a swapped pair of letters ("stnad") as one edit, where ratio would count two
            best = process.extractOne(tok, ix["vocab"], scorer=OSA.normalized_similarity, score_cutoff=TYPO_CUTOFF)
            # a short word one edit from a known word of another initial is more likely a word of its own
            # ("taper" is not "paper")
            if best and len(tok) < SAME_INITIAL_BELOW and best[0][0] != tok[0]:
                best = None
            fixed.append(best[0] if best else tok)
        return [tuple(_fold(w, roots) for w in g) for g in _lexicon_groups(fixed, ix["lexicon"])]

    # -- scoring --------------------------------------------------------------------------------

    def _fuzzy(self, query: str, targets: list[int]) -> dict[int, float]:
        """Best fuzzy similarity (0..100) per candidate target over the content words of its choices.

        `process.extract(limit=None)` runs the scorer over the choices inside rapidfuzz's C++ loop, like
        `process.cdist` would, but without numpy: cdist needs it, and importing numpy alone would cost more
        than the whole start-up budget of `guidebot ask`. token_sort_ratio ignores word order ("poems
        lmwh" = "lmwh poems") yet, unlike token_set_ratio, does not give 100 to every choice that merely
        contains the question's one word. Only the lexical front-runners' choices are scored, which keeps a
        50x knowledge base fast.
        """
        ix = self._ix
        spans = ix["choice_span"]
        content = ix["choice_content"]
        owner: list[int] = []
        subset: list[str] = []
        for t in targets:
            lo, hi = spans[t]
            subset.extend(content[lo:hi])
            owner.extend([t] * (hi - lo))
        best: dict[int, float] = {}
        for _, score, i in process.extract(query, subset, scorer=fuzz.token_sort_ratio, limit=None, score_cutoff=FUZZY_FLOOR):
            t = owner[i]
            if score > best.get(t, 0.0):
                best[t] = score
        return best

    def score(self, text: str) -> tuple[list[str], list[_Scored]]:
        """The question's content tokens and every plausible target's scores, best first."""
        ix = self._ix
        groups = self.groups(text)
        tokens = [w for g in groups for w in g]
        idf = ix["idf"]
        sentences = ix["sentences"]
        all_weights = _group_weights(groups, idf, UNKNOWN_FACTOR * ix["max_idf"])
        content = list(all_weights)
        informative = [t for t in content if t not in DOMAIN_WORDS] or content
        if not informative:
            return content, []
        weights = {t: all_weights[t] for t in informative}
        total = sum(weights.values())
        covered: dict[int, float] = {}
        shared: dict[int, float] = {}
        mentions: dict[int, float] = {}
        is_keyword = ix["choice_is_keyword"]
        owner = ix["choice_target"]
        for tok, w in weights.items():
            for ti in ix["postings"].get(tok, ()):
                covered[ti] = covered.get(ti, 0.0) + w
            for ti in ix["answer_postings"].get(tok, ()):
                covered[ti] = covered.get(ti, 0.0) + ANSWER_WEIGHT * w
            for ci in ix["choice_postings"].get(tok, ()):
                shared[ci] = shared.get(ci, 0.0) + w
                if not is_keyword[ci]:
                    mentions[owner[ci]] = mentions.get(owner[ci], 0.0) + w
        if not covered:
            return content, []
        bm25: dict[int, float] = {}
        for tok, w in weights.items():
            for ti, sat in ix["doc_postings"].get(tok, ()):
                bm25[ti] = bm25.get(ti, 0.0) + w * sat
        # weighted F1 of the question against each choice: a short keyword query is fully matched by a
        # keyword, a long question by a similar example question; the best choice speaks for its target
        cweight = ix["choice_weight"]
        f1: dict[int, float] = {}
        title_f1: dict[int, float] = {}
        exact: dict[int, int] = {}
        title_of = ix["title_choice"]
        for ci, inter in shared.items():
            value = min(1.0, 2.0 * inter / (total + cweight[ci]))
            t = owner[ci]
            if value > f1.get(t, 0.0):
                f1[t] = value
            if title_of[t] == ci:
                title_f1[t] = value
            if value >= EXACT_F1:
                exact[t] = exact.get(t, 0) + 1
        lexical: dict[int, float] = {}
        for ti, cov in covered.items():
            # focus: how much of the target's own questions and title are about the question's words; a
            # fact that lists "bortezomib" among many keywords is less about it than one whose every
            # question names it
            focus = min(1.0, mentions.get(ti, 0.0) / (total * sentences[ti]))
            lexical[ti] = (
                W_COVERAGE * cov / total
                + W_F1 * f1.get(ti, 0.0)
                + W_FOCUS * focus
                + W_TITLE * title_f1.get(ti, 0.0)
                # emphasis: several of a fact's phrasings say exactly what was asked (its keywords ASCT,
                # auto-SCT, HCT all name the transplant), so the curator meant this fact for it
                + W_EXACT * min(1.0, exact.get(ti, 0) / EXACT_SATURATION)
                + W_BM25 * bm25.get(ti, 0.0) / total
            )
        front = sorted(lexical, key=lambda t: -lexical[t])[:FUZZY_CANDIDATES]
        # a caution whose agent the question names is always scored, however low it ranks (see `route`)
        words = set(weights)
        for ti, anchors in ix["caution_anchors"].items():
            if ti in lexical and ti not in front and any(set(a) <= words for a in anchors):
                front.append(ti)
        fuzzy = self._fuzzy(" ".join(informative), front)
        scored = []
        for ti in front:
            fz = fuzzy.get(ti, 0.0) / 100.0
            combined = (lexical[ti] + W_FUZZY * fz) / _W_TOTAL
            scored.append(_Scored(ti, combined, covered[ti] / total, fz, shared.get(title_of[ti], 0.0) / total))
        scored.sort(key=lambda s: (-s.score, s.target))
        return content, scored

    # -- decision ---------------------------------------------------------------------------------

    def _suggestion(self, ti: int) -> Suggestion:
        tid, title, _, _ = self._targets[ti]
        return Suggestion(tid, title)

    def _starters(self) -> list[Suggestion]:
        return [self._suggestion(self._by_id[i]) for i in OUT_OF_SCOPE_STARTERS if i in self._by_id][:MAX_SUGGESTIONS + 1]

    def route(self, text: str) -> Match:
        """Decide what a question asks for: a fact, a guided flow, or nothing the review covers."""
        if not text or not text.strip():
            return Match(None, 0.0, False, self._starters(), False, "empty")
        content, scored = self.score(text)
        if not content or all(w in GENERIC for w in content):
            # nothing but framing words ("who made you", "is it effective?"): no topic to look up
            return Match(None, 0.0, False, self._starters(), False, "contentless")
        if not scored:
            return Match(None, 0.0, False, self._starters(), False, "low_coverage")
        best = scored[0]
        # a safety caution close behind the best wins when its title names what the question names
        # ("velcade ok?" -> "Avoid neurotoxic agents (bortezomib, thalidomide)") or when it covers more of
        # the question than the best does, so that a drug question meets its warning first and the drug's
        # efficacy fact comes as a suggestion
        anchored = self._anchored_caution(content, scored, best)
        if anchored is not None:
            # a question naming the agent of a caution is shown that caution, whatever its coverage; a dose
            # the review does not give is still declined ("enoxaparin dose")
            best = anchored
            reason = self._dose_reason(text, content, best)
            if reason:
                return Match(None, round(best.score, 3), False, self._starters(), False, reason)
        else:
            if best.target not in self._cautions:
                # a caution close behind the best wins when its title names what the question names or when
                # it covers more of the question, so that a drug question meets its warning first; but not
                # when the caution itself could not answer ("takatsuki syndrome" shares one word with a
                # caution's phrasing: that must not turn an answerable question into a decline)
                for s in scored[1:]:
                    if best.score - s.score > CAUTION_MARGIN:
                        break
                    names_it = s.title > 0 and s.title >= best.title and s.coverage >= best.coverage
                    if s.target in self._cautions and (names_it or s.coverage > best.coverage):
                        if not self._decline_reason(text, content, s):
                            best = s
                        break
            reason = self._decline_reason(text, content, best)
            if reason in ("low_coverage", "low_score"):
                # a question naming a caution's agent is never sent away for matching too little of the
                # rest ("pt wants Velcade bc it worked for his friend's myeloma"): the warning is shown
                named = self._named_caution(content, scored)
                if named is not None and not self._dose_reason(text, content, named):
                    best, reason = named, ""
            if reason:
                return Match(None, round(best.score, 3), False, self._starters(), False, reason)
        best_fact = self._targets[best.target][3]
        rivals = []
        seen = {best_fact}
        # a caution whose agent the question names is always offered ("does bortezomib work" -> the regimen
        # fact, and "Avoid neurotoxic agents" first among the suggestions)
        words = set(content)
        for ti, anchors in self._ix["caution_anchors"].items():
            fact_id = self._targets[ti][3]
            if fact_id not in seen and any(set(a) <= words for a in anchors):
                seen.add(fact_id)
                rivals.append(self._suggestion(ti))
        for s in scored:
            if s is best:
                continue
            if best.score - s.score > CLOSE_MARGIN or len(rivals) >= MAX_SUGGESTIONS:
                break
            fact_id = self._targets[s.target][3]
            if fact_id in seen:
                continue  # a flow and its own answering fact are one answer, not two
            seen.add(fact_id)
            rivals.append(self._suggestion(s.target))
        # a rival the best fact lists as related is a neighbouring answer, not a competing reading: it lowers
        # confidence as if it were RELATED_DISCOUNT further behind
        related = set(self._ix["facts"][best_fact]["related"])
        runner_up = max(
            (s.score - (RELATED_DISCOUNT if self._targets[s.target][3] in related else 0.0)
             for s in scored if self._targets[s.target][3] != best_fact),
            default=0.0,
        )
        # confidence falls as a rival closes in: two equally good answers are each 50/50
        margin = max(0.0, min(1.0, (best.score - runner_up) / CLOSE_MARGIN))
        # a caution the question names was chosen by rule, not by score: rivals do not make it less certain
        confidence = best.score if anchored is not None else best.score * (0.5 + 0.5 * margin)
        tid, _, is_flow, _ = self._targets[best.target]
        return Match(tid, round(min(1.0, confidence), 3), True, rivals, is_flow)

    def _decline_reason(self, text: str, content: list[str], best: _Scored) -> str:
        """Why the best target cannot answer the question (a `Match.reason`), or "" when it can."""
        # a word guidebot has never seen (and cannot read as a misspelling) mostly names something else:
        # a drug, a disease ("MGUS progression risk", "siltuximab for castleman"); ask for more coverage
        ix = self._ix
        unknown = any(w not in ix["idf"] and w not in ix["known"] and w.isalpha() and w not in GENERIC for w in content)
        min_coverage = UNKNOWN_MIN_COVERAGE if unknown else MIN_COVERAGE
        # with an unknown word, the known part must outweigh it: "side effects of rituximab" covers exactly
        # half (one rare known word, one unknown drug) and is about the drug
        if best.coverage < min_coverage or (unknown and best.coverage <= min_coverage):
            return "low_coverage"
        if best.score < MIN_SCORE:
            return "low_score"
        if self._absent_drug(content, best):
            # "how many days of dexamethasone for engraftment syndrome": the best fact never mentions the
            # drug asked about, so whatever it says is not about that drug
            return "low_coverage"
        if self._other_condition(content, best):
            # "first line treatment for AL amyloidosis": the review names amyloidosis only to tell it from
            # POEMS, so a fact that does not name it cannot answer a question about it
            return "other_condition"
        return self._dose_reason(text, content, best)

    def _dose_reason(self, text: str, content: list[str], best: _Scored) -> str:
        """"dose_not_given" when the question asks for a dose or a count the best target does not give."""
        unit = self._asks_count_of(content)
        if unit and unit not in self._ix["answer_units"].get(best.target, ()):
            # "how many cycles of X": only an answer that counts in cycles answers it
            return "dose_not_given"
        if self._asks_dose(text) and best.target not in self._dose_targets:
            # "lenalidomide dose": the lenalidomide facts give no dose, and a near answer could be misread as one
            return "dose_not_given"
        return ""

    def _anchored_caution(self, content: list[str], scored: list[_Scored], best: _Scored) -> _Scored | None:
        """The best-scoring caution whose anchor (trigger) the question names, however far behind it scores
        ("can I give bevacizumab to my patient with a lambda M-protein?" is about bevacizumab first); None
        when no caution is named, or when the best target is itself about that agent (its title names it:
        "Bortezomib-based regimens"), where the usual close-call rule decides."""
        words = set(content)
        anchors = self._ix["caution_anchors"]
        ix = self._ix
        best_title = set(ix["choices"][ix["title_choice"][best.target]].split())
        for s in scored:
            named = [a for a in anchors.get(s.target, ()) if set(a) <= words]
            if named and (s is best or not any(set(a) <= best_title for a in named)):
                return s
        return None

    def _named_caution(self, content: list[str], scored: list[_Scored]) -> _Scored | None:
        """The best-scoring caution whose anchor (trigger) the question names, or None."""
        words = set(content)
        anchors = self._ix["caution_anchors"]
        for s in scored:
            if any(set(a) <= words for a in anchors.get(s.target, ())):
                return s
        return None

    def _absent_drug(self, content: list[str], best: _Scored) -> bool:
        """Whether the question names a drug that the best target mentions nowhere (phrasings or answer)."""
        ix = self._ix
        return any(
            w in DRUGS and best.target not in ix["postings"].get(w, ()) and best.target not in ix["answer_postings"].get(w, ())
            for w in content
        )

    def _other_condition(self, content: list[str], best: _Scored) -> bool:
        """Whether the question names another condition (and not POEMS) that the best target's phrasings do not."""
        if "poem" in content:
            return False
        named = [w for w in content if w in OTHER_CONDITIONS]
        if not named:
            return False
        postings = self._ix["postings"]
        if any(best.target not in postings.get(w, ()) for w in named):
            return True
        # "how is AL amyloidosis treated": the amyloidosis facts compare it with POEMS, they do not treat it
        roots = self._ix["roots"]
        asks = {_fold(_stem(w), roots) for w in MANAGEMENT_WORDS}
        if any(w in asks and best.target not in postings.get(w, ()) for w in content):
            return True
        # "what is the treatment of CIDP", "how do you treat multiple myeloma": nothing but the other
        # condition and how it is managed; the review manages POEMS only, whatever fact shares the words
        rest = [w for w in content if w not in named and w not in asks and w not in GENERIC and w not in OTHER_CONDITION_QUALIFIERS]
        return any(w in asks for w in content) and not rest

    def _asks_count_of(self, content: list[str]) -> str | None:
        """The unit of "how many days / cycles / weeks / months" when the question asks for such a count."""
        for prev, word in zip(content, content[1:]):
            if prev == "many" and word in COUNT_UNITS:
                return word
        return None

    def _asks_dose(self, text: str) -> bool:
        """Whether the question asks for a dose: a dose word on its own, not inside a name ("low-dose CT"), or
        an amount with its unit ("clexane 40mg or 1mg/kg?")."""
        groups = self.groups(text)
        return any(
            len(g) == 1 and (g[0] in DOSE_WORDS or (g[0][:1].isdigit() and g[0].lstrip("0123456789") in DOSE_UNITS))
            and (i == 0 or groups[i - 1] not in (("low",), ("high",)))
            for i, g in enumerate(groups)
        )

    # -- answers ------------------------------------------------------------------------------------

    def answer(self, text: str) -> dict:
        """The INTERFACE section 2 object for a question (plus `title`, `suggestion_ids`, `plain`, `is_flow`)."""
        match = self.route(text)
        obj: dict = {"question": text, "in_scope": match.in_scope, "intent": match.intent, "confidence": match.confidence}
        if not match.in_scope:
            if match.reason == "empty":
                md = "The question was empty. Ask about POEMS syndrome, for example:"
            elif match.reason == "dose_not_given":
                md = (
                    "The review guidebot is built on (Khouri et al., JAMA Oncol 2021) does not give this dose, "
                    "so guidebot cannot answer it. It can help with, for example:"
                )
            else:
                md = (
                    "The review guidebot is built on (Khouri et al., JAMA Oncol 2021) does not cover this, "
                    "so guidebot cannot answer it. It can help with, for example:"
                )
            items = "\n".join(f"- {s.title}" for s in match.suggestions)
            body = f"{md}\n{items}" if items else md
            obj.update(answer=body, citations=[], suggestions=[s.title for s in match.suggestions])
            obj.update(title="Not covered" if match.reason != "empty" else "Empty question", plain=body)
            obj.update(suggestion_ids=[s.intent for s in match.suggestions], is_flow=False)
            return obj
        ti = self._by_id[match.intent]
        fact = self._ix["facts"][self._targets[ti][3]]
        md, plain = fact["answer"], fact["plain"]
        if match.is_flow:
            md = f"{md}\n\n{FLOW_NOTE}"
            plain = f"{plain}\n\n{FLOW_NOTE_PLAIN}"
        obj.update(
            answer=md,
            citations=list(fact["citations"]),
            suggestions=[s.title for s in match.suggestions],
            title=fact["title"],
            suggestion_ids=[s.intent for s in match.suggestions],
            plain=plain,
            is_flow=match.is_flow,
            fact=fact["id"],
        )
        return obj

    def fact(self, fact_id: str) -> dict:
        """One fact as {id, title, answer (Markdown), plain, citations, section, related}; KeyError if unknown."""
        return dict(self._ix["facts"][fact_id])

    def reference(self, n: int) -> str:
        """The review's reference `n`, fully formatted with its DOI; KeyError if the review has no such number."""
        return self._ix["references"][int(n)]

    @property
    def review(self) -> str:
        """The citation of the review itself."""
        return self._ix["review"]

    @property
    def targets(self) -> list[tuple[str, str, bool, str]]:
        """(id, title, is_flow, answering fact id) of every routable target, in index order."""
        return list(self._targets)


_routers: dict[str, Router] = {}


def knowledge_root(knowledge_path=None) -> str:
    """The knowledge directory as an absolute path (the cache key of its router)."""
    return os.path.abspath(knowledge_dir(knowledge_path))


def get_router(knowledge_path=None) -> Router:
    """The process-wide router for a knowledge directory, from the cached index (rebuilt when stale)."""
    root = knowledge_root(knowledge_path)
    router = _routers.get(root)
    if router is None:
        router = _routers[root] = Router(_load_index(root))
    return router


def clear_routers() -> None:
    """Forget the process-wide routers (tests that edit a knowledge base in place use it)."""
    _routers.clear()

