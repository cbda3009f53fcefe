"""British to American spellings for the English normaliser.

The table is built from word stems and the regular endings each spelling family takes, so one stem
("organ" + ise) yields organise, organised, organises, organising, organisation, organisations...
Only stems are listed whose every generated form is unambiguous: words that end in -ise in
American English too (advertise, exercise, surprise, compromise) and -our words that are not
variants (hour, four, tour, contour) never appear. Plural "analyses" is left alone because it is
also the plural of "analysis".
"""

from __future__ import annotations

from collections.abc import Iterable

Endings = tuple[tuple[str, str], ...]


def _words(block: str) -> list[str]:
    return block.split()


def _swap(endings: Iterable[str], british: str, american: str) -> Endings:
    """Endings that differ only in one letter group: ("ised",) -> (("ised", "ized"),)."""
    return tuple((end, end.replace(british, american, 1)) for end in endings)


# -ise -> -ize
_ISE_STEMS = _words("""
    organ real recogn apolog critic emphas summar special memor minim maxim optim util civil
    capital categor character modern normal author final legal local global
    standard symbol subsid sympath synchron visual vocal harmon hospital immun industrial
    initial jeopard legitim liberal mobil monopol neutral patron penal personal polar popular
    priorit public radical random revolution scrutin steril stabil terror theor tyrann agon
    colon commercial computer custom decentral democrat dramat econom energ equal fertil
    formal fossil general hypothes ideal individual internal ion magnet marginal mechan
    mesmer metabol miniatur moral natural national oxid plagiar pressur
    rational regular sanit scandal sensit social solemn stigmat tantal trivial
    urban vandal vapor verbal victim western
""")
_ISE_ENDINGS = _swap(("ise", "ised", "ises", "ising", "isation", "iser"), "is", "iz")

# -yse -> -yze ("analyses" omitted on purpose, see the module docstring)
_YSE_STEMS = _words("anal paral catal breathal dial electrol hydrol")
_YSE_ENDINGS = _swap(("yse", "ysed", "ysing", "yser", "ysers"), "ys", "yz")

# -our -> -or
_OUR_STEMS = _words("""
    col hon fav lab neighb behavi hum flav harb rum vap vig od arm sav splend tum endeav parl
    cand clam ferv ranc val demean ard savi
""")
_OUR_ENDINGS = _swap(("our", "ours", "oured", "ouring"), "our", "or")
# derived -our words, listed one by one because each stem takes different endings
_OUR_DERIVED = _words("""
    colourful colourless colourist colourists favourite favourites favouritism favourable
    favourably unfavourable honourable honourably dishonourable labourer labourers behavioural
    behaviourally neighbourhood neighbourhoods neighbourly humourless flavourful flavourless
    odourless armoury savoury unsavoury rumoured armoured harbourside
""")

# -re -> -er
_RE_STEMS = _words("cent theat met lit fib calib somb spect lust meag sab kilomet centimet millimet")
_RE_ENDINGS = (("re", "er"), ("res", "ers"), ("red", "ered"), ("ring", "ering"))

# -ence -> -ense
_ENCE_STEMS = _words("defen offen licen preten")
_ENCE_ENDINGS = (("ce", "se"), ("ces", "ses"))

# doubled consonant before a suffix in British English
_LL_STEMS = _words("""
    travel cancel label model fuel level signal counsel quarrel total channel tunnel dial equal
    rival shovel funnel panel grovel marshal pedal snorkel jewel duel enamel libel marvel
    pencil unravel yodel
""")

_IRREGULAR = {
    "aeroplane": "airplane",
    "aeroplanes": "airplanes",
    "aluminium": "aluminum",
    "grey": "gray",
    "greys": "grays",
    "greyer": "grayer",
    "greyest": "grayest",
    "greyish": "grayish",
    "programme": "program",
    "programmes": "programs",
    "tyre": "tire",
    "tyres": "tires",
    "kerb": "curb",
    "kerbs": "curbs",
    "plough": "plow",
    "ploughs": "plows",
    "ploughed": "plowed",
    "ploughing": "plowing",
    "draught": "draft",
    "draughts": "drafts",
    "draughty": "drafty",
    "cheque": "check",
    "cheques": "checks",
    "chequebook": "checkbook",
    "mould": "mold",
    "moulds": "molds",
    "mouldy": "moldy",
    "moult": "molt",
    "moulting": "molting",
    "smoulder": "smolder",
    "smouldering": "smoldering",
    "pyjamas": "pajamas",
    "sceptic": "skeptic",
    "sceptics": "skeptics",
    "sceptical": "skeptical",
    "scepticism": "skepticism",
    "storey": "story",
    "storeys": "stories",
    "gaol": "jail",
    "gaols": "jails",
    "manoeuvre": "maneuver",
    "manoeuvres": "maneuvers",
    "manoeuvred": "maneuvered",
    "manoeuvring": "maneuvering",
    "oestrogen": "estrogen",
    "paediatric": "pediatric",
    "paediatrician": "pediatrician",
    "encyclopaedia": "encyclopedia",
    "encyclopaedias": "encyclopedias",
    "anaemia": "anemia",
    "anaemic": "anemic",
    "anaesthetic": "anesthetic",
    "anaesthetics": "anesthetics",
    "haemorrhage": "hemorrhage",
    "haemoglobin": "hemoglobin",
    "leukaemia": "leukemia",
    "foetus": "fetus",
    "foetal": "fetal",
    "oesophagus": "esophagus",
    "mediaeval": "medieval",
    "orthopaedic": "orthopedic",
    "ageing": "aging",
    "judgement": "judgment",
    "judgements": "judgments",
    "acknowledgement": "acknowledgment",
    "acknowledgements": "acknowledgments",
    "practise": "practice",
    "practised": "practiced",
    "practises": "practices",
    "practising": "practicing",
    "artefact": "artifact",
    "artefacts": "artifacts",
    "cosy": "cozy",
    "cosier": "cozier",
    "moustache": "mustache",
    "moustaches": "mustaches",
    "sulphur": "sulfur",
    "sulphate": "sulfate",
    "yoghurt": "yogurt",
    "yoghurts": "yogurts",
    "jewellery": "jewelry",
    "jeweller": "jeweler",
    "jewellers": "jewelers",
    "woollen": "woolen",
    "marvellous": "marvelous",
    "counsellor": "counselor",
    "counsellors": "counselors",
    "enrolment": "enrollment",
    "enrolments": "enrollments",
    "fulfil": "fulfill",
    "fulfils": "fulfills",
    "fulfilment": "fulfillment",
    "skilful": "skillful",
    "skilfully": "skillfully",
    "wilful": "willful",
    "wilfully": "willfully",
    "instalment": "installment",
    "instalments": "installments",
    "distil": "distill",
    "distils": "distills",
    "enthral": "enthrall",
    "enthrals": "enthralls",
    "catalogue": "catalog",
    "catalogues": "catalogs",
    "catalogued": "cataloged",
    "cataloguing": "cataloging",
    "analogue": "analog",
    "analogues": "analogs",
    "cancelation": "cancellation",
    "glamour": "glamor",
    "saviour": "savior",
    "behaviour": "behavior",
    "axe": "ax",
    "whilst": "while",
    "amongst": "among",
    "towards": "toward",
    "learnt": "learned",
    "spelt": "spelled",
    "dreamt": "dreamed",
    "burnt": "burned",
    "spilt": "spilled",
    "smelt": "smelled",
}


def _expand(stems: Iterable[str], endings: Endings) -> dict[str, str]:
    return {stem + uk: stem + us for stem in stems for uk, us in endings}


def _doubled(stems: Iterable[str]) -> dict[str, str]:
    table: dict[str, str] = {}
    for stem in stems:
        for end in ("ed", "ing", "er", "ers"):
            table[f"{stem}l{end}"] = f"{stem}{end}"  # travelled -> traveled
    return table


def _build() -> dict[str, str]:
    table = _expand(_ISE_STEMS, _ISE_ENDINGS)
    table |= _expand(_YSE_STEMS, _YSE_ENDINGS)
    table |= _expand(_OUR_STEMS, _OUR_ENDINGS)
    table |= {word: word.replace("our", "or", 1) for word in _OUR_DERIVED}
    table |= _expand(_RE_STEMS, _RE_ENDINGS)
    table |= _expand(_ENCE_STEMS, _ENCE_ENDINGS)
    table |= _doubled(_LL_STEMS)
    table |= _IRREGULAR
    # a generated "British" form that is already the American one would map a word onto itself
    return {uk: us for uk, us in table.items() if uk != us}


BRITISH_TO_AMERICAN: dict[str, str] = _build()
