"""Seeded synthetic transcripts for tests: reference sentences and hypotheses with random edits."""

from __future__ import annotations

import random
import string


def make_pairs(n: int, seed: int = 0, error_rate: float = 0.15, vocab_size: int = 1000) -> tuple[list[str], list[str]]:
    """`n` reference sentences of 5-20 words and hypotheses with about `error_rate` word errors."""
    rng = random.Random(seed)
    vocab: set[str] = set()
    while len(vocab) < vocab_size:
        vocab.add("".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 9))))
    words = sorted(vocab)
    refs: list[str] = []
    hyps: list[str] = []
    for _ in range(n):
        ref = rng.choices(words, k=rng.randint(5, 20))
        hyp: list[str] = []
        for word in ref:
            roll = rng.random()
            if roll < error_rate / 3:
                continue  # deletion
            hyp.append(rng.choice(words) if roll < 2 * error_rate / 3 else word)  # substitution or hit
            if rng.random() < error_rate / 3:
                hyp.append(rng.choice(words))  # insertion
        refs.append(" ".join(ref).capitalize() + ".")
        hyps.append(" ".join(hyp))
    return refs, hyps
