"""The English normaliser against the behaviour Whisper's EnglishTextNormalizer documents in its tests."""

from __future__ import annotations

import pytest

from asr_registry.metrics._english_numbers import standardize_numbers
from asr_registry.metrics._spelling import BRITISH_TO_AMERICAN
from asr_registry.metrics.normalize import get_normalizer

english = get_normalizer("en")

# Whisper's own examples for its number standardiser (tests/test_normalizer.py in openai/whisper).
WHISPER_NUMBERS = [
    ("two", "2"),
    ("thirty one", "31"),
    ("five twenty four", "524"),
    ("nineteen ninety nine", "1999"),
    ("twenty nineteen", "2019"),
    ("two point five million", "2500000"),
    ("four point two billions", "4200000000s"),
    ("200 thousand", "200000"),
    ("200 thousand dollars", "$200000"),
    ("$20 million", "$20000000"),
    ("€52.4 million", "€52400000"),
    ("£77 thousands", "£77000s"),
    ("two double o eight", "2008"),
    ("three thousand twenty nine", "3029"),
    ("forty three thousand two hundred sixty", "43260"),
    ("forty three thousand two hundred and sixty", "43260"),
    ("nineteen fifties", "1950s"),
    ("thirty first", "31st"),
    ("thirty three thousand and three hundred and thirty third", "33333rd"),
    ("three billion", "3000000000"),
    ("millions", "1000000s"),
    ("july third twenty twenty", "july 3rd 2020"),
    ("august twenty sixth twenty twenty one", "august 26th 2021"),
    ("3 14", "3 14"),
    ("3.14", "3.14"),
    ("3 point 2", "3.2"),
    ("3 point 14", "3.14"),
    ("fourteen point 4", "14.4"),
    ("two point two five dollars", "$2.25"),
    ("two hundred million dollars", "$200000000"),
    ("$20.1 million", "$20100000"),
    ("ninety percent", "90%"),
    ("seventy six per cent", "76%"),
    ("double oh seven", "007"),
    ("double zero seven", "007"),
    ("nine one one", "911"),
    ("nine double one", "911"),
    ("one triple oh one", "10001"),
    ("two thousandth", "2000th"),
    ("thirty two thousandth", "32000th"),
    ("minus 500", "-500"),
    ("positive twenty thousand", "+20000"),
    ("two dollars and seventy cents", "$2.70"),
    ("3 cents", "¢3"),
    ("$0.36", "¢36"),
    ("three euros and sixty five cents", "€3.65"),
    ("three and a half million", "3500000"),
    ("forty eight and a half dollars", "$48.5"),
    ("b747", "b 747"),
    ("10 th", "10th"),
    ("10th", "10th"),
]


@pytest.mark.parametrize(("spoken", "written"), WHISPER_NUMBERS)
def test_whisper_number_examples(spoken: str, written: str) -> None:
    assert english(spoken) == written
    assert " ".join(standardize_numbers(spoken.split())) == written


@pytest.mark.parametrize(
    ("spoken", "written"),
    [
        ("twenty five", "25"),
        ("one hundred and three", "103"),
        ("three point five", "3.5"),
        ("five percent", "5%"),
        ("twenty first", "21st"),
        ("two thousand and ten", "2010"),
        ("five dollars", "$5"),
        ("three one four", "314"),  # consecutive single digits are read as a digit string
        ("one oh one", "101"),
        ("half a million", "500000"),
        ("a hundred", "a 100"),
        ("the 1,000 people", "the 1000 people"),
        ("one", "one"),  # "one" stays a word: it is as often a pronoun as a number
        ("the 1 and only", "the one and only"),
        ("ones", "ones"),
        ("five and six", "5 and 6"),
        ("I was born on the 5th.", "i was born on the 5th"),
    ],
)
def test_spoken_numbers(spoken: str, written: str) -> None:
    assert english(spoken) == written


@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        ("twenty ninth", "29th"),  # Whisper leaves "20 ninth": it only knows the misspelling "nineth"
        ("point first", "point 1st"),  # Whisper silently drops "point" here
        ("minus", "minus"),
        ("minus minus 5", "minus -5"),
        ("one point five", "1.5"),  # Whisper writes "one.5"
        ("it costs $", "it costs"),
        ("0 point 5", "0.5"),  # Whisper: ".5"
        ("double oh seven", "007"),
        ("007", "007"),  # Whisper: "7", so its own output for "double oh seven" is not stable
        ("-5 degrees", "-5 degrees"),  # Whisper: "5 degrees", but "minus five degrees" -> "-5 degrees"
        ("minus five degrees", "-5 degrees"),
        ("covid-19", "covid 19"),
        ("%five", "5"),  # Whisper: "five", which it would turn into "5" the next time
        ("0uh", "0"),
        ("10 mm", "10 mm"),  # Whisper: "10", though it keeps "10mm" as "10 mm"
        ("so mm yes", "so yes"),
    ],
)
def test_deliberate_differences_from_whisper(text: str, normalised: str) -> None:
    assert english(text) == normalised


@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        ("Let's", "let us"),
        ("he's like", "he is like"),
        ("she's been like", "she has been like"),
        ("10km", "10 km"),
        ("10mm", "10 mm"),
        ("RC232", "rc 232"),
        ("Mr. Park visited Assoc. Prof. Kim Jr.", "mister park visited associate professor kim junior"),
    ],
)
def test_whisper_text_examples(text: str, normalised: str) -> None:
    assert english(text) == normalised


@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        ("I won't go", "i will not go"),
        ("we can't", "we can not"),
        ("you've", "you have"),
        ("they're here", "they are here"),
        ("it'll rain", "it will rain"),
        ("I'm sure", "i am sure"),
        ("she'd say", "she would say"),
        ("he'd been", "he had been"),
        ("it's gone", "it has gone"),
        ("didn't", "did not"),
        ("shouldn't've", "should not have"),
        ("y'all gonna wanna", "you all going to want to"),
        ("Don’t stop", "do not stop"),  # curly apostrophe
        ("ma'am", "madam"),
        ("John 's car", "john is car"),  # Whisper reads every 's as "is"
    ],
)
def test_contractions(text: str, normalised: str) -> None:
    assert english(text) == normalised


@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        ("so uh I think um yes", "so i think yes"),
        ("hmm okay mhm", "okay"),
        ("hello [noise] world", "hello world"),
        ("hello <unk> world", "hello world"),
        ("hello (laughs) world", "hello world"),
        ("wait... what…", "wait what"),
        ("Hello, World! How are you?", "hello world how are you"),
        ("  lots   of\tspace\n", "lots of space"),
        ("café naïve façade", "cafe naive facade"),
        ("Øresund straße", "oresund strasse"),
        ("the U.S.A. and the u.k.", "the usa and the uk"),
        ("state-of-the-art", "state of the art"),
        ("", ""),
        ("...", ""),
    ],
)
def test_fillers_brackets_punctuation(text: str, normalised: str) -> None:
    assert english(text) == normalised


@pytest.mark.parametrize(
    ("british", "american"),
    [
        ("colour", "color"),
        ("colours", "colors"),
        ("colourful", "colorful"),
        ("favourite", "favorite"),
        ("neighbourhood", "neighborhood"),
        ("organise", "organize"),
        ("organisation", "organization"),
        ("realised", "realized"),
        ("mobilisation", "mobilization"),
        ("analyse", "analyze"),
        ("centre", "center"),
        ("centred", "centered"),
        ("theatres", "theaters"),
        ("metres", "meters"),
        ("defence", "defense"),
        ("licence", "license"),
        ("travelled", "traveled"),
        ("cancelling", "canceling"),
        ("cancelation", "cancellation"),
        ("catalogue", "catalog"),
        ("grey", "gray"),
        ("programme", "program"),
        ("aluminium", "aluminum"),
        ("manoeuvre", "maneuver"),
        ("paediatric", "pediatric"),
        ("judgement", "judgment"),
        ("jewellery", "jewelry"),
    ],
)
def test_british_spellings_become_american(british: str, american: str) -> None:
    assert BRITISH_TO_AMERICAN[british] == american
    assert english(f"The {british.capitalize()}.") == f"the {american}"


@pytest.mark.parametrize(
    "word", ["advertise", "exercise", "surprise", "hour", "flour", "tour", "analyses", "compromise"]
)
def test_words_that_only_look_british_are_left_alone(word: str) -> None:
    assert word not in BRITISH_TO_AMERICAN
    assert english(word) == word


def test_spelling_table_is_a_sizeable_one_way_map() -> None:
    assert len(BRITISH_TO_AMERICAN) >= 300
    # no American form is itself rewritten, so applying the table twice changes nothing
    assert not set(BRITISH_TO_AMERICAN.values()) & set(BRITISH_TO_AMERICAN)


def test_reference_and_hypothesis_written_differently_normalise_the_same() -> None:
    ref = "Mr. Smith paid twenty five dollars (cash) for the colour TV, didn't he?"
    hyp = "mister smith paid $25 for the color tv did not he"
    assert english(ref) == english(hyp) == "mister smith paid $25 for the color tv did not he"
