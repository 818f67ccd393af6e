"""Support-contact reasons grouped offline: TF-IDF on character n-grams (robust to typos,
accents and inflections) of the reasons without their stop words (negations kept), then
k-means on their latent semantic projection (truncated SVD, normalised: cosine), the
number of groups chosen by silhouette.
Each group has its top terms (class-based TF-IDF of words) and example reasons.

The texts stay where they are: nothing is sent anywhere, nothing is learnt from elsewhere.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from unefois.journeys.events import Activity

from .engine import EventLog
from .text import NEGATIONS, clean, words

MAX_GROUPS = 10
LSA_DIMENSIONS = 20
SEED = 0


@dataclass
class Group:
    id: int
    size: int  # reasons (events)
    terms: list[str]
    examples: list[str]
    procedures: dict[str, int] = field(default_factory=dict)
    cases: list[int] = field(default_factory=list)  # engine codes of the cases


def reasons(log: EventLog, activity: str = Activity.SUPPORT_CONTACT) -> pa.Table:
    """(case, procedure, reason) of the contacts (or of another activity with a reason)."""
    if not (log.is_journey and log.has("reason")):
        return pa.table({"case": [], "procedure": [], "reason": []})
    e = log.events
    hits = e.filter((e.act == log.code(activity)) & e.reason.notnull())
    hits = hits.select("case", "reason").join(log.cases.select("case", "procedure"), "case")
    return log.run(hits.select("case", "procedure", "reason"))


def group(
    texts: list[str], counts: list[int] | None = None, max_groups: int = MAX_GROUPS
) -> tuple[list[int], list[dict]]:
    """Cluster texts; returns a label per text and, per group, terms and examples."""
    from sklearn.cluster import KMeans
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics import silhouette_score
    from sklearn.preprocessing import normalize

    counts = counts or [1] * len(texts)
    cleaned = [clean(t) for t in texts]
    unique = sorted(set(cleaned))
    index = {t: i for i, t in enumerate(unique)}
    weights = np.zeros(len(unique))
    for text, n in zip(cleaned, counts, strict=True):
        weights[index[text]] += n
    if len(unique) < 3:
        labels_unique = np.zeros(len(unique), dtype=int)
    else:
        vectors = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=1
        ).fit_transform(unique)
        # Latent semantic analysis: n-grams that occur together (« iban », « rib », « banque »)
        # weigh together, so that reasons of one topic fall in one group.
        dims = min(LSA_DIMENSIONS, vectors.shape[1] - 1, len(unique) - 1)
        vectors = normalize(TruncatedSVD(dims, random_state=SEED).fit_transform(vectors))
        best = None
        for k in range(2, min(max_groups, len(unique) - 1) + 1):
            model = KMeans(n_clusters=k, n_init=2, random_state=SEED)
            labels = model.fit_predict(vectors, sample_weight=weights)
            if len(set(labels)) < 2:
                continue
            score = silhouette_score(
                vectors,
                labels,
                metric="cosine",
                sample_size=min(len(unique), 3000),
                random_state=SEED,
            )
            if best is None or score > best[0] + 1e-9:
                best = (score, labels)
        labels_unique = best[1] if best is not None else np.zeros(len(unique), dtype=int)
    # Renumber groups by size (largest first) so that the result is stable.
    size = Counter()
    for i, label in enumerate(labels_unique):
        size[int(label)] += weights[i]
    order = {
        old: new
        for new, (old, _) in enumerate(sorted(size.items(), key=lambda kv: (-kv[1], kv[0])))
    }
    labels = [order[int(labels_unique[index[t]])] for t in cleaned]
    return labels, _describe(texts, counts, labels)


def _describe(texts, counts, labels) -> list[dict]:
    """Top terms by class-based TF-IDF (word counts in the group × rarity across groups)."""
    groups = sorted(set(labels))
    per_group: dict[int, Counter] = {g: Counter() for g in groups}
    examples: dict[int, Counter] = {g: Counter() for g in groups}
    for text, n, g in zip(texts, counts, labels, strict=True):
        for w in set(words(text)):
            if w not in NEGATIONS and len(w) > 1:
                per_group[g][w] += n
        examples[g][text.strip()] += n
    total = Counter()
    for c in per_group.values():
        total.update(c)
    mean_size = sum(sum(c.values()) for c in per_group.values()) / max(1, len(groups))
    out = []
    for g in groups:
        size = sum(n for n, lab in zip(counts, labels, strict=True) if lab == g)
        scored = sorted(
            per_group[g].items(),
            key=lambda kv: (
                -(kv[1] / max(1, size)) * math.log(1 + mean_size / total[kv[0]]),
                kv[0],
            ),
        )
        out.append(
            {
                "group": g,
                "size": size,
                "terms": [w for w, _ in scored[:6]],
                "examples": [
                    t for t, _ in sorted(examples[g].items(), key=lambda kv: (-kv[1], kv[0]))[:3]
                ],
            }
        )
    return out


def contact_groups(log: EventLog, activity: str = Activity.SUPPORT_CONTACT) -> list[Group]:
    table = reasons(log, activity)
    if table.num_rows == 0:
        return []
    rows = table.to_pylist()
    # Group the distinct reasons, weighted by how often each was typed.
    distinct = Counter(r["reason"] for r in rows)
    texts = sorted(distinct)
    labels, described = group(texts, [distinct[t] for t in texts])
    label_of = dict(zip(texts, labels, strict=True))
    groups = [Group(d["group"], d["size"], d["terms"], d["examples"]) for d in described]
    for r in rows:
        g = groups[label_of[r["reason"]]]
        g.procedures[r["procedure"]] = g.procedures.get(r["procedure"], 0) + 1
        g.cases.append(r["case"])
    for g in groups:
        g.cases = sorted(set(g.cases))
    return groups
