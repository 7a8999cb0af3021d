//! Runs side by side: how a kept run differs from another ("lr 0.01 · opt sgd"), and its
//! headline numbers, for the page's Runs list and `mlds compare`.

use crate::params::Params;
use crate::view::RunView;

/// The settings of `query` whose values differ from `against`'s, as "lr 0.01 · opt sgd": each
/// key of `query` (but `exp`) that `against` lacks or sets otherwise, with `query`'s value, in
/// `query`'s order. Empty where the two name the same run.
pub fn differing_settings(query: &str, against: &str) -> String {
    let pairs = |q: &str| -> Vec<(String, String)> {
        form_urlencoded::parse(q.trim_start_matches(['#', '?']).as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .filter(|(k, _)| k != "exp")
            .collect()
    };
    let mut other = Params::parse(against);
    pairs(query)
        .into_iter()
        .filter(|(k, v)| other.get(k).as_deref() != Some(v.as_str()))
        .map(|(k, v)| format!("{k} {v}"))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// A run's headline numbers: the epoch it reached, its lowest final training loss over its
/// models and, for a classifier, the best final test accuracy ("epoch 300 · loss 1.2e-3 ·
/// test 97.1 %"). Empty before any model reported.
pub fn headline(view: &RunView) -> String {
    let last = |series: &[Vec<(f64, f64)>]| -> Vec<f64> {
        series
            .iter()
            .filter_map(|s| s.last().map(|&(_, v)| v))
            .filter(|v| v.is_finite())
            .collect()
    };
    let losses = last(&view.losses);
    let mut parts = vec![format!("epoch {}", view.epoch)];
    if let Some(loss) = losses.iter().copied().reduce(f64::min) {
        parts.push(format!("loss {}", short(loss)));
    }
    if let Some(acc) = last(&view.test_accuracies).into_iter().reduce(f64::max) {
        parts.push(format!("test {:.1} %", 100.0 * acc));
    }
    parts.join(" · ")
}

/// Three significant digits, in scientific notation below 0.01.
fn short(v: f64) -> String {
    if v != 0.0 && v.abs() < 0.01 {
        format!("{v:.1e}")
    } else {
        format!("{v:.3}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{Event, ModelInfo};

    #[test]
    fn the_settings_that_differ_are_named_with_this_run_values() {
        let a = "exp=fit&fn=sinc5&lr=0.01&opt=sgd&epochs=300";
        let b = "exp=fit&fn=sinc5&lr=0.005&opt=adam&epochs=300";
        assert_eq!(differing_settings(a, b), "lr 0.01 · opt sgd");
        assert_eq!(differing_settings(b, a), "lr 0.005 · opt adam");
        assert_eq!(differing_settings(a, a), "");
        // Decoded: a typed function reads as typed.
        let c = "exp=fit&fn=expr%3Asin%283*x%29&lr=0.01&opt=sgd&epochs=300";
        assert_eq!(differing_settings(c, a), "fn expr:sin(3*x)");
        // A key the other run lacks counts as a difference.
        assert_eq!(differing_settings("exp=fit&seeds=3", "#exp=fit"), "seeds 3");
    }

    #[test]
    fn the_headline_has_the_epoch_the_lowest_loss_and_the_best_test_accuracy() {
        let models = vec![
            ModelInfo {
                name: "a".into(),
                shape: "1-4-1".into(),
                params: 13,
            },
            ModelInfo {
                name: "b".into(),
                shape: "1-8-1".into(),
                params: 25,
            },
        ];
        let view = RunView::of_events(vec![
            Event::Started {
                models,
                total_epochs: 10,
            },
            Event::Losses {
                epoch: 10,
                elapsed_ms: 5.0,
                losses: vec![0.5, 0.0012],
            },
        ]);
        assert_eq!(headline(&view), "epoch 10 · loss 1.2e-3");
        assert_eq!(headline(&RunView::default()), "epoch 0");
    }
}
