"""A corpus for the leaderboard's 2026 normaliser rules and scorer, on top of ``normalizer_corpus``.

Adds what the June 2026 version changed: fillers, "'s" after pronouns and names, split compounds,
spelled-out acronyms, name variants, and reference/hypothesis pairs whose hypotheses split, join,
drop, insert and change words, so that the compound-merging scorer is exercised in both directions.
Same seed, same corpus.
"""

from __future__ import annotations

import random
from functools import cache

from asr_registry.metrics._oal_english import JUNE_2026, name_table
from tests.metrics.normalizer_corpus import NUMBER_WORDS, NUMERALS, WORDS, corpus

FILLERS = (*JUNE_2026.fillers.split(), "uhh", "ahhh", "hmmm", "ehm")
POSSESSIVES = (
    "it's",
    "he's",
    "she's",
    "what's",
    "that's",
    "who's",
    "here's",
    "there's",
    "how's",
    "when's",
    "where's",
    "why's",
    "this's",
    "john's",
    "jon's",
    "bbc's",
    "one's",
    "let's",
    "IT'S",
    "it 's",
)
COMPOUNDS = tuple(
    " ".join(pair)
    for pair in (
        ("et", "cetera"),
        ("al", "right"),
        ("all", "right"),
        ("how", "ever"),
        ("wi", "fi"),
        ("wi-fi",),
        ("hi", "fi"),
        ("lo-fi",),
        ("sci", "fi"),
        ("e", "mail"),
        ("e-mail",),
        ("e", "book"),
        ("e-commerce",),
        ("x", "ray"),
        ("x-ray",),
        ("t-shirt",),
        ("a", "m"),
        ("a.m.",),
        ("p.m.",),
        ("p", "m"),
        ("o", "k"),
        ("o.k.",),
        ("white", "paper"),
        ("whitepaper",),
        ("data", "base"),
        ("database",),
        ("base", "ball"),
        ("baseball",),
        ("ok",),
        ("kay",),
        ("etcetera",),
        ("flyer",),
        ("flier",),
        ("flyer / flier",),
    )
)
ACRONYMS = (
    "b",
    "b",
    "c",
    "u",
    "s",
    "a",
    "i",
    "f",
    "b",
    "i",
    "5",
    "g",
    "4",
    "k",
    "x",
    "y",
    "z",
    "n",
    "a",
    "s",
    "a",
    "B B C",
    "U.S.",
    "F.B.I.",
    "5 G",
    "4k",
    "a b",
    "i a",
    "a i b",
    "q e d",
)
NAMES = tuple(sorted({*name_table(), *name_table().values()}))
POOLS = (NUMBER_WORDS, NUMERALS, WORDS, FILLERS, POSSESSIVES, COMPOUNDS, ACRONYMS, ACRONYMS, NAMES)

HAND_WRITTEN = (
    "It's the B B C's wi-fi, Jon! Um, ok a.m.",
    "that's what's left of john's e mail",
    "Where's the F.B.I.?",
    "uh huh ahh ehehe uhuh mhum hm em",
    "a i b c",
    "i a",
    "a b",
    "5 g and 4 k",
    "q e d",
    "x-ray t-shirt sci-fi",
    "et cetera, et  cetera",
    "all right al right how ever",
    "O.K. o k ok kay",
    "Micheal and Stephen met Shawn",
    "Mohamad Muhammad mohammed",
    "flyer flier flyers",
    "the 1 b c",
    "a m p m",
    "1 a m",
    "ten p m",
    "he's got it",
)


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(rng.choice(POOLS)) for _ in range(rng.randint(1, 14))]
    text = words[0]
    for word in words[1:]:
        text += rng.choice((" ", " ", " ", " ", "", ", ", "-", ". ", "'s ")) + word
    if rng.random() < 0.2:
        text = text.upper() if rng.random() < 0.5 else text.title()
    return text


@cache
def texts(size: int = 20_000, seed: int = 20260611) -> tuple[str, ...]:
    """The shared corpus (about 22,000 strings) plus `size` strings built around the 2026 rules."""
    rng = random.Random(seed)
    return corpus() + HAND_WRITTEN + tuple(_sentence(rng) for _ in range(size))


def _mutate(words: list[str], rng: random.Random) -> list[str]:
    out = list(words)
    for _ in range(rng.randint(0, 4)):
        if not out:
            out.append(rng.choice(WORDS))
            continue
        i = rng.randrange(len(out))
        op = rng.random()
        if op < 0.25 and i + 1 < len(out):
            out[i : i + 2] = [out[i] + out[i + 1]]  # join: "white paper" -> "whitepaper"
        elif op < 0.5 and len(out[i]) > 1:
            cut = rng.randrange(1, len(out[i]))
            out[i : i + 1] = [out[i][:cut], out[i][cut:]]  # split: "whitepaper" -> "white paper"
        elif op < 0.65:
            del out[i]
        elif op < 0.8:
            out.insert(i, rng.choice(rng.choice(POOLS)))
        else:
            out[i] = rng.choice(rng.choice(POOLS))
    return out


@cache
def pairs(size: int = 20_000, seed: int = 135) -> tuple[tuple[str, str], ...]:
    """(reference, hypothesis) pairs: corpus sentences and mutated copies of them."""
    rng = random.Random(seed)
    source = texts()
    chosen = [rng.choice(source) for _ in range(size)]
    return tuple((ref, " ".join(_mutate(ref.split(), rng))) for ref in chosen)


ML_WORDS = {
    "de": "der die das und ist nicht Handschuh Hand schuh Kranken haus Krankenhaus Straße größer Äpfel über Euro "
    "Jahr Uhr zwei drei hundert tausend Fußball Fuß ball Donau dampf schiff fahrt Donaudampfschiff",
    "fr": "le la les et est pas aujourd'hui aujourd hui porte monnaie porte-monnaie été élève ça cœur euros "
    "année heures deux trois cent mille week end week-end grand-mère grand mère",
    "es": "el la los y es no año niño sacacorchos saca corchos paraguas para aguas más también euros "
    "dos tres cien mil mediodía medio día España",
    "it": "il la gli e è non città perché caffè arcobaleno arco baleno pomodoro pomo doro euro "
    "anno ore due tre cento mille capostazione capo stazione",
    "pt": "o a os e é não ação coração guarda-chuva guarda chuva passatempo passa tempo euros "
    "ano horas dois três cem mil beija-flor beija flor São Paulo",
}
ML_NUMERALS = (
    "0",
    "1",
    "7",
    "10",
    "12",
    "21",
    "99",
    "100",
    "1990",
    "2024",
    "10 000",
    "1 000 000",
    "3,5",
    "3.5",
    "12h30",
    "50%",
    "€20",
    "1er",
    "2º",
    "٣",
    "１２",
    "10 0000",
    "007",
    "1.000",
    "25 000 euros",
)
ML_MARKS = (",", ".", "!", "?", "«", "»", "—", "-", "'", "(note)", "[bruit]", "<unk>", "…", ";", ":", '"')


def _ml_sentence(rng: random.Random, words: tuple[str, ...]) -> str:
    pools = (words, words, ML_NUMERALS, ML_MARKS)
    text = ""
    for _ in range(rng.randint(1, 12)):
        text += rng.choice((" ", " ", " ", "", "-")) + rng.choice(rng.choice(pools))
    return text.upper() if rng.random() < 0.1 else text


@cache
def multilingual_texts(language: str, size: int = 4_000, seed: int = 20260323) -> tuple[str, ...]:
    """`size` sentences in `language` (de, fr, es, it, pt) mixing words, split compounds, numerals and marks."""
    rng = random.Random(f"{seed}-{language}")
    words = tuple(ML_WORDS[language].split())
    return tuple(_ml_sentence(rng, words) for _ in range(size))


@cache
def multilingual_pairs(language: str, size: int = 4_000, seed: int = 135) -> tuple[tuple[str, str], ...]:
    """(reference, hypothesis) pairs in `language`, hypotheses with words joined, split, dropped and changed."""
    rng = random.Random(f"{seed}-{language}")
    source = multilingual_texts(language)
    chosen = [rng.choice(source) for _ in range(size)]
    return tuple((ref, " ".join(_mutate(ref.split(), rng))) for ref in chosen)
