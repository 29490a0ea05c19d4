"""Extract whatlang's Latin-script data for entente's language scores.

entente computes whatlang's Latin-script detection itself, from an inverted index of the
trigram profiles, because scoring every profile against every document was most of the
normalise stage's time (docs/normalise.md). The profiles and alphabets are whatlang's
(MIT, Copyright (c) Serhii Potapov): this script copies them out of the pinned crate's
source, as `just whatlang-data` runs it; the unit tests compare every detection with
whatlang's own.

    python scripts/language/whatlang_latin.py <whatlang-0.18.0 directory> crates/entente_normalise/data/whatlang_latin.txt
"""

import pathlib
import re
import sys

LANG = re.compile(r"^\s*Lang::(\w+),\s*$")
TRIGRAM = re.compile(r"^\s*Trigram\('(.)', '(.)', '(.)'\),\s*$")
ALPHABET = re.compile(r'^const (\w{3}): &str =\s*(?:\n\s*)?"([^"]*)";', re.M)
PAIR = re.compile(r"\(Lang::(\w+), (\w{3})\)")


def block(source: str, name: str) -> str:
    start = source.index(f"pub static {name}")
    end = source.index("\n];", start)
    return source[start:end]


def main() -> None:
    src, out = pathlib.Path(sys.argv[1]) / "src", pathlib.Path(sys.argv[2])
    profiles = (src / "trigrams" / "profiles.rs").read_text(encoding="utf-8")
    lines = [
        "# whatlang 0.18.0's Latin-script trigram profiles and alphabets (MIT License,",
        "# Copyright (c) Serhii Potapov; https://github.com/greyblake/whatlang-rs), copied by",
        "# scripts/language/whatlang_latin.py. `profile CODE` is followed by its 300 trigrams",
        "# in rank order, one per line between `|`; `alphabet CODE |letters|` lists a language's letters.",
    ]
    lang, count = None, 0
    for line in block(profiles, "LATIN_LANGS").splitlines():
        if m := LANG.match(line):
            lang = m.group(1).lower()
            lines.append(f"profile {lang}")
            count += 1
        elif m := TRIGRAM.match(line):
            lines.append("|" + "".join(m.groups()) + "|")
        elif "Trigram(" in line:
            sys.exit(f"cannot read {line!r}")
    alphabets_rs = (src / "alphabets" / "latin.rs").read_text(encoding="utf-8")
    letters = {name: text for name, text in ALPHABET.findall(alphabets_rs)}
    table = alphabets_rs[alphabets_rs.index("const LATIN_ALPHABETS") :]
    table = table[: table.index("];")]
    for lang, name in PAIR.findall(table):
        lines.append(f"alphabet {lang.lower()} |{letters[name]}|")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{out}: {count} profiles, {len(PAIR.findall(table))} alphabets")


if __name__ == "__main__":
    main()
