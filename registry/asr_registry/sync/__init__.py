"""Keeping the catalog fresh from the Hugging Face hub: `asr-registry catalog sync`.

`hub` lists NVIDIA's NeMo ASR repositories and reads their cards (the only network code),
`drafts` turns a card's metadata into a draft catalog entry, `report` compares the hub with
the catalog. Nothing here writes models.toml: drafts go to a separate file for review.
"""
