"""The one output row: the input row's fields, the prediction, extra columns, then why it was skipped.

Engines and ensembles both write their rows through `output_row`; only the extra columns differ
(word confidences; an ensemble's combined confidence and each member's prediction).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from asr_registry.engine.values import Skip

NO_COLUMNS: Mapping[str, Any] = {}


def output_row(
    fields: Mapping[str, Any],
    pred_key: str,
    text: str | None,
    skip: Skip | None,
    columns: Mapping[str, Any] = NO_COLUMNS,
    trailing: Mapping[str, Any] = NO_COLUMNS,
) -> dict[str, Any]:
    """`fields`, `pred_key: text`, `columns`, `skipped: REASON` when skipped, then `trailing` (notes)."""
    row = dict(fields)
    row[pred_key] = text
    row.update(columns)
    if skip is not None:
        row["skipped"] = skip.reason
    row.update(trailing)
    return row


def word_columns(words: Sequence[str] | None, confidences: Sequence[float] | None) -> dict[str, Any]:
    """`pred_words` and `pred_word_confidence` (null where unknown)."""
    return {
        "pred_words": list(words) if words is not None else None,
        "pred_word_confidence": list(confidences) if confidences is not None else None,
    }
