"""Pick volunteered findings out of a sentence ("52M, demyelinating neuropathy, lambda M-protein, VEGF 640").

The phrases are data: `FINDINGS` is a table of (pattern, field, value when affirmed, value when negated).
A sentence is cut into clauses (commas, semicolons, "and", "but", "with"); a clause is negated by "no",
"not", "without" (just before the finding) or "negative", "absent" (just after it), and marked unknown by
"not done", "pending", ... Called by the dialogue
manager on every free-text line, so a finding typed once is never asked for again, and by the router, which
reads a described patient; it lives in criteria/ (plain Python, no pydantic) so that routing never imports dialogue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from guidebot.limits import MAX_LESIONS, MAX_VEGF_PG_ML, too_many_digits
from guidebot.text import clean_text

SKIP = object()
"""`when_negated` value: a negated clause says nothing about this field (`no demyelination` is not `no neuropathy`)."""

SAME = object()
"""`when_negated` value: the pattern already carries its polarity (`marrow negative`), negation does not flip it."""

WORD_NUMBERS: dict[str, int] = {
    "a": 1, "an": 1, "one": 1, "single": 1, "solitary": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "no": 0, "zero": 0,
}
"""Count words for lesions."""


MAX_FINDINGS_CHARS = 10_000
"""Longer text is read only this far (the dialogue and the router pass at most a few thousand characters)."""


def _count(match: re.Match[str]) -> Any:
    raw = match.group("n").lower()
    if raw in WORD_NUMBERS:
        return WORD_NUMBERS[raw]
    # a count beyond any real one is not recorded (SKIP), so it can never fail the case model later
    return SKIP if too_many_digits(raw) or int(raw) > MAX_LESIONS else int(raw)


def _level(match: re.Match[str]) -> Any:
    raw = match.group("v").replace(",", "")
    if too_many_digits(raw):  # before float(): 400 digits would be infinity
        return SKIP
    value = float(raw)
    if value > MAX_VEGF_PG_ML:
        return SKIP
    return int(value) if value == int(value) and "." not in raw else value


@dataclass(frozen=True)
class Finding:
    """One row of the phrase table."""

    pattern: str
    """Regular expression searched (case-insensitive) in one clause."""
    field: str
    """The case field it fills."""
    value: Any
    """The value when the clause is affirmative; a callable takes the match (numbers, captured words)."""
    when_negated: Any = False
    """The value when the clause is negated: a value, `SKIP` or `SAME`."""


_N = r"(?<![\d.,])(?P<n>\d+|a|an|one|single|solitary|two|three|four|five|six|seven|eight|nine|ten|no|zero)(?!\s*(?:cm|mm)\b)"
_SIZE = r"(?:\d+(?:\.\d+)?\s*(?:cm|mm)\s+)?"
"""A lesion's size between its count and "sclerotic" ("a single 1.5 cm sclerotic lesion"): never the count."""
_V = r"(?P<v>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
_SITE = (r"(?:(?:rib|pelvic|iliac|ischial|pubic|acetabular|sacral|sacroiliac|spinal|spine|vertebral|thoracic|lumbar|cervical"
         r"|femoral|skull|sternal|humeral|scapular|clavicular|[ctls]\d{1,2})\s+)?")
"""Where a lesion sits, between "sclerotic" and "lesion" ("a single sclerotic rib lesion")."""
_MARROW = r"\b(?:marrow|bm|bmbx|bmb)\b"
"""Bone marrow, as typed ("BM negative", "bmbx clonal")."""
_M_PROTEIN = (
    r"\bm[- ]?(?:protein|spike|component)s?\b|\bmonoclonal\b|\bparaprotein\w*|\bmgus\b|\bgammopathy\b"
    r"|\bmonoclonal plasma cell\b|\bimmunofixation (?:is |was )?positive\b|\bifx?e? positive\b"
    r"|\big[agm] ?(?:lambda|kappa|λ|κ)\b|\bclonal (?:lambda|kappa)\b"
)

CARDIAC_CONTEXT = (r"(?:stent\w*|occlu\w*|stenos\w*|arter\w*|territor\w*|infarct\w*|lesions?\b|graft\w*|pci\b|cabg\b"
                   r"|disease\b|coronary\b|cath\w*|angio\w*|stemi\b|nstemi\b|mi\b)")
"""Words that make "LAD" the left anterior descending artery, not lymphadenopathy."""

OR_FIELDS = frozenset({"monoclonal_plasma_cell_disorder", "extravascular_volume_overload", "organomegaly", "skin_changes"})
"""Fields that are one of several findings (INTERFACE section 3: "edema, effusion or ascites"): in one message, a clause
denying one ("no ascites") does not undo another clause affirming another ("leg edema")."""

AXONAL = r"\baxonal\b"
"""Axonal features: not demyelinating when nothing says so, but in a mixed picture ("demyelinating, with axonal loss",
the usual POEMS neuropathy) they do not undo the demyelination stated in another clause."""

FINDINGS: tuple[Finding, ...] = (
    # neuropathy: "axonal" before "demyelinating" so that a mixed picture reads as demyelinating
    Finding(r"\b(?:poly)?neuropath\w*|\bcidp\b|\bpolyradiculo\w*", "polyneuropathy", True),
    Finding(AXONAL, "neuropathy_demyelinating", False, SKIP),
    Finding(AXONAL, "polyneuropathy", True, SKIP),  # "NCS purely axonal" describes a neuropathy
    Finding(r"\bdemyelinat\w*|\bcidp\b", "polyneuropathy", True, SKIP),
    Finding(r"\bdemyelinat\w*|\bcidp\b", "neuropathy_demyelinating", True),
    # monoclonal protein and light chain
    Finding(_M_PROTEIN, "monoclonal_plasma_cell_disorder", True),
    # a negative immunofixation denies the M-protein; a positive one is read by _M_PROTEIN
    Finding(r"\b(?:ifx?e|immunofixation)\b", "monoclonal_plasma_cell_disorder", SKIP, False),
    Finding(r"\blambda\b|λ", "light_chain", "lambda", SKIP),
    Finding(r"\bkappa\b|κ", "light_chain", "kappa", SKIP),
    Finding(r"\b(?:lambda|kappa)\b", "monoclonal_plasma_cell_disorder", True, SKIP),
    # bone marrow: named alone it only carries "not done" / "pending"
    Finding(rf"{_MARROW}|\bbone marrow biopsy\b", "clonal_marrow_plasma_cells", SKIP, SKIP),
    Finding(
        rf"{_MARROW}.*\b(?:clonal|positive|involved|involvement|infiltrat\w*|lambda|kappa|restricted)\b"
        rf"|\b(?:clonal|lambda|kappa|restricted)\b.*{_MARROW}|\bclonal (?:plasma cells?|pcs?)\b"
        r"|\b(?:(?:lambda|kappa)[- ]restricted|monotypic(?: lambda| kappa)?) (?:plasma cells?|pcs?)\b",
        "clonal_marrow_plasma_cells", True,
    ),
    Finding(
        rf"{_MARROW}.*\b(?:negative|neg|normal|unremarkable|uninvolved|not involved|no clonal|clean|clear|polyclonal)\b"
        rf"|\b(?:negative|normal|unremarkable|clean|clear)\b.*{_MARROW}",
        "clonal_marrow_plasma_cells", False, SAME,
    ),
    # sclerotic bone lesions: a count when given, zero when negated
    Finding(
        rf"\b{_N}\s+{_SIZE}(?:\w+\s+)?(?:osteo)?sclerotic\s+{_SITE}(?:bone\s+|bony\s+)?(?:lesion|focus|foci|site)s?\b",
        "sclerotic_bone_lesions", _count, SAME,
    ),
    Finding(rf"\b{_N}\s+{_SIZE}(?:(?:bone|bony)\s+)?lesions?\b", "sclerotic_bone_lesions", _count, SAME),
    Finding(
        rf"\b(?:osteo)?sclerotic\s+{_SITE}(?:bone\s+|bony\s+)?lesions?\b|\bbone lesions?\b|\bsclerotic lesions?\b",
        "sclerotic_bone_lesions", SKIP, 0,
    ),
    # VEGF: a value (with its specimen when named), or the laboratory's own judgement
    Finding(r"\bvegf\b", "vegf_pg_ml", SKIP, SKIP),  # "VEGF pending" -> unknown
    Finding(rf"\bvegf\b\D{{0,30}}?{_V}", "vegf_pg_ml", _level, SKIP),
    Finding(r"\bplasma\b.{0,12}\bvegf\b|\bvegf\b.{0,40}\bplasma\b", "vegf_specimen", "plasma", SKIP),
    Finding(r"\bserum\b.{0,12}\bvegf\b|\bvegf\b.{0,40}\bserum\b", "vegf_specimen", "serum", SKIP),
    Finding(
        r"\b(?:high|raised|elevated|increased|very high)\b.{0,15}\bvegf\b|\bvegf\b.{0,20}\b(?:high|raised|elevated|increased)\b",
        "vegf_elevated", True,
    ),
    Finding(
        r"\bvegf\b.{0,20}\b(?:normal|not elevated|not raised|within range)\b|\bnormal\b.{0,10}\bvegf\b",
        "vegf_elevated", False, SAME,
    ),
    # the other major and minor criteria
    Finding(r"\bcastleman\w*", "castleman_disease", True),
    Finding(
        r"\b(?:o?edema|oedema|effusions?|ascites|anasarca|volume overload|extravascular volume)\b",
        "extravascular_volume_overload", True,
    ),
    Finding(
        r"\b(?:organomegaly|hepatomegaly|splenomegaly|hepatosplenomegaly|lymphadenopathy|adenopathy|visceromegaly)\b"
        r"|\bhsm\b|\b(?:enlarged|swollen|big|palpable) (?:liver|spleen|(?:lymph )?nodes?)\b"
        r"|\b(?:liver|spleen|lymph node) enlargement\b|\b(?:liver|spleen|(?:lymph )?nodes?) (?:(?:is|are|was|were) )?(?:not )?enlarged\b",
        "organomegaly", True,
    ),
    # "LAD" is lymphadenopathy, unless the clause is about the coronary artery ("prior LAD stent", "PCI to the LAD")
    Finding(rf"^(?!.*\b{CARDIAC_CONTEXT}).*?\blad\b", "organomegaly", True),
    Finding(
        r"\bskin changes?\b|\bhyperpigment\w*|\bhemangioma\w*|\bhaemangioma\w*|\bhypertrichosis\b|\bacrocyanosis\b"
        r"|\bplethora\b|\bwhite nails\b|\bskin thickening\b|\bclubbing\b|\bglomeruloid\b",
        "skin_changes", True,
    ),
    Finding(r"\bpapill?o?edema\b|\bpapilloedema\b|\boptic dis[ck] (?:swelling|o?edema)\b", "papilledema", True),
    Finding(r"\bpolycyth\w*|\berythrocytosis\b", "polycythemia", True),
    Finding(r"\bthrombocytosis\b|\b(?:high|raised|elevated) (?:platelets?|plts?)\b", "thrombocytosis", True),
    Finding(r"\b(?:platelets?|plts?)\b(?: count)?(?: (?:is|are|was|were))? (?:normal|not (?:high|raised|elevated))\b",
            "thrombocytosis", False, SAME),
    Finding(
        r"\btransplant[- ]eligible\b|\beligible for (?:a |an )?(?:autologous )?(?:stem cell )?transplant\w*"
        r"|\bfit for (?:a |an )?(?:autologous )?(?:transplant\w*|asct|hct|sct|auto\w*|high[- ]dose\w*)"
        r"|\b(?:asct|transplant|hct) candidate\b"
        r"|\b(?:eligible|candidate) for\b.{0,40}\b(?:transplant\w*|asct|hct|sct|high[- ]dose)",
        "transplant_eligible", True,
    ),
    Finding(
        r"\btransplant[- ]ineligible\b|\bineligible for (?:a |an )?\w*\s*transplant\w*|\bunfit for (?:a )?transplant\w*"
        r"|\btoo (?:frail|sick|old|unwell|weak) for\b.{0,30}\b(?:transplant\w*|asct|hct|high[- ]dose)"
        r"|\bnot (?:a )?(?:transplant|asct|hct) candidate\b",
        "transplant_eligible", False, SAME,
    ),
)
"""The phrase table: every finding guidebot can pick out of free text."""

ENDOCRINE: tuple[tuple[str, str], ...] = (
    (r"\bhypogonadism\b|\blow testosterone\b|\btestosterone\b.{0,12}\blow\b|\bgynaecomastia\b|\bgynecomastia\b|\berectile dysfunction\b", "hypogonadism"),
    (r"\badrenal (?:insufficiency|failure)\b|\bhypoadrenal\w*|\baddison\w*", "adrenal"),
    (r"\bparathyroid\w*|\bhyperparathyroid\w*|\bhypoparathyroid\w*", "parathyroid"),
    (r"\bpituitary\b|\bhypopituitar\w*", "pituitary"),
    (r"\bhyperprolactin\w*|\bhigh prolactin\b|\braised prolactin\b|\belevated prolactin\b"
     r"|\bprolactin\b.{0,12}\b(?:high|raised|elevated|up)\b", "hyperprolactinemia"),
    (r"\bhypothyroid\w*|\bhyperthyroid\w*|\bthyroid\w*|\bhashimoto\w*"
     r"|\btsh\b.{0,12}\b(?:high|raised|elevated|up|low|suppressed|abnormal)\b|\b(?:high|raised|elevated|low) tsh\b", "thyroid"),
    (r"\bdiabet\w*|\b(?:t[12])?dm(?:\s?(?:[12]|ii?))?\b|\bn?iddm\b", "diabetes"),
)
"""Endocrine phrases -> the endocrinopathy list item they add."""

NO_ENDOCRINE = r"\b(?:endocrinopathy|endocrine)\b"
"""A negated clause naming endocrinopathy in general means "screened, none found" (an empty list)."""

CONTRACTED_NOT = r"(?:does|did|is|was|has|had|have|do|are|were)n['’]?t"
"""A negation written as a contraction, with or without its apostrophe ("doesn't have", "didnt show", "isn't")."""
NEGATION_BEFORE = re.compile(
    r"\b(?:no|not|non|without|denies|denied|free of|never|negative for|neg for|absence of|absent|neither|nor|w/o|"
    r"ruled out|excluded|"
    rf"{CONTRACTED_NOT})\b(?:\W+\w+){{0,3}}\W*$",
    re.I,
)
"""A negation cue at most three words before the finding ("no papilledema", "no clonal plasma cells")."""
NEGATION_AFTER = re.compile(
    r"^\W*(?:\w+\W+){0,2}?(?:(?:is|was|are|were)\s+)?"
    r"(?:negative|neg|absent|not seen|not found|not present|not detected|normal|unremarkable|ruled out|excluded|none|no)\b",
    re.I,
)
"""A negation cue at most two words after it ("marrow negative", "M-protein not detected")."""
NEGATION_INSIDE = re.compile(rf"(?:^|\W)(?:no|not|without|w/o|negative for|{CONTRACTED_NOT})(?:\W|$)", re.I)
"""A negation inside a phrase that spans several words."""
UNKNOWN_CUE = (
    r"(?:not done|not yet done|not yet|pending|unknown|not tested|not checked|not measured|awaited|awaiting|"
    r"to be done|not performed|not sure|unsure|not available|"
    r"not (?:been |yet )?(?:ruled out|excluded)|can(?:not|'?t) (?:be )?(?:ruled out|excluded|exclude|rule out))"
)
UNKNOWN_BEFORE = re.compile(rf"\b{UNKNOWN_CUE}\b(?:\W+\w+){{0,3}}\W*$", re.I)
UNKNOWN_AFTER = re.compile(rf"^\W*(?:\w+\W+){{0,2}}?(?:(?:is|was|are|were)\s+)?{UNKNOWN_CUE}\b", re.I)
PLANNED_BEFORE = re.compile(
    r"(?:(?<!positive )(?<!negative )(?<!neg )(?<!pos )(?<!met )(?<!treated )(?<!diagnosed )(?<!known )"
    r"\bfor"
    r"|\blook(?:ing)? for|\bcheck(?:ing|ed)? for|\bto check|\bto exclude"
    r"|\bto rule out|\brule out|\bruling out|\br/o|\bquery|\bsuspected|\bsuspicious for|\bquestionable|\bequivocal|\bpossible"
    r"|\bconcern(?:ing)? for|\bddx|\bexclude|\bscreen(?:ing|ed)? for|\bevaluat\w* for|\bassess\w* for|\bwork[- ]?up for)\b"
    r"(?!\W+(?:(?:an?|the|this|our|my)\W+)?(?:pt|pts|patients?|her|him|them|man|woman|someone|people)\b)"
    r"(?:\W+\w+){0,2}\W*$",
    re.I,
)
"""A test planned for a finding, not its result ("fundoscopy for papilledema", "looking for hemangiomata", "to check
lesions"), or a finding only queried ("r/o papilledema", "suspected Castleman", "possible papilledema"): records
nothing ("positive for", "negative for", "criteria met for", "treated for" are results)."""
PLANNED_AFTER = re.compile(
    r"^\W*(?:\w+\W+){0,2}?(?:should|must|needs? to|has to|have to|to|will|would|could) (?:be|get) "
    r"(?:excluded|ruled out|checked|assessed|looked for|evaluated|tested|sought|screened)\b",
    re.I,
)
"""A test to do ("papilledema should be excluded by fundoscopy", "lesions to be checked"): records nothing."""
PLANNED_INSIDE = re.compile(r"(?<!positive )(?<!negative )(?<!met )\b(?:for|looking for)\b"
                            r"(?!(?:\W+\w+){0,3}?\W+(?:transplant\w*|asct|hct|sct|high|auto\w*)\b)", re.I)
"""A test for a finding inside a phrase that spans words ("marrow biopsy for clonal plasma cells"): records nothing
("eligible for transplant", "too frail for transplant" are findings of their own)."""
PLAN_HEADING = re.compile(r"(?:^|(?<=[.;,\n]))(?P<heading>[^.:;,\n]{1,60}):(?P<block>[ \t]*\n(?:[ \t]*[^\s:][^:\n]*(?:\n|$))*"
                          r"|[^\n]*?(?:\.(?!\d)|\n|$))", re.M)
"""A heading before a colon, with what it labels: up to the sentence's end, or, when the heading ends its line, the
lines under it up to a blank line or another heading."""
TO_DO = re.compile(r"\b(?:planned|ordered|to do|todo|to-do|outstanding|pending|to send|to order|requested|scheduled|tomorrow"
                   r"|next steps?|screening|screen)\b", re.I)
PLAN = re.compile(r"\bplans?\b", re.I)
TESTS = re.compile(r"\b(?:work[- ]?up|labs?|tests?|testing|imaging|investigations?|exams?|examination|studies|bloods|diagnostics)\b",
                   re.I)
"""A heading saying that what follows is planned, ordered or still to do (`TO_DO`: "Workup ordered: ...", "Labs to send:
TSH", "Screening: endocrinopathy, papilledema", "Exam tomorrow: ..."; `PLAN` beside `TESTS` or alone: "Workup plan:
...", "Plan: ..."): the tests it lists are no findings. "plan tx: 1 lesion, marrow negative" asks for a treatment plan
for the findings after it."""


def _plans_removed(text: str) -> str:
    """`text` without what a plan heading lists."""
    def cut(match: re.Match[str]) -> str:
        heading = match.group("heading").strip()
        planned = bool(TO_DO.search(heading)) or (bool(PLAN.search(heading)) and (
            bool(TESTS.search(heading)) or PLAN.fullmatch(heading) is not None))
        return ". " if planned else match.group(0)
    return PLAN_HEADING.sub(cut, text)


INTERROGATIVE_RULED_OUT = re.compile(
    r"^\W*(?:has|have|had|was|were|is|are|did|does|do|can|could|should|would|will)\b.*\b(?:ruled out|excluded|rule out|exclude)\b",
    re.I,
)
"""A clause asking whether a finding was ruled out, question mark or not ("has Castleman been ruled out"): no denial."""
ASKS_ELSE = re.compile(r"\b(?:can|could|is|are|does|do|would|will|should|what|how|why|which|when|enough|poems)\b", re.I)
"""A question word in a clause before a "?": the clause asks something else than whether its denial holds."""
HEDGE = re.compile(
    r"\b(?:not sure|unsure|not certain|uncertain|unclear|maybe|perhaps|possibly|probably|i think|i believe|i guess"
    r"|don'?t know|do not know|dunno|not clear|can'?t remember|cannot remember)\b",
    re.I,
)
"""A hedge in a sentence: it never records a negation ("sclerotic lesions excluded on PET, not sure")."""
CAUSE_QUALIFIERS = (
    r"diabetic|diabetes|amyloid\w*|alcoholic|alcohol|toxic|drug\w*|induced|chemo\w*|hereditary|inherited|familial|genetic"
    r"|vasculitic|vasculitis|paraneoplastic|uremic|uraemic|b12|nutritional|compressive|entrapment|infectious|iatrogenic"
    r"|thalidomide|bortezomib|vincristine|hiv|lyme|leprosy|sarcoid|igm|anti-?mag|mag|gbs|guillain\w*|barre|other|another"
    r"|alternative|secondary|reactive|cancer|malignant|critical|illness|myeloma|lymphoma|autoimmune|inflammatory"
)
CAUSE_BEFORE = re.compile(rf"\b(?:{CAUSE_QUALIFIERS})\W+(?:\w+\W+){{0,1}}$", re.I)
"""A cause or another diagnosis naming the finding ("diabetic neuropathy", "amyloid neuropathy"): ruling it out does not
deny the finding itself (only "no neuropathy" does)."""
OTHER_DIAGNOSIS = re.compile(r"^(?:cidp|polyradiculo\w*)$", re.I)
"""CIDP names a diagnosis, not only the neuropathy: "CIDP was excluded" denies neither the neuropathy nor demyelination."""
OTHER_PERSON = re.compile(
    r"\b(?:patient|pt|man|woman|lady|guy|case) next door"
    r"|\b(?:in|of|for|from|with) (?:an|the|my|a|our)? ?(?:other|another|different|previous|prior|last) (?:patient|pt|case|man|woman)\b"
    r"|\bmy other (?:patient|pt|case)\b"
    r"|\b(?:her|his|their) (?:sister|brother|mother|father|son|daughter|husband|wife|partner|cousin|friend|colleague|neighbou?r)\b"
    r"|\bcolleague'?s (?:patient|pt|case)\b|\bneighbou?r\b",
    re.I,
)
"""Findings of someone else ("VEGF 2000 pg/mL in the patient next door", "in another patient", "her sister has
papilledema"): not hers ("Next case: 44F, ..." and "Another patient: ..." open a description of their own)."""
PAST_TIME = re.compile(
    r"\b(?:last (?:year|month|week|time|visit)|previously|back then|initially|at diagnosis|at presentation|at baseline"
    r"|prior|earlier|formerly|\d+ (?:years?|months?|weeks?|days?|yrs?|mos?) ago|a (?:year|month|week) ago|in (?:19|20)\d\d|used to be|was once)\b",
    re.I,
)
CURRENT_TIME = re.compile(r"\b(?:now|currently|today|at present|presently|this (?:week|month)|latest|most recent|down to"
                          r"|dropped to|fell to|up to|rose to|since then)\b", re.I)
"""A report with an old and a current value ("VEGF 250 last year ..., now 90"): its numbers are never read as the
current value (recorded nothing: the current one is asked for)."""
CHANGE = re.compile(r"\b(?:(?:down|up) from|dropped|fell|decreased|declined|rose|increased|went (?:up|down)|improved|normali[sz]ed"
                    r"|(?:after|post)[- ](?:\w+\W+){0,2}?(?:rt|radiation|radiotherapy|treatment|therapy|tx|transplant|asct|hct|chemo\w*"
                    r"|cycles?|len\w*|dara\w*|melphalan))\b|->|→",
                    re.I)
"""A value reported as it changed ("VEGF dropped from 250 to 90", "VEGF 1200, down from 1500", "VEGF 800 -> 150"):
with two numbers, which one is hers today is asked, not guessed."""
NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)?(?![\w.,])")
"""A number standing alone ("250", "90"), not an age or a label ("62M", "T2DM")."""
TIMED_FIELDS = ("vegf_pg_ml", "vegf_elevated", "vegf_specimen", "sclerotic_bone_lesions")
_CLAUSE_SPLIT = re.compile(r"[,;\n]|\.(?!\d)|\band\b|\bbut\b|\bwith\b|\bplus\b|\bwhereas\b", re.I)

LAB_VERBS = ("flag", "flags", "flagged", "flagging", "call", "calls", "called", "report", "reports", "reported", "say",
             "says", "mark", "marks", "marked", "label", "labels", "labelled", "labeled", "list", "lists", "listed")
"""How a report gives the laboratory's own judgement ("the lab marks it high", "flagged high by our lab")."""
_LAB_VERB = "|".join(LAB_VERBS)
LAB_FLAG = re.compile(
    rf"\b(?:{_LAB_VERB})\b(?:\W+\w+){{0,3}}?\W+(?P<high>high|elevated|raised|abnormal)\b"
    rf"|\b(?:{_LAB_VERB})\b(?:\W+\w+){{0,3}}?\W+(?P<normal>normal|not elevated|not raised)\b"
    r"|\b(?:high|elevated|raised)\b\W+(?:flag|by the lab)\b",
    re.I,
)
"""The laboratory's own flag ("flagged high by the lab"): read as `vegf_elevated` only in a message about VEGF."""
ABOVE_RANGE = re.compile(
    r"\babove (?:the )?(?:lab'?s? |laboratory'?s? )?(?:normal |reference )?(?:range|upper limit|uln|limit)\b|\b(?:>|above) ?uln\b",
    re.I)
"""A value reported above the laboratory's range: read as `vegf_elevated: yes` only in a message about VEGF."""
WITHIN_RANGE = re.compile(r"\bwithin (?:the )?(?:lab'?s? |laboratory'?s? )?(?:normal|reference) (?:range|limits?)\b|\bwnl\b", re.I)
"""A value reported inside the laboratory's range: read as `vegf_elevated: no` only in a message about VEGF."""
ENDOCRINE_NORMAL = re.compile(
    r"\bendocrine\b(?P<between>[^.;\n]{0,60}?)\b(?:normal|unremarkable|negative|nothing)\b", re.I)
"""An endocrine screen reported normal, in one sentence: screened, none found (an empty list). The words between
may not name another finding or a pending test ("endocrine pending, marrow normal" says nothing of the screen)."""
SPECIMEN_CLAUSE = re.compile(
    r"^(?:(?:in|on|from|by|an?|the)\s+)*(?P<specimen>plasma|serum)(?:\s+(?:sample|specimen|level|value|vegf|assay))?s?$",
    re.I)
"""A clause that is only the specimen ("vegf 85 pg/mL, plasma", "..., serum sample"): read only in a message about VEGF."""
VEGF_UNIT_CLAUSE = re.compile(rf"^(?:(?:level|value|of|at|was|is)\s+)*{_V}\s*pg\s*/\s*ml$", re.I)
"""A clause that is only a value in pg/mL ("vegf flagged high by our lab, serum sample, 1500 pg/mL"): in a message
about VEGF, the VEGF level (a clause naming another analyte, "BNP 400 pg/mL", is not this)."""
OR_LIST = re.compile(r"^\W*(?:or|nor)\b|\b(?:or|nor)\b", re.I)
"""A clause continuing a negated list ("no hepatomegaly, splenomegaly or lymphadenopathy")."""

_COMPILED: dict[str, re.Pattern[str]] = {f.pattern: re.compile(f.pattern, re.I) for f in FINDINGS}
_ENDOCRINE_COMPILED = [(re.compile(p, re.I), item) for p, item in ENDOCRINE]
_NO_ENDOCRINE_COMPILED = re.compile(NO_ENDOCRINE, re.I)


def clauses(text: str) -> list[str]:
    """The sentence cut into clauses, the unit negation applies to."""
    # keep "1,200" whole: a comma between digits is a thousands separator, not a clause break
    protected = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
    return [c.strip() for c in _CLAUSE_SPLIT.split(protected) if c and c.strip()]


def _polarity(clause: str, match: re.Match[str]) -> str:
    """affirmed, negated or unknown: the cue words in the clause around the matched phrase, and a negation
    inside a phrase that spans words ("marrow w/o clonal PCs")."""
    before, after = clause[: match.start()], clause[match.end():]
    if UNKNOWN_BEFORE.search(before) or UNKNOWN_AFTER.search(after):
        return "unknown"
    if PLANNED_AFTER.search(after) or (
            (PLANNED_BEFORE.search(before) or PLANNED_INSIDE.search(match.group(0))) and not NEGATION_AFTER.search(after)):
        return "planned"
    if NEGATION_BEFORE.search(before) or NEGATION_AFTER.search(after) or NEGATION_INSIDE.search(match.group(0)):
        return "negated"
    return "affirmed"


def extract_findings(text: str) -> dict[str, Any]:
    """The findings stated in `text`, field -> value (None = stated as unknown / not done); {} when none.

    Within a clause, a later table row overrides an earlier one for the same field; across clauses a later
    clause overrides an earlier one. Endocrine items are gathered into one list.
    """
    found: dict[str, Any] = {}
    endocrine: list[str] | None = None
    text = clean_text(text, MAX_FINDINGS_CHARS, keep_newlines=True)
    # "Workup plan: fundoscopy for papilledema": a plan, no findings
    text = _plans_removed(text)
    negated_before = False
    or_affirmed: set[str] = set()  # OR_FIELDS affirmed by an earlier clause
    doubt_before = False  # the last clause's denial was not recorded: its "or" list is not either
    for clause, doubted in _clauses_read(text):
        carries = negated_before and bool(OR_LIST.search(clause))
        continues_doubt = doubt_before and bool(OR_LIST.search(clause))
        negated_before = doubt_before = False
        for finding in FINDINGS:
            match = _COMPILED[finding.pattern].search(clause)
            if not match:
                continue
            polarity = _polarity(clause, match)
            if polarity == "planned":
                continue
            if continues_doubt or polarity == "negated" and (doubted or OTHER_DIAGNOSIS.match(match.group(0))
                                                             or CAUSE_BEFORE.search(clause[: match.start()])):
                # "lesions excluded on PET? not sure", "CIDP was excluded", "diabetic neuropathy excluded": no denial
                doubt_before = True
                continue
            if polarity == "affirmed" and carries:
                polarity = "negated"  # the list goes on under the same "no"
            negated_before = negated_before or polarity == "negated"
            if finding.when_negated is SAME:
                polarity = "affirmed" if polarity == "negated" else polarity
            if polarity == "unknown":
                value: Any = None
            elif polarity == "negated":
                value = finding.when_negated
            else:
                value = finding.value
            if value is SKIP or value is SAME:
                continue
            if callable(value):
                value = value(match)
                if value is SKIP:
                    continue
            if value is False and finding.field in or_affirmed:
                continue  # "hepatomegaly, spleen not enlarged": the liver still counts
            if finding.pattern == AXONAL and polarity == "affirmed" and found.get(finding.field) is True:
                continue  # "demyelinating, sensorimotor, with axonal loss": still demyelinating
            found[finding.field] = value
        or_affirmed |= {f for f in OR_FIELDS if found.get(f) is True}
        hits = []
        for pattern, item in _ENDOCRINE_COMPILED:
            match = pattern.search(clause)
            if match and _polarity(clause, match) == "affirmed" and item not in hits:
                hits.append(item)
        if hits:
            endocrine = (endocrine or []) + [h for h in hits if h not in (endocrine or [])]
        else:
            match = _NO_ENDOCRINE_COMPILED.search(clause)
            if match and endocrine is None:
                polarity = _polarity(clause, match)
                if polarity == "negated":
                    endocrine = []
                elif polarity == "unknown":
                    found["endocrinopathy"] = None
    if endocrine is not None:
        found["endocrinopathy"] = endocrine
    # the laboratory's flag and range words count for VEGF only where they speak of it ("VEGF 90, CRP above ULN" is no flag)
    scope = _vegf_scope(text)
    flag = _affirmed(LAB_FLAG, scope) if "vegf_elevated" not in found and scope else None
    if flag is not None and re.search(r"\blab\w*|\bflag", scope, re.I):
        # "the lab says it is not high": a "not" between the verb and "high" is the lab's judgement, not elevated
        found["vegf_elevated"] = flag.group("normal") is None and not NEGATION_INSIDE.search(flag.group(0))
    elif "vegf_elevated" not in found and found.get("vegf_pg_ml") is not None and _affirmed(WITHIN_RANGE, scope):
        found["vegf_elevated"] = False
    elif "vegf_elevated" not in found and found.get("vegf_pg_ml") is not None and _affirmed(ABOVE_RANGE, scope):
        found["vegf_elevated"] = True
    if re.search(r"\bvegf\b", text, re.I):
        _vegf_clauses(text, found)
    if found.get("clonal_marrow_plasma_cells") is True:
        # a marrow clone is a monoclonal plasma cell disorder (the field's question: M-protein "or clonal plasma cells")
        found["monoclonal_plasma_cell_disorder"] = True
    if "endocrinopathy" not in found and _endocrine_screen_normal(text):
        found["endocrinopathy"] = []
    # "VEGF 250 last year, now 90", "VEGF dropped from 250 to 90": which number is hers today is asked, not guessed
    # ("diagnosed 2 years ago, now on lenalidomide, VEGF 900" has one VEGF value and keeps it)
    lesion_scope = "; ".join(c for c in clauses(text) if re.search(r"\blesions?\b|\bfoc(?:us|i)\b", c, re.I))
    for scope, fields in ((_vegf_scope(text), TIMED_FIELDS[:3]), (lesion_scope, TIMED_FIELDS[3:])):
        timed = (PAST_TIME.search(scope) and CURRENT_TIME.search(scope)) or CHANGE.search(scope)
        if timed and len(NUMBER.findall(scope)) >= 2:
            for name in fields:
                found.pop(name, None)
    return found


def _clauses_read(text: str) -> list[tuple[str, bool]]:
    """The clauses that may hold her findings, each with whether its denials are in doubt: the clause right before a
    "?" or one asking "has X been ruled out", and every clause of a hedged sentence ("..., not sure"). A sentence about
    someone else ("VEGF 2000 in the patient next door") holds none, nor a clause queried by a "?" before it
    ("?papilledema")."""
    read: list[tuple[str, bool]] = []
    pieces = text.split("?")
    for k, piece in enumerate(pieces):
        asks = k < len(pieces) - 1
        sentences = [x for x in re.split(r"\.(?!\d)|\n", piece) if x.strip()]
        for j, sentence in enumerate(sentences):
            if OTHER_PERSON.search(sentence):
                continue
            hedged = bool(HEDGE.search(sentence)) or (
                j == len(sentences) - 1 and asks and k + 1 < len(pieces) and bool(HEDGE.match(pieces[k + 1].strip())))
            parts = clauses(sentence)
            if k > 0 and j == 0 and parts and piece[:1].isalnum():
                parts = parts[1:]  # "?papilledema": a finding queried, not found
            for i, clause in enumerate(parts):
                # "lesions excluded on PET?" asks about the denial; "no M-protein - can it be poems?" asks something else
                last_asked = asks and j == len(sentences) - 1 and i == len(parts) - 1 and not ASKS_ELSE.search(clause)
                read.append((clause, hedged or last_asked or bool(INTERROGATIVE_RULED_OUT.match(clause))))
    return read


def _affirmed(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    """The first match of `pattern` in a clause of `text` not denied or left unknown before it: "not flagged high
    by the lab" and "not above ULN" are no flag (a "not" inside the match, "the lab says not elevated", is the
    flag's own word)."""
    for clause in clauses(text):
        match = pattern.search(clause)
        before = clause[: match.start()] if match is not None else ""
        if match is not None and not (NEGATION_BEFORE.search(before) or UNKNOWN_BEFORE.search(before)
                                      or UNKNOWN_AFTER.search(clause[match.end():])):
            return match
    return None


OTHER_ANALYTE = re.compile(
    r"\b(?:crp|esr|tsh|t4|ft4|il-?6|interleukin|bnp|nt-?pro-?bnp|ldh|ferritin|albumin|creatinine|egfr|hb|hgb|haemoglobin|hemoglobin"
    r"|platelets?|plts?|wbc|testosterone|prolactin|cortisol|acth|pth|calcium|glucose|hba1c|a1c|flc|free light chains?|ig[agm]"
    r"|m-?protein|m-?spike|alp|alt|ast|bilirubin|troponin|d-?dimer|lactate|b12|folate|ana)\b", re.I)
"""Another laboratory value: a clause naming one is not about VEGF ("VEGF 90 pg/mL, CRP above ULN")."""


def _vegf_scope(text: str) -> str:
    """The clauses that speak of VEGF, joined: each clause naming it, and the run right after it that names no other
    analyte ("VEGF 450 pg/mL, above the lab's range"); "" when the text does not name VEGF."""
    kept: list[str] = []
    after_vegf = False
    for clause in clauses(text):
        after_vegf = bool(re.search(r"\bvegf\b", clause, re.I)) or (after_vegf and not OTHER_ANALYTE.search(clause))
        if after_vegf:
            kept.append(clause)
    return "; ".join(kept)


def _vegf_clauses(text: str, found: dict[str, Any]) -> None:
    """In a message about VEGF, a clause that is only its specimen or only its value in pg/mL, apart from the clause
    naming VEGF ("vegf flagged high by our lab, serum sample, 1500 pg/mL")."""
    # only in the run of clauses that starts at one naming VEGF: "VEGF high, IL-6 elevated, 45 pg/mL" is no VEGF value
    after_vegf = False
    for clause in clauses(text):
        if re.search(r"\bvegf\b", clause, re.I):
            after_vegf = True
            continue
        specimen = SPECIMEN_CLAUSE.match(clause)
        value = VEGF_UNIT_CLAUSE.match(clause)
        if after_vegf and specimen is not None and "vegf_specimen" not in found:
            found["vegf_specimen"] = specimen.group("specimen").lower()
        if after_vegf and value is not None and "vegf_pg_ml" not in found and (level := _level(value)) is not SKIP:
            found["vegf_pg_ml"] = level
        after_vegf = after_vegf and (specimen is not None or value is not None or bool(LAB_FLAG.search(clause)))


def _endocrine_screen_normal(text: str) -> bool:
    match = ENDOCRINE_NORMAL.search(text)
    if match is None:
        return False
    between = match.group("between")
    return not (re.search(rf"\b{UNKNOWN_CUE}\b", between, re.I) or any(_COMPILED[f.pattern].search(between) for f in FINDINGS))

