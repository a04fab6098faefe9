"""Choosing between a turn's two readings, alone and rewritten with the focus (`choose`), and whether a follow-up
read in context is answered from the focus's neighbourhood rather than the router's pick (`stays`).

Pure functions of the rewrite (guidebot.dialogue.rewrite) and the router's Match for each reading.
"""

from __future__ import annotations

from typing import Any, Literal

from guidebot.dialogue.focus import Rewrite

Reading = Literal["alone", "context"]


STAY_MARGIN = 0.05
"""A follow-up read in context is answered from the focus's neighbourhood (the focused fact, its related facts,
the facts of its entities) when the best of them scores within this much of the overall best."""

DECLINES_KEEPING_THE_DECLINE = frozenset({"dose_not_given", "duration_not_given", "other_drug", "other_condition"})
"""Contextual declines that stand even when the focused fact is close: the review does not give what was asked."""

ALONE_MARGIN = 0.25
"""A leaning turn is still read alone when alone it is answered with this much more confidence than in context."""
REWRITE_CAUSED_DECLINE_YIELDS = True
"""Whether a leaning turn naming nothing and asking no facet, whose rewrite is declined for naming another condition
(the focus's), is read alone when alone it is answered (switch for ablation)."""

DECLINES_NAMING_SOMETHING_ELSE = frozenset({"other_drug", "other_condition", "other_topic"})
"""Router decline reasons by which the turn itself names something the review does not cover."""


UNLEANING_TURN_KEEPS_ITS_ANSWER = True
"""A turn that neither leans on the focus nor is a bare facet, answered alone but declined once rewritten with
the focus, is read alone: the rewrite added words the turn never asked about (switch probe, round 11)."""


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
    if (UNLEANING_TURN_KEEPS_ITS_ANSWER and not rewrite.leans and not rewrite.bare and not context.in_scope
            and alone.in_scope and not alone.is_flow):
        return "alone"  # a question of its own that the focus's words only spoil ("which 2 criteria are compulsory")
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


__all__ = ["ALONE_MARGIN", "REWRITE_CAUSED_DECLINE_YIELDS", "STAY_MARGIN", "Reading", "choose", "stays"]
