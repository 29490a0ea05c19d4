"""Build the tagger's word clusters from unlabelled news text.

Words that occur in similar contexts ("band", "group", "label"; "Texas", "Ohio", "Ontario") get
the same cluster, so the tagger can carry what it learnt about one word to others it never saw
in its training data. Method (distributional clustering, as Brown clusters are used in NER, but
simple to reproduce): every word written at least MIN_COUNT times is described by counts of the
lower-cased words one and two places to its left and right (the CONTEXT most frequent ones),
weighted by positive pointwise mutual information; the vectors are reduced to DIMS dimensions
(eigenvectors of the Gram matrix), normalised, and grouped by k-means into FINE clusters, whose
centres are grouped again into COARSE ones. Seeds are fixed; only the word and its two cluster
numbers are kept, not the text.

Text: BBC News and Reuters-21578 from ../shared/corpora and the CoNLL-2003 training articles
(the tagger's own training text), never the evaluation sets.

    python scripts/ner/build_clusters.py ../shared/corpora ../shared/eval crates/entente_extract/data/clusters.tsv

Run through `just clusters`, which makes a venv with the pinned numpy. Floating-point sums may
differ across BLAS builds, so another machine can produce slightly different clusters: the
committed file is the one the model was trained with. Retrain afterwards (`just train-ner`).
"""

import collections
import json
import pathlib
import re
import sys

import numpy as np

MIN_COUNT = 5
MAX_WORDS = 40_000
CONTEXT = 600
DIMS = 100
FINE = 512
COARSE = 64
TOKEN = re.compile(r"\w+(?:[-'’.&]\w+)*|[^\w\s]")


def texts(corpora: pathlib.Path, evaluation: pathlib.Path):
    for source in ["bbc_news/articles.jsonl", "reuters21578/articles.jsonl"]:
        for line in (corpora / source).open(encoding="utf-8"):
            record = json.loads(line)
            yield "\n".join(filter(None, [record.get("title"), record.get("text")]))
    for line in (evaluation / "ner_conll2003_train.jsonl").open(encoding="utf-8"):
        yield json.loads(line)["text"]


def kmeans(x: np.ndarray, k: int, seed: int, rounds: int = 25) -> np.ndarray:
    """Spherical k-means (cosine) from a k-means++ start; returns each row's cluster."""
    rng = np.random.Generator(np.random.PCG64(seed))
    centres = [x[rng.integers(len(x))]]
    closest = 1.0 - x @ centres[0]
    for _ in range(1, k):
        weights = np.maximum(closest, 0) ** 2
        pick = rng.choice(len(x), p=weights / weights.sum())
        centres.append(x[pick])
        closest = np.minimum(closest, 1.0 - x @ x[pick])
    c = np.array(centres)
    for _ in range(rounds):
        assign = np.argmax(x @ c.T, axis=1)
        for j in range(k):
            members = x[assign == j]
            if len(members):
                centre = members.sum(axis=0)
                c[j] = centre / max(np.linalg.norm(centre), 1e-9)
    return np.argmax(x @ c.T, axis=1)


def main() -> None:
    corpora, evaluation, out = map(pathlib.Path, sys.argv[1:4])
    sentences = [TOKEN.findall(t) for t in texts(corpora, evaluation)]
    counts = collections.Counter(w for s in sentences for w in s)
    words = [w for w, n in counts.most_common(MAX_WORDS) if n >= MIN_COUNT and any(c.isalpha() for c in w)]
    index = {w: i for i, w in enumerate(words)}
    lower_counts = collections.Counter(w.lower() for s in sentences for w in s)
    contexts = {w: i for i, (w, _) in enumerate(lower_counts.most_common(CONTEXT))}
    m = np.zeros((len(words), 4 * CONTEXT), dtype=np.float64)
    rows, cols = [], []
    for s in sentences:
        lower = [w.lower() for w in s]
        for i, w in enumerate(s):
            row = index.get(w)
            if row is None:
                continue
            for slot, off in enumerate((-2, -1, 1, 2)):
                j = i + off
                if 0 <= j < len(s) and (c := contexts.get(lower[j])) is not None:
                    rows.append(row)
                    cols.append(slot * CONTEXT + c)
    np.add.at(m, (np.array(rows), np.array(cols)), 1.0)
    total = m.sum()
    expected = np.outer(m.sum(axis=1), m.sum(axis=0)) / total
    with np.errstate(divide="ignore", invalid="ignore"):
        ppmi = np.maximum(np.log(np.where(m > 0, m / expected, 1.0)), 0.0)
    values, vectors = np.linalg.eigh(ppmi.T @ ppmi)
    top = vectors[:, np.argsort(values)[::-1][:DIMS]]
    # The sign of an eigenvector is arbitrary: fix it so the output does not depend on it.
    top *= np.sign(top[np.argmax(np.abs(top), axis=0), np.arange(DIMS)])
    x = ppmi @ top
    x /= np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-9)
    fine = kmeans(x, FINE, seed=1)
    centres = np.array([x[fine == j].mean(axis=0) if (fine == j).any() else np.zeros(DIMS) for j in range(FINE)])
    centres /= np.maximum(np.linalg.norm(centres, axis=1, keepdims=True), 1e-9)
    coarse_of_fine = kmeans(centres, COARSE, seed=2)
    header = (
        "# Word clusters built by scripts/ner/build_clusters.py from BBC News, Reuters-21578 and\n"
        f"# the CoNLL-2003 training text: {len(words)} words, {COARSE} coarse and {FINE} fine clusters.\n"
        "# word<TAB>coarse<TAB>fine. Only the words and their clusters are kept.\n"
    )
    lines = [f"{w}\t{coarse_of_fine[fine[i]]}\t{fine[i]}" for i, w in enumerate(words)]
    out.write_text(header + "\n".join(sorted(lines)) + "\n", encoding="utf-8")
    print(f"{len(words)} words into {out}")


if __name__ == "__main__":
    main()
