"""How late each bundled decoder emits a word: the `emission_delay_s` of the plugin's catalog entries.

A decoder puts a word at the encoder frame where it emits the word's first token, and a model
learns to emit somewhere after the word's onset: the digits hybrid's two heads about 0.11 s (1.4
frames of 80 ms) after it, digits_ctc and digits_tdt a little before. Measured here on audio with
known word times (tests/engine/timed_audio.py: words synthesised one by one, joined by silences of
known length) from seeds the tests never use, as the median of (emitted start - true start) over
the words of exactly transcribed files, with the timestamps NeMo gives (no delay applied). The
engine moves each decoder's times earlier by it.

    python plugins/asr-registry-digits/scripts/calibrate_timestamps.py [build_report.json]

writes `emission_delay_s` into the build report; scripts/write_catalog.py puts it in models.toml.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
PACKAGE = REPO / "plugins" / "asr-registry-digits" / "asr_registry_digits"
sys.path.insert(0, str(REPO))  # the timed-audio builder of the tests

# Which decoders of which report entry: (report key, catalog name, decoders).
DECODERS = (
    ("ctc", "digits_ctc", ("ctc",)),
    ("tdt", "digits_tdt", ("tdt",)),
    ("hybrid", "digits_hybrid", ("rnnt", "ctc")),
)
FILES = 24
# The tests build their timed files from seeds below 1000; these are the calibration's own.
SEED = 1000


def delay_errors(name: str, decoder: str, files: list) -> list[float]:  # type: ignore[type-arg]
    """Signed start errors of `name`'s `decoder` with NeMo's own times (no delay applied)."""
    from asr_registry.engine import Engine, EngineOptions
    from asr_registry.plugins.manager import get_catalog
    from tests.engine.timed_audio import signed_start_errors

    entry = replace(get_catalog().find(name), emission_delay_s=())
    options = EngineOptions(
        device="cpu", decoder=decoder if decoder != entry.default_decoder else None, timestamps="word"
    )
    return signed_start_errors(files, Engine(entry, options).transcribe([f.path for f in files]))


def main() -> None:
    from tests.engine.timed_audio import build_files

    report_path = Path(sys.argv[1]) if len(sys.argv) > 1 else PACKAGE / "data" / "build_report.json"
    report = json.loads(report_path.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as folder:
        files = build_files(Path(folder), FILES, seed=SEED)
        for key, name, decoders in DECODERS:
            delays, words = {}, {}
            for decoder in decoders:
                errors = delay_errors(name, decoder, files)
                delays[decoder], words[decoder] = round(statistics.median(errors), 2), len(errors)
                print(f"{name} {decoder}: median delay {delays[decoder]:+.2f} s over {len(errors)} words", flush=True)
            report["models"][key]["emission_delay_s"] = delays
            report["models"][key]["emission_delay_words"] = words
    report_path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {report_path}")


if __name__ == "__main__":
    main()
