"""Split the training files of ../shared/eval into the parts the tagger trains on and the
tuning parts that decide features, sources and passes (never the dev files or wikigold).

Every fifth CoNLL-2003 train article (from the third), every sixth BTC train tweet and every
seventh CrossNER train sample (from the fourth) is held out, so each tuning part spans its
whole file (BTC's sections, CrossNER's five domains) instead of its last stretch.

    python3 scripts/ner/tuning_splits.py ../shared/eval output/tune-ner

writes conll_train.jsonl, conll_tune.jsonl, btc_train.jsonl, btc_tune.jsonl,
crossner_train.jsonl and crossner_tune.jsonl there (`just tune-ner`).
"""

import pathlib
import sys

SPLITS = [
    ("conll", "ner_conll2003_train.jsonl", 5, 2),
    ("btc", "ner_btc_train.jsonl", 6, 2),
    ("crossner", "ner_crossner_train.jsonl", 7, 3),
]


def main() -> None:
    source, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    for name, file, every, at in SPLITS:
        lines = (source / file).read_text(encoding="utf-8").splitlines()
        tune = [line for i, line in enumerate(lines) if i % every == at]
        train = [line for i, line in enumerate(lines) if i % every != at]
        (out / f"{name}_tune.jsonl").write_text("\n".join(tune) + "\n", encoding="utf-8")
        (out / f"{name}_train.jsonl").write_text("\n".join(train) + "\n", encoding="utf-8")
        print(f"{file}: {len(train)} records to train on, {len(tune)} to tune on")


if __name__ == "__main__":
    main()
