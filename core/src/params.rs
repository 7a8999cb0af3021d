//! URL state: every preset and parameter lives in the page's hash (`#exp=fit&lr=0.01`).
//!
//! Experiments read their config through [`Params`], which validates and clamps each value and
//! collects a notice for everything it had to reject, so that the page can show it.

use std::collections::BTreeSet;
use std::fmt::Display;
use std::ops::RangeInclusive;
use std::str::FromStr;

use crate::budget::Budget;

/// What a key accepts and its default, recorded as a config reads it: `mlds params` prints
/// these, and a test holds `docs/experiments.md` to them.
#[derive(Clone, Debug, PartialEq)]
pub struct Spec {
    pub key: String,
    /// E.g. `8 – 8192` or `adam, sgd`.
    pub values: String,
    pub default: String,
}

/// Key/value pairs of a URL hash or query, with the notices raised while reading them.
#[derive(Clone, Debug)]
pub struct Params {
    pairs: Vec<(String, String)>,
    used: BTreeSet<String>,
    notices: Vec<String>,
    /// Each key's values and default, in the order read (the first description of a key wins).
    specs: Vec<Spec>,
    /// What the run may hold: a tab's unless the host says otherwise ([`Params::within`]).
    budget: Budget,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            pairs: Vec::new(),
            used: BTreeSet::new(),
            notices: Vec::new(),
            specs: Vec::new(),
            budget: Budget::TAB,
        }
    }
}

impl Params {
    /// Parse `exp=fit&lr=0.01` (a leading `#` or `?` is ignored; percent-escapes decoded).
    pub fn parse(query: &str) -> Self {
        let query = query.trim_start_matches(['#', '?']);
        let pairs = form_urlencoded::parse(query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        Self {
            pairs,
            ..Self::default()
        }
    }

    /// The same params for a host with another budget (`mlds`: [`Budget::NATIVE`]).
    pub fn within(mut self, budget: Budget) -> Self {
        self.budget = budget;
        self
    }

    pub fn budget(&self) -> Budget {
        self.budget
    }

    /// The raw value of `key` (the last one wins), marking the key as known.
    pub fn get(&mut self, key: &str) -> Option<String> {
        self.used.insert(key.to_owned());
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    }

    /// Say what `key` accepts and its default (for keys read as text; [`Params::number`] and
    /// [`Params::choice`] describe theirs). A key keeps its first description.
    pub fn describe(&mut self, key: &str, values: impl Into<String>, default: impl Display) {
        if self.specs.iter().all(|s| s.key != key) {
            self.specs.push(Spec {
                key: key.into(),
                values: values.into(),
                default: default.to_string(),
            });
        }
    }

    /// Every key described so far, in the order read.
    pub fn specs(&self) -> &[Spec] {
        &self.specs
    }

    pub fn flag(&mut self, key: &str) -> bool {
        matches!(self.get(key).as_deref(), Some("1" | "true" | "yes"))
    }

    /// A number in `range`: out-of-range values are clamped, unparsable ones fall back to
    /// `default`; both raise a notice.
    pub fn number<T>(&mut self, key: &str, default: T, range: RangeInclusive<T>) -> T
    where
        T: FromStr + PartialOrd + Display + Copy,
    {
        let values = format!("{} – {}", short(range.start()), short(range.end()));
        self.describe(key, values, short(&default));
        let Some(raw) = self.get(key) else {
            return default;
        };
        match raw.trim().parse::<T>() {
            // Not ordered against the minimum (NaN) counts as below it.
            Ok(v) if v.partial_cmp(range.start()).is_none_or(|o| o.is_lt()) => {
                self.notice(format!(
                    "{key}={raw} is below the minimum {}; using {}",
                    range.start(),
                    range.start()
                ));
                *range.start()
            }
            Ok(v) if v > *range.end() => {
                self.notice(format!(
                    "{key}={raw} is above the maximum {}; using {}",
                    range.end(),
                    range.end()
                ));
                *range.end()
            }
            Ok(v) => v,
            Err(_) => {
                self.notice(format!("{key}={raw} is not a number; using {default}"));
                default
            }
        }
    }

    /// One of a fixed set of ids; anything else falls back to `default` with a notice.
    pub fn choice<T: Copy + PartialEq>(
        &mut self,
        key: &str,
        default: T,
        parse: impl Fn(&str) -> Option<T>,
        ids: &[&str],
    ) -> T {
        let default_id = ids.iter().find(|id| parse(id) == Some(default));
        let values = ids.iter().map(|id| format!("`{id}`")).collect::<Vec<_>>();
        self.describe(key, values.join(", "), default_id.copied().unwrap_or("—"));
        let Some(raw) = self.get(key) else {
            return default;
        };
        parse(raw.trim()).unwrap_or_else(|| {
            self.notice(format!(
                "{key}={raw} is not one of {}; using the default",
                ids.join(", ")
            ));
            default
        })
    }

    pub fn notice(&mut self, message: String) {
        self.notices.push(message);
    }

    /// Notices raised so far, plus one for every key nobody asked for.
    pub fn finish(mut self) -> Vec<String> {
        let unknown: Vec<String> = self
            .pairs
            .iter()
            .map(|(k, _)| k.clone())
            .filter(|k| !self.used.contains(k))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        for key in unknown {
            self.notices
                .push(format!("unknown parameter '{key}' ignored"));
        }
        self.notices
    }
}

/// `specs` as a Markdown table (key, values, default): what `mlds params` prints and
/// `docs/experiments.md` holds for each experiment.
pub fn markdown(specs: &[Spec]) -> String {
    let cell = |s: &str| s.replace('|', "\\|");
    let mut out = String::from("| key | values | default |\n|---|---|---|\n");
    for s in specs {
        let default = match s.default.as_str() {
            "" => "none".into(),
            d => format!("`{}`", cell(d)),
        };
        out += &format!("| `{}` | {} | {default} |\n", s.key, cell(&s.values));
    }
    out
}

/// A number as the docs write it: `1e-6`, not `0.000001`.
fn short(v: &impl Display) -> String {
    let text = v.to_string();
    match text.parse::<f64>() {
        Ok(x) if x != 0.0 && x.abs() < 1e-3 => format!("{x:e}"),
        _ => text,
    }
}

/// Build `a=1&b=x%20y` from pairs, in order.
pub fn to_query<'a>(pairs: impl IntoIterator<Item = (&'a str, String)>) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        out.append_pair(k, &v);
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_hash_and_decodes() {
        let mut p = Params::parse("#exp=fit&shapes=1-5-1%2C1-9-1&x=a+b");
        assert_eq!(p.get("exp").as_deref(), Some("fit"));
        assert_eq!(p.get("shapes").as_deref(), Some("1-5-1,1-9-1"));
        assert_eq!(p.get("x").as_deref(), Some("a b"));
        assert_eq!(p.get("missing"), None);
        assert!(p.finish().is_empty());
    }

    #[test]
    fn numbers_are_clamped_with_notices() {
        let mut p = Params::parse("lr=5&epochs=-3&seed=abc&n=nan&ok=0.5");
        assert_eq!(p.number("lr", 0.01, 1e-6..=1.0), 1.0);
        assert_eq!(p.number("epochs", 100i64, 1..=1000), 1);
        assert_eq!(p.number("seed", 7u64, 0..=10), 7);
        assert_eq!(p.number("n", 0.5f64, 0.0..=1.0), 0.0);
        assert_eq!(p.number("ok", 0.1, 0.0..=1.0), 0.5);
        assert_eq!(p.number("absent", 3u32, 0..=10), 3);
        let notices = p.finish();
        assert_eq!(notices.len(), 4, "{notices:?}");
        assert!(notices[0].contains("above the maximum"));
        assert!(notices[2].contains("not a number"));
    }

    #[test]
    fn choices_and_unknown_keys_raise_notices() {
        let mut p = Params::parse("fn=cosh&zzz=1&autorun=1");
        let f = p.choice("fn", 1, |s| (s == "a").then_some(2), &["a"]);
        assert_eq!(f, 1);
        assert!(p.flag("autorun"));
        let notices = p.finish();
        assert_eq!(notices.len(), 2);
        assert!(notices[1].contains("'zzz'"));
    }

    #[test]
    fn keys_describe_what_they_accept_whether_given_or_not() {
        let mut p = Params::parse("lr=0.5");
        p.number("lr", 0.01, 1e-6..=1.0);
        p.number("epochs", 100i64, 1..=1000);
        p.choice(
            "opt",
            2,
            |s| ["adam", "sgd"].iter().position(|&o| o == s),
            &["adam", "sgd"],
        );
        p.describe("lr", "ignored: described already", 0);
        p.describe("shapes", "widths like 1-5-1", "1-5-1");
        let spec = |key: &str, values: &str, default: &str| Spec {
            key: key.into(),
            values: values.into(),
            default: default.into(),
        };
        assert_eq!(
            p.specs(),
            [
                spec("lr", "1e-6 – 1", "0.01"),
                spec("epochs", "1 – 1000", "100"),
                spec("opt", "`adam`, `sgd`", "—"),
                spec("shapes", "widths like 1-5-1", "1-5-1"),
            ]
        );
        let mut p = Params::parse("");
        p.choice(
            "opt",
            1,
            |s| ["adam", "sgd"].iter().position(|&o| o == s),
            &["adam", "sgd"],
        );
        assert_eq!(p.specs()[0].default, "sgd");
    }

    #[test]
    fn to_query_round_trips() {
        let q = to_query([
            ("exp", "fit".to_string()),
            ("shapes", "1-5-1,1-9-1".to_string()),
        ]);
        let mut p = Params::parse(&q);
        assert_eq!(p.get("shapes").as_deref(), Some("1-5-1,1-9-1"));
    }
}
