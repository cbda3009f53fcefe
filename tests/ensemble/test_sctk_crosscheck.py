"""Our ROVER against NIST SCTK's `rover` binary, word for word, on seeded random cases.

Each case is written as one CTM file per member, one line per word:

    utt 1 <start> <duration> <word> <confidence>

(conversation "utt", channel "1"). Word i starts at i seconds and lasts 1 s, so a member's
words touch: rover cuts a conversation into separately aligned chunks only at a silence
longer than 1 s common to all members, and there is none. Without `-T` rover aligns by
words alone (times only set the output times). `-s` keeps the comparison case-sensitive
like ours. Confidences are multiples of 1/16, exact in binary, which makes exact score ties
common, so tie-breaking is exercised rather than avoided.

Methods: "freq" is `-m meth1 -a 1 -c 0`, "maxconf" is `-m maxconf -a A -c C`, and our
"avgconf" is `-m meth1 -a A -c C` (SCTK's own `avgconf` normalises differently).

SCTK crashes (SIGSEGV) when the first member's file is empty, so member 0 always has
words here; later members are sometimes empty. The last tests break our implementation on
purpose (tie-breaking, NULL placement, costs, float precision) and check this comparison
notices, so a pass means something.
"""

from __future__ import annotations

import random
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from asr_registry.ensemble import rover as rover_module
from asr_registry.ensemble.combiners import MemberHypothesis
from asr_registry.ensemble.rover import CorrespondenceSet, Rover, Vote
from tests.support import HANG_GUARD_SECONDS

SCTK_ROVER = Path("/usr/lib/sctk/bin/rover")
ROVER_BIN = str(SCTK_ROVER) if SCTK_ROVER.exists() else shutil.which("rover")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", autouse=True)
def _sctk_installed() -> None:
    # The README's test command installs sctk; without it this cross-check would pass vacuously.
    if ROVER_BIN is None:
        pytest.fail("NIST SCTK rover not installed: apt-get install sctk (see README)")


VOCAB = ("the", "cat", "sat", "on", "a", "mat", "dog", "ran", "big", "red", "up", "to")
SMALL_VOCAB = ("a", "b", "c", "d", "e", "f")  # long noisy cases: many near-tied alignment paths
METHODS = ("freq", "maxconf", "avgconf")


@dataclass(frozen=True)
class Case:
    name: str
    members: tuple[MemberHypothesis, ...]
    alpha: float
    null_conf: float

    def rover(self, method: str, cls: type[Rover] = Rover) -> Rover:
        if method == "freq":
            return cls()
        return cls(method, alpha=self.alpha, null_conf=self.null_conf)  # type: ignore[arg-type]


def _edit(
    rng: random.Random, reference: list[str], vocab: tuple[str, ...], rates: tuple[float, float, float]
) -> list[str]:
    deletion, substitution, insertion = rates
    out: list[str] = []
    for word in reference:
        roll = rng.random()
        if roll >= deletion:
            out.append(rng.choice(vocab) if roll < deletion + substitution else word)
        if rng.random() < insertion:
            out.append(rng.choice(vocab))
    return out


def _member(rng: random.Random, index: int, words: list[str]) -> MemberHypothesis:
    confs = tuple(rng.randint(0, 16) / 16 for _ in words)
    return MemberHypothesis(f"m{index}", tuple(words), confs)


def _random_case(
    rng: random.Random,
    name: str,
    vocab: tuple[str, ...],
    length: tuple[int, int],
    members: tuple[int, int],
    rates: tuple[float, float, float],
) -> Case:
    reference = [rng.choice(vocab) for _ in range(rng.randint(*length))]
    hyps = []
    for index in range(rng.randint(*members)):
        if index > 0 and rng.random() < 0.04:
            words: list[str] = []
        else:
            words = _edit(rng, reference, vocab, rates) or [rng.choice(vocab)]
        hyps.append(_member(rng, index, words))
    return Case(name, tuple(hyps), rng.choice((0.0, 0.3, 0.5, 0.7)), rng.choice((0.0, 0.25, 0.6, 1.0)))


def _fixed_case(name: str, *texts: str) -> Case:
    rng = random.Random(name)
    return Case(name, tuple(_member(rng, i, t.split()) for i, t in enumerate(texts)), 0.5, 0.5)


def build_cases() -> list[Case]:
    rng = random.Random(1997)
    cases = [_random_case(rng, f"random-{i}", VOCAB, (1, 12), (2, 5), (0.12, 0.15, 0.1)) for i in range(72)]
    cases += [_random_case(rng, f"noisy-{i}", SMALL_VOCAB, (10, 25), (3, 6), (0.35, 0.2, 0.1)) for i in range(16)]
    cases += [
        _fixed_case("null-substitution", "a b c", "a c", "a x c"),
        _fixed_case("inserted-word-tie", "a c", "a b c"),
        _fixed_case("empty-later-members", "a b c", "", "a b c", ""),
        # found by search: single-precision rounding of the path costs decides these alignments
        _fixed_case(
            "float32-1", "e c a d b a f e d c d d c e e", "a e c f b c d e c d d c e c f d", "e c f b a c b e d c d d"
        ),
        _fixed_case(
            "float32-2",
            "f a b b b d e e b a a d a e e e",
            "b b c d b a d b d f c c e f c",
            "f a d b a e b e f a a b e e a e b c a",
            "e f e d b e d d a e e e",
        ),
    ]
    return cases


CASES = build_cases()


def _sctk_args(case: Case, method: str) -> list[str]:
    if method == "freq":
        return ["-m", "meth1", "-a", "1.0", "-c", "0.0"]
    sctk_method = "maxconf" if method == "maxconf" else "meth1"
    return ["-m", sctk_method, "-a", repr(case.alpha), "-c", repr(case.null_conf)]


def run_sctk(case: Case, method: str) -> tuple[str, ...]:
    assert ROVER_BIN is not None
    with tempfile.TemporaryDirectory(prefix="rover-") as tmp:
        folder = Path(tmp)
        command = [ROVER_BIN, "-f", "0", "-s"]
        for index, member in enumerate(case.members):
            path = folder / f"member{index}.ctm"
            confs = member.confidences or ()
            lines = [
                f"utt 1 {i}.000 1.000 {w} {c:.6f}\n" for i, (w, c) in enumerate(zip(member.words, confs, strict=True))
            ]
            path.write_text("".join(lines), encoding="ascii")
            command += ["-h", str(path), "ctm"]
        out = folder / "out.ctm"
        command += ["-o", str(out), *_sctk_args(case, method)]
        done = subprocess.run(command, capture_output=True, text=True, timeout=HANG_GUARD_SECONDS)
        assert done.returncode == 0, f"rover failed on {case.name}: {done.stderr or done.stdout}"
        # output lines: utt 1 <start> <duration> <word> <confidence>
        return tuple(line.split()[4] for line in out.read_text().splitlines() if line.strip())


@pytest.fixture(scope="module")
def sctk() -> dict[tuple[str, str], tuple[str, ...]]:
    jobs = [(case, method) for case in CASES for method in METHODS]
    with ThreadPoolExecutor(max_workers=8) as pool:
        outputs = list(pool.map(lambda job: run_sctk(*job), jobs))
    return {(case.name, method): words for (case, method), words in zip(jobs, outputs, strict=True)}


def mismatches(sctk: dict[tuple[str, str], tuple[str, ...]], method: str, make: type[Rover] = Rover) -> list[str]:
    found = []
    for case in CASES:
        words = case.rover(method, make).combine(case.members).words
        if words != sctk[case.name, method]:
            found.append(f"{case.name}: ours {' '.join(words)!r} sctk {' '.join(sctk[case.name, method])!r}")
    return found


def test_the_cases_cover_what_they_should() -> None:
    random_cases = [c for c in CASES if c.name.startswith("random-")]
    assert len(random_cases) >= 60
    assert {len(c.members) for c in random_cases} == {2, 3, 4, 5}
    assert any(not m.words for c in CASES for m in c.members)
    assert all(c.members[0].words for c in CASES)


def test_sctk_output_is_not_trivial(sctk: dict[tuple[str, str], tuple[str, ...]]) -> None:
    # if rover's output could not be read, every comparison would see empty tuples
    assert sum(len(sctk[c.name, "freq"]) for c in CASES) > 500
    changed = [c for c in CASES if sctk[c.name, "freq"] != c.members[0].words]
    assert len(changed) >= 30  # voting overrules the first member often


@pytest.mark.parametrize("method", METHODS)
def test_rover_matches_sctk(sctk: dict[tuple[str, str], tuple[str, ...]], method: str) -> None:
    found = mismatches(sctk, method)
    assert not found, f"{len(found)} of {len(CASES)} cases differ from SCTK ({method}):\n" + "\n".join(found[:5])


# --- the comparison has teeth -------------------------------------------------------------


class LastArcWinsTies(Rover):
    def vote(self, cs: CorrespondenceSet) -> Vote:
        return super().vote(tuple(reversed(cs)))


class MemberOrderTies(Rover):
    """Ties strictly to the earliest member, NULLs included, unlike SCTK's arc order."""

    def vote(self, cs: CorrespondenceSet) -> Vote:
        return super().vote(tuple(sorted(cs, key=lambda arc: arc.member)))


@pytest.mark.parametrize("wrong", [LastArcWinsTies, MemberOrderTies])
def test_a_different_tie_break_is_caught(sctk: dict[tuple[str, str], tuple[str, ...]], wrong: type[Rover]) -> None:
    assert mismatches(sctk, "freq", wrong)


@pytest.mark.parametrize(
    ("constant", "value"),
    [("_SUB", 3.0), ("_INS_DEL", 2.0), ("_WORD_VS_NULL", 4.0), ("_SKIP_NULL", 0.0), ("_SKIP_NULL", 3.0)],
)
def test_different_alignment_costs_are_caught(
    sctk: dict[tuple[str, str], tuple[str, ...]], monkeypatch: pytest.MonkeyPatch, constant: str, value: float
) -> None:
    monkeypatch.setattr(rover_module, constant, value)
    assert mismatches(sctk, "freq")


def test_double_precision_costs_are_caught(
    sctk: dict[tuple[str, str], tuple[str, ...]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rover_module, "_f32", lambda value: value)
    found = mismatches(sctk, "freq")
    assert any(line.startswith("float32-") for line in found)
