"""Building the routing index: a plain-data (picklable) view of the knowledge base that the router scores against.

Slow path: imports the knowledge loader's objects and the Markdown renderer; the `ask` path only ever loads the
pickled result (see `guidebot.routing.cache`).
"""

from __future__ import annotations

from functools import lru_cache
from math import log
from os import path as os_path

from rapidfuzz import process
from rapidfuzz.distance import OSA, Indel

from guidebot.routing.normalisation import (
    COUNT_UNITS, DOMAIN_WORDS, TIME_UNITS, GENERIC, MIN_TYPO_LENGTH, STOPWORDS, _DOSE_IN_ANSWER, _NO_FOLD, _clean, _group_weights,
    _fold, _lexicon_groups, compile_descriptions, compile_lexicon, normalise, topic_key,
)
from guidebot.routing.wordkeys import SKELETON_MIN_LENGTH, _root, _skeleton, _sound
from guidebot.routing.config import routing_data
from guidebot.routing.reranker import MODEL_FILE, compile_model, read_model
from guidebot.routing.phonetic import sound_keys
from guidebot.routing.scoring import PRUNE_ABOVE, bound_postings
from guidebot.routing.semantic import CONFIG_FILE, VECTOR_FILE, build_vectors
from guidebot.routing.cache import INDEX_FORMAT, PackedLists, PackedWords

_cleaned = lru_cache(maxsize=1 << 16)(_clean)
"""`_clean`, remembered: building reads every phrasing and answer three or four times (typos, root classes,
targets, answer words), a tenth of a first `ask` on a new machine."""

DATA_FILES = (MODEL_FILE, VECTOR_FILE, CONFIG_FILE)
"""The knowledge directory's files besides its YAML that the index is built from (the cache key stats them)."""
BM25_K1 = 1.2
"""BM25 term-frequency saturation."""
BM25_B = 0.75
"""BM25 document-length normalisation."""
FIELD_WEIGHTS = {"title": 3.0, "question": 1.0, "keyword": 1.0, "answer": 1.0}
"""How much one occurrence of a word counts in a target's document, by where it occurs."""


def _fact_tokens(texts: list[str], lexicon: dict) -> list[str]:
    return [normalise(t, lexicon) for t in texts]


def _gives_dose(text: str) -> bool:
    """Whether an answer states a dose: a number followed by mg or Gy ("45 Gy", "140-200 mg/m²")."""
    words = _cleaned(text).split()
    return any(w in _DOSE_IN_ANSWER and i > 0 and words[i - 1].isdigit() for i, w in enumerate(words))


def _counted_units(text: str) -> list[str]:
    """The regimen units an answer counts ("12 cycles", "3 days" -> ["cycle", "day"])."""
    words = _cleaned(text).split()
    return sorted({w for i, w in enumerate(words) if w in COUNT_UNITS and i > 0 and words[i - 1].isdigit()})


def _states_duration(text: str) -> bool:
    """Whether an answer states a span of time: a number followed by a unit of time ("16 days", "4.9 mo")."""
    words = _cleaned(text).split()
    return any(w in TIME_UNITS and i > 0 and words[i - 1].isdigit() for i, w in enumerate(words))


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
        for group in _lexicon_groups(_cleaned(phrase).split(), lexicon):
            for w in group:
                counts[w] = counts.get(w, 0) + 1
    # only words a lexicon term names on their own are words in their own right; "syndrom" inside the variant
    # "engraftment syndrom" is still a misspelling of "syndrome" when it stands alone
    lexicon_words = {w for entries in lexicon.values() for variant, canonical in entries for w in canonical}
    lexicon_words |= {variant[0] for entries in lexicon.values() for variant, _ in entries if len(variant) == 1}
    common = [w for w, c in counts.items() if c >= 3 and len(w) >= MIN_TYPO_LENGTH]
    function_words = sorted(w for w in STOPWORDS if len(w) >= MIN_TYPO_LENGTH and w.isalpha())
    # the commonest spelling wins; a lexicon word ("plasmapheresis") is a spelling in its own right
    sounds = {_sound(w): w for w in sorted(lexicon_words) if len(w) >= MIN_TYPO_LENGTH and w.isalpha()}
    sounds |= {_sound(w): w for w in sorted(common, key=lambda w: counts[w])}
    common_words = [w for w in common if w not in STOPWORDS]
    lexicon_spellings = sorted(w for w in lexicon_words if len(w) >= MIN_TYPO_LENGTH and w.isalpha())
    fixes = {}
    for word, count in counts.items():
        if count > 2 or len(word) < 5 or not word.isalpha() or word in lexicon_words or word in STOPWORDS:
            continue
        # spelt as it sounds ("plasmaferesis", "papiledema"): the common spelling, however many edits away
        near = sounds.get(_sound(word))
        if near is not None and near != word:
            fixes[word] = near
            continue
        # a function word missing or doubling a letter ("shoud i send a vegf") is that word: as a rare "known"
        # word it would outweigh the question's topic, and stop a person's "shoudl" from being read as
        # "should"; swapped or changed letters ("quiet", "dying") and endings ("given") make words of their own
        best = process.extractOne(word, function_words, scorer=Indel.distance, score_cutoff=1)
        if best and best[1] == 1 and best[0][0] == word[0] and not best[0].startswith(word) and not word.startswith(best[0]):
            fixes[word] = best[0]
            continue
        # one edit only, same first letter: "critera" is "criteria", but "nephropathy" is not "neuropathy"
        # and "ineligible" is not "eligible"
        best = process.extractOne(word, common_words, scorer=OSA.distance, score_cutoff=1)
        if not best or best[1] != 1 or best[0][0] != word[0]:
            # a word the lexicon maps away ("difference", a variant of "versus") is never counted as itself:
            # a lone "diffrence" one edit from it is its misspelling, unless it only adds or drops an ending
            best = process.extractOne(word, lexicon_spellings, scorer=OSA.distance, score_cutoff=1)
            if (best and best[1] == 1 and best[0][0] == word[0] and len(word) >= 6 and count == 1
                    and not best[0].startswith(word) and not word.startswith(best[0])):
                fixes[word] = best[0]
            continue
        near = best[0]
        if len(word) < 6 or count > 1:
            # shorter or repeated words need a far commoner neighbour ("marow" twice, "marrow" 44 times), and
            # a word that only adds or drops an ending ("risky", "later") is a word of its own
            if counts[near] < 10 * count or near.startswith(word) or word.startswith(near):
                continue
        fixes[word] = near
    return fixes



def _root_classes(kb, lexicon: dict, fixes: dict[str, str]) -> dict[str, str]:
    """{root: the knowledge base's most frequent word with that root}, over phrasings and answers.

    Questions say "treated", facts "treatment"; one class per root lets them meet on one word without
    listing every inflection in the lexicon.
    """
    counts: dict[str, int] = {}
    texts = [p for f in kb.facts.values() for p in (f.title, *f.questions, *f.keywords, f.answer)]
    texts += [p for i in getattr(kb, "intents", []) for p in (i.title, *i.questions)]
    for text in texts:
        for group in _lexicon_groups(_cleaned(text).split(), lexicon):
            for w in group:
                w = fixes.get(w, w)
                counts[w] = counts.get(w, 0) + 1
    roots: dict[str, str] = {}
    for w, c in sorted(counts.items(), key=lambda wc: (-wc[1], len(wc[0]), wc[0])):
        if w not in _NO_FOLD:
            roots.setdefault(_root(w), w)
    return roots


def build_index(kb, with_model: bool = True) -> dict:
    """Plain-data routing index of a KnowledgeBase (or any object with its attributes); pickled as the cache.
    With `with_model`, the re-ranker model in the knowledge directory (if any) comes along; `kb train`, which
    replaces that model, builds without it."""
    from guidebot.render import format_reference, markdown_to_plain

    terms = [(t.canonical, list(t.variants)) for t in getattr(kb, "lexicon", [])]
    lexicon = compile_lexicon(terms)
    descriptions = compile_descriptions(getattr(kb, "lexicon", []))
    routing = getattr(kb, "routing", None)
    if routing is None:  # a hand-made knowledge object (tests, benches) routes by the shipped rules
        from guidebot.knowledge import load_knowledge

        routing = load_knowledge().routing
    config = routing_data(routing, getattr(kb, "lexicon", []))

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
        return [tuple(_fold(fixes.get(w, w), roots) for w in g) for g in _lexicon_groups(_cleaned(phrase).split(), lexicon)]

    def add_target(tid: str, title: str, is_flow: bool, fact_id: str, questions: list[str], keywords: list[str]) -> None:
        ti = len(targets)
        targets.append((tid, title, is_flow, fact_id))
        target_texts.append([title, *questions, *keywords])
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
    target_texts: list[list[str]] = []  # per target: its title, questions and keywords, as written (semantic vectors)
    facts_plain = {f.id: markdown_to_plain(f.answer) for f in kb.facts.values()}
    facts: dict[str, dict] = {}
    for fact in kb.facts.values():
        add_target(fact.id, fact.title, False, fact.id, list(fact.questions), list(fact.keywords))
        safety = getattr(fact, "safety", None)
        # a caution routed first is a warning about an agent, so it needs triggers; a caution with none (the
        # papilledema referral) is pinned safety content that questions reach like any other fact
        if safety is not None and str(getattr(safety, "value", safety)) == "caution" and getattr(fact, "triggers", None):
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
    duration_facts = {fid for fid, f in facts.items() if _states_duration(f["plain"])}
    for intent in getattr(kb, "intents", []):
        add_target(intent.id, intent.title, True, intent.fact, list(intent.questions), [])

    # a caution's anchors: its `triggers` (the agents it is about) or, without them, the phrasings of its
    # keywords that its title names ("bevacizumab", "plasma exchange", "bortezomib"): a question naming one
    # is about that caution first
    anchors: dict[int, list[tuple[str, ...]]] = {}
    agent_names: dict[int, dict[tuple[str, ...], str]] = {}  # anchor -> its trigger as written, for a decline's text
    for ti in cautions:
        triggers = list(getattr(kb.facts[targets[ti][3]], "triggers", None) or [])
        if triggers:
            found = set()
            for trigger in triggers:
                words = tuple(dict.fromkeys(w for g in fold_groups(trigger) for w in g if w not in STOPWORDS and w not in DOMAIN_WORDS))
                if words:
                    found.add(words)
                    agent_names.setdefault(ti, {}).setdefault(words, trigger)
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
    # word -> the target of every phrasing (not keyword) using it, repeated per phrasing: the router's focus
    # signal reads it directly, without looking up each choice's owner and kind in its hottest loop
    mention_postings: dict[str, list[int]] = {}
    choice_weight: list[float] = []
    choice_content: list[str] = []
    same_topic: dict[str, list[int]] = {}  # topic words of a phrasing -> the targets with such a phrasing
    for ci, norm in enumerate(choices):
        weights = _group_weights(choice_groups[ci], idf, 0.0)
        informative = [w for w in weights if w not in DOMAIN_WORDS] or list(weights)
        choice_weight.append(sum(weights[w] for w in informative))
        choice_content.append(" ".join(informative))
        for w in informative:
            choice_postings.setdefault(w, []).append(ci)
            if not choice_is_keyword[ci]:
                mention_postings.setdefault(w, []).append(choice_target[ci])
        key = topic_key(informative)
        if key and choice_target[ci] not in same_topic.setdefault(key, []):
            same_topic[key].append(choice_target[ci])
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
        for w, f in ((w, f) for w, f in tf.items() if w not in STOPWORDS):
            doc_postings.setdefault(w, []).append((ti, f / (f + k)))
    variant_words = {w for entries in lexicon.values() for variant, _ in entries for w in variant}
    # a description's cue words ("the swallowed proteasome blocker") are known: never unknown topics nor typo targets
    variant_words |= {w for _, groups, *_ in descriptions for group in groups for cue in group for w in cue.split()}
    answer_words = set(answer_postings)
    vocab = sorted((set(df) | variant_words | answer_words) - STOPWORDS)
    # spelling-blind keys of the vocabulary (long words only; the first word in sorted order keeps a key)
    sounds: dict[str, str] = {}
    for w in vocab:
        if len(w) >= MIN_TYPO_LENGTH + 1 and w.isalpha():
            sounds.setdefault(_sound(w), w)
    # vowel-blind keys of drug names ("ixozamib"), kept only where one word of the vocabulary has the key:
    # for other words a vowel is meaning ("myelitis" is not "mellitus")
    skeleton_words: dict[str, set[str]] = {}
    for w in vocab:
        if len(w) >= SKELETON_MIN_LENGTH and w.isalpha():
            skeleton_words.setdefault(_skeleton(w), set()).add(_root(w))
    skeletons = {}
    for w in vocab:
        if (len(w) >= SKELETON_MIN_LENGTH and w.isalpha() and (w in config.drugs or w.endswith(config.drug_stems))
                and len(skeleton_words[_skeleton(w)]) == 1):
            skeletons.setdefault(_skeleton(w), w)
    references = {int(num): format_reference(ref) for num, ref in getattr(kb, "references", {}).items()}
    index = {
        "format": INDEX_FORMAT,
        "routing": config,
        "targets": targets,
        "choices": choices,
        "choice_target": choice_target,
        # each choice's content words sorted, as token_sort_ratio would sort them (see `Scorer._fuzzy`)
        "choice_sorted": [" ".join(sorted(c.split())) for c in choice_content],
        "same_topic": same_topic,
        "sentences": sentences,
        "title_choice": title_choice,
        "choice_span": choice_span,
        "choice_weight": choice_weight,
        "choice_postings": choice_postings,
        "mention_postings": mention_postings,
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
        "skeletons": skeletons,
        "lexicon": lexicon,
        "descriptions": descriptions,
        "cautions": cautions,
        "caution_anchors": anchors,
        "caution_agent_names": agent_names,
        "dose_targets": [ti for ti, t in enumerate(targets) if t[3] in dose_facts],
        "duration_targets": [ti for ti, t in enumerate(targets) if t[3] in duration_facts],
        "answer_units": {ti: fact_units[t[3]] for ti, t in enumerate(targets) if fact_units[t[3]]},
        "facts": facts,
        "references": references,
        "review": getattr(kb, "review", ""),
        "sound_keys": sound_keys(vocab, fixes, set(df)),
        "semantic": build_vectors(getattr(kb, "root", None), target_texts, frozenset(STOPWORDS)),
        "reranker": compile_model(
            read_model(os_path.join(kb.root, MODEL_FILE)) if with_model and getattr(kb, "root", None) else None,
            [t[0] for t in targets], [t[3] for t in targets],
        ),
    }
    if index["reranker"]:
        index["reranker"]["rows"] = PackedWords(index["reranker"]["rows"])
    if len(targets) > PRUNE_ABOVE:
        # only a knowledge base this large is ever scored through the pruned path; a small one's cache stays
        # small (it is read on every start of `guidebot ask`)
        index["bound_postings"] = bound_postings(index)
    # the postings are read only for the question's words: packed, they cost nothing to read back
    for name in ("postings", "answer_postings", "choice_postings", "mention_postings", "same_topic"):
        index[name] = PackedLists(index[name], "I")
    doc_postings = index.pop("doc_postings")
    index["doc_targets"] = PackedLists({w: [t for t, _ in v] for w, v in doc_postings.items()}, "I")
    index["doc_saturation"] = PackedLists({w: [s for _, s in v] for w, v in doc_postings.items()}, "d")
    return _one_copy_of_each_string(index, {})


def _one_copy_of_each_string(index: dict, seen: dict) -> dict:
    """`index` with each word that keys its word tables (IDF, postings, roots, sound keys, the known words...)
    one string object. The pickle then holds each word once and refers to it after, so the index reads back
    faster on every start of `guidebot ask`; the data is unchanged."""
    one = seen.setdefault
    for name, value in index.items():
        if type(value) is dict and value and type(next(iter(value))) is str:
            index[name] = {one(k, k): v for k, v in value.items()}
    for name in ("roots", "sounds", "fixes", "skeletons"):
        index[name] = {k: one(v, v) for k, v in index[name].items()}
    index["known"] = {one(w, w) for w in index["known"]}
    index["vocab"] = [one(w, w) for w in index["vocab"]]
    return index
