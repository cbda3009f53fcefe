"""A card's metadata as a draft catalog entry: what the hub says, and guesses marked as such.

The card gives languages, licence, tags and the model-index (WER/CER per dataset and split);
family, decoders and size are guessed from the tags and the repository name, and every guess
is named in the entry's notes so a reviewer knows what to check. Drafts are written as a
self-contained catalog file that `asr-registry validate FILE` accepts.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from asr_registry.catalog.languages import LANGUAGE_CODES
from asr_registry.sync.toml_writer import toml_comment, toml_key, toml_value

# model-index dataset types (hub dataset ids) -> the catalog's dataset names
_DATASETS: dict[str, str] = {
    "librispeech_asr": "librispeech",
    "openslr/librispeech_asr": "librispeech",
    "edinburghcstr/ami": "ami",
    "ami": "ami",
    "revdotcom/earnings22": "earnings22",
    "earnings22": "earnings22",
    "speechcolab/gigaspeech": "gigaspeech",
    "gigaspeech": "gigaspeech",
    "kensho/spgispeech": "spgispeech",
    "spgispeech": "spgispeech",
    "tedlium": "tedlium",
    "LIUM/tedlium": "tedlium",
    "voxpopuli": "voxpopuli",
    "facebook/voxpopuli": "voxpopuli",
    "google/fleurs": "fleurs",
    "fleurs": "fleurs",
    "facebook/multilingual_librispeech": "mls",
    "multilingual_librispeech": "mls",
    "covost2": "covost",
    "facebook/covost2": "covost",
}
_COMMON_VOICE = re.compile(r"common[_-]voice[_-](\d+)[_-](\d+)", re.IGNORECASE)
_SIZE_WORDS = ("xxlarge", "xlarge", "large", "medium", "small")


@dataclass(frozen=True)
class DraftClaim:
    metric: str
    value: float
    dataset: str
    split: str
    language: str
    decoder: str
    note: str
    scoring: str = ""  # the leaderboard scoring version, for figures from its .eval_results file


@dataclass
class Draft:
    """One draft model entry with the source table its claims cite."""

    name: str
    repo_id: str
    source_key: str
    source_date: str
    fields: dict[str, Any] = field(default_factory=dict)
    claims: list[DraftClaim] = field(default_factory=list)
    guesses: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # card values left out, each with its reason


def _card_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def _dataset_name(kind: str, name: str, config: str) -> str:
    cv = _COMMON_VOICE.search(kind) or _COMMON_VOICE.search(name)
    if cv:
        return f"mcv-{int(cv.group(1))}.{int(cv.group(2))}"
    mapped = _DATASETS.get(kind) or _DATASETS.get(kind.rsplit("/", 1)[-1])
    if mapped:
        return mapped
    base = (kind or name).rsplit("/", 1)[-1].lower()
    return re.sub(r"[^a-z0-9.]+", "-", base).strip("-") or "unknown"


def _split(dataset: str, split: str, config: str, name: str) -> str:
    split = re.sub(r"[^a-z0-9]+", "-", (split or "").lower()).strip("-")
    if dataset == "librispeech":
        # The card puts clean/other in `config` (or only in the dataset's display name).
        variant = next((v for v in ("clean", "other") if v in f"{config} {name}".lower()), "")
        if variant and split in ("", "test", "dev", "validation"):
            return f"{'dev' if split in ('dev', 'validation') else 'test'}-{variant}"
    return split


def _decoder(metric_name: str) -> str:
    lowered = metric_name.lower()
    for word, decoder in (("rnnt", "rnnt"), ("transducer", "rnnt"), ("tdt", "tdt"), ("ctc", "ctc")):
        if re.search(rf"\b{word}\b", lowered):
            return decoder
    return ""


def impossible_rate(value: Any) -> str | None:
    """Why a card's WER/CER value is no error rate (a boolean, NaN, outside 0-100), else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"not a number ({value!r})"
    if not math.isfinite(value):
        return f"not a finite number ({value})"
    if not 0 <= value <= 100:
        return f"outside 0-100 ({value})"
    return None


def claims_from_card(card_data: Any, default_language: str, dropped: list[str] | None = None) -> list[DraftClaim]:
    """WER/CER results of the card's model-index; other metrics (BLEU, DER) are left out.

    Impossible values (`value: true`, NaN, 350) are left out too, each named in `dropped`.
    """
    claims = []
    for result in getattr(card_data, "eval_results", None) or []:
        metric = (result.metric_type or "").lower()
        if metric not in ("wer", "cer"):
            continue
        problem = impossible_rate(result.metric_value)
        if problem is not None:
            if dropped is not None:
                where = result.dataset_name or result.dataset_type or "?"
                dropped.append(f"{metric} on {where}: {problem}")
            continue
        value = float(result.metric_value)
        args = result.dataset_args if isinstance(result.dataset_args, dict) else {}
        language = str(args.get("language") or "").lower()
        config = str(result.dataset_config or "")
        if not language and config.split("_")[0].lower() in LANGUAGE_CODES:
            language = config.split("_")[0].lower()
        language = language if language in LANGUAGE_CODES else default_language
        dataset = _dataset_name(result.dataset_type or "", result.dataset_name or "", config)
        claims.append(
            DraftClaim(
                metric=metric,
                value=value,
                dataset=dataset,
                split=_split(dataset, result.dataset_split or "", config, result.dataset_name or ""),
                language=language,
                decoder=_decoder(result.metric_name or ""),
                note=f"card model-index: {result.dataset_name or result.dataset_type} / {result.metric_name or metric}",
            )
        )
    return claims


def _languages(card_data: Any, name: str) -> tuple[list[str], str]:
    codes = [c.lower() for c in _card_list(getattr(card_data, "language", None)) if c.lower() in LANGUAGE_CODES]
    if codes:
        return list(dict.fromkeys(codes)), ""
    parts = re.split(r"[_\-]", name.lower())
    from_name = [p for p in parts if p in LANGUAGE_CODES and len(p) == 2 and p not in ("pc", "ls", "nc")]
    if from_name:
        return from_name[:1], f"languages {from_name[:1]} from the repository name (the card lists none)"
    return ["en"], "languages unknown (neither the card nor the name says): 'en' is a placeholder"


def _family(tags: Sequence[str], name: str) -> tuple[str, list[str], str]:
    words = {t.lower() for t in tags} | set(re.split(r"[_\-.]", name.lower()))
    if "qwen" in words or "salm" in words:
        return "salm", ["llm"], "family salm from the name"
    if "canary" in words or "automatic-speech-translation" in words:
        return "aed", ["aed"], "family aed (Canary-style) from tags/name"
    transducer = "tdt" if "tdt" in words else "rnnt"
    if "hybrid" in words or "tdt_ctc" in name or ("ctc" in words and ({"transducer", "rnnt", "tdt"} & words)):
        return "hybrid", [transducer, "ctc"], f"family hybrid ({transducer} + ctc) from tags/name"
    if "ctc" in words and not ({"transducer", "rnnt", "tdt"} & words):
        return "ctc", ["ctc"], "family ctc from tags/name"
    if transducer == "tdt":
        return "tdt", ["tdt"], "family tdt from tags/name"
    return "rnnt", ["rnnt"], "family rnnt from tags/name (default guess)"


def _size(name: str) -> tuple[str, str]:
    lowered = name.lower()
    billions = re.search(r"(\d+(?:\.\d+)?)b\b", lowered)
    millions = re.search(r"(\d+)m\b", lowered)
    if billions:
        count = float(billions.group(1)) * 1e9
        return ("xxlarge" if count >= 8e8 else "xlarge"), f"size from '{billions.group(0)}' in the name"
    if millions:
        count = int(millions.group(1)) * 1e6
        tier = "small" if count < 25e6 else "medium" if count < 60e6 else "large" if count < 250e6 else "xlarge"
        return tier, f"size from '{millions.group(0)}' in the name"
    for word in _SIZE_WORDS:
        if f"_{word}" in lowered or f"-{word}" in lowered:
            return word, f"size '{word}' from the name"
    return "large", "size unknown: 'large' is a placeholder"


def draft_from_card(repo_id: str, card: Any, tags: Iterable[str], date: str) -> Draft:
    """The draft entry for one hub repository; `date` is the day the card was read."""
    data = card.data
    name = repo_id.split("/", 1)[-1]
    all_tags = list(dict.fromkeys([*tags, *_card_list(getattr(data, "tags", None))]))
    lowered_tags = {t.lower() for t in all_tags}
    languages, language_guess = _languages(data, name)
    family, decoders, family_guess = _family(all_tags, name)
    size, size_guess = _size(name)
    draft = Draft(name=name, repo_id=repo_id, source_key=f"hf-{name}", source_date=date)
    draft.guesses = [g for g in (language_guess, family_guess, size_guess) if g]
    licence = getattr(data, "license", None) or ""
    if licence == "other":
        licence = getattr(data, "license_name", None) or data.to_dict().get("license_name") or "other"
    fields: dict[str, Any] = {
        "status": "published",
        "source": {"hf": repo_id},
        "family": family,
        "decoders": decoders,
        "size": size,
        "languages": languages,
    }
    if licence:
        fields["license"] = str(licence)
    if "automatic-speech-translation" in lowered_tags:
        fields["tasks"] = ["asr", "ast"]
        fields["prompt"] = ["source_lang", "target_lang"]
    if lowered_tags & {"streaming", "streaming-asr", "cache-aware asr"}:
        fields["streaming"] = True
    if re.search(r"_pcd?(_|$)", name):
        fields["punctuation"] = True
        draft.guesses.append("punctuation from '_pc' in the name")
    draft.fields = fields
    draft.claims = claims_from_card(data, languages[0] if len(languages) == 1 else "", draft.dropped)
    return draft


def render_drafts(drafts: Sequence[Draft], header: str) -> str:
    """A complete catalog file holding the drafts and the sources their claims cite."""
    lines = toml_comment(header)
    lines += ["", "schema_version = 1", ""]
    for draft in drafts:
        title = f"Hugging Face model card {draft.repo_id} (metadata, read by catalog sync)"
        lines += [
            f"[sources.{toml_key(draft.source_key)}]",
            f"title = {toml_value(title)}",
            f"date = {toml_value(draft.source_date)}",
            f"url = {toml_value('https://huggingface.co/' + draft.repo_id)}",
            "",
        ]
    for draft in drafts:
        lines.append(f"[models.{toml_key(draft.name)}]")
        lines += [f"{toml_key(key)} = {toml_value(value)}" for key, value in draft.fields.items()]
        notes = "DRAFT from the card's metadata by `asr-registry catalog sync`; check before merging."
        if draft.guesses:
            notes += " Guessed: " + "; ".join(draft.guesses) + "."
        lines.append(f"notes = {toml_value(notes)}")
        if draft.claims:
            lines.append("claims = [")
            for claim in draft.claims:
                parts = {"metric": claim.metric, "value": claim.value, "dataset": claim.dataset}
                parts.update(
                    {
                        k: v
                        for k, v in (("split", claim.split), ("language", claim.language), ("decoder", claim.decoder))
                        if v
                    }
                )
                parts.update({"source": draft.source_key, "note": claim.note})
                if claim.scoring:
                    parts["scoring"] = claim.scoring
                lines.append(f"  {toml_value(parts)},")
            lines.append("]")
        lines.append("")
    return "\n".join(lines)
