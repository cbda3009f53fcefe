"""SentencePiece tokenizers of an exact vocabulary size, trained here in a fraction of a second.

A shadow only needs the right number of output pieces (the vocabulary sets the size of the
CTC head, the prediction-network embedding and the joint's output). The pieces are pronounceable
syllable pairs declared as user-defined symbols on top of a small BPE model, so any requested
size is reached exactly and decoded shadow output reads as pseudo-words, not `<unk>`.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import random
from pathlib import Path

_CONSONANTS = "bcdfghjklmnprstvwz"
_VOWELS = "aeiou"
_BASE_PIECES = 64  # letters, the word boundary, <unk> and a few merges
# Canary's prompt (canary2 format) must find these in the special-token tokenizer.
CANARY_SPECIAL = (
    "<|startofcontext|>",
    "<|transcribe|>",
    "<|translate|>",
    "<|emo:undefined|>",
    "<|emo:neutral|>",
    "<|emo:angry|>",
    "<|emo:happy|>",
    "<|emo:sad|>",
    "<|itn|>",
    "<|noitn|>",
    "<|timestamp|>",
    "<|notimestamp|>",
    "<|diarize|>",
    "<|nodiarize|>",
    "<|pnc|>",
    "<|nopnc|>",
    "<|en|>",
    "<|de|>",
    "<|es|>",
    "<|fr|>",
)


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "asr-registry" / "shadow-tokenizers"


def _syllable_pieces(count: int, seed: int) -> list[str]:
    syllables = [c + v for c in _CONSONANTS for v in _VOWELS]
    pieces = ["".join(p) for p in itertools.product(syllables, syllables)]
    if count > len(pieces):
        pieces += ["".join(p) for p in itertools.product(syllables, syllables, _VOWELS)]
    random.Random(seed).shuffle(pieces)
    if count > len(pieces):
        raise ValueError(f"vocabulary of {count} pieces is larger than this generator makes ({len(pieces)})")
    return ["\u2581" + p for p in pieces[:count]]


def _write_vocab(out_dir: Path) -> int:
    import sentencepiece as spm

    processor = spm.SentencePieceProcessor(model_file=str(out_dir / "tokenizer.model"))
    size = processor.get_piece_size()
    (out_dir / "vocab.txt").write_text("\n".join(processor.id_to_piece(i) for i in range(size)) + "\n", "utf-8")
    return size


def bpe_tokenizer(vocab_size: int, seed: int = 0) -> Path:
    """A folder with tokenizer.model / vocab.txt of exactly `vocab_size` pieces (cached)."""
    import sentencepiece as spm

    out_dir = cache_root() / f"bpe-{vocab_size}-s{seed}"
    if (out_dir / "vocab.txt").is_file():
        return out_dir
    if vocab_size <= _BASE_PIECES:
        raise ValueError(f"vocab_size must exceed {_BASE_PIECES}, got {vocab_size}")
    tmp = out_dir.with_name(out_dir.name + f".tmp{os.getpid()}")
    tmp.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed + 1)
    syllables = [c + v for c in _CONSONANTS for v in _VOWELS]
    lines = [
        " ".join("".join(rng.choice(syllables) for _ in range(rng.randint(1, 3))) for _ in range(12))
        for _ in range(2000)
    ]
    corpus = tmp / "corpus.txt"
    corpus.write_text("\n".join(lines) + "\n", "utf-8")
    spm.SentencePieceTrainer.train(
        input=str(corpus),
        model_prefix=str(tmp / "tokenizer"),
        vocab_size=vocab_size,
        model_type="bpe",
        character_coverage=1.0,
        user_defined_symbols=_syllable_pieces(vocab_size - _BASE_PIECES, seed),
        bos_id=-1,
        eos_id=-1,
        minloglevel=2,
    )
    size = _write_vocab(tmp)
    if size != vocab_size:
        raise RuntimeError(f"SentencePiece produced {size} pieces instead of {vocab_size}")
    corpus.unlink()
    with contextlib.suppress(OSError):  # another process finished first
        tmp.rename(out_dir)
    return out_dir


def canary_special_tokenizer(total: int) -> Path:
    """Canary's special-token tokenizer of `total` pieces, the way NeMo builds it (tokens + 2)."""
    out_dir = cache_root() / f"canary-special-{total}"
    if (out_dir / "vocab.txt").is_file():
        return out_dir
    from nemo.collections.common.tokenizers.canary_tokenizer import DEFAULT_TOKENS, CanaryTokenizer

    tokens = list(dict.fromkeys([*DEFAULT_TOKENS, *CANARY_SPECIAL]))
    # NeMo trains it with vocab_size = len(tokens) + 2, which yields len(tokens) + 3 pieces
    # (<unk>, the word boundary and one letter piece besides the tokens).
    tokens += [f"<|spltoken{i}|>" for i in range(total - 3 - len(tokens))]
    tmp = out_dir.with_name(out_dir.name + f".tmp{os.getpid()}")
    CanaryTokenizer.build_special_tokenizer(tokens, tmp, force_rebuild=False)
    size = _write_vocab(tmp)
    if size != total:
        raise RuntimeError(f"special tokenizer has {size} pieces instead of {total}")
    with contextlib.suppress(OSError):
        tmp.rename(out_dir)
    return out_dir
