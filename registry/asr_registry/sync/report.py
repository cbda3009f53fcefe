"""Compare the hub's NeMo ASR repositories with the catalog and draft what is missing."""

from __future__ import annotations

import contextlib
import datetime
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field

from asr_registry.catalog.reader import parse_catalog_text
from asr_registry.catalog.schema import Catalog
from asr_registry.catalog.validation import check_catalog
from asr_registry.errors import RegistryError
from asr_registry.sync.drafts import Draft, DraftClaim, draft_from_card, render_drafts
from asr_registry.sync.eval_results import EVAL_RESULTS_FILE, LeaderboardResult, parse_eval_results
from asr_registry.sync.hub import Hub, HubError


@dataclass(frozen=True)
class SyncReport:
    listed: int  # repositories the hub query returned
    missing: tuple[str, ...]  # on the hub, neither a catalog model nor excluded
    not_listed: tuple[str, ...]  # catalog models whose nvidia/ repo the hub query did not return
    excluded: tuple[str, ...]  # on the hub and explained by the catalog's [excluded] table
    drafted: tuple[str, ...]  # repos a draft entry was written for
    skipped: tuple[str, ...] = ()  # "repo: reason" for cards that could not be read
    dropped: tuple[str, ...] = ()  # "repo: what: reason" for card values (or whole drafts) left out
    # "repo (model): figure: how the catalog compares" for each .eval_results figure (sync/eval_results.py)
    leaderboard: tuple[str, ...] = ()
    drafts_file: str = ""
    drafts: list[Draft] = field(default_factory=list, repr=False, compare=False)


def _catalog_repos(catalog: Catalog) -> dict[str, str]:
    """Hugging Face repo id (lower case) -> catalog model name, for published nvidia/ models."""
    return {m.source.hf.lower(): m.name for m in catalog.models.values() if m.source.hf and m.published}


def _excluded_repos(catalog: Catalog) -> set[str]:
    repos = {e.hf.lower() for e in catalog.excluded.values() if e.hf}
    return repos | {f"nvidia/{name}".lower() for name in catalog.excluded}


def sync(catalog: Catalog, hub: Hub, today: Callable[[], str] | None = None) -> SyncReport:
    """List the hub, compare with the catalog, draft entries for the missing repositories.

    A card that cannot be read is skipped with its reason; the others are still drafted.
    """
    date = (today or (lambda: datetime.date.today().isoformat()))()
    listed = hub.list_models()
    in_catalog = _catalog_repos(catalog)
    excluded = _excluded_repos(catalog)
    on_hub = {m.repo_id.lower() for m in listed}
    missing = [m for m in listed if m.repo_id.lower() not in in_catalog and m.repo_id.lower() not in excluded]
    drafts, skipped, dropped = [], [], []
    results: dict[str, list[LeaderboardResult]] = {}
    for model in listed:
        if model.repo_id.lower() in excluded:
            continue
        try:
            text = hub.eval_results(model.repo_id)
        except HubError as exc:
            skipped.append(f"{model.repo_id}: {exc}")
            continue
        if text is not None:
            found, problems = parse_eval_results(text)
            results[model.repo_id] = found
            dropped += [f"{model.repo_id}: {EVAL_RESULTS_FILE}: {problem}" for problem in problems]
    leaderboard = [
        f"{repo} ({in_catalog[repo.lower()]}): {result.describe()}: {_compared(catalog, in_catalog[repo.lower()], result)}"
        for repo, found in results.items()
        if repo.lower() in in_catalog
        for result in found
    ]
    for model in missing:
        try:
            card = hub.card(model.repo_id)
        except HubError as exc:
            skipped.append(f"{model.repo_id}: {exc}")
            continue
        draft = draft_from_card(model.repo_id, card, model.tags, date)
        published = results.get(model.repo_id, [])
        draft.claims += [_draft_claim(r) for r in published if r.mapped]
        draft.dropped += [f"{EVAL_RESULTS_FILE}: {r.describe()}: no catalog dataset" for r in published if not r.mapped]
        dropped += [f"{model.repo_id}: {reason}" for reason in draft.dropped]
        problems = draft_problems([draft])
        if problems:
            dropped.append(f"{model.repo_id}: not drafted: {problems[0]}")
            continue
        drafts.append(draft)
    not_listed = sorted(name for repo, name in in_catalog.items() if repo.startswith("nvidia/") and repo not in on_hub)
    return SyncReport(
        listed=len(listed),
        missing=tuple(m.repo_id for m in missing),
        not_listed=tuple(not_listed),
        excluded=tuple(sorted(m.repo_id for m in listed if m.repo_id.lower() in excluded)),
        drafted=tuple(d.repo_id for d in drafts),
        skipped=tuple(skipped),
        dropped=tuple(dropped),
        leaderboard=tuple(leaderboard),
        drafts=drafts,
    )


def _compared(catalog: Catalog, name: str, result: LeaderboardResult) -> str:
    """How the catalog's claims on the same figure compare with a published leaderboard result."""
    if not result.mapped:
        return "no catalog dataset for this task id"
    same = [
        c
        for c in catalog.models[name].claims
        if c.metric == result.metric and c.dataset == result.dataset and (not c.split or c.split == result.split)
    ]
    if not same:
        return "not in the catalog"
    values = ", ".join(f"{c.describe_value()} [{c.source}]" for c in same)
    agrees = any(c.low <= result.value <= c.high for c in same)
    return f"{'the catalog agrees' if agrees else 'the catalog differs'}: {values}"


def _draft_claim(result: LeaderboardResult) -> DraftClaim:
    note = f"{EVAL_RESULTS_FILE}: {result.task_id} on {result.hub_dataset}" + (
        f", {result.date}" if result.date else ""
    )
    return DraftClaim(result.metric, result.value, result.dataset, result.split, "en", "", note, result.scoring)


def draft_problems(drafts: list[Draft], header: str = "") -> list[str]:
    """What `asr-registry validate` would report on these drafts as a file (parse and meaning)."""
    name = "catalog-drafts.toml"
    parsed = parse_catalog_text(render_drafts(drafts, header), name)
    everything = Catalog({**parsed.models, **parsed.partial}, parsed.sources, parsed.tiers, parsed.excluded)
    problems = parsed.problems + (check_catalog(everything, name, None) if not parsed.problems else [])
    return [str(p) for p in problems]


def write_drafts(report: SyncReport, path: str) -> str:
    """Write the drafts as one catalog file, atomically; returns the path written."""
    header = (
        f"Draft catalog entries for {len(report.drafts)} NVIDIA NeMo ASR repositories on the Hugging Face hub\n"
        "that models.toml lacks, written by `asr-registry catalog sync`. Every field comes from the card's\n"
        "metadata or is a guess named in the entry's notes. Review, complete (parameters, streaming settings,\n"
        "prompts) and move entries into models.toml; `asr-registry validate` checks this file as it is."
    )
    text = render_drafts(report.drafts, header)
    problems = draft_problems(report.drafts, header)
    if problems:  # the drafts are checked one by one in sync(): this is a bug, never a file to announce
        raise RegistryError(f"the drafts would not validate ({problems[0]}); nothing written")
    folder = os.path.dirname(os.path.abspath(path))
    tmp = ""
    try:
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException as exc:
        if tmp:  # a full disk or an interrupt leaves no temp file behind
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        if isinstance(exc, OSError):
            raise RegistryError(f"cannot write {path}: {exc.strerror or exc}") from None
        raise
    return path
