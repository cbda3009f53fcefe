"""Language codes the catalog accepts: ISO 639-1, and ISO 639-3 for the few languages that have no 639-1 code."""

from __future__ import annotations

# Names for the codes NeMo models cover, for error messages and tables; the rest print as codes.
LANGUAGE_NAMES: dict[str, str] = {
    "ar": "Arabic",
    "be": "Belarusian",
    "bg": "Bulgarian",
    "ca": "Catalan",
    "cs": "Czech",
    "da": "Danish",
    "de": "German",
    "el": "Greek",
    "en": "English",
    "eo": "Esperanto",
    "es": "Spanish",
    "et": "Estonian",
    "eu": "Basque",
    "fa": "Persian",
    "fi": "Finnish",
    "fr": "French",
    "ga": "Irish",
    "hi": "Hindi",
    "hr": "Croatian",
    "hu": "Hungarian",
    "hy": "Armenian",
    "id": "Indonesian",
    "kab": "Kabyle",
    "it": "Italian",
    "ja": "Japanese",
    "ka": "Georgian",
    "kk": "Kazakh",
    "ko": "Korean",
    "lt": "Lithuanian",
    "lv": "Latvian",
    "mr": "Marathi",
    "mt": "Maltese",
    "nl": "Dutch",
    "no": "Norwegian",
    "pl": "Polish",
    "pt": "Portuguese",
    "ro": "Romanian",
    "ru": "Russian",
    "rw": "Kinyarwanda",
    "sk": "Slovak",
    "sl": "Slovenian",
    "sv": "Swedish",
    "th": "Thai",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "uz": "Uzbek",
    "vi": "Vietnamese",
    "zh": "Chinese",
}

ISO_639_1: frozenset[str] = frozenset(
    """
    aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy
    da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht
    hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky
    la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny
    oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss
    st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo
    za zh zu
    """.split()  # noqa: SIM905 - a block of codes reads better than 183 quoted strings
)

# BCP-47 uses the ISO 639-3 code where a language has no two-letter one (NeMo's Kabyle model: 'kab').
ISO_639_3_ONLY: frozenset[str] = frozenset({"kab"})
LANGUAGE_CODES: frozenset[str] = ISO_639_1 | ISO_639_3_ONLY

_NAME_TO_CODE = {name.lower(): code for code, name in LANGUAGE_NAMES.items()}


def normalize_language(value: str) -> str | None:
    """Accept a code ('es', 'ES') or an English name ('Spanish'); None when unknown."""
    lowered = value.strip().lower()
    if lowered in LANGUAGE_CODES:
        return lowered
    return _NAME_TO_CODE.get(lowered)


def describe(code: str) -> str:
    name = LANGUAGE_NAMES.get(code)
    return f"{code} ({name})" if name else code
