"""What each post-tagger pass is worth: `entente eval ner` with every pass, then without each
one, on gold files; prints a Markdown table of F1 (all labels) and the change a pass makes.

Usage: pass_effects.py ENTENTE EVAL_DIR [--model FILE] [GOLD_NAME ...]

The default gold files are the dev sets (BTC, CrossNER, Re-DocRED, CoNLL-2003) and wikigold.
`just tune-ner` runs it on the tuning splits of `tuning_splits.py` with a model trained
without them (`--model`), which is where passes are judged.
"""

import subprocess
import sys

DEFAULT_GOLD = [
    "ner_btc_dev",
    "ner_crossner_dev",
    "ner_redocred_dev",
    "ner_conll2003_dev",
    "ner_wikigold",
]


def passes(entente):
    """The pass names, as the CLI's error message lists them."""
    out = subprocess.run(
        [entente, "eval", "ner", "--gold", "-", "--without-pass", "?"],
        capture_output=True,
        text=True,
    )
    listed = out.stderr.split("the passes are ", 1)[1].splitlines()[0]
    return [p.strip() for p in listed.split(",")]


def f1(entente, gold, model, without=None):
    """F1 of every label, per gold file, in `gold`'s order."""
    # A model of one's own is a news model (`just tune-ner` trains one); `--text` names it.
    args = [entente, "eval", "ner"] + (["--model", model, "--text", "news"] if model else [])
    for g in gold:
        args += ["--gold", g]
    if without:
        args += ["--without-pass", without]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    scores = {}
    for line in out.splitlines():
        fields = line.split()
        if len(fields) == 8 and fields[1] == "all":
            scores[fields[0]] = float(fields[7])
    return [scores[g.rsplit("/", 1)[-1]] for g in gold]


def main():
    entente, eval_dir, rest = sys.argv[1], sys.argv[2], sys.argv[3:]
    model = None
    if rest[:1] == ["--model"]:
        model, rest = rest[1], rest[2:]
    names = rest or DEFAULT_GOLD
    gold = [f"{eval_dir}/{n}.jsonl" for n in names]
    base = f1(entente, gold, model)
    short = [n.removeprefix("ner_") for n in names]
    print("| pass | " + " | ".join(short) + " |")
    print("|---|" + "---|" * len(short))
    print("| all passes (F1) | " + " | ".join(f"{x:.4f}" for x in base) + " |")
    for name in passes(entente):
        without = f1(entente, gold, model, name)
        # What the pass adds: F1 with it minus F1 without it.
        cells = [f"{b - w:+.4f}" if abs(b - w) >= 0.00005 else "0" for b, w in zip(base, without)]
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
