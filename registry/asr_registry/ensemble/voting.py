"""Whole-transcript combiners: pick one member's transcript instead of mixing words.

They are the baselines ROVER has to beat: `majority` keeps the transcript most members
agree on exactly, `best-confidence` trusts the member that is surest of itself.
"""

from __future__ import annotations

from collections.abc import Sequence

from asr_registry.ensemble.combiners import (
    Combined,
    CombinerError,
    MemberHypothesis,
    combined_from,
    require_hypotheses,
)


class MajorityVote:
    """The most frequent exact word sequence; ties go to the sequence of the earliest member.

    The output's confidences are the per-word averages over the agreeing members that gave
    confidences (None when none of them did).
    """

    def __repr__(self) -> str:
        return "MajorityVote()"

    def combine(self, hypotheses: Sequence[MemberHypothesis]) -> Combined:
        hyps = require_hypotheses(hypotheses)
        groups: dict[tuple[str, ...], list[MemberHypothesis]] = {}
        for hyp in hyps:  # dicts keep insertion order, so the first group is the earliest member's
            groups.setdefault(hyp.words, []).append(hyp)
        best = max(groups.values(), key=len)  # max keeps the first of equal counts
        scored = [h.confidences for h in best if h.confidences is not None]
        if not scored:
            return combined_from(best[0].words, None)
        averages = [sum(column) / len(column) for column in zip(*scored, strict=True)]
        return combined_from(best[0].words, averages)


class BestConfidence:
    """The transcript of the member with the highest mean word confidence.

    Members without confidences are skipped; if none has them there is nothing to rank and
    that is an error. A member with an empty transcript has no mean and ranks below any
    member with words. Ties go to the earliest member.
    """

    def __repr__(self) -> str:
        return "BestConfidence()"

    def combine(self, hypotheses: Sequence[MemberHypothesis]) -> Combined:
        hyps = require_hypotheses(hypotheses)
        rated = [h for h in hyps if h.confidences is not None]
        if not rated:
            names = ", ".join(repr(h.member) for h in hyps)
            raise CombinerError(
                f"best-confidence needs word confidences, but no member gave any ({names}); "
                "use majority or rover:method=freq instead"
            )
        best: MemberHypothesis | None = None
        best_mean = -1.0
        for hyp in rated:
            confs = hyp.confidences or ()
            mean = sum(confs) / len(confs) if confs else -0.5  # below any real mean, above the start
            if mean > best_mean:
                best, best_mean = hyp, mean
        assert best is not None  # rated is not empty and every mean beats the start value
        return combined_from(best.words, best.confidences)
