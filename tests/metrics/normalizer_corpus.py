"""A large, fixed corpus of strings that exercise every rule of Whisper's normalisers.

Hand-written cases (contractions, titles, currencies, ordinals, British spellings, punctuation,
Unicode) plus seeded random sentences mixing number words, numerals, symbols and ordinary words,
so that rule interactions are covered too. Same seed, same corpus.
"""

from __future__ import annotations

import random
from functools import cache

NUMBER_WORDS = tuple(
    str.split(
        "o oh zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
        "seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand million "
        "billion trillion ones twos sixes nines tens twenties nineties hundreds thousands millions first second third "
        "fourth fifth sixth seventh eighth ninth nineth tenth eleventh twelfth thirteenth twentieth thirtieth "
        "hundredth thousandth millionth zeroth and a half double triple point minus negative plus positive dollar "
        "dollars cent cents euro euros pound pounds per cent percent"
    )
)
NUMERALS = ("0", "1", "2", "5", "007", "10", "12", "19", "20", "25", "99", "100", "1,000", "3.14", "0.5", "1.5",
            "2020", "1999", "10th", "21st", "2nd", "3rd", "1960s", "$5", "$0.36", "€52.4", "£77", "¢3", "5%",
            "50 %", "-5", "+20", "b747", "rc232", "10km", "10mm", "1s", "4.2")  # fmt: skip
WORDS = ("the", "a", "i", "it", "is", "was", "on", "at", "of", "in", "to", "we", "he", "she", "they", "you", "that",
         "mr", "mrs", "dr.", "st.", "prof", "jr", "and", "or", "but", "so", "uh", "um", "hmm", "mm", "mhm", "mmm",
         "colour", "favourite", "organise", "centre", "travelled", "grey", "programme", "aeroplane", "ok", "kay",
         "etcetera", "archaeology", "cancellation", "don't", "won't", "can't", "it's", "he's", "she'd", "they're",
         "we'll", "i'm", "you've", "imma", "woulda", "coulda", "shoulda", "gov", "ald", "rev", "hon", "asst",
         "assoc", "sr", "she'd been", "it's gone", "he'd done", "lt.", "col", "gen", "sen", "rep", "pres", "esq", "ain't", "y'all", "let's", "gonna", "wanna", "gotta", "ma'am", "'s", "n't",
         "(laughs)", "[noise]", "<unk>", "...", "…", ",", ".", "?", "!", ";", ":", "-", "—", "'", "\"", "’",
         "café", "naïve", "straße", "øre", "æther", "þorn", "ﬁne", "Ｆｕｌｌ", "Ⅻ", "x²", "ℌ", "é", "e\u0301",
         "नमस्ते", "你好", "こんにちは", "مرحبا", "Привет", "Ωmega", "🙂", "#", "&", "@", "*", "/", "_", "%", "$",
         "€", "£", "¢", "\u200d", "\t", "  ")  # fmt: skip

HAND_WRITTEN = (
    "Mr. Smith paid twenty five dollars (cash) for the colour TV, didn't he?",
    "I'm sure she'd've been there; they're gone. It's been a while, hasn't it?",
    "He's got it. She's done. We'd gone. Who's there? That's what's left.",
    "john 's car", "Y'ALL GONNA WANNA SEE THIS", "I'ma go, ma'am.", "Let's not; I ain't.",
    "two point five million", "four point two billions", "two hundred million dollars", "$20.1 million",
    "two dollars and seventy cents", "three euros and sixty five cents", "forty eight and a half dollars",
    "and a half", "half and a half", "one and a half and a half", "a hundred and a half pounds",
    "one oh one", "nine double one", "one triple oh one", "double oh seven", "double double", "triple point",
    "thirty three thousand and three hundred and thirty third", "nineteen fifties", "the twenty twenties",
    "twenty ninth", "twenty nineth", "minus minus 5", "plus", "minus", "negative ten degrees", "positive",
    "ninety percent", "seventy six per cent", "per cent", "five per person", "point first", "point five",
    "0 point 5", "3 point 14 and 1 point 5", "1.2.3.4", "192.168.0.1", "$0.05", "£0.5", "€0.99 and ¢5",
    "$2 and ¢7", "$2 ¢7", "ten dollars and five cents", "1,000,000 people", "1,2,3", "12,345.67",
    "July third twenty twenty", "August twenty sixth twenty twenty one", "the 1 and only", "1s and 2s",
    "one", "ones", "1", "10 th", "5 st", "3 rd", "the 5th.", "b747 and rc232", "10km 10mm 10 mm", "0uh", "%five",
    "it costs $", "5 %", "a%", "%", "$", ".", "...", "", " ", "\n", "hello... world… end.", "U.S.A. and the u.k.",
    "covid-19", "state-of-the-art", "café naïve façade résumé", "Øresund STRASSE straße Æsir Łódź Þingvellir",
    "ﬁnal ﬂow", "Ｆｕｌｌ ｗｉｄｔｈ １２３", "x² + y² = z²", "Ⅻ o'clock", "ℌello ℍ", "e\u0301te\u0301",
    "नमस्ते, दुनिया!", "你好，世界！", "今日は いい天気", "مرحبا بالعالم", "Привет, мир!", "Γειά σου Κόσμε",
    "emoji 🙂 and ❤️", "zero\u200dwidth joiner", "tab\tand\nnewline", "[laughter] (noise) <unk> a",
    "(unclosed paren and [unclosed bracket", "ignore time segment in scoring", "hmm mm mhm mmm uh um okay",
    "colour colours coloured favourite neighbour organise organisation realised analyse centre theatre",
    "travelled cancelling cancellation cancelation catalogue grey programme aluminium manoeuvre paediatric",
    "ok kay etcetera archaeology archaeological travelogue pummelled snowploughs mm",
    "Dr. Jones and St. Mary's, Prof. Lee Jr. and Capt. Hook Esq.", "mrs. dr. lt. col. gen. sen. rep. pres.",
    "one hundred and three", "two thousand and ten", "half a million", "a hundred", "the 1,000 people",
    "five and six", "I was born on the 5th.", "zeroth", "sixes and sevens", "eleventh hour", "thousandths",
    "two thousandth", "thirty two thousandth", "millionth", "hundreds of thousands", "millions",
    "3 14", "3.14", "3 point 2", "fourteen point 4", "minus 500", "positive twenty thousand", "$0.36",
    "200 thousand dollars", "£77 thousands", "€52.4 million", "200 thousand", "four hundred ninety nine",
)  # fmt: skip


def _random_sentence(rng: random.Random) -> str:
    pools = (NUMBER_WORDS, NUMBER_WORDS, NUMERALS, WORDS)
    words = [rng.choice(rng.choice(pools)) for _ in range(rng.randint(1, 12))]
    joiners = (" ", " ", " ", " ", "", ", ", "-", ". ")
    text = words[0]
    for word in words[1:]:
        text += rng.choice(joiners) + word
    if rng.random() < 0.2:
        text = text.upper() if rng.random() < 0.5 else text.title()
    return text


@cache
def corpus(size: int = 20_000, seed: int = 20260323) -> tuple[str, ...]:
    """Hand-written cases, every spelling-table word in a sentence, then seeded random sentences."""
    from asr_registry.metrics._oal_english import spelling_table

    rng = random.Random(seed)
    spelled = tuple(f"The {word.capitalize()}, and {word}s." for word in sorted(spelling_table()))
    generated = tuple(_random_sentence(rng) for _ in range(size))
    return HAND_WRITTEN + spelled + generated
