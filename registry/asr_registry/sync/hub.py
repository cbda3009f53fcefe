"""The hub boundary: which repositories exist and what their cards say.

`huggingface_hub` is imported only here and only when a `HuggingFaceHub` is used, so the
catalog commands never pay for it. Tests replace the whole class with cards kept as files.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from asr_registry.errors import RegistryError

AUTHOR = "nvidia"
LIBRARY = "nemo"
TASK = "automatic-speech-recognition"


class HubError(RegistryError):
    """The hub could not be reached or answered with an error."""


@dataclass(frozen=True)
class HubModel:
    repo_id: str  # "nvidia/name"
    tags: tuple[str, ...] = ()
    last_modified: str = ""  # ISO date, "" when the hub did not say


class Hub(Protocol):
    def list_models(self) -> list[HubModel]: ...

    def card(self, repo_id: str) -> Any:
        """The repository's README parsed by huggingface_hub's card parser (a ModelCard)."""
        ...

    def eval_results(self, repo_id: str) -> str | None:
        """The repository's `.eval_results/open_asr_leaderboard.yaml`, None when it has none."""
        ...


def parse_card(text: str) -> Any:
    """huggingface_hub's own parser for a README's YAML front matter (metadata errors tolerated)."""
    from huggingface_hub import ModelCard

    return ModelCard(text, ignore_metadata_errors=True)


def _describe(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__


class HuggingFaceHub:
    """The real hub, through `huggingface_hub.HfApi`."""

    def __init__(self, token: str | None = None) -> None:
        try:
            from huggingface_hub import HfApi
        except ImportError:
            raise HubError("catalog sync needs huggingface_hub (pip install huggingface_hub)") from None
        import logging

        # Its retry warnings would break the one-line error the CLI prints when the hub is unreachable.
        logging.getLogger("huggingface_hub").setLevel(logging.ERROR)
        self._api = HfApi(token=token)

    def list_models(self) -> list[HubModel]:
        try:
            found = list(self._iter_models())
        except Exception as exc:  # offline mode, DNS, HTTP errors: all one line for the user
            raise HubError(f"cannot list models on the Hugging Face hub ({_describe(exc)})") from None
        return sorted(found, key=lambda m: m.repo_id)

    def _iter_models(self) -> Iterator[HubModel]:
        # `library` is a tag on the hub: filter="nemo" is the library filter.
        for info in self._api.list_models(author=AUTHOR, filter=LIBRARY, pipeline_tag=TASK):
            modified = getattr(info, "last_modified", None)
            yield HubModel(info.id, tuple(info.tags or ()), modified.date().isoformat() if modified else "")

    def eval_results(self, repo_id: str) -> str | None:
        from huggingface_hub import hf_hub_download
        from huggingface_hub.utils import EntryNotFoundError  # also where huggingface_hub 0.23 has it

        from asr_registry.sync.eval_results import EVAL_RESULTS_FILE

        try:
            path = hf_hub_download(repo_id, EVAL_RESULTS_FILE)
        except EntryNotFoundError:
            return None
        except Exception as exc:
            raise HubError(f"cannot read {EVAL_RESULTS_FILE} of {repo_id} ({_describe(exc)})") from None
        with open(path, encoding="utf-8") as handle:
            return handle.read()

    def card(self, repo_id: str) -> Any:
        from huggingface_hub import ModelCard

        try:
            return ModelCard.load(repo_id, ignore_metadata_errors=True)
        except Exception as exc:
            raise HubError(f"cannot read the card of {repo_id} ({_describe(exc)})") from None
