"""Entity scores split by whether the training text gives the name: `entente eval ner --errors`
on gold files, then precision, recall and F1 (exact span and type, all labels) over the gold
names whose text some training file also marks as a name ("seen") and over the rest
("unseen"); a name found where the gold has none counts against the side its text falls on.
Unseen names are what held-out text of another time or kind is made of, so their F1 is the
tuning splits' nearest measure of how the tagger generalises. Prints a Markdown table.

Usage: unseen_names.py ENTENTE --train FILE [--train FILE ...] [--model FILE --text KIND]
                       GOLD [GOLD ...]
"""

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile


def names(path):
    """The texts of every name a gold file marks."""
    with open(path, encoding="utf-8") as f:
        return {e["text"] for line in f for e in json.loads(line)["entities"]}


def errors(entente, gold, model, text):
    """The missed and spurious names of `entente eval ner --errors` on `gold`."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "errors.jsonl")
        args = [entente, "eval", "ner", "--quiet", "--errors", out]
        args += ["--model", model] if model else []
        args += ["--text", text] if text else []
        for g in gold:
            args += ["--gold", g]
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
        with open(out, encoding="utf-8") as f:
            return [json.loads(line) for line in f]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("entente")
    parser.add_argument("gold", nargs="+")
    parser.add_argument("--train", action="append", required=True)
    parser.add_argument("--model")
    parser.add_argument("--text")
    args = parser.parse_args()
    seen = set().union(*(names(t) for t in args.train))
    wrong = errors(args.entente, args.gold, args.model, args.text)
    print("| gold file | names | seen | F1 seen (P / R) | F1 unseen (P / R) |")
    print("|---|---|---|---|---|")
    for path in args.gold:
        gold_file = os.path.basename(path)
        missed = {
            (e["doc_id"], e["start"], e["end"], e["label"])
            for e in wrong
            if e["gold_file"] == gold_file and e["kind"] == "missed"
        }
        count = collections.Counter()
        with open(path, encoding="utf-8") as f:
            for line in f:
                record = json.loads(line)
                for e in record["entities"]:
                    side = e["text"] in seen
                    count[side, "gold"] += 1
                    key = (record["doc_id"], e["start"], e["end"], e["label"])
                    count[side, "found"] += key not in missed
        for e in wrong:
            if e["gold_file"] == gold_file and e["kind"] == "spurious":
                count[e["text"] in seen, "spurious"] += 1

        def score(side):
            gold, found = count[side, "gold"], count[side, "found"]
            if gold == 0:
                return "-"
            precision = found / max(found + count[side, "spurious"], 1)
            recall = found / gold
            f1 = 2 * precision * recall / max(precision + recall, 1e-9)
            return f"{f1:.3f} ({precision:.3f} / {recall:.3f})"

        total = count[True, "gold"] + count[False, "gold"]
        share = count[True, "gold"] / max(total, 1)
        print(f"| {gold_file} | {total} | {share:.0%} | {score(True)} | {score(False)} |")


if __name__ == "__main__":
    sys.exit(main())
