"""Reading a message for a patient: whether it describes a particular patient, supposes one ("what if VEGF is
300?"), or asks about the disease itself ("poems vs cidp"), and what a patient's treatment approach is about.

`PatientReading` is one part of `ConversationReader` (guidebot.dialogue.context): a message records findings only
when it describes a patient (`patient_cues`), answers the slot the bot waits for, or adds to a patient being
described; the manager decides which, with these readings.
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import Any

from guidebot.dialogue.focus import normalise, phrase_pattern


VALUE_STATEMENT_MARKERS = frozenset({"cutoff", "cut-off", "cut off", "threshold", "higher than", "lower than", "minor",
                                     "minors", "major", "majors", "criteria", "crit"})
"""Question markers (`question_markers`) that also sit in a stated finding ("VEGF 1200 pg/mL (cutoff 200)",
"criteria met for hypogonadism"): in a list of stated findings they ask nothing (`_states_value`)."""

RELATIVE_CLAUSE = re.compile(r"^\W*which\s+(?:is|was|were|are|has|had|came|comes|the|our|their|they|we)\b", re.I)
"""A clause saying more of the value or finding before it ("..., which the lab calls normal", "..., which was above the cutoff"),
not asking which one ("..., which one runs higher", "..., which tests next")."""

MEASURED_COUNT = re.compile(r"\b(?:lesion|platelet|plt|plasma cell|cell|blood|white cell|red cell|neutrophil)s? counts?\b", re.I)
"""A count as a measurement ("lesion count", "platelet count"), not "does X count"."""

THRESHOLD = re.compile(r"[<>≤≥]|\b(?:above|over|under|below|at least|more than|less than|greater than)\s+\d", re.I)
"""A number as a threshold ("vegf >200", "above 200"), not a patient's measured value."""


class PatientReading:
    """Patients described or supposed, and questions about the disease (a part of `ConversationReader`)."""

    # compiled by ConversationReader.__init__
    data: Any
    _cues: list[re.Pattern[str]]

    @cached_property
    def _question_markers(self) -> re.Pattern[str] | None:
        return phrase_pattern(list(self.data.question_markers))

    def asks_about_disease(self, text: str) -> bool:
        """Whether a statement naming findings asks about the disease ("poems vs cidp", "lambda or kappa")."""
        pattern = self._question_markers
        if not pattern:
            return False
        if "?" not in text and self._negation is not None:
            # a statement's denied findings ("fundoscopy: no papilledema. no edema or effusions") ask nothing
            # only its "or" lists; "no M-protein in poems" and "no lesions vs myeloma" still ask. A denial may open
            # after "and" ("..., and no edema"), and its list goes on past a comma ("no edema, effusions or ascites")
            pieces = re.split(r"([.;:\n]+)", text)
            for sentence, end in zip(pieces[::2], [*pieces[1::2], ""]):
                # "Endocrine workup: hypogonadism ...": the heading labels the results after it, its "workup" asks nothing
                heading = ":" in end
                denying = False
                raw = sentence.split(",")
                for i, clause in enumerate(normalise(c) for c in raw):
                    if not clause:
                        continue
                    denying = bool(self._negation.match(re.sub(r"^(?:and|but|also|plus)\s+", "", clause))) or (
                        denying and bool(re.search(r"\b(?:or|nor)\b", clause)))
                    markers = pattern.finditer(re.sub(r"\b(?:or|nor)\b", " ", clause) if denying else clause)
                    if any(not (self._states_value(m.group(0), raw, i) or heading and m.group(0) in self._report_headings)
                           for m in markers):
                        return True
            return False
        return bool(pattern.search(normalise(text)))

    @staticmethod
    def _states_value(marker: str, raw: list[str], i: int) -> bool:
        """Whether a question marker in clause `i` belongs to a stated finding, not a question: "which" opens a relative
        clause about a value or finding stated before it ("VEGF 180 pg/mL, which the lab calls normal"), or a cutoff/criteria word's
        clause holds a finding in a list of findings ("..., VEGF 1200 pg/mL (cutoff 200)", "T2DM, criteria met for
        hypogonadism"), or follows a stated value ("VEGF 450 pg/mL, higher than the lab cutoff"); "ruled out" denies a
        finding of its clause; "count" is a measurement ("lesion count"). A lone clause
        ("polycythemia and thrombocytosis separate minors") still asks."""
        from guidebot.criteria.findings import extract_findings

        if marker == "which" and RELATIVE_CLAUSE.match(raw[i]) and any(extract_findings(c) or re.search(r"\d", c) for c in raw[:i]):
            return True  # "VEGF 180 pg/mL in plasma, which the lab calls normal": says more of a finding, asks nothing
        if marker == "ruled out" and any(v is False or v == 0 for v in extract_findings(raw[i]).values()):
            return True  # "Castleman histology was ruled out": the finding denied, not "can X be ruled out"
        if marker in ("count", "counts") and MEASURED_COUNT.search(raw[i]):
            return True  # "Lesion count on PET-CT: three", "platelet count 650": a measurement, not "does X count"
        if marker not in VALUE_STATEMENT_MARKERS:
            return False

        holds = [bool(extract_findings(c) or re.search(r"\d", c)) for c in raw]
        listed = holds[i] and any(h for j, h in enumerate(holds) if j != i)
        return listed or (i > 0 and bool(re.search(r"\d", raw[i - 1])))

    def opens_with_measured_finding(self, text: str) -> bool:
        """Whether a statement opens with a finding measured ("Plasma VEGF 850 pg/mL, ...", "3 sclerotic lesions on PET,
        ..."): its first clause states a number (not a threshold, "vegf >200") and a finding, and neither a question
        marker nor the disease; another clause follows it; the message has no question mark nor a clause opening with an
        interrogative. What follows the comma comments on the value, it does not ask."""
        from guidebot.criteria.findings import extract_findings

        if "?" in text or self._question_markers is None:
            return False
        parts = re.split(r"[,;:\n]|\.(?!\d)", text.strip())
        if any(self.starts_asking(part) for part in parts):
            return False  # "plasma vegf >200, how specific is that" asks, question mark or not
        first = parts[0]
        # a comment must follow the value: a lone clause is a search ("vegf cutof plasma poems 200", "IVIG 2 g/kg ...")
        return (len([p for p in parts if p.strip()]) > 1 and bool(re.search(r"(?<![\w.])\d", first))
                and not THRESHOLD.search(first) and not self.names_disease(first) and bool(extract_findings(first))
                and self._question_markers.search(normalise(first)) is None)

    @cached_property
    def _report_headings(self) -> frozenset[str]:
        return frozenset(normalise(h) for h in self.data.report_headings if normalise(h))

    @cached_property
    def _negation(self) -> re.Pattern[str] | None:
        """A clause that starts by denying a finding."""
        words = sorted({normalise(n) for n in self.data.negations if normalise(n)}, key=len, reverse=True)
        return re.compile(r"^(?:" + "|".join(re.escape(w) for w in words) + r")\b") if words else None

    def names_disease(self, text: str) -> bool:
        """Whether the turn names the disease itself ("what is poems", "poems prognosis?")."""
        return self._disease is not None and self._disease.search(normalise(text)) is not None

    @cached_property
    def _disease(self) -> re.Pattern[str] | None:
        return phrase_pattern(list(self.data.followup.disease))

    def general_question(self, text: str) -> bool:
        """Whether the message is a single question that starts with an interrogative ("is X plus Y enough to diagnose
        poems?"), not statements followed by a question ("X, Y and Z. Enough for diagnosis?")."""
        words = {normalise(w) for w in self.data.interrogatives}
        sentences = [x for x in re.split(r"(?<=[.!?])\s+|\n+", text.strip()) if x.strip()]
        first = normalise(text).split()[:1]
        return len(sentences) == 1 and text.rstrip().endswith("?") and bool(first) and first[0] in words

    @cached_property
    def _leading_and_asking(self) -> tuple[frozenset[str], frozenset[str]]:
        leading = frozenset(normalise(w) for w in [*self.data.followup.openers, *self.data.additions])
        return leading, frozenset(normalise(w) for w in self.data.interrogatives)

    def starts_asking(self, text: str) -> bool:
        """Whether the message opens with an interrogative (`interrogatives`), question mark or not, after any
        opening "and", "also", "so" ("also is LAD part of it" asks)."""
        leading, asking = self._leading_and_asking
        words = normalise(text).split()
        while words and words[0] in leading:
            words = words[1:]
        return bool(words) and words[0] in asking

    @cached_property
    def _additions(self) -> re.Pattern[str] | None:
        return phrase_pattern(list(self.data.additions))

    def adds_to_patient(self, text: str) -> bool:
        """Whether a statement says it adds to the patient ("also ...", "... too", `additions`)."""
        return self._additions is not None and self._additions.search(normalise(text)) is not None

    def describes_patient(self, text: str) -> bool:
        """Whether the message describes a particular patient (a `patient_cues` expression matches). In a question, a
        patient in general ("in a pt with CIDP-like neuropathy, when to suspect POEMS?", `generic_patients`) is no cue."""
        if "?" in text or self.general_question(text) or self.starts_asking(text):
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

    def approach_entity(self, approach: str | None) -> str | None:
        """The entity a patient's treatment approach is about (`approaches`)."""
        return self.data.approaches.get(approach) if approach else None


__all__ = ["PatientReading"]
