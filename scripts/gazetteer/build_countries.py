"""Builds crates/entente_extract/data/gazetteer/countries.tsv from two pinned PyPI packages.

Sources, both checkable by anyone:
  - pycountry==26.2.16   ISO 3166-1: the list of countries and territories, codes, names;
                         ISO 3166-3: the former states (`FORMER` picks those news names)
  - countryinfo==1.0.1   common names, alternative spellings, capitals, demonyms

Run through `just gazetteer`, which makes a throw-away venv with exactly these versions. The
output is sorted and deterministic; commit it together with any change to this script.
"""

import json
import pathlib
import sys
import unicodedata

import countryinfo
import pycountry

# Short forms and nicknames that neither source lists but news uses constantly. Acronyms are
# matched case-sensitively by the extractor, so "US" never matches the pronoun "us".
EXTRA_ALIASES = {
    "US": ["US", "U.S.", "USA", "U.S.A.", "America", "United States", "United States of America"],
    "GB": ["UK", "U.K.", "Britain", "Great Britain", "United Kingdom"],
    "CN": ["PRC", "People's Republic of China", "Mainland China"],
    "RU": ["Russian Federation"],
    "KP": ["DPRK", "North Korea"],
    "KR": ["ROK", "South Korea"],
    "AE": ["UAE", "Emirates"],
    "CD": ["DRC", "DR Congo"],
    "CG": ["Republic of the Congo", "Congo-Brazzaville"],
    "TR": ["Turkey", "Türkiye", "Turkiye"],
    "CZ": ["Czech Republic", "Czechia"],
    "MM": ["Myanmar"],
    "CI": ["Ivory Coast", "Côte d'Ivoire", "Cote d'Ivoire"],
    "VA": ["Vatican", "Holy See"],
    "IR": ["Iran"],
    "SY": ["Syria"],
    "VN": ["Vietnam", "Viet Nam"],
    "LA": ["Laos"],
    "MD": ["Moldova"],
    "BO": ["Bolivia"],
    "VE": ["Venezuela"],
    "TZ": ["Tanzania"],
    "PS": ["Palestine", "State of Palestine", "Palestinian Territories"],
    "TW": ["Taiwan"],
    "MK": ["North Macedonia"],
    "SZ": ["Eswatini"],
}
# Names a country went by that still name it: Germany kept its ISO code at unification, so
# West Germany is DE; the Yemen Arab Republic's code YE became unified Yemen's.
FORMER_NAMES = {
    "DE": ["West Germany", "Federal Republic of Germany", "FRG"],
    "KH": ["Kampuchea", "Democratic Kampuchea"],
    "NL": ["Holland"],
    "YE": ["North Yemen", "Yemen Arab Republic"],
    "LK": ["Ceylon"],
    "TL": ["East Timor"],
}
# Former states of ISO 3166-3 that news names, by their four-letter code: the names and
# demonyms news used, and the successor recorded as their country (none when the state split
# into several: the Soviet Union's seat at the UN went to Russia, so Russia is its successor).
FORMER = {
    "SUHH": ("Soviet Union", ["Soviet Union", "USSR", "U.S.S.R.", "Union of Soviet Socialist Republics"], ["Soviet", "Soviets"], "RU"),
    "DDDE": ("East Germany", ["East Germany", "German Democratic Republic", "GDR"], ["East German", "East Germans"], "DE"),
    "YUCS": ("Yugoslavia", ["Yugoslavia", "Socialist Federal Republic of Yugoslavia", "Federal Republic of Yugoslavia"], ["Yugoslav", "Yugoslavs", "Yugoslavian"], "RS"),
    "CSHH": ("Czechoslovakia", ["Czechoslovakia", "Czechoslovak Socialist Republic"], ["Czechoslovak", "Czechoslovaks"], None),
    "CSXX": ("Serbia and Montenegro", ["Serbia and Montenegro"], [], "RS"),
    "ZRCD": ("Zaire", ["Zaire", "Republic of Zaire"], ["Zairean", "Zaireans", "Zairian"], "CD"),
    "BUMM": ("Burma", ["Burma", "Socialist Republic of the Union of Burma"], [], "MM"),
    "YDYE": ("South Yemen", ["South Yemen", "Democratic Yemen", "People's Democratic Republic of Yemen"], ["South Yemeni"], "YE"),
    "RHZW": ("Rhodesia", ["Rhodesia", "Southern Rhodesia"], ["Rhodesian", "Rhodesians"], "ZW"),
    "HVBF": ("Upper Volta", ["Upper Volta"], [], "BF"),
    "DYBJ": ("Dahomey", ["Dahomey"], [], "BJ"),
    "NHVU": ("New Hebrides", ["New Hebrides"], [], "VU"),
    "VDVN": ("North Vietnam", ["North Vietnam", "Democratic Republic of Vietnam"], ["North Vietnamese"], "VN"),
    "ANHH": ("Netherlands Antilles", ["Netherlands Antilles"], [], None),
}
# The year each country of today that was formed after 1974 (when ISO 3166-3's withdrawals
# begin) came to be: a story of 1987 that names "Georgia" means the US state.
FOUNDED = {
    "AM": 1991, "AZ": 1991, "BY": 1991, "EE": 1991, "GE": 1991, "KG": 1991, "KZ": 1991,
    "LT": 1991, "LV": 1991, "MD": 1991, "TJ": 1991, "TM": 1991, "UA": 1991, "UZ": 1991,
    "HR": 1991, "MK": 1991, "SI": 1991, "BA": 1992, "CZ": 1993, "SK": 1993, "ER": 1993,
    "NA": 1990, "TL": 2002, "ME": 2006, "RS": 2006, "SS": 2011,
}
# Former names of capitals, kept as aliases beside today's name (former names of other cities:
# build_places.py).
FORMER_CAPITALS = {"CN": ["Peking"]}
# Current official short names where the sources lag behind.
CANONICAL = {"MK": "North Macedonia", "SZ": "Eswatini", "VA": "Vatican City"}
EXTRA_DEMONYMS = {
    "US": ["American", "Americans"],
    "GB": ["British", "Briton", "Britons"],
    "CN": ["Chinese", "Sino"],  # "Sino" is the combining form: "Sino-Russian", "Sino-Soviet"
    "RU": ["Russian", "Russians"],
    "KP": ["North Korean", "North Koreans"],
    "KR": ["South Korean", "South Koreans"],
    "AE": ["Emirati"],
    "UA": ["Ukrainian", "Ukrainians"],
    "IN": ["Indian", "Indians"],
    "JP": ["Japanese"],
    "IR": ["Iranian", "Iranians"],
    "FR": ["French"],
    "DE": ["German", "Germans", "West German", "West Germans"],
    "TR": ["Turkish"],
    "PH": ["Filipino", "Philippine"],
    "NL": ["Dutch"],
}
EXTRA_CAPITALS = {"US": ["Washington", "Washington, D.C.", "Washington D.C."], "KR": ["Seoul"]}
# Capitals whose names are far more often something else in news.
SKIP_CAPITALS = {"Kingston", "Victoria", "Georgetown", "Hamilton", "Road Town", "The Valley"}
# Alternative spellings that are English words or surnames: Iceland's "Island" made "the
# island" Iceland, the Isle of Man's "Mann" would make Thomas Mann a place.
SKIP_ALIASES = {"Island", "Mann"}
# Demonyms shared by several countries name none of them.
SKIP_DEMONYMS = {"Congolese", "Dominican", "Guinean", "Samoan", "Virgin Islander", "Irish"}


def is_latin(text):
    for ch in text:
        if ch.isalpha() and not unicodedata.name(ch, "").startswith("LATIN"):
            return False
    return True


def usable(alias):
    alias = alias.strip()
    return (
        len(alias) >= 4
        and "," not in alias
        and is_latin(alias)
        and not (alias.isupper() and len(alias) <= 3)
    )


def population(records):
    """The largest population countryinfo gives for a country (0 when it gives none)."""
    counts = [r.get("population") for r in records]
    return max([c for c in counts if isinstance(c, int)], default=0)


def load_countryinfo():
    data = pathlib.Path(countryinfo.__file__).parent / "data"
    by_code = {}
    for path in sorted(data.glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        code = (record.get("ISO") or {}).get("alpha2")
        if code:
            by_code.setdefault(code, []).append(record)
    return by_code


def main(out_path):
    info = load_countryinfo()
    rows = []
    demonym_rows = []
    seen_capitals = {}
    for country in sorted(pycountry.countries, key=lambda c: c.alpha_2):
        code = country.alpha_2
        records = info.get(code, [])
        candidates = [getattr(country, "common_name", None)]
        candidates += [record.get("name") for record in records]
        candidates += [country.name, getattr(country, "official_name", None)]
        name = CANONICAL.get(code) or next((c for c in candidates if c and "," not in c), country.name)
        names = [name, country.name, getattr(country, "official_name", "")]
        for record in records:
            names.append(record.get("name", ""))
            names.extend(record.get("altSpellings") or [])
        names.extend(EXTRA_ALIASES.get(code, []))
        aliases = sorted(
            {a.strip() for a in names if a and usable(a) and a.strip() not in SKIP_ALIASES}
            | set(EXTRA_ALIASES.get(code, []))
            | set(FORMER_NAMES.get(code, []))
        )
        if name not in aliases:
            aliases.insert(0, name)
        country_id = f"iso3166:{code}"
        rows.append((country_id, "GPE", name, "", aliases))

        demonyms = set(EXTRA_DEMONYMS.get(code, []))
        main_demonym = None
        for record in records:
            if isinstance(record.get("demonym"), str) and record["demonym"].strip():
                main_demonym = main_demonym or record["demonym"].strip()
                demonyms.add(record["demonym"].strip())
        demonyms -= SKIP_DEMONYMS
        if demonyms:
            demonym_rows.append((code, main_demonym, country_id, demonyms, population(records)))

        capitals = set(EXTRA_CAPITALS.get(code, []))
        for record in records:
            found = record.get("capital") or []
            for capital in [found] if isinstance(found, str) else found:
                capital = capital.strip()
                if capital and is_latin(capital) and capital not in SKIP_CAPITALS:
                    capitals.add(capital)
        capitals = {c for c in capitals if c not in aliases}
        if capitals:
            main_capital = sorted(capitals, key=lambda c: (len(c), c))[0]
            if main_capital in seen_capitals:
                continue
            seen_capitals[main_capital] = code
            slug = "-".join(main_capital.lower().replace(".", "").replace(",", "").split())
            capitals |= set(FORMER_CAPITALS.get(code, []))
            rows.append((f"city:{code}:{slug}", "GPE", main_capital, country_id, sorted(capitals)))

    historic = {c.alpha_4: c for c in pycountry.historic_countries}
    for code4, (name, aliases, demonyms, successor) in FORMER.items():
        assert code4 in historic, f"{code4} is not in ISO 3166-3"
        former_id = f"iso3166-3:{code4}"
        successor_id = f"iso3166:{successor}" if successor else ""
        rows.append((former_id, "GPE", name, successor_id, sorted(aliases)))
        if demonyms:
            rows.append((f"demonym:{code4}", "NORP", demonyms[0], former_id, sorted(demonyms)))

    # A demonym several countries list belongs to the one EXTRA_DEMONYMS gives it to, else to
    # the most populous ("American" is the United States', not the Northern Mariana Islands').
    owner = {}
    for code, _, _, demonyms, people in demonym_rows:
        for d in demonyms:
            rank = (d in EXTRA_DEMONYMS.get(code, []), people)
            if d not in owner or rank > owner[d][0]:
                owner[d] = (rank, code)
    for code, main_demonym, country_id, demonyms, _ in demonym_rows:
        demonyms = {d for d in demonyms if owner[d][1] == code}
        if demonyms:
            if main_demonym not in demonyms:
                main_demonym = sorted(demonyms, key=lambda d: (len(d), d))[0]
            rows.append((f"demonym:{code}", "NORP", main_demonym, country_id, sorted(demonyms)))

    years = [(f"iso3166:{code}", str(year), "") for code, year in FOUNDED.items()]
    for code4 in FORMER:
        until = str(historic[code4].withdrawal_date)[:4]
        years.append((f"iso3166-3:{code4}", "", until))
    years_path = pathlib.Path(out_path).with_name("country_years.tsv")
    with open(years_path, "w", encoding="utf-8", newline="\n") as out:
        out.write("# Generated by scripts/gazetteer/build_countries.py: the years a country existed, where it\n")
        out.write("# began after 1974 or has ended (ISO 3166-3's withdrawal dates). Do not edit by hand.\n")
        out.write("entity_id\tfrom\tuntil\n")
        for row in sorted(years):
            out.write("\t".join(row) + "\n")

    rows.sort()
    with open(out_path, "w", encoding="utf-8", newline="\n") as out:
        out.write("# Generated by scripts/gazetteer/build_countries.py from pycountry and countryinfo.\n")
        out.write("# Do not edit by hand: change the script and run `just gazetteer`.\n")
        out.write("entity_id\tentity_type\tname\tcountry_id\taliases\n")
        for entity_id, entity_type, name, country_id, aliases in rows:
            out.write(f"{entity_id}\t{entity_type}\t{name}\t{country_id}\t{'|'.join(aliases)}\n")
    print(f"wrote {len(rows)} entities to {out_path}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1])
