"""Build the tagger's lexicon of common lower-case words from news text.

A word is listed when, inside sentences (not at their start), news writes it in lower case at
least twice and at least twice as often as capitalised, or when it opens three sentences or more
and is never capitalised inside one ("Furthermore", "Additionally"): "deeper", "strategic", "energy"
are listed; "bush", "china", "turkey" are not, since news capitalises them. The tagger uses the
list as a feature and to drop such words from the edges of names in headings and at sentence
starts. Only the words are kept, not the text.

    python3 scripts/ner/build_lexicon.py ../shared/corpora crates/entente_extract/data/lexicon.txt
"""

import collections
import json
import pathlib
import re
import sys

WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*[A-Za-z]|[A-Za-z]")
SOURCES = ["bbc_news/articles.jsonl", "reuters21578/articles.jsonl"]


def main() -> None:
    corpora, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    lower: collections.Counter[str] = collections.Counter()
    capital: collections.Counter[str] = collections.Counter()
    initial: collections.Counter[str] = collections.Counter()
    documents = 0
    for source in SOURCES:
        for line in (corpora / source).open(encoding="utf-8"):
            text = json.loads(line).get("text") or ""
            # Capitals in headline-style lines prove nothing: skip lines without lower case
            # sentence text.
            documents += 1
            for m in WORD.finditer(text):
                word = m.group()
                before = text[: m.start()].rstrip(" \t")
                if not before or before[-1] in ".!?\"'\n:;(-":
                    if word[0].isupper() and word[1:].islower():
                        initial[word.lower()] += 1
                    continue
                if word.islower():
                    lower[word] += 1
                elif word[0].isupper() and word[1:].islower():
                    capital[word.lower()] += 1
    words = sorted(
        {w for w, n in lower.items() if n >= 2 and n >= 2 * capital[w]}
        | {w for w, n in initial.items() if n >= 3 and capital[w] == 0}
    )
    header = (
        "# Common lower-case English words, built by scripts/ner/build_lexicon.py from the\n"
        f"# BBC News and Reuters-21578 corpora ({documents} articles): written in lower case at least\n"
        "# twice and twice as often as capitalised inside sentences, or opening three sentences and\n"
        "# never capitalised inside one. Only the words are kept.\n"
    )
    out.write_text(header + "\n".join(words) + "\n", encoding="utf-8")
    print(f"{len(words)} words from {documents} articles into {out}")


if __name__ == "__main__":
    main()
