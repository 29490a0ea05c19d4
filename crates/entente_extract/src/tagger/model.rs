//! The weights as the tagger reads them: every feature's label weights as `i16` at one scale
//! (the model file's own numbers), in an open-addressed table whose slot holds the feature id
//! beside its weights, so a lookup usually reads one cache line. Scores are sums of integers:
//! the same in any order, so parts of them can be summed once and reused.

use super::{ModelError, N};

/// One feature: its id and its weight for every label.
#[derive(Debug, Clone, Copy, Default)]
#[repr(C, align(32))]
struct Slot {
    key: u64,
    weights: [i16; N],
}

/// A label score: the sum of the scaled weights of a token's features.
pub(crate) type Scores = [i32; N];

/// Feature ids mapped to scaled weights.
#[derive(Debug, Clone, Default)]
pub(crate) struct Table {
    /// A power of two of slots, at most half of them used; a slot with key 0 is empty.
    slots: Vec<Slot>,
    /// The weights of feature id 0, which cannot be told from an empty slot.
    zero: Option<[i16; N]>,
    len: usize,
}

impl Table {
    /// A table of `features` (id and scaled weights), in any order.
    pub(crate) fn new(features: impl ExactSizeIterator<Item = (u64, [i16; N])>) -> Self {
        let capacity = (features.len() * 2).next_power_of_two().max(16);
        let mut table = Self { slots: vec![Slot::default(); capacity], zero: None, len: 0 };
        for (key, weights) in features {
            table.insert(key, weights);
        }
        table
    }

    fn insert(&mut self, key: u64, weights: [i16; N]) {
        if key == 0 {
            self.len += usize::from(self.zero.replace(weights).is_none());
            return;
        }
        let mask = self.slots.len() - 1;
        #[allow(clippy::cast_possible_truncation, reason = "masked to the table's size")]
        let mut i = key as usize & mask;
        loop {
            let slot = &mut self.slots[i];
            if slot.key == 0 || slot.key == key {
                self.len += usize::from(slot.key == 0);
                *slot = Slot { key, weights };
                return;
            }
            i = (i + 1) & mask;
        }
    }

    /// The weights of feature `key`, if it has any.
    #[inline]
    pub(crate) fn get(&self, key: u64) -> Option<&[i16; N]> {
        if key == 0 {
            return self.zero.as_ref();
        }
        let mask = self.slots.len().wrapping_sub(1);
        #[allow(clippy::cast_possible_truncation, reason = "masked to the table's size")]
        let mut i = key as usize & mask;
        loop {
            let slot = self.slots.get(i)?;
            if slot.key == key {
                return Some(&slot.weights);
            }
            if slot.key == 0 {
                return None;
            }
            i = (i + 1) & mask;
        }
    }

    /// Reads the slot where the search for each of `features` starts, all before any is
    /// needed: these reads wait on nothing, so the processor fetches their cache lines at
    /// once, where the searches themselves would wait for one line after another.
    #[inline]
    pub(crate) fn touch(&self, features: impl Iterator<Item = u64>) {
        let mask = self.slots.len().wrapping_sub(1);
        #[allow(clippy::cast_possible_truncation, reason = "masked to the table's size")]
        let keys =
            features.fold(0, |acc, f| acc ^ self.slots.get(f as usize & mask).map_or(0, |s| s.key));
        std::hint::black_box(keys);
    }

    /// Adds the weights of `features` to `scores`, one by one.
    #[cfg(test)]
    pub(crate) fn add(&self, scores: &mut Scores, features: &[u64]) {
        for &f in features {
            if let Some(w) = self.get(f) {
                for (s, &x) in scores.iter_mut().zip(w) {
                    *s += i32::from(x);
                }
            }
        }
    }

    /// Every feature and its weights, in no particular order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (u64, &[i16; N])> {
        let zero = self.zero.as_ref().map(|w| (0, w));
        zero.into_iter()
            .chain(self.slots.iter().filter(|s| s.key != 0).map(|s| (s.key, &s.weights)))
    }

    /// The number of features.
    pub(crate) fn len(&self) -> usize {
        self.len
    }
}

/// The size of one feature in a model file: its id and a weight per label.
pub(crate) const ENTRY: usize = 8 + 2 * N;

/// Appends `features` (ids and weights) to a model file's bytes, little-endian.
pub(crate) fn write_entries<'a>(
    raw: &mut Vec<u8>,
    features: impl Iterator<Item = (u64, &'a [i16; N])>,
) {
    for (k, weights) in features {
        raw.extend_from_slice(&k.to_le_bytes());
        for q in weights {
            raw.extend_from_slice(&q.to_le_bytes());
        }
    }
}

/// The features of a model file's bytes written by [`write_entries`] (whole entries only).
pub(crate) fn read_entries(body: &[u8]) -> impl ExactSizeIterator<Item = (u64, [i16; N])> + '_ {
    body.chunks_exact(ENTRY).map(|chunk| {
        let (key, weights) = chunk.split_at(8);
        let key = u64::from_le_bytes(key.try_into().unwrap_or_default());
        let mut w = [0i16; N];
        for (x, q) in w.iter_mut().zip(weights.chunks_exact(2)) {
            *x = i16::from_le_bytes([q[0], q[1]]);
        }
        (key, w)
    })
}

/// A model file's bytes compressed as written (zstd level 19).
pub(crate) fn compress(raw: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut enc = zstd::stream::Encoder::new(Vec::new(), 19)?;
    std::io::Write::write_all(&mut enc, raw)?;
    enc.finish()
}

/// What follows `magic` in the decompressed `bytes` of a model file; bytes that open with
/// anything else are refused before the rest is decompressed (the reader of one model format
/// tries the other).
pub(crate) fn decompress_after(bytes: &[u8], magic: [u8; 8]) -> Result<Vec<u8>, ModelError> {
    use std::io::Read;
    let mut decoder = zstd::stream::Decoder::new(bytes)?;
    let mut head = [0; 8];
    match decoder.read_exact(&mut head) {
        Ok(()) if head == magic => {}
        Ok(()) => return Err(ModelError::Format),
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Err(ModelError::Format),
        Err(e) => return Err(e.into()),
    }
    let mut rest = Vec::new();
    decoder.read_to_end(&mut rest)?;
    Ok(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_it_holds_and_nothing_else() {
        // Keys that collide in the low bits probe past each other; 0 is kept apart.
        let keys: Vec<u64> = (1..=100).map(|k| k << 20).chain([0, 7, 1 << 63]).collect();
        let weight = |k: u64| i16::try_from(k % 1000).unwrap_or(i16::MAX);
        let table = Table::new(keys.iter().map(|&k| (k, [weight(k); N])));
        assert_eq!(table.len(), keys.len());
        for &k in &keys {
            assert_eq!(table.get(k).map(|w| w[0]), Some(weight(k)), "key {k}");
        }
        for missing in [1, 3 << 20 | 1, 101 << 20, u64::MAX] {
            assert_eq!(table.get(missing), None, "key {missing}");
        }
        assert_eq!(table.iter().count(), keys.len());
        let mut scores = [0; N];
        table.add(&mut scores, &[7, 7, 2 << 20, 12345]);
        // 7 twice, and (2 << 20) % 1000 = 152.
        assert_eq!(scores, [7 + 7 + 152; N]);
        assert!(Table::default().get(5).is_none());
    }
}
