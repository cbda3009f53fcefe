"""ROVER: Recognizer Output Voting Error Reduction (Fiscus 1997).

The members' word sequences are aligned one by one, in member order, against a growing
word transition network (WTN): a chain of correspondence sets, each holding one arc per
member, either a word or NULL (the member said nothing there). Each set then votes:

    score(w) = alpha * N(w) / Ns + (1 - alpha) * C(w)

with N(w) the number of arcs carrying w, Ns the number of members and C(w) the average
("avgconf") or maximum ("maxconf") confidence of those arcs; NULL arcs count with
confidence `null_conf`. "freq" is the frequency vote alone (alpha = 1). A winning NULL
drops the set from the output.

"avgconf" here is SCTK rover's `-m meth1`, and "maxconf" its `-m maxconf`; SCTK's own
`-m avgconf` divides by the confidence total of the set instead of averaging, which is not
the paper's formula. NULL confidence defaults to 0.0 as in SCTK (`-c`); alpha defaults to 1
for "freq" and to 0.5 for the confidence methods (SCTK's default of 1 would ignore them).

The alignment reproduces NIST SCTK's `rover` (checked against the binary in
tests/ensemble/test_sctk_crosscheck.py), because a reference implementation is only useful
if its output can be compared word for word:

* costs: match 0, substitution 4, insertion or deletion 3, a word against a NULL arc 1
  (so a word joins a set that holds a NULL cheaply), passing a NULL arc 0.001. SCTK keeps these in single precision,
  and near-ties between paths are decided by that rounding, so the sums are rounded to
  float32 here too.
* the DP runs over the individual arcs of the network, not over whole sets: each arc keeps
  its own best path and backpointer, predecessors are scanned in arc order and the first
  strictly smaller cost wins; a substitution wins a cost tie with either other move, and an
  insertion wins a tie with a deletion.
* arc order inside a set is member order, except that a set opened by member k's insertion
  lists k's word first and then the NULLs of members 0..k-1.
* vote ties go to the word whose first arc comes first in that order. So ties mostly go to
  the earliest member's word, but a word inserted by one member against NULLs of the others
  wins a tie against them (with two members, an extra word is kept).
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from asr_registry.ensemble.combiners import (
    Combined,
    CombinerError,
    MemberHypothesis,
    combined_from,
    require_hypotheses,
)

Method = Literal["freq", "avgconf", "maxconf"]
METHODS: tuple[str, ...] = ("freq", "avgconf", "maxconf")
DEFAULT_CONF_ALPHA = 0.5
DEFAULT_NULL_CONF = 0.0  # SCTK rover's default for -c

_F32 = struct.Struct("<f")


def _f32(value: float) -> float:
    """Round to single precision, as SCTK stores alignment costs in C floats."""
    rounded: float = _F32.unpack(_F32.pack(value))[0]
    return rounded


_MATCH = 0.0
_SUB = 4.0
_INS_DEL = 3.0
_WORD_VS_NULL = 1.0
_SKIP_NULL = _f32(0.001)

_SUB_OP, _DEL_OP, _INS_OP = 0, 1, 2


@dataclass(frozen=True)
class Arc:
    """One member's entry in a correspondence set: its word, or None for a NULL arc."""

    member: int  # position of the member in the input
    word: str | None
    confidence: float | None  # None for NULL arcs and for members without confidences


CorrespondenceSet = tuple[Arc, ...]


def align(hypotheses: Sequence[MemberHypothesis]) -> list[CorrespondenceSet]:
    """Build the word transition network: the correspondence sets in order."""
    hyps = require_hypotheses(hypotheses)
    first = hyps[0]
    wtn: list[list[Arc]] = [[Arc(0, word, _conf(first, i))] for i, word in enumerate(first.words)]
    for k, hyp in enumerate(hyps[1:], start=1):
        wtn = _add_member(wtn, k, hyp)
    return [tuple(cs) for cs in wtn]


def _conf(hyp: MemberHypothesis, index: int) -> float | None:
    return None if hyp.confidences is None else hyp.confidences[index]


def _pred_min(rows: list[list[float]], b: int) -> tuple[float, int]:
    """Cheapest predecessor arc at column b; the first one wins among equals."""
    best, best_j = rows[0][b], 0
    for j in range(1, len(rows)):
        if rows[j][b] < best:
            best, best_j = rows[j][b], j
    return best, best_j


def _add_member(wtn: list[list[Arc]], k: int, hyp: MemberHypothesis) -> list[list[Arc]]:
    """Align member k's words against the network and merge them in as new arcs."""
    words = hyp.words
    m = len(words)
    head = [0.0] * (m + 1)  # the virtual arc before the first set: only insertions reach it
    for b in range(1, m + 1):
        head[b] = _f32(head[b - 1] + _INS_DEL)
    prev_rows = [head]
    # backs[i][j][b] = (operation, arc index in the previous set, or in this set for insertions)
    backs: list[list[list[tuple[int, int]]]] = []
    for cs in wtn:
        rows: list[list[float]] = []
        cs_backs: list[list[tuple[int, int]]] = []
        # Every arc of a set has the same predecessors (the arcs of the set before).
        preds = [_pred_min(prev_rows, b) for b in range(m + 1)]
        for j, arc in enumerate(cs):
            skip = _SKIP_NULL if arc.word is None else _INS_DEL
            if arc.word is None:
                steps = [_WORD_VS_NULL] * m
            else:
                steps = [_MATCH if word == arc.word else _SUB for word in words]
            row = [0.0] * (m + 1)
            back = [(_DEL_OP, 0)] * (m + 1)
            cost, pj = preds[0]
            row[0], back[0] = _f32(cost + skip), (_DEL_OP, pj)
            for b in range(1, m + 1):
                ins = _f32(row[b - 1] + _INS_DEL)
                cost, del_j = preds[b]
                dele = _f32(cost + skip)
                cost, sub_j = preds[b - 1]
                sub = _f32(cost + steps[b - 1])
                if sub <= dele and sub <= ins:
                    row[b], back[b] = sub, (_SUB_OP, sub_j)
                elif dele < ins:
                    row[b], back[b] = dele, (_DEL_OP, del_j)
                else:
                    row[b], back[b] = ins, (_INS_OP, j)
            rows.append(row)
            cs_backs.append(back)
        backs.append(cs_backs)
        prev_rows = rows

    new_sets: list[list[Arc]] = [list(cs) for cs in wtn]
    inserted_after: list[list[list[Arc]]] = [[] for _ in range(len(wtn) + 1)]  # index 0: before the first set
    i = len(wtn)  # sets are 1-based here; 0 is the virtual head
    j = _pred_min(prev_rows, m)[1]  # the last set's cheapest arc (the head when the network is empty)
    b = m
    while i > 0 or b > 0:
        if i == 0:
            op, pj = _INS_OP, 0
        else:
            op, pj = backs[i - 1][j][b]
        if op == _INS_OP:
            # A word no set matched opens a new set right after set i; the members already
            # aligned get NULLs there, listed after the new word (SCTK's arc order).
            opened = [Arc(k, words[b - 1], _conf(hyp, b - 1))] + [Arc(n, None, None) for n in range(k)]
            inserted_after[i].insert(0, opened)
            b -= 1
        elif op == _DEL_OP:
            new_sets[i - 1].append(Arc(k, None, None))
            i, j = i - 1, pj
        else:
            new_sets[i - 1].append(Arc(k, words[b - 1], _conf(hyp, b - 1)))
            i, j, b = i - 1, pj, b - 1

    merged: list[list[Arc]] = list(inserted_after[0])
    for index, cs in enumerate(new_sets, start=1):
        merged.append(cs)
        merged.extend(inserted_after[index])
    return merged


@dataclass(frozen=True)
class Vote:
    """The outcome of one correspondence set: the winner (None for NULL) and its confidence."""

    word: str | None
    confidence: float | None  # average confidence of the winner's arcs, when all of them have one


class Rover:
    """ROVER combiner; see the module docstring for the algorithm and SCTK's conventions."""

    def __init__(self, method: Method = "freq", alpha: float | None = None, null_conf: float | None = None) -> None:
        if method not in METHODS:
            raise CombinerError(f"rover: unknown method '{method}'; choose one of {', '.join(METHODS)}")
        if method == "freq":
            # freq ignores confidences; rejecting these avoids a silently ignored setting.
            if alpha is not None and alpha != 1.0:
                raise CombinerError(
                    "rover: method=freq votes by word frequency only (alpha = 1); "
                    "use method=avgconf or method=maxconf to weigh confidences with alpha"
                )
            if null_conf is not None:
                raise CombinerError("rover: null_conf has no effect with method=freq; use method=avgconf or maxconf")
        for name, value in (("alpha", alpha), ("null_conf", null_conf)):
            if value is not None and not (0.0 <= value <= 1.0):  # also rejects NaN
                raise CombinerError(f"rover: {name} must be in [0, 1]; got {value!r}")
        self.method: str = method
        if alpha is None:
            alpha = 1.0 if method == "freq" else DEFAULT_CONF_ALPHA
        self.alpha: float = float(alpha)
        self.null_conf: float = DEFAULT_NULL_CONF if null_conf is None else float(null_conf)

    def __repr__(self) -> str:
        return f"Rover(method={self.method!r}, alpha={self.alpha!r}, null_conf={self.null_conf!r})"

    def combine(self, hypotheses: Sequence[MemberHypothesis]) -> Combined:
        hyps = require_hypotheses(hypotheses)
        if self.method != "freq":
            missing = [h.member for h in hyps if h.confidences is None]
            if missing:
                raise CombinerError(
                    f"rover: method={self.method} needs word confidences, but member(s) "
                    f"{', '.join(repr(m) for m in missing)} gave none; use method=freq or give confidences"
                )
        votes = [self.vote(cs) for cs in align(hyps)]
        words = [v.word for v in votes if v.word is not None]
        if any(h.confidences is None for h in hyps):
            return combined_from(words, None)
        # Every member gave confidences, so every winning word has its average.
        return combined_from(words, [v.confidence for v in votes if v.word is not None and v.confidence is not None])

    def vote(self, cs: CorrespondenceSet) -> Vote:
        """Score every distinct word (NULL included) of one set and pick the best."""
        order: list[str | None] = []
        count: dict[str | None, int] = {}
        conf_sum: dict[str | None, float] = {}
        conf_max: dict[str | None, float] = {}
        known: dict[str | None, bool] = {}
        for arc in cs:
            if arc.word not in count:
                order.append(arc.word)
                count[arc.word], conf_sum[arc.word], conf_max[arc.word] = 0, 0.0, 0.0
                known[arc.word] = True
            conf = self.null_conf if arc.word is None else arc.confidence
            count[arc.word] += 1
            if conf is None:
                known[arc.word] = False
                conf = 0.0  # only reachable with method=freq, where it does not count
            conf_sum[arc.word] += conf
            conf_max[arc.word] = max(conf_max[arc.word], conf)
        best: str | None = None
        best_score = -1.0
        for word in order:
            # Same expression and evaluation order as SCTK, so exact ties stay exact.
            share = count[word] / len(cs)  # one arc per member
            if self.method == "freq":
                score = share
            elif self.method == "avgconf":
                score = self.alpha * share + (1.0 - self.alpha) * (conf_sum[word] / count[word])
            else:
                score = self.alpha * share + (1.0 - self.alpha) * conf_max[word]
            if score > best_score:
                best, best_score = word, score
        if best is None:
            return Vote(None, None)
        average = conf_sum[best] / count[best] if known[best] else None
        return Vote(best, average)
