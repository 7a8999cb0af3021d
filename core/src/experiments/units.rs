//! A sweep (E5's runs, E8's widths, E9b's and E10's batch sizes) is a list of independent
//! units: each has its own config and seed and shares no state with the others, so a run of
//! one unit gives exactly the events that unit gives inside the whole sweep. `unit=i` in the
//! URL (0-based) runs unit `i` alone — what a worker of a pool receives — and its `Result`
//! (or `CriticalPoint`) keeps index `i`, so combining units is ordering their results by index.

use crate::params::Params;

/// Which units a run computes: all of them, one after another (the default), or one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Units(Option<usize>);

impl Units {
    /// `unit` from the URL, checked against the sweep's `count` units.
    pub fn from_params(p: &mut Params, count: usize) -> Self {
        match p.get("unit") {
            None => Self(None),
            Some(raw) => match raw.trim().parse::<usize>() {
                Ok(i) if i < count => Self(Some(i)),
                _ => {
                    p.notice(format!(
                        "unit={raw}: this sweep has units 0 to {}; running all of them",
                        count.saturating_sub(1)
                    ));
                    Self(None)
                }
            },
        }
    }

    /// The URL pair, where one unit is picked.
    pub fn to_params(self) -> Option<(&'static str, String)> {
        self.0.map(|i| ("unit", i.to_string()))
    }

    /// Unit `i` alone.
    pub fn one(i: usize) -> Self {
        Self(Some(i))
    }

    /// Whether unit `i` is computed.
    pub fn includes(self, i: usize) -> bool {
        self.0.is_none_or(|only| only == i)
    }

    /// The one unit picked, if any.
    pub fn only(self) -> Option<usize> {
        self.0
    }

    /// Of `items`, one per unit, those of the units computed (in order).
    pub fn keep<T>(self, items: impl IntoIterator<Item = T>) -> Vec<T> {
        items
            .into_iter()
            .enumerate()
            .filter(|(i, _)| self.includes(*i))
            .map(|(_, item)| item)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_by_default_one_when_asked_and_a_notice_out_of_range() {
        let mut p = Params::parse("unit=2");
        let u = Units::from_params(&mut p, 3);
        assert!(p.finish().is_empty());
        assert!(u.includes(2) && !u.includes(0));
        assert_eq!(u.keep(["a", "b", "c"]), ["c"]);
        assert_eq!(u.to_params(), Some(("unit", "2".into())));
        let all = Units::from_params(&mut Params::parse(""), 3);
        assert!((0..3).all(|i| all.includes(i)));
        assert_eq!(all.keep(["a", "b", "c"]), ["a", "b", "c"]);
        assert_eq!(all.to_params(), None);
        let mut p = Params::parse("unit=3");
        assert_eq!(Units::from_params(&mut p, 3), Units::default());
        assert_eq!(p.finish().len(), 1);
    }
}
