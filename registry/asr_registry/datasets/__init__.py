"""Evaluation data that is not a NeMo manifest on disk: Hugging Face datasets and the Open ASR Leaderboard sets.

- ``hf``: ``open_hf(spec)`` reads a dataset from the hub (streamed), from the HF cache, from a
  ``save_to_disk`` folder or from a local dataset folder, and ``materialise`` writes its rows as a
  NeMo manifest whose audio files hold the dataset's own encoded bytes, so the engine decodes
  and resamples them exactly as it does any manifest.
- ``leaderboard``: the leaderboard's dataset ids, configs and splits mapped to the catalog's
  dataset names, and the leaderboard's averages.
- ``lhotse``: Lhotse cut manifests (``cuts.jsonl.gz``) as NeMo manifests.

Nothing here imports torch or NeMo; the ``datasets`` library is imported only when a dataset is opened.
"""
