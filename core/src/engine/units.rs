//! A sweep (E5's runs, E8's widths, E9b's and E10's batch sizes) is a list of independent
//! units: each has its own config and seed and shares no state with the others, so a run of
//! one unit gives exactly the events that unit gives inside the whole sweep. `unit=i` in the
//! URL (0-based) runs unit `i` alone — what a worker of a pool receives — and its `Result`
//! (or `CriticalPoint`) keeps index `i`, so combining units is ordering their results by index.

use std::ops::Range;

use crate::events::{Event, Host};
use crate::params::Params;

/// Which units a run computes: all of them, one after another (the default), or a contiguous
/// part of them (`unit=i`, or `unit=a-b` for units `a` to `b` inclusive: E1's and E2's models
/// trained side by side in fewer workers than models, a group each).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Units(Option<(usize, usize)>);

impl Units {
    /// `unit` from the URL, checked against the sweep's `count` units.
    pub fn from_params(p: &mut Params, count: usize) -> Self {
        let last = count.saturating_sub(1);
        p.describe(
            "unit",
            format!("`i` or `a-b` in 0 – {last}: run those units alone"),
            "all",
        );
        let Some(raw) = p.get("unit") else {
            return Self(None);
        };
        let bound = |s: &str| s.trim().parse::<usize>().ok();
        let picked = match raw.split_once('-') {
            Some((a, b)) => bound(a).zip(bound(b)).map(|(a, b)| (a, b + 1)),
            None => bound(&raw).map(|i| (i, i + 1)),
        };
        match picked {
            Some((start, end)) if start < end && end <= count => Self(Some((start, end))),
            _ => {
                p.notice(format!(
                    "unit={raw}: this sweep has units 0 to {}; running all of them",
                    count.saturating_sub(1)
                ));
                Self(None)
            }
        }
    }

    /// The URL pair, where units are picked.
    pub fn to_params(self) -> Option<(&'static str, String)> {
        self.0.map(|(start, end)| match end - start {
            1 => ("unit", start.to_string()),
            _ => ("unit", format!("{start}-{}", end - 1)),
        })
    }

    /// Unit `i` alone.
    pub fn one(i: usize) -> Self {
        Self(Some((i, i + 1)))
    }

    /// Units `range` (not empty), together.
    pub fn part(range: Range<usize>) -> Self {
        debug_assert!(range.start < range.end);
        Self(Some((range.start, range.end)))
    }

    /// The units of `count` this run computes, in index order.
    pub fn each(self, count: usize) -> impl Iterator<Item = usize> {
        (0..count).filter(move |&i| self.includes(i))
    }

    /// Whether unit `i` is computed.
    pub fn includes(self, i: usize) -> bool {
        self.0.is_none_or(|(start, end)| (start..end).contains(&i))
    }

    /// The one unit picked, if exactly one is.
    pub fn only(self) -> Option<usize> {
        self.0
            .filter(|(start, end)| end - start == 1)
            .map(|(start, _)| start)
    }

    /// The units picked, if not all of them.
    pub fn picked(self) -> Option<Range<usize>> {
        self.0.map(|(start, end)| start..end)
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

/// Unit `index` of `count` begins, called `label`: its curves start over on the page.
pub fn begin(host: &mut impl Host, index: usize, count: usize, label: String) {
    host.emit(Event::Unit {
        index,
        count,
        label,
    });
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

    #[test]
    fn a_part_is_a_contiguous_range_written_as_it_is_read() {
        let mut p = Params::parse("unit=1-2");
        let u = Units::from_params(&mut p, 4);
        assert!(p.finish().is_empty());
        assert_eq!(u, Units::part(1..3));
        assert_eq!(u.keep(["a", "b", "c", "d"]), ["b", "c"]);
        assert_eq!(u.only(), None);
        assert_eq!(u.picked(), Some(1..3));
        assert_eq!(u.to_params(), Some(("unit", "1-2".into())));
        assert_eq!(Units::one(3).picked(), Some(3..4));
        for bad in ["unit=2-1", "unit=1-4", "unit=a-2", "unit=-1"] {
            let mut p = Params::parse(bad);
            assert_eq!(Units::from_params(&mut p, 4), Units::default(), "{bad}");
            assert_eq!(p.finish().len(), 1, "{bad}");
        }
    }
}
