"""Skill matching: the Skill Verification Engine of COALESCE (paper Eq. 11).

``S = 0.3 J + 0.5 C + 0.2 H``, eligible iff ``S >= tau`` (tau = 0.7):

- ``J``: Jaccard similarity of the required and the offered skill tags;
- ``C``: cosine similarity of the two tag sets' embeddings;
- ``H``: the client's estimate of the provider's past performance on the task
  type, starting at a prior of 0.8 for newcomers.

The published code replaced embeddings by a hand-written lookup table; here the
ontology (``data/skills.csv``) is embedded deterministically with hashed
character n-grams of each tag and its description, TF-IDF weighted and
L2-normalised (numpy only, no model download, identical in every process).

What is embedded is a choice with security consequences (papers/model.md section 4.1):
``mode="declared"`` reads the provider's claims, so a skill spoofer that
declares exactly the required tags scores J = C = 1; ``mode="probe"`` embeds a
capability probe, the provider's *true* skills observed with noise (each true
skill missed, each absent skill reported, with probability ``probe_noise``).

>>> space = SkillSpace.default()
>>> req = space.encode([["RAG", "FinBERT", "Financial Analysis"]])
>>> offer = space.encode([["RAG", "FinBERT", "Financial Analysis"], ["NLP", "Edge Computing"]])
>>> jaccard(req, offer).round(3).tolist()
[[1.0, 0.0]]
>>> hybrid_score(1.0, 1.0, 0.8).item()  # a spoofer declaring the exact tags
0.96
"""

from __future__ import annotations

import functools
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from coalesce_games import data
from coalesce_games.model.criteria import required_by_type
from coalesce_games.model.providers import Providers
from coalesce_games.validation import check_choice, check_probability, check_weights, make_rng

__all__ = ['SkillMatcher', 'SkillSpace', 'embedding_cosine', 'hybrid_score', 'jaccard', 'published_type_scores']


def _ngrams(text: str, sizes: Sequence[int] = (3, 4)) -> list[str]:
    padded = f" {text.lower()} "
    return [padded[i:i + n] for n in sizes for i in range(len(padded) - n + 1)]


@dataclass(frozen=True)
class SkillSpace:
    """The ontology's tags and their deterministic embeddings, shape (K, dim)."""

    tags: tuple[str, ...]
    embeddings: np.ndarray

    @classmethod
    def from_ontology(cls, tags: Sequence[str], descriptions: Sequence[str], dim: int = 512,
                      tag_weight: float = 2.0) -> "SkillSpace":
        """Hashed character 3- and 4-grams (CRC32 buckets), TF-IDF, L2 norm.

        The tag's own n-grams count ``tag_weight`` times those of its
        description, so near-synonyms ("NLP", "Text Processing") land close
        without being equal.
        """
        counts = np.zeros((len(tags), dim))
        for k, (tag, text) in enumerate(zip(tags, descriptions)):
            for gram in _ngrams(tag):
                counts[k, zlib.crc32(gram.encode()) % dim] += tag_weight
            for gram in _ngrams(text):
                counts[k, zlib.crc32(gram.encode()) % dim] += 1.0
        doc_freq = (counts > 0).sum(axis=0)
        idf = np.log((1 + len(tags)) / (1 + doc_freq)) + 1.0
        vectors = counts * idf
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        return cls(tuple(tags), vectors)

    @classmethod
    def default(cls) -> "SkillSpace":
        """The space of ``data/skills.csv``: built once per process and shared (its embeddings are read-only)."""
        return _default_space()

    def encode(self, tag_sets: Sequence[Sequence[str]]) -> np.ndarray:
        """Boolean (len(tag_sets), K) matrix; unknown skills raise ValueError."""
        index = {t: k for k, t in enumerate(self.tags)}
        out = np.zeros((len(tag_sets), len(self.tags)), dtype=bool)
        for row, tags in enumerate(tag_sets):
            unknown = [t for t in tags if t not in index]
            if unknown:
                raise ValueError(f"unknown skill(s) {unknown} in tag set {row}")
            out[row, [index[t] for t in tags]] = True
        return out


@functools.cache
def _default_space() -> SkillSpace:
    onto = data.load_skills()
    space = SkillSpace.from_ontology(list(onto.tag), list(onto.description))
    space.embeddings.flags.writeable = False
    return space


def _check_sets(name: str, sets: Any) -> np.ndarray:
    arr = np.asarray(sets)
    if arr.dtype != bool or arr.ndim != 2:
        raise ValueError(f"{name} must be a 2-d boolean skill matrix; got {arr.dtype} {arr.shape}")
    return arr


def jaccard(required: Any, offered: Any) -> np.ndarray:
    """``|R & D| / |R | D|`` for every task x provider pair, shape (m, n).

    Two empty sets have similarity 0 (nothing is required and nothing offered:
    no evidence of a match).
    """
    req = _check_sets("required", required).astype(float)
    off = _check_sets("offered", offered).astype(float)
    if req.shape[1] != off.shape[1]:
        raise ValueError(f"required and offered must share the ontology; got {req.shape[1]} and {off.shape[1]} tags")
    inter = req @ off.T
    union = req.sum(1)[:, None] + off.sum(1)[None, :] - inter
    return np.where(union > 0, inter / np.where(union > 0, union, 1.0), 0.0)


def published_type_scores(type_id: Any, offered: Any, weights: Sequence[float] = (0.3, 0.5, 0.2)) -> np.ndarray:
    """Eq. 11 as the published simulation computes it, per task type x provider, shape (T, n).

    ``w_J J + w_E E + w_P P``: J the Jaccard of the task type's required skills
    and the provider's; E and P the published code's stand-ins for the
    embedding and history terms, looked up by task type and Table-1 contractor
    type (``data/published_skill_scores.csv``; mbhatt1/COALESCE
    ``decision_engine.py``: a lookup by specialization, 0.6 when absent, and
    fixed per-type "performance scores"). A provider of a type the table does
    not list (a rogue) gets the published defaults (0.6 and 0.8). Under it,
    financial RAG is open to types B, D and F, risk assessment to C and G, and
    sentiment analysis and portfolio optimisation to no one.

    >>> from coalesce_games.model.providers import Providers
    >>> p = Providers.sample_table1(200, seed=0)
    >>> scores = published_type_scores(p.type_id, p.declared)     # rows: RAG, risk, sentiment, portfolio
    >>> [sorted(set(p.type_id[row >= 0.7].tolist())) for row in scores]
    [['B', 'D', 'F'], ['C', 'G'], [], []]
    """
    w = check_weights("weights", weights, size=3)
    offered = _check_sets("offered", offered)
    type_id = np.asarray(type_id)
    if type_id.shape != (len(offered),):
        raise ValueError(f"type_id must give one type per provider, ({len(offered)},); got {type_id.shape}")
    table, defaults = data.published_skill_arrays(), data.parameters_view()["published_skills"]
    k = np.full(len(type_id), -1, dtype=np.int64)         # each provider's column of the table, -1 unlisted
    for column, contractor in enumerate(table["contractor"].tolist()):
        k[type_id == contractor] = column
    listed = k >= 0
    embed = np.where(listed, table["embedding"][:, k], defaults["unlisted_embedding"])
    perform = np.where(listed, table["performance"][:, k], defaults["unlisted_performance"])
    return w[0] * jaccard(required_by_type(), offered) + w[1] * embed + w[2] * perform


def _unique_rows(sets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of a boolean matrix (as floats) and each row's index among them.

    Rows are packed into bytes and compared as one opaque value each, far
    cheaper than ``np.unique(axis=0)``'s lexicographic sort of the columns.
    """
    packed = np.ascontiguousarray(np.packbits(sets, axis=1))
    keys = packed.view(np.dtype((np.void, packed.shape[1]))).ravel()
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    return sets[first].astype(float), inverse.ravel()


def embedding_cosine(required: Any, offered: Any, space: SkillSpace) -> np.ndarray:
    """Cosine of the summed tag embeddings of each set, clipped at 0, shape (m, n).

    Negative cosines cannot occur with non-negative TF-IDF vectors; an empty set
    has similarity 0 to everything.
    """
    req = _check_sets("required", required)
    off = _check_sets("offered", offered)
    if req.shape[1] != len(space.tags) or off.shape[1] != len(space.tags):
        raise ValueError(f"skill matrices must have {len(space.tags)} columns (the ontology)")
    # markets repeat a few skill sets (task types, provider types): embed each once
    req_u, req_inv = _unique_rows(req)
    off_u, off_inv = _unique_rows(off)
    a = req_u @ space.embeddings
    b = off_u @ space.embeddings
    na = np.linalg.norm(a, axis=1, keepdims=True)
    nb = np.linalg.norm(b, axis=1, keepdims=True)
    a = np.divide(a, na, out=np.zeros_like(a), where=na > 0)
    b = np.divide(b, nb, out=np.zeros_like(b), where=nb > 0)
    cos = np.clip(a @ b.T, 0.0, 1.0)
    return cos[np.ix_(req_inv.ravel(), off_inv.ravel())]


def hybrid_score(jaccard_sim: Any, cosine_sim: Any, history: Any,
                 weights: Sequence[float] = (0.3, 0.5, 0.2)) -> np.ndarray:
    """Eq. 11: ``w_J J + w_C C + w_H H`` (weights normalised to sum to one)."""
    w = check_weights("weights", weights, size=3)
    j = check_probability("jaccard", jaccard_sim)
    c = check_probability("cosine", cosine_sim)
    h = check_probability("history", history)
    return w[0] * j + w[1] * c + w[2] * h


@dataclass(frozen=True)
class SkillMatcher:
    """The skill gate: Eq. 11 score and the threshold ``tau``.

    ``mode="declared"`` scores the declared tags; ``mode="probe"`` scores the
    true skills seen through a noisy capability probe.
    """

    weights: tuple[float, float, float] = (0.3, 0.5, 0.2)
    tau: float = 0.7
    mode: str = "declared"
    probe_noise: float = 0.1
    prior: float = 0.8
    space: SkillSpace | None = None

    def __post_init__(self) -> None:
        if check_weights("weights", self.weights, size=3).ndim != 1:
            raise ValueError(f"weights must be one vector of 3 weights (J, C, H); got shape {np.shape(self.weights)}")
        check_probability("tau", self.tau, ndim=0)
        check_choice("mode", self.mode, ("declared", "probe"))
        check_probability("probe_noise", self.probe_noise, ndim=0)
        check_probability("prior", self.prior, ndim=0)
        if self.space is not None and not isinstance(self.space, SkillSpace):
            raise TypeError(f"space must be a SkillSpace (or None for the ontology's); got {self.space!r}")
        if self.space is None:
            object.__setattr__(self, "space", SkillSpace.default())

    def offered(self, providers: Providers, rng: Any = None) -> np.ndarray:
        """The skill matrix the gate sees: declared tags, or a noisy probe."""
        if self.mode == "declared":
            return providers.declared
        gen = make_rng(rng)
        flip = gen.random(providers.true_skills.shape) < self.probe_noise
        return providers.true_skills ^ flip

    def score(self, required: Any, providers: Providers, history: Any = None, rng: Any = None) -> np.ndarray:
        """Eq. 11 score of every task x provider pair, shape (m, n)."""
        static = self.static_score(required, self.offered(providers, rng))
        h = self.prior if history is None else check_probability("history", history)
        return static + self.history_weight * np.broadcast_to(h, static.shape)

    @property
    def history_weight(self) -> float:
        """The (normalised) weight of the history term of Eq. 11."""
        return float(check_weights("weights", self.weights, size=3)[2])

    def static_score(self, required: Any, offered: Any) -> np.ndarray:
        """Eq. 11 without its history term, ``w_J J + w_C C``, shape (m, n).

        The part of the score that does not change as the client learns: a
        market computes it once per run for each task type (tasks require
        their type's skills) and adds ``history_weight x H`` per step.
        """
        w = check_weights("weights", self.weights, size=3)
        return w[0] * jaccard(required, offered) + w[1] * embedding_cosine(required, offered, self.space)

    def eligible(self, required: Any, providers: Providers, history: Any = None, rng: Any = None) -> np.ndarray:
        """``score >= tau``, shape (m, n)."""
        return self.score(required, providers, history, rng) >= self.tau
