#!/usr/bin/env python3
"""Writes the binary and encoded ingest fixtures (compressed, UTF-16, Shift-JIS, cp1252,
truncated, corrupt). Text fixtures are committed as they are; run this after editing one
of the sources below: `python3 make_fixtures.py` from this directory. Needs only python3
(zstd fixtures are written by the `zstd` CLI when present, and kept otherwise)."""

import bz2
import gzip
import os
import shutil
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))


def write(path, data):
    with open(os.path.join(HERE, path), "wb") as f:
        f.write(data)


def read(path):
    with open(os.path.join(HERE, path), "rb") as f:
        return f.read()


def gz(data):
    # mtime=0 so the bytes do not change between runs.
    return gzip.compress(data, mtime=0)


PARAGRAPHS = [
    "Ministers from the two countries met in Tashkent on Tuesday to sign a framework agreement on "
    "rail freight, the first such accord since the corridor was proposed in 2019.",
    "The agreement sets common customs procedures at three border crossings and commits both "
    "governments to publish tariff schedules a year in advance, officials said after the signing.",
    "Traders in the region have long complained that shipments wait for days at the border while "
    "documents are checked twice, adding costs that make rail uncompetitive with road haulage.",
    "Analysts cautioned that the accord leaves the hardest questions, including who pays for new "
    "track and signalling, to working groups that have not yet been named.",
    "A joint commission will meet every six months to review progress, and the first review is "
    "scheduled for the spring, according to a statement from the transport ministry.",
]

PAGE = """<!DOCTYPE html>
<html lang="en-GB"><head>
<meta charset="utf-8">
<title>Rail freight accord signed in Tashkent | Example Wire</title>
<link rel="canonical" href="https://news.example.org/2024/05/rail-accord">
<meta property="og:site_name" content="Example Wire">
<meta property="og:title" content="Rail freight accord signed in Tashkent">
<meta property="article:published_time" content="2024-05-14T08:30:00+05:00">
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "NewsArticle",
 "headline": "Rail freight accord signed in Tashkent",
 "author": [{"@type": "Person", "name": "Dilnoza Karimova"}, {"@type": "Person", "name": "Tom Reed"}],
 "datePublished": "2024-05-14T08:30:00+05:00",
 "publisher": {"@type": "Organization", "name": "Example Wire"}}
</script>
</head><body>
<div class="cookie-banner">We use cookies to improve your experience. Accept all cookies?</div>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/business">Business</a></nav>
<main><article class="story">
<h1>Rail freight accord signed in Tashkent</h1>
<div class="byline">By Dilnoza Karimova and Tom Reed</div>
<div class="share-tools"><a href="#">Share on Facebook</a> <a href="#">Share on X</a></div>
PARAS
<figure><img src="a.jpg"><figcaption>Freight wagons at a border station. Photo: Example Wire</figcaption></figure>
<div class="newsletter-signup">Get the morning briefing in your inbox. Sign up now.</div>
</article></main>
<aside class="related-links"><h3>Related</h3><ul><li><a href="#">Port upgrade delayed again</a></li>
<li><a href="#">Five charts on Central Asian trade</a></li></ul></aside>
<section id="comments"><h3>Comments</h3><p>First! Great article, thanks.</p></section>
<footer>Copyright 2024 Example Wire. All rights reserved.</footer>
</body></html>
"""


def page(paragraphs, head_charset="utf-8"):
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    text = PAGE.replace("PARAS", body)
    if head_charset is None:
        text = text.replace('<meta charset="utf-8">\n', "")
    else:
        text = text.replace('charset="utf-8"', f'charset="{head_charset}"')
    return text


JA = [
    "東京で火曜日、両国の閣僚が鉄道貨物に関する枠組み協定に署名した。回廊構想が提案されて以来、初めての合意となる。",
    "協定は三つの国境検問所で共通の税関手続きを定め、両政府に対し関税表を一年前に公表することを求めている。",
    "地域の業者は、書類が二度確認されるため国境で貨物が何日も待たされ、道路輸送に比べて鉄道の競争力が落ちていると長年訴えてきた。",
    "専門家は、新しい線路や信号設備の費用負担など最も難しい問題が、まだ人選も済んでいない作業部会に委ねられたと指摘した。",
]


def main():
    ok = "ok"
    # A UTF-16LE text file with its byte-order mark.
    write(f"{ok}/utf16.txt", "\ufeff".encode("utf-16-le") + (
        "Rail accord\n\n" + "\n\n".join(PARAGRAPHS[:2]) + "\n").encode("utf-16-le"))
    # A web page, declared UTF-8, with furniture around the article.
    write(f"{ok}/page.html", page(PARAGRAPHS).encode("utf-8"))
    # Legacy encodings with no declaration: detected.
    cp = [p.replace("said", "said \u201cwe are ready\u201d") for p in PARAGRAPHS]
    cp[0] = cp[0].replace("Tashkent", "Tashkent caf\u00e9 district")
    write(f"{ok}/cp1252_undeclared.html", page(cp, head_charset=None).encode("cp1252"))
    write(f"{ok}/sjis_undeclared.html",
          page(JA, head_charset=None).replace('lang="en-GB"', 'lang="ja"').encode("shift_jis"))
    # Compressed copies.
    write(f"{ok}/article.txt.gz", gz(read(f"{ok}/article.txt")))
    write(f"{ok}/article.txt.bz2", bz2.compress(read(f"{ok}/article.txt")))
    if shutil.which("zstd"):
        subprocess.run(["zstd", "-q", "-f", "-19", os.path.join(HERE, ok, "notes.md"),
                        "-o", os.path.join(HERE, ok, "notes.md.zst")], check=True)
    # A page with no extension: found by sniffing.
    write(f"{ok}/saved_page", page(PARAGRAPHS[:3]).encode("utf-8"))

    mixed = "mixed"
    jsonl = read(f"{mixed}/wire.jsonl")
    whole = gz(jsonl + jsonl)
    write(f"{mixed}/truncated.jsonl.gz", whole[: len(whole) * 2 // 3])

    err = "err"
    write(f"{err}/corrupt.txt.gz", b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + b"not deflate data at all" * 4)
    write(f"{err}/not_gzip.txt.gz", b"plain text with a .gz name\n")
    write(f"{err}/undecodable.html",
          b'<html><head><meta charset="utf-8"></head><body><p>' + b"\xff\xfe\xc3" * 200 + b"</p></body></html>")


if __name__ == "__main__":
    main()
