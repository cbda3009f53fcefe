"""Run the Open ASR Leaderboard's own normaliser and scorer, at a given commit, on a corpus.

The code comes from a local clone of github.com/huggingface/open_asr_leaderboard (``OAL_REPO``, a
git directory; by default the mirror the search tool's ``fetch`` brings), exported with
``git archive`` into a temporary folder and run in a subprocess, so two versions never share one
interpreter. What it runs, per version:

- ``oal-2026-03`` (b45a5d9): ``normalizer.data_utils.normalizer`` (``EnglishTextNormalizer()``) on
  every string; the scorer there is ``evaluate.load("wer")``, which needs the Hub to load and is
  jiwer's counts summed over pairs, so jiwer's ``process_words`` is run pair by pair (jiwer refuses
  an empty reference, as evaluate does: those pairs are left out).
- ``oal-2026-06`` (d1e99b2): the same normaliser object at that commit, and ``score_results`` itself
  on a results manifest, once for the whole corpus and once per pair for the sample, giving the
  leaderboard's WER (in percent, two decimals) and its insertion, deletion and substitution counts.

``python -m tests.metrics.oal_reference`` compares ours with it on the whole corpus, prints the
counts and rewrites the committed sample (``fixtures/oal_equality_sample.json``).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

MIRROR = Path("/work/.mirror/huggingface+open_asr_leaderboard/repo")
COMMITS = {"oal-2026-03": "b45a5d9", "oal-2026-06": "d1e99b2"}
SAMPLE = Path(__file__).parent / "fixtures" / "oal_equality_sample.json"

_RUNNER = r"""
import json, os, sys
code, job = sys.argv[1], sys.argv[2]
sys.path.insert(0, code)
try:
    import evaluate  # noqa: F401
except ImportError:
    # eval_utils at b45a5d9 imports `evaluate` for `evaluate.load("wer")` (a hub download) inside
    # score_results, which is never called here: its WER is jiwer's, computed below as evaluate's is.
    import types
    sys.modules["evaluate"] = types.ModuleType("evaluate")
from normalizer import data_utils
data = json.load(open(job))
lang = data.get("language", "en")
normalise = data_utils.normalizer if lang == "en" else (lambda t: data_utils.ml_normalizer(t, lang=lang))
out = {"normalised": [normalise(t) for t in data["texts"]]}
refs = [normalise(r) for r, _ in data["pairs"]]
hyps = [normalise(h) for _, h in data["pairs"]]
out["pairs"] = [[r, h] for r, h in zip(refs, hyps)]
if data["scorer"] == "evaluate-wer":
    import jiwer
    if lang != "en":  # nemo_asr/run_eval_ml.py at b45a5d9: compound pairs, then evaluate's wer
        from normalizer.eval_utils import normalize_compound_pairs
        refs, hyps = normalize_compound_pairs(refs, hyps)
    counts = []
    for r, h in zip(refs, hyps):
        if not r.strip():
            counts.append(None)
            continue
        m = jiwer.process_words(r, h)
        counts.append([m.substitutions, m.deletions, m.insertions, m.hits])
    out["counts"] = counts
else:
    from normalizer import eval_utils
    folder = os.path.join(os.path.dirname(job), "results")
    def write(name, rows):
        with open(os.path.join(folder, f"MODEL_oal-check_DATASET_{name}.jsonl"), "w") as f:
            for r, h in rows:
                f.write(json.dumps({"text": r, "pred_text": h, "time": 1.0, "duration": 1.0}) + "\n")
    os.makedirs(folder)
    write("corpus", data["pairs"])
    for i in data["per_pair"]:
        write(f"pair{i:06d}", [data["pairs"][i]])
    import contextlib, io
    with contextlib.redirect_stdout(io.StringIO()):
        _, results = eval_utils.score_results(folder, multilingual=lang != "en", language=lang)
    out["results"] = {k.split("|")[1].strip(): v for k, v in results.items()}
json.dump(out, open(job + ".out", "w"))
"""


@dataclass(frozen=True)
class Reference:
    """The leaderboard's outputs for one version: normalised texts, normalised pairs and their scores."""

    version: str
    normalised: list[str]
    pairs: list[tuple[str, str]]
    counts: list[list[int] | None] | None  # 2026-03: jiwer (S, D, I, H) per pair
    results: dict[str, dict[str, float]] | None  # 2026-06: score_results per file ("corpus", "pair000012")


def repository() -> Path | None:
    """The leaderboard's git directory, or None where it is not at hand."""
    path = Path(os.environ.get("OAL_REPO", MIRROR))
    return path if (path / "HEAD").exists() else None


def named_repository() -> Path | None:
    """The leaderboard's git directory when ``OAL_REPO`` names one: the whole-corpus tests run
    only on request (about two minutes of the leaderboard's code on two cores)."""
    return repository() if os.environ.get("OAL_REPO") else None


WHOLE_CORPUS_REASON = "the whole-corpus check runs when OAL_REPO names a clone of the leaderboard"


def run(
    version: str, texts: list[str], pairs: list[tuple[str, str]], per_pair: list[int], language: str = "en"
) -> Reference:
    """Export the leaderboard at `version`'s commit and run its normaliser and scorer in a subprocess."""
    repo = repository()
    if repo is None:
        raise FileNotFoundError(f"no leaderboard clone at {os.environ.get('OAL_REPO', MIRROR)} (set OAL_REPO)")
    with tempfile.TemporaryDirectory() as tmp:
        code = Path(tmp) / "code"
        code.mkdir()
        archive = subprocess.run(
            ["git", f"--git-dir={repo}", "archive", COMMITS[version], "normalizer"], check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(code)], input=archive, check=True)
        job = Path(tmp) / "job.json"
        scorer = "evaluate-wer" if version == "oal-2026-03" else "score_results"
        job.write_text(
            json.dumps({"texts": texts, "pairs": pairs, "per_pair": per_pair, "scorer": scorer, "language": language})
        )
        subprocess.run([sys.executable, "-c", _RUNNER, str(code), str(job)], check=True)
        out = json.loads(Path(f"{job}.out").read_text())
    return Reference(
        version,
        out["normalised"],
        [(r, h) for r, h in out["pairs"]],
        out.get("counts"),
        out.get("results"),
    )


@dataclass(frozen=True)
class Comparison:
    """Ours against the leaderboard's code for one version."""

    version: str
    strings: int
    text_differences: list[tuple[str, str, str]]
    pairs: int
    count_differences: list[tuple[int, tuple[int, int, int], tuple[int, int, int]]]
    ours_wer: float
    their_wer: float


def compare(
    version: str, texts: list[str], pairs: list[tuple[str, str]], language: str = "en"
) -> tuple[Comparison, Reference]:
    """Normalise and score with ours and with the leaderboard's code; list every difference."""
    from asr_registry.metrics.scoring import scoring_version

    scoring = scoring_version(version)
    reference = run(version, texts, pairs, per_pair=[], language=language)
    normalise = scoring.normalizer(language)
    text_diffs = [(t, a, b) for t, b in zip(texts, reference.normalised, strict=True) if (a := normalise(t)) != b]
    kept = list(range(len(pairs)))
    if reference.counts is not None:  # jiwer cannot score an empty reference: neither could the leaderboard
        kept = [i for i in kept if reference.counts[i] is not None]
    ours = scoring.score(
        [pairs[i][0] for i in kept], [pairs[i][1] for i in kept], language, resamples=1, with_cer=False
    )
    mine = list(zip(ours.utterance_substitutions, ours.utterance_deletions, ours.utterance_insertions, strict=True))
    count_diffs = []
    if reference.counts is not None:
        theirs = [tuple(reference.counts[i][:3]) for i in kept]  # type: ignore[index]
        count_diffs = [(i, m, t) for i, m, t in zip(kept, mine, theirs, strict=True) if m != t]
        errors = sum(sum(t) for t in theirs)
        words = sum(sum(reference.counts[i][:2]) + reference.counts[i][3] for i in kept)  # type: ignore[index]
        their_wer = round(100 * errors / words, 2)
    else:
        total = reference.results["corpus"]  # type: ignore[index]
        their_wer = float(total["wer"])
        summed = (ours.counts.substitutions, ours.counts.deletions, ours.counts.insertions)
        if summed != (total["sub"], total["del"], total["ins"]):
            count_diffs = [(-1, summed, (int(total["sub"]), int(total["del"]), int(total["ins"])))]
    comparison = Comparison(
        version, len(texts), text_diffs, len(kept), count_diffs, round(100 * ours.wer, 2), their_wer
    )
    return comparison, reference


def write_sample(texts: list[str], pairs: list[tuple[str, str]], size: int = 600, seed: int = 7) -> None:
    """Commit-sized sample: leaderboard outputs for `size` strings and pairs, per version, per pair."""
    rng = random.Random(seed)
    sample_texts = sorted(set(rng.sample(texts, size)) | set(texts[:150]))
    sample_pairs = rng.sample(pairs, size)
    fixture: dict[str, object] = {"texts": sample_texts, "pairs": sample_pairs, "versions": {}}
    for version in COMMITS:
        ref = run(version, sample_texts, sample_pairs, per_pair=list(range(len(sample_pairs))))
        if ref.counts is not None:
            counts = [c[:3] if c is not None else None for c in ref.counts]
        else:
            results = ref.results or {}
            counts = [
                [int(results[f"pair{i:06d}"][k]) for k in ("sub", "del", "ins")] for i in range(len(sample_pairs))
            ]
        fixture["versions"][version] = {  # type: ignore[index]
            "commit": COMMITS[version],
            "normalised": ref.normalised,
            "counts": counts,
        }
    fixture["multilingual"] = {language: _language_sample(language, rng) for language in LANGUAGES}
    SAMPLE.write_text(json.dumps(fixture, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")


LANGUAGES = ("de", "fr", "es", "it", "pt")


def _counts(ref: Reference, pairs: int) -> list[list[int] | None]:
    if ref.counts is not None:
        return [c[:3] if c is not None else None for c in ref.counts]
    results = ref.results or {}
    return [[int(results[f"pair{i:06d}"][k]) for k in ("sub", "del", "ins")] for i in range(pairs)]


def _language_sample(language: str, rng: random.Random, size: int = 80) -> dict[str, object]:
    from tests.metrics.oal_corpus import multilingual_pairs, multilingual_texts

    texts = rng.sample(list(multilingual_texts(language)), size)
    pairs = rng.sample(list(multilingual_pairs(language)), size)
    versions = {}
    for version in COMMITS:
        ref = run(version, texts, pairs, per_pair=list(range(size)), language=language)
        versions[version] = {"normalised": ref.normalised, "counts": _counts(ref, size)}
    return {"texts": texts, "pairs": pairs, "versions": versions}


def main() -> None:
    from tests.metrics.oal_corpus import multilingual_pairs, multilingual_texts, pairs, texts

    all_texts, all_pairs = list(texts()), list(pairs())
    for language in LANGUAGES:
        for version in COMMITS:
            c, _ = compare(version, list(multilingual_texts(language)), list(multilingual_pairs(language)), language)
            print(
                f"{version} {language}: {c.strings} strings, {len(c.text_differences)} differences; {c.pairs} pairs, "
                f"{len(c.count_differences)} S/D/I differences; WER ours {c.ours_wer:.2f} leaderboard {c.their_wer:.2f}"
            )
    for version in COMMITS:
        c, _ = compare(version, all_texts, all_pairs)
        print(
            f"{version} ({COMMITS[version]}): {c.strings} strings, {len(c.text_differences)} normalised-text "
            f"differences; {c.pairs} pairs, {len(c.count_differences)} S/D/I differences; "
            f"WER ours {c.ours_wer:.2f} leaderboard {c.their_wer:.2f}"
        )
        for diff in c.text_differences[:5] + c.count_differences[:5]:  # type: ignore[operator]
            print("  ", diff)
    write_sample(all_texts, all_pairs)
    print(f"sample written to {SAMPLE}")


if __name__ == "__main__":
    main()
