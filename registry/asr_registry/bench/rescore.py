"""Score saved predictions without a model: any scoring version, per-utterance rows, claim verdicts.

A manifest of predictions (JSON lines with a reference and a prediction field, by default ``text``
and ``pred_text`` as NeMo's ``transcribe_speech.py`` and the Open ASR Leaderboard write them) is
scored like a bench run: corpus WER with its bootstrap interval, substitution, deletion and
insertion counts and sentence error rate, under a named scoring version (``metrics.scoring``).
Rows of a chunked set (``parent_id`` and ``chunk_index``, the leaderboard's Earnings22) are first
merged into one row per recording, as the leaderboard's ``merge_chunked_manifest`` does.

Nothing here imports torch or NeMo: rescoring needs the core package and numpy/rapidfuzz only.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from asr_registry.bench.claims import Hardware, Measurement, Verdict, check_claims
from asr_registry.catalog.schema import Catalog, ModelEntry, Tier
from asr_registry.datasets.oal_sets import merge_chunks
from asr_registry.errors import RegistryError
from asr_registry.metrics.scoring import (
    CURRENT,
    ScoringVersion,
    UnknownScoring,
    available,
    scoring_version,
)
from asr_registry.metrics.wer import WerResult

if TYPE_CHECKING:
    from asr_registry.bench.results import Scored

# the machine is irrelevant to an error rate computed from saved text
_NO_HARDWARE = Hardware(device="none", name="saved predictions")


class PredictionsError(RegistryError):
    """A predictions manifest that cannot be scored (file, line and field named)."""


@dataclass(frozen=True)
class SampleRow:
    """One utterance as scored: what ``--log-samples`` writes, one JSON line each."""

    id: str
    audio: str
    duration: float | None
    reference: str
    hypothesis: str
    reference_normalized: str
    hypothesis_normalized: str
    substitutions: int
    deletions: int
    insertions: int
    wer: float


@dataclass(frozen=True)
class Rescored:
    """A rescoring: the version used, the corpus result, per-utterance rows and claim verdicts."""

    predictions: str
    scoring: str
    scoring_source: str
    scorer: str
    normalizer: str
    language: str
    result: WerResult
    rows: tuple[SampleRow, ...]
    verdicts: tuple[Verdict, ...]

    def summary(self) -> dict[str, Any]:
        """The report's figures (what ``--json`` prints), the scoring version named."""
        r = self.result
        return {
            "predictions": self.predictions,
            "scoring": self.scoring,
            "scoring_source": self.scoring_source,
            "scorer": self.scorer,
            "normalizer": self.normalizer,
            "language": self.language,
            "utterances": r.n_utterances,
            "wer": round(100 * r.wer, 4),
            "wer_ci": [round(100 * r.ci_low, 4), round(100 * r.ci_high, 4)],
            "substitutions": r.counts.substitutions,
            "deletions": r.counts.deletions,
            "insertions": r.counts.insertions,
            "reference_words": r.counts.reference_words,
            "sentence_error_rate": round(100 * r.sentence_error_rate, 4),
            "verdicts": [
                {
                    "claim": v.claim.describe_conditions(),
                    "status": v.status,
                    "claimed": v.claimed,
                    "measured": v.measured,
                    "reason": v.reason,
                }
                for v in self.verdicts
            ],
        }


def read_predictions(path: Path, ref_key: str = "text", pred_key: str = "pred_text") -> list[dict[str, Any]]:
    """The manifest's rows, each checked for both fields (a JSON null prediction counts as empty)."""
    rows: list[dict[str, Any]] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise PredictionsError(f"{path}: cannot read ({exc.strerror or exc})") from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise PredictionsError(f"{path}:{number}: not JSON ({exc.msg})") from None
        if not isinstance(row, dict):
            raise PredictionsError(f"{path}:{number}: a line must be a JSON object")
        for key in (ref_key, pred_key):
            value = row.get(key, ...)
            if value is ... or not (value is None or isinstance(value, str)):
                raise PredictionsError(f"{path}:{number}: field '{key}' is missing or not a string")
        rows.append(row)
    if not rows:
        raise PredictionsError(f"{path}: no predictions to score")
    return merge_chunks(rows, ref_key, pred_key)


def resolve(name: str | None) -> ScoringVersion:
    """The named scoring version (the current leaderboard one when None), as a usage error if unknown."""
    try:
        return CURRENT if name is None else scoring_version(name)
    except UnknownScoring as exc:
        raise RegistryError(f"--normalizer: {exc}") from None


def rescore(
    path: Path,
    scoring: ScoringVersion = CURRENT,
    language: str = "en",
    ref_key: str = "text",
    pred_key: str = "pred_text",
    resamples: int = 1000,
    seed: int = 0,
) -> Rescored:
    """Score a predictions manifest with `scoring`; verdicts are added by ``with_verdicts``."""
    rows = read_predictions(path, ref_key, pred_key)
    references = [str(r[ref_key]) for r in rows]
    hypotheses = [str(r[pred_key] or "") for r in rows]
    result = scoring.score(references, hypotheses, language, resamples, seed)
    ids = [str(row.get("id", row.get("audio_filepath", i))) for i, row in enumerate(rows)]
    audio = [str(row.get("audio_filepath", row.get("audio", ""))) for row in rows]
    durations = [row.get("duration") for row in rows]
    samples = sample_rows(scoring, language, references, hypotheses, result, ids, audio, durations)
    return Rescored(
        str(path), scoring.name, scoring.source, scoring.scorer, result.normalizer, language, result, samples, ()
    )


def sample_rows(
    scoring: ScoringVersion,
    language: str,
    references: Sequence[str],
    hypotheses: Sequence[str],
    result: WerResult,
    ids: Sequence[str],
    audio: Sequence[str],
    durations: Sequence[float | None],
) -> tuple[SampleRow, ...]:
    """One row per scored utterance: both texts as given and normalised, its edit counts and WER."""
    normalise = scoring.normalizer(language)
    return tuple(
        SampleRow(
            id=ids[i],
            audio=audio[i],
            duration=durations[i],
            reference=ref,
            hypothesis=hyp,
            reference_normalized=normalise(ref),
            hypothesis_normalized=normalise(hyp),
            substitutions=result.utterance_substitutions[i],
            deletions=result.utterance_deletions[i],
            insertions=result.utterance_insertions[i],
            wer=result.per_utterance[i],
        )
        for i, (ref, hyp) in enumerate(zip(references, hypotheses, strict=True))
    )


def run_samples(scored: Sequence[Scored]) -> list[dict[str, Any]]:
    """`--log-samples` rows of model runs: per utterance, which run it belongs to and how it scored."""
    found: list[dict[str, Any]] = []
    for item in scored:
        run, m = item.run, item.run.measurement
        version = scoring_version(m.scoring or run.normalizer)
        rows = sample_rows(
            version,
            m.language,
            item.references,
            item.hypotheses,
            item.wer,
            item.ids,
            item.ids,
            [None] * len(item.ids),
        )
        head = {"model": run.name, "dataset": m.dataset, "split": m.split, "language": m.language}
        head |= {"decoder": m.decoder, "scoring": m.scoring or run.normalizer}
        found += [head | asdict(row) for row in rows]
    return found


def with_verdicts(rescored: Rescored, entry: ModelEntry, dataset: str, tier: Tier | None = None) -> Rescored:
    """Check `entry`'s claims on `dataset` ("name" or "name:split") against the rescoring.

    A claim made with another leaderboard scoring version than the one used here (its ``scoring``
    field, else its source, names it, e.g. ``oal-2026-03``) is not compared: the verdict says which
    version to use (``claims.claim_scoring``).
    """
    name, _, split = dataset.partition(":")
    r = rescored.result
    measurement = Measurement(
        model=entry.name,
        dataset=name,
        split=split,
        language=rescored.language,
        decoder=entry.default_decoder,
        batch_size=0,
        precision="",
        hardware=_NO_HARDWARE,
        wer=100 * r.wer,
        wer_ci=(100 * r.ci_low, 100 * r.ci_high),
        cer=None if r.cer is None else 100 * r.cer,
        scoring=rescored.scoring,
    )
    verdicts = [
        v
        for v in check_claims(entry, [measurement], _NO_HARDWARE, tier)
        if v.used is not None or v.claim.dataset == name
    ]
    return replace(rescored, verdicts=tuple(verdicts))


def samples_bytes(rows: Sequence[SampleRow | Mapping[str, Any]]) -> bytes:
    """The --log-samples file: one JSON line per utterance (rescoring's rows and model runs' alike)."""
    lines = (json.dumps(row if isinstance(row, Mapping) else asdict(row), ensure_ascii=False) + "\n" for row in rows)
    return "".join(lines).encode("utf-8")


def write_samples(rows: Sequence[SampleRow], path: Path) -> None:
    """Written whole or not at all, as every output is; one that cannot be written where asked is
    saved elsewhere (``write_or_rescue``) and the error says where."""
    from asr_registry.engine.files import write_or_rescue

    problem = write_or_rescue(path, samples_bytes(rows))
    if problem:
        raise RegistryError(f"--log-samples: {problem}")


def versions_table() -> tuple[list[str], list[list[str]]]:
    """Headers and rows for ``--list-normalizers``: every scoring version, its scorer and source."""
    rows = [[v.name, v.english, v.other, v.scorer, v.source] for v in available()]
    return ["name", "english", "other languages", "scorer", "source"], rows


def suites_table() -> tuple[list[str], list[list[str]]]:
    """Headers and rows for ``--list-suites``: each leaderboard suite's sets with their hub ids and conditions."""
    from asr_registry.datasets.oal_suites import table

    # the revision last: the one column that can be long
    headers = ["suite", "set", "hub id", "config", "split", "batch", "scoring", "revision"]
    rows = [
        [name, key, hub, config, split, batch, scoring, revision]
        for name, hub, config, split, revision, key, batch, scoring in table()
    ]
    return headers, rows


def report_lines(rescored: Rescored) -> list[str]:
    """A human-readable report naming the scoring version."""
    s = rescored.summary()
    lines = [
        f"{s['predictions']}: {s['utterances']} utterances, scoring {s['scoring']} ({s['normalizer']}, {s['scorer']})",
        f"WER {s['wer']:.2f}% [{s['wer_ci'][0]:.2f}, {s['wer_ci'][1]:.2f}]  S {s['substitutions']}  "
        f"D {s['deletions']}  I {s['insertions']}  N {s['reference_words']}  SER {s['sentence_error_rate']:.2f}%",
    ]
    lines += [
        f"{v['status']:<12} {v['claim']}: claimed {v['claimed']}, measured {v['measured']} ({v['reason']})"
        for v in s["verdicts"]
    ]
    return lines


def run_command(
    catalog: Catalog,
    models: Sequence[str],
    dataset: str | None,
    language: str,
    resamples: int,
    predictions: Path | None,
    normalizer: str | None,
    log_samples: Path | None,
    ref_key: str = "text",
    pred_key: str = "pred_text",
    list_normalizers: bool = False,
    list_suites: bool = False,
) -> tuple[list[str], Any, bool]:
    """What ``bench --predictions`` / ``--list-normalizers`` / ``--list-suites`` does: (text lines, JSON
    value, a claim failed)."""
    if predictions is None:
        headers, table = suites_table() if list_suites else versions_table()
        widths = [max(len(r[i]) for r in [headers, *table]) for i in range(len(headers) - 1)]
        lines = [
            "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)) + "  " + r[-1] for r in [headers, *table]
        ]
        return lines, [dict(zip(headers, r, strict=True)) for r in table], False
    done = rescore(predictions, resolve(normalizer), language, ref_key, pred_key, resamples)
    for name in models:
        entry = catalog.get(name)
        if entry is None:
            raise RegistryError(f"unknown model '{name}'")
        done = with_verdicts(done, entry, dataset or predictions.stem, catalog.tiers.get(entry.size))
    if log_samples is not None:
        write_samples(done.rows, log_samples)
    return report_lines(done), done.summary(), any(v.status == "FAIL" for v in done.verdicts)
