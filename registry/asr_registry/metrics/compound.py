"""Word alignment that forgives split and joined compounds, as the Open ASR Leaderboard scores since 2026-06.

The leaderboard calls ``kaldialign.batch_error_rate(refs, hyps, merge_compounds=True)``: a Kaldi
Levenshtein alignment (insertion, deletion and substitution cost 1 each) where, in addition, k >= 2
adjacent words on one side whose concatenation equals one word on the other side match at no cost
("white paper" against "whitepaper", either way round). This is that dynamic programme, written
from kaldialign 0.12's ``LevenshteinEditDistanceCompound`` so that its substitution, deletion and
insertion counts are the same, ties included: on a tie a match or substitution loses to a
deletion, a deletion to an insertion, and a compound only replaces a cell it makes strictly cheaper.
``tests/metrics/test_compound.py`` checks every count against kaldialign itself.
"""

from __future__ import annotations

from collections.abc import Sequence

# (cost, substitutions, deletions, insertions): with unit costs, cost is their sum
_Cell = tuple[int, int, int, int]


def edit_counts(ref: Sequence[str], hyp: Sequence[str]) -> tuple[int, int, int]:
    """(substitutions, deletions, insertions) turning `ref` into `hyp` with compounds matching free."""
    rows, cols = len(ref), len(hyp)
    # the table is kept whole: a compound reaches back k rows or columns
    table: list[list[_Cell]] = [[(j, 0, 0, j) for j in range(cols + 1)]]
    for i in range(1, rows + 1):
        row: list[_Cell] = [(i, 0, i, 0)]
        above = table[i - 1]
        word = ref[i - 1]
        for j in range(1, cols + 1):
            diagonal, up, left = above[j - 1], above[j], row[j - 1]
            differ = word != hyp[j - 1]
            sub_cost = diagonal[0] + differ
            del_cost = up[0] + 1
            ins_cost = left[0] + 1
            if sub_cost < ins_cost and sub_cost < del_cost:
                cell = (sub_cost, diagonal[1] + 1, diagonal[2], diagonal[3]) if differ else diagonal
            elif del_cost < ins_cost:
                cell = (del_cost, up[1], up[2] + 1, up[3])
            else:
                cell = (ins_cost, left[1], left[2], left[3] + 1)
            target = hyp[j - 1]
            merged = word
            for k in range(2, i + 1):  # k reference words joined = one hypothesis word
                merged = ref[i - k] + merged
                if len(merged) > len(target):
                    break
                if merged == target and table[i - k][j - 1][0] < cell[0]:
                    cell = table[i - k][j - 1]
            merged = target
            for k in range(2, j + 1):  # k hypothesis words joined = one reference word
                merged = hyp[j - k] + merged
                if len(merged) > len(word):
                    break
                if merged == word and above[j - k][0] < cell[0]:
                    cell = above[j - k]
            row.append(cell)
        table.append(row)
    _, subs, dels, ins = table[rows][cols]
    return subs, dels, ins
