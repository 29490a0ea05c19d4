//! Training: averaged perceptrons over fixed pseudo-random orders of the documents.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use rayon::prelude::*;

#[cfg(doc)]
use super::PRUNE;
use super::features::{
    DocContext, Features, Prepared, Style, features, prepare, style, title_case,
};
use super::{
    Allowed, DROPOUT, IdHasher, Label, MARGIN, N, ORDERS, Tagger, TextKind, TextModel, Token,
    Weights, scores,
};

impl Tagger {
    /// Trains on documents (each a list of sentences: tokens with gold labels): an
    /// averaged perceptron of `epochs` passes for each of `ORDERS` (five) fixed pseudo-random
    /// orders of the documents (each document's sentences in order), and returns the mean of
    /// their weights.
    pub fn train(documents: &[Vec<(Vec<Token<'_>>, Vec<Label>)>], epochs: usize) -> Self {
        // Half an update: a small training set's few updates leave little above [`PRUNE`].
        Self::train_partial(documents, &vec![[true; 4]; documents.len()], epochs, 0.5)
    }

    /// [`Tagger::train`] on documents whose gold marks only some kinds of name: where
    /// `annotated[d][k]` is false, document `d`'s source never labels [`super::Kind::ALL`]`[k]`
    /// (tweets have no `MISC`), so a guess of that kind on a token its gold leaves outside
    /// any name is not counted as an error. Features whose every averaged weight is at most
    /// `prune` are left out of the model (`entente train ner` uses [`PRUNE`]).
    pub fn train_partial(
        documents: &[Vec<(Vec<Token<'_>>, Vec<Label>)>],
        annotated: &[[bool; 4]],
        epochs: usize,
        prune: f32,
    ) -> Self {
        let untyped = vec![None; documents.len()];
        let mut weights = train_weights(documents, annotated, &untyped, epochs, prune);
        Self::quantized(&weights.swap_remove(0))
    }
}

impl TextModel {
    /// [`Tagger::train_partial`] with weights for kinds of text (Daumé's feature
    /// augmentation): every document trains the shared weights, and a document of
    /// `texts[d]` also trains that kind's own, each update adding to both. Text of a kind
    /// is then read with the shared weights and its kind's summed; news, which has none of
    /// its own, with the shared weights alone.
    pub fn train(
        documents: &[Vec<(Vec<Token<'_>>, Vec<Label>)>],
        annotated: &[[bool; 4]],
        texts: &[TextKind],
        epochs: usize,
        prune: f32,
    ) -> Self {
        let own: Vec<Option<usize>> =
            texts.iter().map(|&t| TextKind::OWN.iter().position(|&o| o == t)).collect();
        let mut weights = train_weights(documents, annotated, &own, epochs, prune).into_iter();
        let shared = weights.next().unwrap_or_default();
        Self::quantized(&shared, TextKind::OWN.iter().copied().zip(weights).collect())
    }
}

/// The averaged weights of the `ORDERS` runs, shared first, then those of each of
/// [`TextKind::OWN`] (none when no document has one of its own: `own[d]` is document `d`'s
/// place there). Features whose every averaged weight is at most `prune` are left out.
fn train_weights(
    documents: &[Vec<(Vec<Token<'_>>, Vec<Label>)>],
    annotated: &[[bool; 4]],
    own: &[Option<usize>],
    epochs: usize,
    prune: f32,
) -> Vec<Weights> {
    let kinds = own.iter().flatten().max().map_or(0, |&k| k + 1);
    // Each run visits the documents in its own order; the runs are independent, so they
    // train in parallel and are summed in run order (the same bytes at any thread count).
    let runs: Vec<Vec<Weights>> = (0..ORDERS)
        .into_par_iter()
        .map(|k| {
            let seed = 0x9e37_79b9_7f4a_7c15_u64.wrapping_add(k * 0x1234_5678_9abc);
            Tagger::train_in_order(documents, annotated, own, kinds, epochs, seed)
        })
        .collect();
    (0..=kinds)
        .map(|part| {
            let mut features: Vec<u64> =
                runs.iter().flat_map(|w| w[part].keys().copied()).collect();
            features.sort_unstable();
            features.dedup();
            let mut weights = Weights::with_capacity_and_hasher(
                features.len(),
                std::hash::BuildHasherDefault::default(),
            );
            #[allow(clippy::cast_precision_loss, reason = "a handful of runs")]
            let share = 1.0 / ORDERS as f32;
            for f in features {
                let mut sum = [0f32; N];
                for run in &runs {
                    if let Some(w) = run[part].get(&f) {
                        for (s, x) in sum.iter_mut().zip(w) {
                            *s += x * share;
                        }
                    }
                }
                if sum.iter().any(|x| x.abs() > prune) {
                    weights.insert(f, sum);
                }
            }
            weights
        })
        .collect()
}

impl Tagger {
    /// One averaged perceptron, visiting the documents in the order `seed` draws.
    /// The shared weights come first, then those of each of the `kinds` kinds of text that
    /// documents may have of their own (`own[d]`).
    fn train_in_order(
        documents: &[Vec<(Vec<Token<'_>>, Vec<Label>)>],
        annotated: &[[bool; 4]],
        own: &[Option<usize>],
        kinds: usize,
        epochs: usize,
        seed: u64,
    ) -> Vec<Weights> {
        let mut w = vec![Weights::default(); kinds + 1];
        // The step-weighted sums of the updates, for the average, in f64: an f32 step count
        // stops at 2^24, which the text kinds' training passes (28 passes over 641,921
        // tokens), and every update after it would count for nothing in the average.
        let mut u: Vec<HashMap<u64, [f64; N], BuildHasherDefault<IdHasher>>> =
            vec![HashMap::default(); kinds + 1];
        let mut c = 1f64;
        // Every headline in capitals is followed by a title-case copy of itself.
        let titled: Vec<Vec<Vec<String>>> = documents
            .iter()
            .map(|d| {
                d.iter()
                    .filter(|(t, _)| style(t) == Style::Caps)
                    .map(|(t, _)| {
                        t.iter().enumerate().map(|(i, t)| title_case(t.text, i == 0)).collect()
                    })
                    .collect()
            })
            .collect();
        let augmented: Vec<Vec<(Vec<Token<'_>>, Vec<Label>)>> = documents
            .iter()
            .zip(&titled)
            .map(|(d, titled)| {
                let mut titled = titled.iter();
                let mut out = Vec::with_capacity(d.len());
                for (tokens, gold) in d {
                    out.push((tokens.clone(), gold.clone()));
                    if style(tokens) == Style::Caps
                        && let Some(words) = titled.next()
                    {
                        let copy = tokens
                            .iter()
                            .zip(words)
                            .map(|(t, w)| Token { text: w.as_str(), gazetteer: t.gazetteer })
                            .collect();
                        out.push((copy, gold.clone()));
                    }
                }
                out
            })
            .collect();
        let mut order: Vec<usize> = (0..documents.len()).collect();
        let mut feats = Features::default();
        let mut state = seed;
        for _ in 0..epochs {
            // Fisher-Yates with a fixed xorshift: the same order on every machine.
            for i in (1..order.len()).rev() {
                state = xorshift(state);
                let j = usize::try_from(state % (i as u64 + 1)).unwrap_or(0);
                order.swap(i, j);
            }
            for &k in &order {
                let document = &augmented[k];
                // The weights this document trains: the shared ones, and its kind's.
                let parts = [Some(0), own.get(k).copied().flatten().map(|o| o + 1)];
                let sentences: Vec<Vec<Token<'_>>> =
                    document.iter().map(|(t, _)| t.clone()).collect();
                let prepared: Vec<Prepared> = sentences.iter().map(|t| prepare(t)).collect();
                let mut doc = DocContext::new(&prepared);
                for ((tokens, gold), p) in document.iter().zip(&prepared) {
                    let mut predicted: Vec<usize> = Vec::with_capacity(tokens.len());
                    for (i, truth) in gold.iter().enumerate().take(tokens.len()) {
                        let truth = truth.index();
                        features(p, i, &predicted, &doc, &mut feats);
                        // Dropout: each update sees a fresh random share of the features.
                        feats.ids.retain(|_| {
                            state = xorshift(state);
                            state % 100 >= DROPOUT
                        });
                        // Training keeps only the punctuation constraint and learns persons
                        // from the gold as it is; the person constraint is a decoding rule.
                        let name_ok = match p.name_ok[i] {
                            Allowed::Nothing => Allowed::Nothing,
                            Allowed::NotPerson
                            | Allowed::Inside
                            | Allowed::Any
                            | Allowed::AfterHandle => Allowed::Any,
                        };
                        let mut sums = scores(&w[0], &feats.ids);
                        if let Some(o) = parts[1] {
                            for (s, x) in sums.iter_mut().zip(scores(&w[o], &feats.ids)) {
                                *s += x;
                            }
                        }
                        let prev = predicted.last().copied();
                        let guess = Self::best(&sums, prev, name_ok);
                        // The label the update pushes down: the guess if it is wrong, else the
                        // best other label if it comes within the margin.
                        let rival = if guess == truth {
                            let mut others = sums;
                            others[truth] = f32::NEG_INFINITY;
                            let r = Self::best(&others, prev, name_ok);
                            (r != truth && sums[truth] - sums[r] < MARGIN).then_some(r)
                        } else {
                            Some(guess)
                        };
                        // A kind the document's source never labels is no error where its gold
                        // says outside.
                        let unmarked = |r: usize| {
                            truth == 0
                                && annotated
                                    .get(k)
                                    .is_some_and(|a| !a[r.div_ceil(2).saturating_sub(1)])
                        };
                        // The update is the margin the gold label lacks over the number of the
                        // token's features, at most one: a full update where the guess is
                        // wrong (nearly always), a smaller one the nearer the gold label is to
                        // winning by the margin (after the passive-aggressive step of Crammer
                        // et al., 2006, whose divisor, twice the features, scored lower on
                        // CoNLL-2003).
                        #[allow(clippy::cast_precision_loss, reason = "a token's features")]
                        let step = rival.map_or(1.0, |r| {
                            ((MARGIN - (sums[truth] - sums[r])) / feats.ids.len().max(1) as f32)
                                .min(1.0)
                        });
                        if let Some(rival) = rival.filter(|&r| !unmarked(r)) {
                            for part in parts.into_iter().flatten() {
                                for f in &feats.ids {
                                    let wf = w[part].entry(*f).or_insert([0.0; N]);
                                    wf[truth] += step;
                                    wf[rival] -= step;
                                    let uf = u[part].entry(*f).or_insert([0.0; N]);
                                    uf[truth] += c * f64::from(step);
                                    uf[rival] -= c * f64::from(step);
                                }
                            }
                        }
                        predicted.push(guess);
                        c += 1.0;
                    }
                    doc.remember(p, &predicted);
                }
            }
        }
        // Each feature's weights are computed on their own: the order does not matter.
        w.into_iter()
            .zip(u)
            .map(|(w, u)| {
                let mut weights = Weights::with_capacity_and_hasher(
                    w.len(),
                    std::hash::BuildHasherDefault::default(),
                );
                #[allow(clippy::iter_over_hash_type, reason = "independent per entry")]
                for (f, wf) in w {
                    let uf = u.get(&f).copied().unwrap_or([0.0; N]);
                    let mut avg = [0f32; N];
                    for l in 0..N {
                        #[allow(clippy::cast_possible_truncation, reason = "a weight's range")]
                        let mean = (f64::from(wf[l]) - uf[l] / c) as f32;
                        avg[l] = mean;
                    }
                    if avg.iter().any(|x| x.abs() > 1e-3) {
                        weights.insert(f, avg);
                    }
                }
                weights
            })
            .collect()
    }
}

/// The next state of a xorshift generator: the same pseudo-random draws on every machine.
fn xorshift(mut state: u64) -> u64 {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    state
}
