"""Ensemble combiners: merge several models' transcripts of one utterance into one.

`combiners` holds the shared types and the `name:key=value,...` spec parser, `rover` the
ROVER word-level vote (Fiscus 1997), `voting` whole-transcript votes, and `builtin` the
plugin that registers them.
"""
