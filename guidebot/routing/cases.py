"""What the rules read beyond the checks: a described patient (findings, Figure 3), cautions the question
names, abbreviations. `RuleHelpers` is one layer of `Router`.
"""

from __future__ import annotations

import re
from functools import cached_property

from guidebot.routing.checks import Checks
from guidebot.routing.normalisation import GENERIC, _clean
from guidebot.routing.question import Question, Scored

_Scored = Scored

MANDATORY_FIELDS = ("polyneuropathy", "monoclonal_plasma_cell_disorder")
"""The case fields of the two mandatory criteria."""

# The facts the rules send questions to, their cue words and thresholds are data: knowledge/routing.yaml.

LOW = ("low_coverage", "low_score")
"""Declines on score alone, which the rescues may overturn."""


class RuleHelpers(Checks):
    """What the rules read beyond the checks: described patients, cautions named, abbreviations."""

    def _learned_rescue(self, q: Question, scored: list[_Scored], d, sure_key: str, out_key: str, vetoed=None):
        """The decision with the learned model's front-runner when the model gives it at least `model[sure_key]`,
        out of scope at most `model[out_key]`, and no check declines it; None otherwise (the rescues' shared test).
        `vetoed`, called once the model has chosen, may keep the question declined."""
        chosen = self._learned_choice(q.content, scored)
        if chosen is None or (vetoed is not None and vetoed()):
            return None
        top, p_top, p_out = chosen
        model = self._cfg.model
        if p_top >= model[sure_key] and p_out <= model[out_key] and not self._decline_reason(q, top, thresholds=False):
            return d._replace(best=top, reason="")
        return None

    def _case_flow(self, q: Question, best: _Scored, declined: bool) -> _Scored | None:
        """The guided diagnosis, when the question describes a patient's findings and asks whether it is
        POEMS ("70F, demyelinating neuropathy, IgG lambda, no bone lesions - poems?"); None otherwise.

        Answered with the criteria fact, such a question would leave the findings unused; the flow reads
        them.
        """
        flow = self._by_id.get(self._cfg.targets["case_flow"])
        if flow is None or best.target == flow:
            return None
        # the flow's own fact needs only the findings; a decline or another criteria fact ("Mandatory
        # criteria") also needs the question to ask about POEMS or its criteria, and one finding more
        best_fact = self._targets[best.target][3]
        if best_fact == self._targets[flow][3]:
            needed = self._cfg.thresholds["case_flow_findings"]
        elif declined or self._ix["facts"][best_fact]["section"] == "criteria":
            if not self._cfg.words["case_flow_cues"].intersection(q.content):
                return None
            needed = self._cfg.thresholds["case_flow_findings"] + 1
        else:
            return None
        if len(q.findings) < needed:
            return None
        return best._replace(target=flow)

    def _spelt_out(self, raw: tuple[str, ...]) -> str | None:
        """The abbreviations fact, when a short question asks what one of its abbreviations stands for."""
        limit = self._cfg.thresholds["abbreviation_question_words"]
        if len(raw) > limit or not self._cfg.words["abbreviation_cues"].intersection(raw) or not self._abbreviations:
            return None
        text = f" {' '.join(raw)} "
        return self._cfg.targets["abbreviations"] if any(f" {a} " in text for a in self._abbreviations) else None

    @cached_property
    def _abbreviations(self) -> frozenset[str]:
        """The abbreviations the abbreviations fact spells out (its bold terms), cleaned like a question."""
        fact = self._ix["facts"].get(self._cfg.targets["abbreviations"])
        if fact is None:
            return frozenset()
        return frozenset(c for term in re.findall(r"\*\*(.+?)\*\*", fact["answer"]) if (c := _clean(term)))

    @staticmethod
    def _poems_suspect(q: Question) -> bool:
        """Whether the question describes a patient with both mandatory criteria (neuropathy, M-protein)."""
        findings = q.findings
        return all(findings.get(f) is True for f in MANDATORY_FIELDS)

    def _workup_case(self, q: Question, best: _Scored) -> _Scored | None:
        """The workup, when a poorly matched question describes a patient and asks what to test ("40M,
        neuropathy, hyperpigmentation, gynaecomastia - which tests?"); None otherwise."""
        workup = self._cfg.targets["workup"]
        if not self._cfg.words["workup_cues"].intersection(q.content) or workup not in self._by_id:
            return None
        if len(q.findings) < self._cfg.thresholds["case_flow_findings"]:
            return None
        return best._replace(target=self._by_id[workup])

    def _without_mandatory(self, q: Question, best: _Scored) -> _Scored | None:
        """The mandatory criteria, when the question asks about POEMS without one of them ("can you have
        poems without neuropathy", "no M-protein at all - still poems?"); None otherwise.

        "without" carries no weight in matching, so such a question reads like one about the neuropathy or the
        M-protein itself.
        """
        mandatory = self._cfg.targets["mandatory"]
        if "poem" not in q.content or mandatory not in self._by_id:
            return None
        if self._ix["facts"][self._targets[best.target][3]]["section"] == "criteria":
            return None
        if len([w for w in q.content if w not in self._cfg.words["mandatory"] and w not in GENERIC]) > 1:
            return None
        findings = q.findings
        # a described patient ("neuropathy, no M-protein, VEGF 300 - poems?") is the case flow's, not this
        if len(findings) > len(MANDATORY_FIELDS) or not any(findings.get(f) is False for f in MANDATORY_FIELDS):
            return None
        return best._replace(target=self._by_id[mandatory])

    def _treatment_case(self, q: Question, best: _Scored, declined: bool) -> _Scored | None:
        """The fact Figure 3 points to when a treatment question describes the bone lesions and the marrow
        ("2 sclerotic lesions, marrow clean - radiate or transplant?" -> who gets radiation), or the guided
        treatment flow when it asks to plan; None otherwise.

        Matched on words alone, such a question lands on whichever of the two indications shares more of its
        findings' words; the findings themselves decide.
        """
        targets = self._cfg.targets
        if not self._cfg.words["treatment_cues"].intersection(q.content):
            return None
        best_fact = self._targets[best.target][3]
        if not declined and best_fact not in targets["treatment_choice"]:
            return None
        findings = q.findings
        lesions, marrow = findings.get("sclerotic_bone_lesions"), findings.get("clonal_marrow_plasma_cells")
        if lesions is None and marrow is None:
            return None
        if "plan" in q.content and targets["treatment_flow"] in self._by_id:
            return best._replace(target=self._by_id[targets["treatment_flow"]])
        from guidebot.criteria.approach import TreatmentFindings, choose_approach

        known = {k: v for k, v in findings.items() if k in TreatmentFindings._fields}
        fact = targets["approach"].get(choose_approach(TreatmentFindings(**known))[0])
        if fact is None or fact not in self._by_id:
            return None
        return best._replace(target=self._by_id[fact])

    def _anchored_caution(self, content: list[str], scored: list[_Scored], best: _Scored) -> _Scored | None:
        """The best-scoring caution whose anchor (trigger) the question names, however far behind it scores
        ("can I give bevacizumab to my patient with a lambda M-protein?" is about bevacizumab first); None
        when no caution is named, or when the best target is itself about that agent (its title names it:
        "Bortezomib-based regimens"), where the usual close-call rule decides."""
        words = set(content)
        anchors = self._ix["caution_anchors"]
        ix = self._ix
        best_title = set(ix["choices"][ix["title_choice"][best.target]].split())
        # "Lenalidomide rather than thalidomide" names thalidomide as the drug it is preferred to: a question
        # naming thalidomide alone is about thalidomide, and meets its caution; so does one naming an agent
        # besides the best fact's own ("bortezomib regimens helped, so why avoid bortezomib and thalidomide?")
        about_its_drugs = {w for w in best_title if w in self._cfg.drugs} <= words
        # ...unless it asks whether the agent is safe or to be avoided ("the proteasome-blocking one - is it off
        # the table?"): that is the caution's question, whatever fact tells the drug's results
        if not self._cfg.words.get("caution_asks", frozenset()).isdisjoint(words):
            about_its_drugs = False
        drugs = self._cfg.drugs
        for s in scored:
            named = [a for a in anchors.get(s.target, ()) if set(a) <= words]
            # a class ("the oral proteasome inhibitor") naming the best fact's own drug is no other agent
            others = [a for a in named if a[-1] in drugs] if about_its_drugs and best_title & drugs else named
            if named and (s is best or not about_its_drugs or not all(set(a) <= best_title for a in others)):
                return s
        return None

    def _names_agent(self, content: list[str], caution: _Scored) -> bool:
        """Whether the question names a caution's agent by a drug's name ("LMWH", "velcade"), not by its class
        or a description ("proteasome inhibitors", "an antibody against VEGF")."""
        words = set(content)
        return any(set(a) <= words and a[-1] in self._cfg.drugs for a in self._ix["caution_anchors"].get(caution.target, ()))

    def _named_caution(self, content: list[str], scored: list[_Scored]) -> _Scored | None:
        """The best-scoring caution whose anchor (trigger) the question names, or None."""
        words = set(content)
        anchors = self._ix["caution_anchors"]
        for s in scored:
            if any(set(a) <= words for a in anchors.get(s.target, ())):
                return s
        return None
