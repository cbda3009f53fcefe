"""Measurements: normalisation, error rates with confidence intervals, speed and memory.

Import from the submodules; none of them imports torch or NeMo at import time.

- ``normalize``: ``get_normalizer(language)`` -> a named, versioned ``Normalizer``.
- ``wer``: ``score(references, hypotheses, language)`` -> ``WerResult``; ``compare(a, b)``.
- ``scoring``: named scoring versions (normaliser + scorer), ``scoring_version("oal-2026-06")``.
- ``compound``: the leaderboard's compound-merging alignment (kaldialign's, written here).
- ``bootstrap``: ``bootstrap_ci``, ``paired_bootstrap`` -> ``PairedResult``.
- ``speed``: ``measure_rtfx`` -> ``SpeedResult`` (Open ASR Leaderboard RTFx protocol).
- ``memory``: ``peak_rss_during``, ``cuda_peak_during``, ``largest_fitting_batch``.
"""
