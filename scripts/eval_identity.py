#!/usr/bin/env python3
"""Scores entity identity against the story labels of Reuters-21578's TRAIN split.

usage: eval_identity.py OUTPUT_DIR LABELS.jsonl COUNTRIES.tsv

OUTPUT_DIR is `entente run` over `reuters21578/articles.jsonl`; LABELS is
`doc_labels_reuters21578_train.jsonl` (places and people that Reuters staff assigned to each
story in 1987); COUNTRIES is entente's generated country list, used to map the labels' country
slugs to ids. Only stories with a body and at least one label of the kind scored count.

- Countries: a story's predicted countries are the countries it names, as country ids
  (`iso3166:XX`, and `iso3166-3:XXXX` for former states): a mention's own country id
  ("Japan", "West Germany"), or the `country_id` of a demonym ("Japanese") or a national
  body ("Kremlin"); cities and regions do not count ("Osaka" is in Japan, it does not
  name it). Then two more rows for comparison: the mentions' own ids alone, and every
  mention's country (cities and regions too). Recall and precision over (story, country)
  pairs of every TRAIN story with a body; the headline is part of a story's text.
- People: a label ("volcker", "james-baker") is found in a story when a PERSON mention there
  names them: the mention's name, folded to a slug, ends with the label, or is the label's
  surname alone. Recall over (story, person) pairs; then, for each labelled person found, the
  distinct ids of those mentions across the split: one id is what an analyst needs.
- For scale, every country name and alias matched in the text as written: what country ids
  alone could find at best.
- Corpus links checked against the people labels; wrong links: mentions given the wrong
  person or place in the issue that set these checks; ids holding a title ("Treasury
  Secretary James Baker").
"""

import collections
import json
import os
import re
import sys
import unicodedata

import pyarrow.parquet as pq

# Label slugs whose country the country list's names do not spell: 1987's names and
# abbreviations. Former states take their ISO 3166-3 code; West Germany is Germany (ISO 3166
# kept DE), Kampuchea Cambodia, the Yemen Arab Republic today's Yemen.
LABEL_IDS = {
    "usa": "iso3166:US",
    "uk": "iso3166:GB",
    "uae": "iso3166:AE",
    "west-germany": "iso3166:DE",
    "ussr": "iso3166-3:SUHH",
    "east-germany": "iso3166-3:DDDE",
    "yugoslavia": "iso3166-3:YUCS",
    "czechoslovakia": "iso3166-3:CSHH",
    "zaire": "iso3166-3:ZRCD",
    "burma": "iso3166-3:BUMM",
    "yemen-demo-republic": "iso3166-3:YDYE",
    "yemen-arab-republic": "iso3166:YE",
    "kampuchea": "iso3166:KH",
    "ivory-coast": "iso3166:CI",
    "trinidad-tobago": "iso3166:TT",
    "us-virgin-islands": "iso3166:VI",
    "south-korea": "iso3166:KR",
    "north-korea": "iso3166:KP",
    "congo": "iso3166:CG",
}

# The wrong links found in this corpus before the identity rules: (surface pattern, wrong id
# pattern, when). In 1987 news Jens Stoltenberg and Mark Carney are never meant (Gerhard
# Stoltenberg, Pat Carney), Greenspan is a person, Zaire the country; "CPC" is China's
# Communist Party only in a story that names the party; a region abroad is wrong where the
# story names nothing else in that country (Santa Fe, the railroad, in a story from Kansas).
def _no_other(country):
    return lambda mention, doc: not any(
        e["entity_id"] != mention["entity_id"]
        and (e["entity_id"] == country or e["country_id"] == country)
        for e in doc
    )


WRONG_LINKS = [
    (r"Carney", r"^person:mark-carney$", None),
    (r"Stoltenberg", r"^person:jens-stoltenberg$", None),
    (r"^Greenspan$", r"^org:", None),
    (r"^CPC$", r"^org:ccp$", lambda m, doc: not any("Communist" in e["text"] for e in doc)),
    (r"^Georgia$", r"^iso3166:GE$", _no_other("iso3166:GE")),
    (r"^Portland$", r"^iso3166-2:JM", _no_other("iso3166:JM")),
    (r"^Santa Fe$", r"^iso3166-2:AR", _no_other("iso3166:AR")),
    (r"^Zaire$", r"^iso3166-2:AO", None),
]

TITLE_WORDS = {
    "president", "minister", "secretary", "chancellor", "governor", "chairman", "treasurer",
    "premier", "senator", "sen", "rep", "representative", "ambassador", "king", "queen",
    "prince", "sheikh", "exchequer", "spokesman", "director", "undersecretary", "deputy", "mr",
    "mrs", "dr", "judge", "commissioner", "envoy",
}


def slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "-".join(re.findall(r"[a-z0-9]+", folded))


def country_ids(countries_tsv: str) -> dict[str, str]:
    """Label slug -> country id, from the names and aliases of the country list."""
    by_slug: dict[str, str] = {}
    with open(countries_tsv, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or line.startswith("entity_id"):
                continue
            cols = line.rstrip("\n").split("\t")
            if not cols[0].startswith("iso3166:"):
                continue
            for name in [cols[2], *cols[4].split("|")]:
                by_slug.setdefault(slug(name), cols[0])
    return by_slug


def main() -> int:
    out, labels_path, countries_tsv = sys.argv[1:4]
    by_slug = country_ids(countries_tsv)
    labels = [json.loads(line) for line in open(labels_path, encoding="utf-8")]
    docs = pq.read_table(os.path.join(out, "documents"), columns=["doc_id", "source_id", "text"])
    doc_of = dict(zip(docs["source_id"].to_pylist(), docs["doc_id"].to_pylist()))
    ents = pq.read_table(
        os.path.join(out, "entities"),
        columns=["doc_id", "text", "entity_id", "entity_name", "entity_type", "country_id", "linked_by"],
    ).to_pylist()
    by_doc: dict[str, list[dict]] = collections.defaultdict(list)
    for e in ents:
        by_doc[e["doc_id"]].append(e)

    # Countries.
    unmapped = sorted({p for r in labels for p in r["places"]} - set(LABEL_IDS) - set(by_slug))
    if unmapped:
        print(f"no country id for label(s): {', '.join(unmapped)}", file=sys.stderr)
        return 1
    # A story's countries: the countries it names (a mention's own country id, or the
    # `country_id` of a demonym or a national body), the mentions' own ids alone, or every
    # mention's country (cities and regions too). Every TRAIN story with a body counts,
    # labelled places or not, so a country found in a story without places is a false
    # positive.
    def countries_of(doc: str, via: set[str]) -> set[str]:
        out = set()
        for e in by_doc[doc]:
            if e["entity_id"].startswith(("iso3166:", "iso3166-3:")):
                out.add(e["entity_id"])
            elif e["entity_type"] in via and (e["country_id"] or "").startswith(("iso3166:", "iso3166-3:")):
                out.add(e["country_id"])
        return out

    every = {"NORP", "ORG", "GPE", "LOC", "FAC", "PERSON", "MISC", "EVENT", "LAW"}
    for label, via in (
        ("named (country ids, demonyms, national bodies)", {"NORP", "ORG"}),
        ("mentions' own country ids", set()),
        ("every mention's country", every),
    ):
        gold_n = pred_n = hit_n = 0
        missed: collections.Counter[str] = collections.Counter()
        extra: collections.Counter[str] = collections.Counter()
        for r in labels:
            doc = doc_of.get(r["id"])
            if doc is None:
                continue
            gold = {LABEL_IDS.get(p) or by_slug[p] for p in r["places"]}
            pred = countries_of(doc, via)
            gold_n += len(gold)
            pred_n += len(pred)
            hit_n += len(gold & pred)
            missed.update(gold - pred)
            extra.update(pred - gold)
        recall, precision = hit_n / gold_n, hit_n / max(pred_n, 1)
        print(f"countries, {label}: recall {recall:.3f} ({hit_n}/{gold_n}), precision {precision:.3f} ({hit_n}/{pred_n})")
        print("  most missed:", ", ".join(f"{k} {v}" for k, v in missed.most_common(8)))
        print("  most unlabelled:", ", ".join(f"{k} {v}" for k, v in extra.most_common(8)))

    # For scale: every name and alias of every country (the lists' `iso3166` rows) matched in
    # the text as written, on word boundaries, inside longer names too.
    aliases: dict[str, str] = {}
    with open(countries_tsv, encoding="utf-8") as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) == 5 and cols[0].startswith(("iso3166:", "iso3166-3:")):
                for a in [cols[2], *cols[4].split("|")]:
                    aliases.setdefault(a, cols[0])
    pattern = re.compile(
        r"(?<![\w-])(" + "|".join(map(re.escape, sorted(aliases, key=len, reverse=True))) + r")(?![\w-])"
    )
    texts = dict(zip(docs["doc_id"].to_pylist(), docs["text"].to_pylist()))
    gold_n = pred_n = hit_n = 0
    for r in labels:
        doc = doc_of.get(r["id"])
        if doc is None:
            continue
        gold = {LABEL_IDS.get(p) or by_slug[p] for p in r["places"]}
        pred = {aliases[m.group(1)] for m in pattern.finditer(texts[doc])}
        gold_n += len(gold)
        pred_n += len(pred)
        hit_n += len(gold & pred)
    print(f"countries, every country alias in the text: recall {hit_n / gold_n:.3f}, precision {hit_n / max(pred_n, 1):.3f}")

    # People.
    pairs = found_pairs = 0
    ids_of: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    unfound: collections.Counter[str] = collections.Counter()
    for r in labels:
        doc = doc_of.get(r["id"])
        if doc is None:
            continue
        people = [e for e in by_doc[doc] if e["entity_type"] == "PERSON"]
        for label in r["people"]:
            surname = label.split("-")[-1]
            hits = [
                e
                for e in people
                if (s := slug(e["entity_name"])) == label
                or s.endswith("-" + label)
                or s == surname
            ]
            pairs += 1
            if hits:
                found_pairs += 1
                ids_of[label].update(e["entity_id"] for e in hits)
            else:
                unfound[label] += 1
    one = sum(1 for ids in ids_of.values() if len(ids) == 1)
    print(f"people: recall {found_pairs / max(pairs, 1):.3f} ({found_pairs}/{pairs} story labels)")
    print(f"  one id: {one} of {len(ids_of)} labelled people found ({one / max(len(ids_of), 1):.2f})")
    split = sorted(
        ((label, ids) for label, ids in ids_of.items() if len(ids) > 1),
        key=lambda x: -sum(x[1].values()),
    )
    for label, ids in split[:15]:
        print(f"  {label}: " + ", ".join(f"{i} {n}" for i, n in ids.most_common(5)))
    print("  most unfound:", ", ".join(f"{k} {v}" for k, v in unfound.most_common(10)))

    # Links the corpus made (`linked_by = corpus`) in stories labelled with a person of that
    # surname: a link to a full name whose given name the label contradicts is wrong ("Baker"
    # -> James Baker in a story labelled howard-baker).
    right = wrong_corpus = 0
    for r in labels:
        doc = doc_of.get(r["id"])
        if doc is None:
            continue
        for e in by_doc[doc]:
            if e["linked_by"] != "corpus":
                continue
            target = slug(e["entity_name"])
            same = [l for l in r["people"] if l.split("-")[-1] == target.split("-")[-1]]
            if not same:
                continue
            if any(target == l or target.endswith("-" + l) or "-" not in l for l in same):
                right += 1
            else:
                wrong_corpus += 1
    print(f"corpus links in stories labelled with that surname: {right} agree, {wrong_corpus} contradict")

    # Wrong links and titles.
    wrong: collections.Counter[str] = collections.Counter()
    for e in ents:
        for surface, wrong_id, when in WRONG_LINKS:
            if (
                re.search(surface, e["text"])
                and re.search(wrong_id, e["entity_id"])
                and (when is None or when(e, by_doc[e["doc_id"]]))
            ):
                wrong[f"{e['text']} -> {e['entity_id']}"] += 1
    print(f"wrong links: {sum(wrong.values())} mentions")
    for k, v in wrong.most_common(10):
        print(f"  {k}: {v}")
    # An id holds a title when a person's id opens with a title word
    # ("person:exchequer-nigel-lawson"), or any id has one right before a given name
    # ("org:treasury-secretary-james-baker"); surnames such as King are no titles.
    given = {
        line.strip().lower()
        for line in open(os.path.join(os.path.dirname(countries_tsv), "..", "given_names.txt"), encoding="utf-8")
        if line.strip() and not line.startswith("#")
    }

    def holds_title(entity_id: str, entity_type: str) -> bool:
        words = entity_id.split(":", 1)[1].split("-")
        opens = entity_type == "PERSON" and len(words) > 1 and words[0] in TITLE_WORDS
        return opens or any(a in TITLE_WORDS and b in given for a, b in zip(words, words[1:]))

    titled = sorted({e["entity_id"] for e in ents if holds_title(e["entity_id"], e["entity_type"])})
    print(f"ids holding a title: {len(titled)}")
    print("  e.g.", ", ".join(titled[:12]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
