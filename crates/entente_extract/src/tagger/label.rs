//! The tagger's BIO labels: outside a name, or the beginning or inside of a name of a kind.

/// The kinds of name the tagger tells apart, as `CoNLL-2003` annotates them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// A person (`PER`).
    Per,
    /// An organisation (`ORG`).
    Org,
    /// A place (`LOC`).
    Loc,
    /// Any other name (`MISC`).
    Misc,
}

impl Kind {
    /// Every kind, in weight order.
    pub const ALL: [Kind; 4] = [Kind::Per, Kind::Org, Kind::Loc, Kind::Misc];

    /// The `CoNLL` name: "PER", "ORG", "LOC" or "MISC".
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Per => "PER",
            Kind::Org => "ORG",
            Kind::Loc => "LOC",
            Kind::Misc => "MISC",
        }
    }

    /// The kind of a `CoNLL` name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// 1 to 4: the kind's place among the labels' kinds (0 is outside any name).
    pub(crate) fn number(self) -> usize {
        match self {
            Kind::Per => 1,
            Kind::Org => 2,
            Kind::Loc => 3,
            Kind::Misc => 4,
        }
    }
}

/// A token's label: outside any name, or the first or a later token of a name of a [`Kind`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Label {
    /// Outside any name (`O`).
    #[default]
    Outside,
    /// The first token of a name (`B-PER`).
    Begin(Kind),
    /// A later token of a name (`I-PER`).
    Inside(Kind),
}

impl Label {
    /// Every label, in the order of the model's weights.
    pub const ALL: [Label; 9] = [
        Label::Outside,
        Label::Begin(Kind::Per),
        Label::Inside(Kind::Per),
        Label::Begin(Kind::Org),
        Label::Inside(Kind::Org),
        Label::Begin(Kind::Loc),
        Label::Inside(Kind::Loc),
        Label::Begin(Kind::Misc),
        Label::Inside(Kind::Misc),
    ];

    /// The label's place in [`Label::ALL`] (the model's weight order).
    pub fn index(self) -> usize {
        match self {
            Label::Outside => 0,
            Label::Begin(kind) => kind.number() * 2 - 1,
            Label::Inside(kind) => kind.number() * 2,
        }
    }

    /// The label at `index` of [`Label::ALL`].
    pub fn from_index(index: usize) -> Option<Self> {
        Self::ALL.get(index).copied()
    }

    /// The label as `CoNLL` writes it: "O", "B-PER", "I-MISC".
    pub fn as_str(self) -> &'static str {
        const NAMES: [&str; 9] =
            ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"];
        NAMES[self.index()]
    }

    /// The label `CoNLL` writes so.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.as_str() == name)
    }

    /// The kind of name the token is part of; none outside a name.
    pub fn kind(self) -> Option<Kind> {
        match self {
            Label::Outside => None,
            Label::Begin(kind) | Label::Inside(kind) => Some(kind),
        }
    }

    /// Whether the token is outside any name.
    pub fn is_outside(self) -> bool {
        self == Label::Outside
    }

    /// Whether the token continues a name.
    pub fn is_inside(self) -> bool {
        matches!(self, Label::Inside(_))
    }
}

#[cfg(test)]
mod tests {
    use super::{Kind, Label};

    #[test]
    fn labels_round_trip_in_weight_order() {
        for (i, label) in Label::ALL.into_iter().enumerate() {
            assert_eq!(label.index(), i);
            assert_eq!(Label::from_index(i), Some(label));
            assert_eq!(Label::parse(label.as_str()), Some(label));
        }
        assert_eq!(Label::parse("B-LOC"), Some(Label::Begin(Kind::Loc)));
        assert_eq!(Label::from_index(9), None);
        assert_eq!(Kind::parse("MISC"), Some(Kind::Misc));
        assert_eq!(Kind::parse("GPE"), None);
    }
}
