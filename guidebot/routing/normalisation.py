"""Normalisation of text, the same for the index and the question: Unicode, case, punctuation, plurals, the lexicon.

NFKC, Greek letters spelt out, dashes and apostrophes folded, case folded, accents dropped, punctuation to
spaces, plurals to singular (`_stem`); a name spelt letter by letter ("P O E M S") joined into one word on the
question side (`_join_spelt`); then lexicon variants become their canonical words, longest phrase first
(`compile_lexicon`, `_lexicon_groups`). `_root` and `_sound` (in `wordkeys`) give the crude keys the index uses to fold
inflections ("treated" -> "treatment") and to read misspellings spelt as they sound ("melfalan").

The word lists here (stopwords, framing words, drugs, other conditions...) are what the decision rules in
`guidebot.routing.router` reason with.
"""

from __future__ import annotations

import re
import unicodedata

from guidebot.routing.wordkeys import _root, _stem

TYPO_CUTOFF = 0.79
"""Normalised OSA similarity at or above which an unknown word is read as a misspelling of a known one
(one edit or swap in five letters)."""
MIN_TYPO_LENGTH = 4
"""Words shorter than this are never typo-corrected (too many near neighbours)."""
SAME_INITIAL_BELOW = 7
"""A typo correction of a word shorter than this must keep its first letter."""
MAX_QUESTION_CHARS = 500



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
    definitely probably maybe perhaps anyway honestly truly quite rather pretty
    wat wut wot u ur tel abt bout hw wht whta tho thru till until gonna wanna gotta kinda sorta prob
    anything nothing something everything everyone anyone everybody anybody stuff lot lots way say says said
    saw seen today tonight tomorrow tmrw tmr tomorow btw n r rite shud shld wud cud wen hv til whether
    somehow mention mentioned mentions""".split()
)
"""Function words: no topic in them, so coverage ignores them. ("my patient" is kept: it marks the guided
flows, and IDF already keeps it from outweighing a topic word.)"""

GENERIC = frozenset(
    """effective efficacy efficacious helpful help helps safe safety useful usefulness work works working role
    ok okay good best better option options occur occurs occurring often frequency frequent
    frequently rate rates usual usually typical typically happen happens seen see look looks like mean means
    meaning definition data evidence results result value values level levels number numbers type types
    kind sort thing things indicated indication recommended recommend advice advise ideas idea disease diseases
    condition conditions disorder disorders illness question questions trainee trainees needed required
    present presence description overview summary info information reasonable appropriate likely unlikely
    expected expect expecting fine worked helped helping recommended recommends happened happening occurred
    worried worry worrying concern concerned concerning think thinking thought wonder wondering
    complaining complain all nutshell gist tldr brief briefly call called send sending sent asked
    asking ask consultant attending registrar boss senior team colleague bad
    consider considering considered else worth tip tips picture forgot forget slightly unusual odd bring
    complaint resident ward reg fellow sorry dumb stupid silly woman man male female guy lady bilateral
    new newly currently recently now family relative relatives wife husband son daughter mother mum mom father dad
    parents sir madam respected kindly doubt simple simply layman lay remind reminder specifically exactly
    actually current latest newest updated contemporary begin begins beginning""".split()
)
"""Words that frame a question ("is X effective", "how often") more than they name its topic: a fact need
not contain them, so they weigh `GENERIC_WEIGHT` of their IDF and barely move coverage."""
GENERIC_WEIGHT = 0.25

DOSE_WORDS = frozenset({"dose", "doses", "dosing", "dosage", "dosed", "mg", "much"})
"""A question with one of these asks for a dose: only a fact whose answer gives one (mg or Gy) may answer it."""
_DOSE_IN_ANSWER = ("mg", "gy")
DOSE_UNITS = frozenset({"mg", "mcg", "ug", "g", "gy", "iu", "unit", "mgkg", "mgm2"})
"""Units that, stuck to a number ("40mg", "1mg/kg", "5000iu"), make the question ask for a dose too."""

# Other conditions, drugs (from the lexicon), drug stems, uncovered topics and the rules' own word lists are
# data: knowledge/routing.yaml, read into the index by `guidebot.routing.config`.

READ_BY_CONTEXT = {
    "hct": (frozenset("""plt plts platelet platelets hb hgb haemoglobin hemoglobin wbc rbc cbc fbc counts
        erythrocytosis polycythemia polycythaemia thrombocytosis""".split()), ("hematocrit",)),
    "pe": (frozenset("""session sessions round rounds cycle cycles course courses ivig cidp apheresis
        plasmapheresis""".split()), ("plasma", "exchange")),
    "apheresis": (frozenset("cd34 collect collection collected harvest mobilisation mobilization g csf stem yield".split()),
                  ("stem", "cell", "collection")),
}
"""Words whose meaning depends on their neighbours: "hct" by a blood count is the hematocrit, not a transplant; "PE"
by sessions or IVIG is plasma exchange (else maybe an embolism); "apheresis" by CD34 or G-CSF collects stem cells."""
READ_AFTER = {"pe": frozenset({
    ("try",), ("tried",), ("trying",), ("doing",),
    *((subject, "do") for subject in ("to", "we", "should", "can", "could", "will", "would", "ll")),
})}
"""Abbreviations read as in `READ_BY_CONTEXT` when the words just before them are one of these: "wants to do
PE" and "should we try PE" name a procedure, where "what do you do for a PE" or "why do PE cause chest pain"
may be about an embolism (so "do" counts only after a subject or a modal)."""
CONTEXT_WINDOW = 3
"""How many words either side decide such an abbreviation."""

DRIVEN_OBJECTS = frozenset({"the", "this", "it", "its", "poem", "poems", "disease", "syndrome", "symptoms"})
"""After "drive", a word that makes it the disease's driver ("does VEGF drive the disease"), not driving a car."""

COUNT_UNITS = frozenset({"day", "days", "cycle", "week", "month", "fraction", "unit", "units"})
"""Units of a regimen's length or amount ("days" stays plural: see `_stem`): "how many cycles of X", "how many units
of the heparin" are answered only by an answer giving a number of them."""

TIME_UNITS = frozenset("h hr hrs hour hours d day days wk wks week weeks mo mos month months y yr yrs year years".split())
"""Units of a span of time: an answer with a number before one ("16 days", "up to 3 years") states a duration."""
DURATION_CUES = (("how", "long"), ("duration",), ("durations",))
"""Words (consecutive) by which a question asks for a span of time: "how long should a provoked DVT be
anticoagulated" is answered only by a fact that states one."""

_RESTATEMENT = re.compile(r"\b(?:no|sorry|oops),?\s+i\s+meant?\b", re.IGNORECASE)
"""A correction mid-question ("lmwh dose?? no i mean is ppx recommended at all"): what follows replaces what came before."""


def restated(text: str) -> str:
    """What the question asks after its last self-correction, when there is one and it says something. Used
    only for what kind of answer is wanted (a dose, a duration), never for the topic: "bevacizumab? no I mean
    is it effective" is still about bevacizumab."""
    parts = _RESTATEMENT.split(text[:MAX_QUESTION_CHARS])
    return parts[-1] if len(parts) > 1 and len(_clean(parts[-1]).split()) >= 2 else text


NEVER_CORRECTED = frozenset(
    """write wrote written compose sing draw paint translate joke story song essay limerick haiku recipe code
    program script""".split()
)
"""Everyday words that are never read as a misspelling of a knowledge-base word ("write" is not "white",
"story" not "history"): left unknown, they tell that the request is not a question for the review."""

DOMAIN_WORDS = frozenset({"poems", "syndrome"})
"""Words nearly every question has here: ignored for matching unless the question has nothing else."""

CHITCHAT = frozenset(
    """hi hello hey hiya yo thanks thank thx ty cheers ok okay k q qq quick yes no yeah yep nope bye goodbye morning
    evening afternoon good great cool nice lol hmm huh""".split()
)
"""Greetings and fillers: a question made only of these (and stopwords) is not a question for the review."""

ABOUT_THE_ASSISTANT = frozenset(
    """name age old real human person robot bot ai creator made built trained model version smart clever favourite
    favorite""".split()
)
"""Words of a question about guidebot itself ("what's your name", "are you a real person"): with "you" or
"your" and nothing else, there is no topic to look up."""
SECOND_PERSON = frozenset("you your yourself u ur".split())

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
FRAMING_VOCAB = sorted(w for w in STOPWORDS | GENERIC | CHITCHAT if len(w) >= MIN_TYPO_LENGTH and w.isalpha())
"""Function and framing words long enough to be read through a misspelling (one edit, same first letter)."""

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


def _read_by_context(tokens: list[str]) -> list[str]:
    """Tokens with each `READ_BY_CONTEXT` abbreviation spelt out when a word near it says what it means."""
    out: list[str] = []
    for i, tok in enumerate(tokens):
        cues, reading = READ_BY_CONTEXT.get(tok, (None, None))
        if cues is not None and (
            cues.intersection(tokens[max(0, i - CONTEXT_WINDOW) : i + CONTEXT_WINDOW + 1])
            or any(tuple(tokens[max(0, i - len(before)) : i]) == before for before in READ_AFTER.get(tok, ()))
        ):
            out.extend(reading)
        else:
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


def compile_descriptions(terms) -> list[tuple]:
    """Lexicon terms' `described_by` and `also_described_by` cue groups -> [(canonical words, (group of cleaned
    words, ...), cleaned cues that stop it)], one entry per description; a cue of several words counts together."""
    out = []
    for term in terms:
        canon = tuple(_clean(term.canonical).split())
        unless = frozenset(_clean(cue) for cue in getattr(term, "not_described_when", None) or [])
        for groups in [getattr(term, "described_by", None) or [], *(getattr(term, "also_described_by", None) or [])]:
            if groups:
                out.append((canon, tuple(frozenset(_clean(cue) for cue in group) for group in groups), unless))
    return out


def described_terms(tokens: list[str], descriptions: list) -> list[tuple[str, ...]]:
    """The canonical words of every term a question describes without naming it: one cue of each of the term's
    groups among its words (a cue of several words stands together, in order), none of its `not_described_when`."""
    text = f" {' '.join(tokens)} "
    found = []
    for canon, groups, *unless in descriptions:
        stops = any(f" {cue} " in text for cue in (unless[0] if unless else ()))
        if canon not in found and not stops and all(any(f" {cue} " in text for cue in group) for group in groups):
            found.append(canon)
    return found


def normalise(text: str, lexicon: dict | None = None) -> str:
    """The one normalisation both the index and the query go through: Unicode, case, punctuation, lexicon."""
    tokens = _clean(text).split()
    if lexicon:
        tokens = _apply_lexicon(tokens, lexicon)
    return " ".join(tokens)


def topic_key(words) -> str:
    """The topic words of a phrasing or question, order and framing words ignored: "poems tx" and "how is
    POEMS treated" share the key "treatment"."""
    return " ".join(sorted({w for w in words if w not in GENERIC and w not in DOMAIN_WORDS}))


def _fold(word: str, roots: dict[str, str]) -> str:
    """The word that speaks for `word`'s root class in the index ("treated" -> "treatment"), or `word`."""
    if word in _NO_FOLD:
        return word
    return roots.get(_root(word), word)
