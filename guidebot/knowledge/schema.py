"""Pydantic models of every knowledge file; the generated JSON Schema (knowledge/schema.json) comes from here.

Each file under `knowledge/` has one top-level model (`FactsFile`, `ReferencesFile`, `LexiconFile`,
`CriteriaFile`, `SlotsFile`, `WorkupFile`, `StatementsFile`, `IntentsFile`, `RoutingFile`). Every model forbids unknown keys so that a
misspelt field is an error, never silently ignored.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

FactId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")]
"""A stable dotted id: lowercase words joined by dots, at least two parts (`treatment.bevacizumab`)."""

RefNumber = Annotated[int, Field(ge=1)]
"""A number in the review's own reference list (1-67)."""

NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
"""A string that is not empty or blank."""

MIN_QUESTIONS = 4
"""How many example questions every fact needs at least: full questions, terse keywords, abbreviations."""


class Strict(BaseModel):
    """Base of every knowledge model: unknown keys are errors; field docstrings become schema descriptions."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, frozen=True)


class Section(StrEnum):
    """The part of the review a fact comes from."""

    OVERVIEW = "overview"
    """Title, abstract and introduction: names, prevalence, who makes the diagnosis, the article itself."""
    PATHOPHYSIOLOGY = "pathophysiology"
    CLINICAL_PRESENTATION = "clinical_presentation"
    CRITERIA = "criteria"
    """The Box of diagnostic criteria and its footnotes."""
    DIAGNOSIS = "diagnosis"
    """M-protein, light chains, bone marrow (Figures 1-2), imaging findings."""
    VEGF = "vegf"
    THROMBOSIS_CARDIOPULMONARY = "thrombosis_cardiopulmonary"
    DIFFERENTIAL = "differential"
    WORKUP = "workup"
    TREATMENT = "treatment"
    """Figure 3 algorithm, radiation, transplant (and the Table), systemic agents, response, progression."""
    CAUTIONS = "cautions"
    """What the review advises against or insists on: bevacizumab, plasma exchange, LMWH, neurotoxic agents."""


class Safety(StrEnum):
    """Why a fact is safety-critical: a wrong word here could harm a patient, so tests pin it."""

    CAUTION = "caution"
    """Advice against a treatment, or a protective measure (bevacizumab, plasma exchange, LMWH, neurotoxicity)."""
    THRESHOLD = "threshold"
    """A number a decision rests on (VEGF >200 pg/mL, doses, lesion counts)."""
    CRITERION = "criterion"
    """How the diagnostic criteria are read (mandatory/major/minor, exceptions)."""


class Fact(Strict):
    """One thing the review says, answerable on its own."""

    id: FactId
    """Stable dotted id, `topic.subtopic` (`treatment.bevacizumab`); other facts and tests refer to it."""
    title: NonEmpty
    """A short heading a person would recognise (shown above the answer and in suggestions)."""
    section: Section
    """The part of the review this fact comes from."""
    answer: NonEmpty
    """The answer in Markdown, in the curator's own words: one fact or a compact list, not an essay.
    Every number in it must be the review's number (`kb check --source`). No inline [n]: citations below."""
    citations: list[RefNumber]
    """The review's reference numbers that support this fact; `[]` only where the review cites nothing."""
    questions: list[NonEmpty] = Field(min_length=MIN_QUESTIONS)
    """Ways a trainee asks for this: full questions, terse keyword queries, abbreviations (at least 4)."""
    keywords: list[NonEmpty] = []
    """Words and aliases that point at this fact (drug names, tests, brand names)."""
    related: list[FactId] = []
    """Ids of facts a reader may want next."""
    safety: Safety | None = None
    """Set for safety-critical facts (cautions, thresholds, criteria); these are pinned by tests."""
    triggers: list[NonEmpty] = []
    """Caution facts only: the agents or interventions it is about (`bevacizumab`, `plasma exchange`). A question
    that names one (or a lexicon variant: `avastin`, `PLEX`) always shows this caution, however it is phrased."""

    @model_validator(mode="after")
    def _triggers_only_on_cautions(self) -> Fact:
        if self.triggers and self.safety != Safety.CAUTION:
            raise ValueError("triggers are only for caution facts (safety: caution)")
        return self


class FactsFile(Strict):
    """A file of facts under `knowledge/facts/`, one file per topic."""

    facts: list[Fact]
    """The facts of this topic."""


class Reference(Strict):
    """One entry of the review's reference list."""

    number: RefNumber
    """Its number in the review (1-67)."""
    authors: NonEmpty
    """Authors as the review lists them (`D'Souza A, Hayman SR, Buadi F, et al`)."""
    title: NonEmpty
    """Title of the cited work."""
    journal: NonEmpty
    """Journal or source (`Blood`, `ClinicalTrials.gov`)."""
    year: int = Field(ge=1900, le=2100)
    """Year of publication."""
    details: str = ""
    """Volume, issue and pages as the review gives them (`118(17):4663-4665`)."""
    doi: str | None = None
    """DOI where the review gives one, without the `doi:` prefix."""
    url: str | None = None
    """A URL where the review gives one instead of a DOI."""


class CitationSlip(Strict):
    """A place where the review's printed reference numbers do not match its own reference list, and what the
    knowledge base cites instead. `kb check` verifies that every fact and statement named here cites `cited`
    and none of `not_cited`."""

    where: NonEmpty
    """Where in the review (`Table, column "Japan study"`)."""
    printed: NonEmpty
    """What the review prints there, quoted (`Japan study⁴⁴`)."""
    printed_refs: list[RefNumber]
    """The reference numbers the review prints there (`[]` when it prints none)."""
    reference_list: NonEmpty
    """What the review's own reference list says those numbers are, and where the right paper is."""
    cited: list[RefNumber]
    """What the facts below cite for it instead (`[]` when the review's statement has no source)."""
    not_cited: list[RefNumber] = []
    """Numbers the facts below must not cite (the misprinted ones)."""
    facts: list[FactId] = []
    """The facts that carry this statement."""
    statements: list[Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]+$")]] = []
    """The engine's statements (`statements.yaml` ids) that carry it."""

    @model_validator(mode="after")
    def _names_something_consistent(self) -> CitationSlip:
        if not self.facts and not self.statements:
            raise ValueError("a citation slip names at least one fact or statement")
        both = sorted(set(self.cited) & set(self.not_cited))
        if both:
            raise ValueError(f"reference {both[0]} is both cited and not_cited")
        return self


class ReferencesFile(Strict):
    """`knowledge/references.yaml`: the review's full reference list and the review's own citation."""

    review: NonEmpty
    """The citation of the review itself, shown wherever guidebot says where its knowledge comes from."""
    references: list[Reference]
    """All references of the review, in order."""
    citation_slips: list[CitationSlip] = []
    """Where the review's printed reference numbers disagree with its reference list, and what is cited instead."""


class Term(Strict):
    """One term of the lexicon: what trainees type, mapped onto the words the knowledge base uses."""

    canonical: NonEmpty
    """The review's word for it, as it appears in facts' questions and keywords (`bevacizumab`)."""
    variants: list[NonEmpty] = Field(min_length=1)
    """Abbreviations, synonyms, brand names and common misspellings (`bev`, `avastin`, `anti-VEGF antibody`)."""
    note: str = ""
    """Optional curator's note (why this mapping)."""
    described_by: list[list[NonEmpty]] = []
    """How a question names the term without a name for it: groups of words, one of each group in the
    question ("an antibody ... against VEGF": [[antibody, antibodies], [vegf, growth factor]]). Read only in
    questions (never in the facts), and only when the term's own words are not there already."""
    also_described_by: list[list[list[NonEmpty]]] = []
    """Other descriptions, each like `described_by` (a question matching any one names the term): "a shot against
    clots" and "a drug to prevent thrombosis" describe LMWH in different words."""
    not_described_when: list[NonEmpty] = []
    """Words that make a description speak of something else ("plasma" with "swap" describes plasma exchange, but
    not beside "serum" or "plasma cells": "swap serum for plasma", "remove the plasma cell clone")."""
    kind: Literal["drug"] | None = None
    """`drug` when the term names a drug the review names; the drug's name is the canonical's last word
    (`low-molecular-weight heparin` -> heparin). The router answers a question naming a drug only with a fact
    that mentions it."""


class LexiconFile(Strict):
    """`knowledge/lexicon.yaml`: abbreviations, synonyms and brand names the router normalises."""

    terms: list[Term]
    """Every term; a variant may appear under one canonical term only."""


CaseField = Literal[
    "polyneuropathy",
    "neuropathy_demyelinating",
    "monoclonal_plasma_cell_disorder",
    "light_chain",
    "clonal_marrow_plasma_cells",
    "sclerotic_bone_lesions",
    "vegf_pg_ml",
    "vegf_specimen",
    "vegf_elevated",
    "castleman_disease",
    "extravascular_volume_overload",
    "organomegaly",
    "endocrinopathy",
    "skin_changes",
    "papilledema",
    "polycythemia",
    "thrombocytosis",
    "transplant_eligible",
]
"""The case-file fields of INTERFACE.md section 3; slots and criteria may only name these."""

CRITERIA_GROUPS: dict[str, tuple[str, ...]] = {
    "mandatory": ("polyneuropathy", "monoclonal_plasma_cell_disorder"),
    "major": ("sclerotic_bone_lesions", "vegf_elevated", "castleman_disease"),
    "minor": (
        "extravascular_volume_overload",
        "organomegaly",
        "endocrinopathy",
        "skin_changes",
        "papilledema",
        "polycythemia_thrombocytosis",
    ),
}
"""The Box: group -> criterion names in its order (the shape of `criteria` in `assess --json`, INTERFACE.md section 4)."""

CriterionName = Literal[tuple(name for names in CRITERIA_GROUPS.values() for name in names)]  # type: ignore[valid-type]
"""The criterion names of INTERFACE.md section 4 (the keys of `criteria`)."""


class Criterion(Strict):
    """One criterion of the review's Box."""

    name: CriterionName
    """Its key in `assess --json` output."""
    group: Literal["mandatory", "major", "minor"]
    """Its group in the Box."""
    label: NonEmpty
    """How the Box names it (`Demyelinating polyneuropathy`)."""
    meaning: NonEmpty
    """What it means, with the Box's footnote where there is one."""
    slots: list[CaseField] = Field(min_length=1)
    """The case fields it is read from."""
    settled_by: NonEmpty
    """The test or examination that settles it (shown as a next step when it is missing)."""
    citations: list[RefNumber]
    """The review's references for the criterion and its test."""


class CriteriaFile(Strict):
    """`knowledge/criteria.yaml`: the Box, criterion by criterion."""

    criteria: list[Criterion]
    """All eleven criteria."""


class Slot(Strict):
    """One follow-up question the chat can ask: a case field and how to ask for it."""

    name: CaseField
    """The case-file field this question fills."""
    label: NonEmpty
    """How the field is named when findings are repeated back (chat, case panel, export): a name, no claim."""
    question: NonEmpty
    """The question as the bot asks it."""
    kind: Literal["bool", "int", "number", "choice", "list"]
    """How the reply is parsed (INTERFACE.md section 5)."""
    choices: list[NonEmpty] = []
    """The allowed values, for `choice` and `list`."""
    help: NonEmpty
    """What the finding means and how it is established; shown on `why?` and as help text."""
    criterion: CriterionName | None = None
    """The criterion this slot serves, if any (`transplant_eligible` serves the treatment algorithm)."""
    citations: list[RefNumber] = []
    """The review's references for the help text."""


class SlotsFile(Strict):
    """`knowledge/slots.yaml`: every case field as a follow-up question."""

    slots: list[Slot]
    """One entry per case field."""


class WorkupStep(Strict):
    """One step of the review's diagnostic workup, in the review's order."""

    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]+$")]
    """A short id (`nerve_conduction`)."""
    title: NonEmpty
    """The step's name (`Nerve conduction studies and EMG`)."""
    explanation: NonEmpty
    """Why the test is done and what it looks for (Markdown, own words)."""
    slots: list[CaseField] = []
    """The case fields this step's result fills, asked in this order."""
    citations: list[RefNumber] = []
    """The review's references for this step."""


class WorkupFile(Strict):
    """`knowledge/workup.yaml`: the guided workup, step by step."""

    steps: list[WorkupStep]
    """The steps in the review's order."""


class Statement(Strict):
    """A cited sentence the engine or dialogue says (a caveat, a rationale, a caution), kept as data."""

    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]+$")]
    """The key code refers to (`serum_runs_higher`, `avoid_bevacizumab`)."""
    text: NonEmpty
    """The statement in Markdown, own words; numbers must be the review's."""
    citations: list[RefNumber]
    """The review's references for it."""


class StatementsFile(Strict):
    """`knowledge/statements.yaml`: the engine's notes, treatment rationales and cautions."""

    statements: list[Statement]
    """Every statement the engine and dialogue may make outside a fact."""


class FlowIntent(Strict):
    """A guided flow the chat can start (diagnosis, treatment, workup), recognised by the router like a fact."""

    id: Literal["diagnosis.assess", "treatment.plan", "workup.guide"]
    """The flow's intent name, as `chat --jsonl` reports it."""
    title: NonEmpty
    """What the flow does, shown in suggestions (`Check the criteria for my patient`)."""
    questions: list[NonEmpty] = Field(min_length=MIN_QUESTIONS)
    """Ways a trainee asks for this flow."""
    fact: FactId
    """The fact `guidebot ask` answers with, since a one-shot question cannot run a guided flow."""


class IntentsFile(Strict):
    """`knowledge/intents.yaml`: the guided flows."""

    intents: list[FlowIntent]
    """The three flows."""


# -- conversation.yaml: how the chat reads a turn against the conversation ------------------------------

ConversationAct = Literal["why", "source", "more", "define"]
SmallTalkKind = Literal["greeting", "thanks", "ack", "bye", "done", "wrong", "not_what_i_asked", "unasked"]
EntityKind = Literal["drug", "cohort", "complication", "test", "criterion", "finding", "mechanism"]
Approach = Literal["radiation", "systemic_transplant", "systemic_non_transplant", "systemic"]


class ActPhrases(Strict):
    """One act on the last answer and the whole messages (or {term} templates) that ask for it."""

    id: ConversationAct
    prefixes: list[NonEmpty] = []
    """How a longer message asking for the act starts ("why is it missed so often"): the act when the rest names
    nothing new (no entity outside the focus)."""
    phrases: list[NonEmpty] = []
    templates: list[NonEmpty] = []
    weak_templates: list[NonEmpty] = []
    """Templates that ask for a definition only when the last answer uses the term ("what is HCT")."""
    cues: list[NonEmpty] = []
    """Words anywhere in a message that, beside exactly one glossary term, ask for it spelt out ("G-CSF = ..? spell it
    out"): the message is that act whatever else it says."""
    keywords: list[NonEmpty] = []
    """Words that ask for the act in a short message whose other words are only fillers, pronouns and politeness
    ("which journal was that", "refs pls", "any more info"), or a close misspelling of one ("soruce")."""


class SmallTalk(Strict):
    """One kind of small talk, its whole messages and the short non-clinical reply it gets."""

    id: SmallTalkKind
    phrases: list[NonEmpty] = Field(min_length=1)
    reply: NonEmpty


class Followup(Strict):
    """Words by which a turn leans on the last answer."""

    pronouns: list[NonEmpty] = Field(min_length=1)
    openers: list[NonEmpty] = Field(min_length=1)
    politeness: list[NonEmpty] = []
    """Words dropped before an act is read ("sorry, what does HCT stand for, please")."""
    fillers: list[NonEmpty] = []
    """Words that carry no topic ("what", "the", "tell me"): a turn of only these, facets and pronouns leans."""
    patient_pronouns: list[NonEmpty] = []
    """Pronouns that refer to the patient ("what can we give him?"): a turn leaning by one of them alone is never
    rewritten with an entity of the focus."""
    vocatives: list[NonEmpty] = []
    """How a person addresses the bot or laughs ("thanks man", "hi bot", "lol"): dropped before small talk is read."""
    switches: list[NonEmpty] = []
    """How a message that changes the subject starts ("on a different note, ..."): the rest is read alone, the old
    focus dropped."""
    settings: list[NonEmpty] = []
    """Words that make the entity right after them the setting of the question, not its subject ("and after
    transplant?" asks about daratumumab after transplant): the subject stays the focus's."""
    scopes: list[NonEmpty] = []
    """Words that make the entity right after them where the subject was measured ("ES rate in the Mayo series"):
    the subject, not the scope, is what a later "it" means."""
    contrasts: list[NonEmpty] = []
    """Words that make the entity right after them what the subject is compared with ("vs myeloma?" after the
    sclerotic bone lesions asks about those lesions against myeloma's); after a card that is itself a comparison
    they name a new partner instead."""
    endings: list[NonEmpty] = []
    """Endings that make a word from another ("pain" + "ful"): a terse turn saying "painful?" picks "pain" out of
    the last answer."""
    demonstratives: list[NonEmpty] = []
    """Words that point back at the focus's subject from a turn naming something new when right after a `scopes` or
    `settings` word ("% with a lambda clone in that study", "is the neuropathy different in those"), unless an entity
    word follows them ("in that VEGF assay": "that" is of the VEGF)."""
    possessives: list[NonEmpty] = []
    """Words that point back at the focus's subject wherever they stand ("its neuropathy": the neuropathy of the
    subject)."""
    approach_words: list[NonEmpty] = []
    """Words naming a treatment approach that are no entity of their own ("systemic"): set beside a treatment for a
    recorded patient ("so rt or systemic?") they ask which approach her findings lead to."""
    companions: list[NonEmpty] = []
    """Words after which a pronoun for a thing is what goes with the new entity named ("neuropathy worse *w it*?",
    "responses *on them*"): the focus's subject, kept in the rewrite."""
    people: list[NonEmpty] = []
    """Words for people before a companion ("*patients* with it", "*people* with it"): they have the disease, so the
    pronoun means POEMS, not the focus's subject; "*patients* with polycythemia" is a population the focus is asked
    of."""
    doubt_hedges: list[NonEmpty] = []
    """Words that only hedge what a doubt goes on to say ("even in remission", "thought it'd be abnormal"): they name
    nothing, so they never take a doubt outside the last answer."""
    question_starts: list[NonEmpty] = []
    """Openings of a question of its own after a doubt ("are you sure? *what about* anticoagulation"): asked as a
    question, never answered by restating the last answer."""
    doubts: list[NonEmpty] = []
    """How a person doubts the last answer ("are you sure", "u sure"): said with more than a pointing tail ("are you
    sure? even in remission", "are you sure the ratio is normal?") it asks for the review's statement again."""
    own_claims: list[NonEmpty] = []
    """How a claim of the person's own opens ("i read ...", "we see ...", "thought ..."): after a doubt it makes the
    message small talk, not a request to see the statement again."""
    others: list[NonEmpty] = []
    """Words by which a follow-up asks for something besides the last answer ("are there other things that add to
    their thrombotic risk?"): it is not answered by the fact just given when a fact of an entity it names can."""
    references: list[NonEmpty] = []
    """Phrases that refer back to the focus's subject at any length ("the former", "the latter", "either of them"):
    a turn with one leans on the last answer, and its rewrite puts the subject in the phrase's place."""
    answer_references: list[NonEmpty] = []
    """Phrases that refer back to the last answered fact itself at any length ("the second study", "the latter
    trial"): a turn with one leans, and its rewrite puts the fact's name in the phrase's place."""
    disease: list[NonEmpty] = []
    """How a turn names the disease itself ("poems", "crow-fukase"): a turn naming it that does not lean on the last
    answer ("what is poems", "poems prognosis?") is a question of its own, read alone."""


class Facet(Strict):
    """What is asked about a thing (dose, response...), and the words that ask it."""

    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]+$")]
    words: list[NonEmpty] = Field(min_length=1)
    label: str = ""
    """How a reply names the facet ("the number of patients"); its first word when empty."""
    states: list[NonEmpty] = []
    """Regular expressions by which an answer states this facet (a patient count: "51 patients"), not merely names
    it; without them the facet's words in the answer's text and title. A bare facet ("n?") is answered by the
    focused fact when its answer states it."""
    strict: bool = False
    """A follow-up asking this facet is declined by any fact whose answer does not state it ("any trial with
    nivolumab?" is not answered by the hypothesis that PD-1 inhibitors might help)."""

    @model_validator(mode="after")
    def _states_compile(self) -> Facet:
        import re

        for expression in self.states:
            try:
                re.compile(expression)
            except re.error as exc:
                raise ValueError(f"facet {self.id}: states expression {expression!r} is not a regular expression ({exc})") from None
        return self


class Entity(Strict):
    """A thing facts are about, the words that name it and the facts about it."""

    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]+$")]
    kind: EntityKind
    words: list[NonEmpty] = Field(min_length=1)
    facts: list[FactId] = Field(min_length=1)


class GlossaryEntry(Strict):
    """A glossary entry written out in full, to say where its expansion comes from (a plain `ABBR: expansion` is one
    the review itself spells out)."""

    expansion: NonEmpty
    """What the abbreviation stands for."""
    review_spells_out: bool = True
    """False when the review never spells the abbreviation out (it uses it bare, or not at all) and the expansion is
    the usual one: the define reply then says so, and `kb check --source` checks the mark against the review."""


class NextSteps(Strict):
    """How a recorded patient's "what next?" is asked, and the fact that answers it at each stage of the review's path."""

    words: list[NonEmpty] = Field(min_length=1)
    """Phrases that ask the next step ("what next", "what would you do next", "where do we go from here")."""
    diagnosed: FactId
    """The fact for a patient who meets the criteria (the treatment algorithm, Figure 3)."""
    undiagnosed: FactId
    """The fact for a patient who does not meet them yet (the work-up)."""


class ConversationFile(Strict):
    """`conversation.yaml` (optional): acts, small talk, undo words, patient cues, follow-up cues, facets, entities."""

    acts: list[ActPhrases]
    glossary: dict[NonEmpty, NonEmpty | GlossaryEntry] = {}
    """Abbreviation -> expansion, or -> {expansion, review_spells_out: false} for one the review does not spell out."""
    smalltalk: list[SmallTalk]
    undo: list[NonEmpty] = Field(min_length=1)
    patient_cues: list[NonEmpty] = Field(min_length=1)
    followup: Followup
    facets: list[Facet]
    entities: list[Entity]
    approaches: dict[Approach, NonEmpty] = {}
    next_steps: NextSteps | None = None
    """A recorded patient's "what next?": the work-up before the criteria are met, Figure 3 after."""
    question_markers: list[NonEmpty] = []
    """Words by which a statement naming findings asks about the disease ("poems vs cidp", "lambda or kappa"):
    findings are then never read from it unless it describes a patient."""
    interrogatives: list[NonEmpty] = []
    """How a question starts ("is", "does", "r"): a message that is one such question names findings of the disease,
    it does not describe a patient, unless a patient cue says so."""
    additions: list[NonEmpty] = []
    """How a statement adds findings to the patient already recorded ("also ...", "... too"), though it opens like a
    follow-up."""
    report_headings: list[NonEmpty] = []
    """What a heading before a colon names when it labels a patient's results ("Endocrine workup: ...", "Labs: ..."): a
    question marker among these ("workup") asks nothing in such a heading; its other markers and the words after the
    colon are read as ever."""
    negations: list[NonEmpty] = []
    """How a clause of a statement denies a finding ("no ...", "negative for ..."): a question marker such as "or"
    inside it lists, it does not ask ("no M-protein on serum or urine immunofixation" is a finding)."""
    reason_markers: list[NonEmpty] = []
    """Words by which a sentence of an answer gives a reason ("because", "since"): what "why?" shows."""
    hypotheticals: list[NonEmpty] = []
    """How a sentence supposes rather than reports ("what if", "suppose", "hypothetically"): findings are never recorded
    from a message whose every sentence naming findings supposes them ("what if VEGF is 300?")."""
    hypothetical_clauses: list[NonEmpty] = []
    """Words that open a supposed clause inside a sentence ("can my patient have POEMS if the M-protein is kappa?"):
    what follows them in the sentence is supposed, and findings named only there are not recorded."""
    generic_patients: list[NonEmpty] = []
    """Regular expressions for a patient in general ("a patient with", "someone with"): in a question they are not a
    patient cue ("in a pt with CIDP-like neuropathy, when to suspect POEMS?" describes no one)."""

    def glossary_expansions(self) -> dict[str, str]:
        """Abbreviation -> expansion, however the entry is written."""
        return {k: v if isinstance(v, str) else v.expansion for k, v in self.glossary.items()}

    def glossary_not_spelt_out(self) -> set[str]:
        """The abbreviations whose expansion is the usual one, not the review's (`review_spells_out: false`)."""
        return {k for k, v in self.glossary.items() if isinstance(v, GlossaryEntry) and not v.review_spells_out}


Word = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, pattern=r"^[a-z0-9]+$")]
"""One lower-case word as the router reads it (letters and digits only)."""
Share = Annotated[float, Field(ge=0, le=1)]
"""A share or a score between 0 and 1."""


class RoutingTargets(Strict):
    """The facts and flows the router's rules send questions to (`kb check` verifies each exists)."""

    case_flow: FactId
    """The guided flow a described patient asking whether it is POEMS is sent to."""
    treatment_flow: FactId
    """The guided flow a described patient asking to plan treatment is sent to."""
    mandatory: FactId
    """The fact for POEMS without one of its mandatory criteria ("poems without neuropathy?")."""
    workup: FactId
    """The fact for a described patient whose question asks which tests to order."""
    source: FactId
    """The one thing about itself guidebot answers: where its knowledge comes from."""
    abbreviations: FactId
    """The fact that spells out abbreviations (its answer's bold terms)."""
    treatment_choice: list[FactId]
    """Facts a treatment question describing lesions and marrow tends to match on its findings alone."""
    approach: dict[Literal["radiation", "systemic", "systemic_transplant", "systemic_non_transplant"], FactId]
    """Figure 3's approach for the described findings -> the fact that states who gets it."""
    out_of_scope_starters: list[FactId]
    """What an out-of-scope answer offers instead."""
    case_questions: list[FactId] = []
    """Facts whose question, asked about a described patient, is answered with that patient's verdict
    instead (besides `case_flow` and `treatment_flow`): `ask` loads the criteria engine only for these."""
    recommending_cautions: list[FactId] = []
    """Cautions that recommend their agent (thromboprophylaxis with LMWH) rather than warn against it: a question
    asking for a replacement of that agent (`words.replacement_asks`) asks what the review never says."""


class RoutingWords(Strict):
    """Word lists the rules look for, one word each (the router stems the lists it compares with stemmed words)."""

    poems: list[Word]
    """Words that name POEMS syndrome (after normalisation)."""
    case_flow_cues: list[Word]
    """Words by which a poorly matched case description asks whether the patient has POEMS."""
    treatment_cues: list[Word]
    """Words by which a question describing lesions and marrow asks which treatment Figure 3 points to."""
    mandatory: list[Word]
    """Words of a question about POEMS without a mandatory criterion; one more is framing, more make it about
    something else."""
    workup_cues: list[Word]
    """Words by which a poorly matched case description asks what to test."""
    source_cues: list[Word]
    """Words that make a question about guidebot ask for its source rather than chit-chat."""
    abbreviation_cues: list[Word]
    """Words by which a short question asks what an abbreviation stands for."""
    other_conditions: list[Word]
    """Conditions other than POEMS (the review names several only to tell them apart): a question about one,
    not naming POEMS, is answered only by a fact whose phrasings name it too."""
    other_condition_qualifiers: list[Word]
    """Words that only qualify another condition's name ("multiple myeloma", "AL amyloidosis")."""
    management: list[Word]
    """Words asking how a condition is managed or what its outlook is."""
    uncovered_topics: list[Word]
    """Everyday-life topics the review never discusses (pregnancy, vaccines, diet, driving...)."""
    drug_stems: list[Word]
    """Endings of drug names (WHO/USAN stems): an unknown word with one names a drug the review does not."""
    regimen_nouns: list[Word] = []
    """Words that make the condition named just before them a kind of regimen, not the question's subject ("the
    myeloma combo", "myeloma drugs" for POEMS: the review's own "options as in myeloma treatment")."""
    used_in_cues: list[Word] = []
    """Words (as typed) that, followed by "in" or "for", say what an agent is used in: a condition right after the
    agent's noun is then where it comes from ("the proteasome-blocking shot they use in marrow cancer -- avoided
    here?"), not the condition asked about."""
    failed_treatment_cues: list[Word] = []
    """Words (as typed) saying a treatment did not work ("CIDP not responding to PLEX", "failed IVIG"): a caution's
    agent named as what failed for another condition is history, and the question asks about that condition."""
    caution_asks: list[Word] = []
    """Words (after normalisation) asking whether an agent is safe or to be avoided ("is the proteasome blocker off
    the table?"): such a question about an agent meets its caution even when a fact about that drug scores best."""
    efficacy_asks: list[Word] = []
    """Words (after normalisation) asking how well an agent worked ("bortezomib effective in poems?"): a fact
    reporting the agent's results answers before a close caution about it, unless a `caution_asks` word is there."""
    reversal_asks: list[Word] = []
    """Words (as typed) asking how to undo an agent ("how to reverse LMWH bleeding?", "antidote for LMWH?"): no
    caution says, so a caution the question names is declined as `other_topic`, with the caution as its first
    suggestion (as for any uncovered topic qualifying a cautioned agent: "bevacizumab in pregnancy?")."""
    verdict_asks: list[Word] = []
    """Words of an exam vignette's asking sentence that only ask for a verdict on the patient ("Does he have
    POEMS syndrome?", "most likely diagnosis?"): such an ask has no topic of its own, and the case decides."""
    replacement_asks: list[Word] = []
    """Words (as typed) asking for a replacement of an agent ("Which alternative anticoagulant?", "apixaban instead
    of LMWH?"): for a caution that recommends its agent, the review names none, so it is declined (`replacement_ask`)."""
    diagnosis_asks: list[Word] = []
    """Words (after normalisation) of an exam vignette's asking sentence that ask which diagnosis the case points
    to ("most likely diagnosis", "which diagnosis does this finding favor", "the most likely explanation")."""
    differential_sections: list[Word] = []
    """Fact sections that set another disease apart from POEMS: asked for a diagnosis, a declined vignette whose
    best-scored fact is in one of them gets that fact, not the guided diagnosis (`differential_ask`)."""


class RoutingThresholds(Strict):
    """When a question is declined, redirected or suggested (tuned on tests/eval/train/)."""

    min_coverage: Share
    """Below this share of the question's information found in the best target, it is out of scope."""
    unknown_min_coverage: Share
    """The coverage to exceed instead when the question has a word guidebot does not know."""
    min_score: Share
    """Below this combined score the question is out of scope even with enough coverage."""
    case_length: int = Field(ge=1)
    """A question with at least this many informative words reads as a case description."""
    case_min_coverage: Share
    """`min_coverage` for a case description with no unknown word."""
    case_min_score: Share
    """`min_score` for a case description with no unknown word."""
    case_flow_findings: int = Field(ge=1)
    """Findings that make a question naming the criteria a request to assess a patient (one more when
    nothing matched well)."""
    other_condition_rest_share: Share
    """A question about another condition is answered only by a fact holding this share of its other words."""
    abbreviation_question_words: int = Field(ge=1)
    """At most this many words in a question asking what an abbreviation means."""
    poems_score_shift: float = Field(ge=-1, le=1)
    """Added to the minimum score when the question names POEMS."""
    not_poems_score_shift: float = Field(ge=-1, le=1)
    """Added to the minimum score when it does not."""
    close_margin: Share
    """Targets within this much of the best are suggestions; a rival this close may answer instead."""
    caution_margin: Share
    """A safety caution within this much of the best wins when its title names what was asked."""
    related_discount: Share
    """How much further behind a rival the best fact lists as related counts for confidence."""
    max_suggestions: int = Field(ge=0)
    """How many suggestions at most accompany an answer."""
    vignette_ask_min: Share = 1.0
    """An exam vignette (a case, then a last sentence that asks) sent to the guided diagnosis or declined on
    score is answered by what its asking sentence alone reaches with at least this confidence (1: never)."""
    knowledge_ask_min: Share = 1.0
    """An exam vignette sent to the guided diagnosis whose ask wants something named ("Which finding is a minor
    criterion?") is answered by what that ask alone reaches with at least this confidence (1: never)."""
    vignette_caution_min: Share = 1.0
    """`vignette_ask_min` for an ask that reaches a safety caution ("... Which agent should be avoided?"), which
    comes first and so may be trusted from a lower confidence (1: never)."""


class RoutingWeights(Strict):
    """How the scoring signals combine (see the `guidebot.routing` docstring)."""

    coverage: float = Field(ge=0)
    """IDF coverage of the question by the target's vocabulary."""
    f1: float = Field(ge=0)
    """IDF-weighted F1 against the target's best phrasing."""
    fuzzy: float = Field(ge=0)
    """token_sort_ratio against the target's closest phrasing."""
    focus: float = Field(ge=0)
    """The share of the target's title and questions that use the question's words."""
    title: float = Field(ge=0)
    """F1 against the target's title alone."""
    exact: float = Field(ge=0)
    """How many of the target's phrasings say exactly what was asked (saturating)."""
    bm25: float = Field(ge=0)
    """BM25 against the target's whole document."""
    same_topic: float = Field(ge=0)
    """A phrasing with exactly the question's topic words."""
    answer: Share
    """A question word found only in a target's answer counts this much toward coverage."""
    unknown: float = Field(ge=0)
    """An unknown word weighs this share of the rarest known word's IDF."""
    exact_f1: Share
    """A phrasing whose F1 with the question reaches this says exactly what was asked."""
    exact_saturation: int = Field(ge=1)
    """Exact phrasings beyond this many add nothing."""
    fuzzy_candidates: int = Field(ge=1)
    """How many lexical front-runners get the fuzzy comparison."""
    fuzzy_floor: float = Field(ge=0, le=100)
    """Fuzzy scores below this count as 0."""


class RoutingModel(Strict):
    """Where the learned re-ranker may decide (guidebot/routing/reranker.py)."""

    rerank_weight: Share
    """How much the model's probability adds to a front-runner's hand score."""
    rerank_candidates: int = Field(ge=1)
    """How many hand-scored front-runners the model may choose among."""
    rescue_min: Share
    """A question declined for a low score is answered when the model gives its answer at least this..."""
    rescue_max_out: Share
    """...and out of scope at most this."""
    vignette_rescue_min: Share = 1.0
    """An exam vignette declined on score is answered when the model gives one front-runner at least this
    (a case's unknown words do not keep it declined; 1: never)..."""
    vignette_rescue_max_out: Share = 0.0
    """...and out of scope at most this."""
    decline_min_out: Share
    """A question answered on score alone is declined when the model gives out of scope at least this..."""
    decline_max_score: Share
    """...and its hand score is below this."""


class SpokenForms(Strict):
    """How dictation spells what it cannot write: letters by their names ("see eye dee pee" is CIDP) and digits
    by their words ("pee dee one" is PD-1)."""

    letters: dict[Word, Annotated[str, StringConstraints(pattern=r"^[a-z]$")]] = {}
    """A letter's spoken name -> the letter ("dee" -> d). Read only in a run of two or more spoken letters
    whose letters spell words guidebot knows."""
    letter_words: dict[Word, Annotated[str, StringConstraints(pattern=r"^[a-z]$")]] = {}
    """Spoken names that are everyday words too ("see", "you", "tea"): read as letters only in a word of three
    letters or more, so "see tea" is no CT and "why are" no "yr"."""
    digits: dict[Word, Annotated[str, StringConstraints(pattern=r"^[0-9]$")]] = {}
    """A digit's word -> the digit, read only right after such a run ("pee dee one" -> pd 1)."""


class RoutingFile(Strict):
    """`knowledge/routing.yaml`: the router's rules as data (targets, words, thresholds, weights)."""

    targets: RoutingTargets
    words: RoutingWords
    spoken: SpokenForms = SpokenForms()
    topic_phrases: dict[Word, NonEmpty] = {}
    """How a decline names an uncovered topic (a `words.uncovered_topics` word) after the cautioned agent it
    qualifies: "pregnant" -> "in pregnancy" gives "The review does not cover thalidomide in pregnancy". A topic
    word not listed is named "and <word>"."""
    thresholds: RoutingThresholds
    weights: RoutingWeights
    model: RoutingModel
