//! Log axes whose ticks read as values. Plotters' own log ticks suit sweeps badly: on a
//! batch-size axis (16…4096) they fall on the one or two powers of ten between the swept
//! values, over less than a decade they leave one tick, and they read `1e-1 1e0`. Here the
//! ticks are chosen up front (powers of two for batch sizes, powers of ten for parameter counts
//! ~800…1e6, 1-2-5 multiples for cross-entropy 0.02…2.5) and written `16`, `4096`, `0.5`, `1e6`.

use plotters::coord::combinators::WithKeyPoints;
use plotters::prelude::*;

use super::common::{log_safe, padded, short, tick, Axis};

/// At most this many labelled ticks, so that five-digit labels (`65536`) stay apart.
const MAX_TICKS: usize = 10;

/// The range for data spanning `(lo, hi)` (both positive): a lone value gets a factor 2 either
/// side, so it sits in the middle between two ticks, then the usual log padding.
pub(crate) fn log_extent((lo, hi): (f64, f64)) -> (f64, f64) {
    if hi <= lo * (1.0 + 1e-9) {
        padded(lo / 2.0, hi * 2.0, true)
    } else {
        padded(lo, hi, true)
    }
}

/// A log axis over exactly `(lo, hi)` (both positive), ticks picked by [`ticks`] (on powers of
/// two when `pow2`, see [`powers_of_two`]) and written by [`log_tick`], or as plain numbers when
/// evenly spaced (`1e3` between `800` and `1200` would stand out); light grid lines at every
/// power of two or every 1…9 × 10^k.
pub(crate) fn log_axis(range: (f64, f64), pow2: bool) -> Axis<WithKeyPoints<LogCoord<f64>>> {
    let (lo, hi) = log_safe(range);
    let light = match pow2 {
        true => multiples(lo, hi, 2.0, &[1.0]),
        false => multiples(lo, hi, 10.0, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]),
    };
    let (bold, evenly) = ticks(lo, hi, pow2);
    let range = (lo..hi)
        .log_scale()
        .with_key_points(bold)
        .with_light_points(light);
    (range, text(evenly))
}

/// Whether every value is a power of two (batch sizes, widths): then the ticks go on powers of
/// two, which are the values swept.
pub(crate) fn powers_of_two(values: impl IntoIterator<Item = f64>) -> bool {
    let pow2 = |v: f64| v > 0.0 && (v.log2() - v.log2().round()).abs() < 1e-9;
    let mut values = values.into_iter().peekable();
    values.peek().is_some() && values.all(pow2)
}

/// Labelled ticks in `[lo, hi]`: powers of two (`pow2`) or of ten, every second (third, …) one
/// where there would be more than [`MAX_TICKS`]; over a short range of ten, 1-2-5 multiples
/// and, failing three of those, evenly spaced round values (`800 1000 … 1800`; the `true`).
fn ticks(lo: f64, hi: f64, pow2: bool) -> (Vec<f64>, bool) {
    let powers = multiples(lo, hi, if pow2 { 2.0 } else { 10.0 }, &[1.0]);
    let (ticks, evenly) = if pow2 || powers.len() >= 3 {
        (powers, false)
    } else {
        let round = multiples(lo, hi, 10.0, &[1.0, 2.0, 5.0]);
        match round.len() >= 3 {
            true => (round, false),
            false => (evenly_spaced(lo, hi), true),
        }
    };
    let step = ticks.len().div_ceil(MAX_TICKS).max(1);
    (ticks.into_iter().step_by(step).collect(), evenly)
}

/// `m × base^k` for each mantissa `m` and whole `k`, within `[lo, hi]`, ascending.
fn multiples(lo: f64, hi: f64, base: f64, mantissas: &[f64]) -> Vec<f64> {
    let (k0, k1) = (lo.log(base).floor() as i32, hi.log(base).ceil() as i32);
    (k0..=k1)
        .flat_map(|k| mantissas.iter().map(move |m| m * base.powi(k)))
        .filter(|v| (lo..=hi).contains(v))
        .collect()
}

/// Multiples of a 1-2-5 step in `[lo, hi]`, about eight of them (at least three).
fn evenly_spaced(lo: f64, hi: f64) -> Vec<f64> {
    let raw = (hi - lo) / 8.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|&s| s >= raw)
        .unwrap_or(10.0 * magnitude);
    let (first, last) = ((lo / step).ceil() as i64, (hi / step).floor() as i64);
    (first..=last).map(|i| i as f64 * step).collect()
}

/// How the ticks are written: see [`log_axis`].
fn text(evenly: bool) -> fn(f64) -> String {
    match evenly {
        true => |v| tick(v, false),
        false => log_tick,
    }
}

/// Tick text on a log x axis, where `1e0 2e0 5e0` would read badly: the value itself where
/// that is short (`16`, `4096`, `100`, `0.5`), round values from 1000 up and below 0.01 as
/// `1e3`, `2e5`, `1e-3`, anything else with about three significant digits.
pub(crate) fn log_tick(v: f64) -> String {
    let a = v.abs();
    let round = format!("{v:.0e}");
    let is_round = round
        .parse::<f64>()
        .is_ok_and(|r| (r - v).abs() <= 1e-9 * a);
    if is_round && !(1e-2..1e3).contains(&a) {
        round
    } else if (v - v.round()).abs() <= 1e-9 * a.max(1.0) && a < 1e6 {
        format!("{:.0}", v.round())
    } else if (1e-2..1e3).contains(&a) {
        tick(v, false)
    } else {
        short(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(ticks: Vec<f64>) -> Vec<String> {
        ticks.into_iter().map(log_tick).collect()
    }

    /// The ticks over `[lo, hi]` as [`log_axis`] writes them.
    fn ticks_text(lo: f64, hi: f64, pow2: bool) -> Vec<String> {
        let (ticks, evenly) = ticks(lo, hi, pow2);
        ticks.into_iter().map(text(evenly)).collect()
    }

    #[test]
    fn tick_text_reads_as_values() {
        let values = [16.0, 256.0, 4096.0, 65536.0, 100.0, 1.0, 0.5, 0.125, 1500.0];
        let want = [
            "16", "256", "4096", "65536", "100", "1", "0.5", "0.125", "1500",
        ];
        assert_eq!(texts(values.to_vec()), want);
        let values = [1e3, 2e5, 1e6, 1e-3, 0.01, 1048576.0];
        assert_eq!(
            texts(values.to_vec()),
            ["1e3", "2e5", "1e6", "1e-3", "0.01", "1.05e6"]
        );
    }

    #[test]
    fn ticks_fall_on_swept_sizes() {
        assert!(powers_of_two([16.0, 64.0, 4096.0]));
        assert!(!powers_of_two([16.0, 100.0]));
        assert!(!powers_of_two([]));
        assert_eq!(log_extent((8.0, 8.0)), (3.2, 20.0));
        // Batch sizes 16…4096, padded to 12.8…5120.
        let batch = [
            "16", "32", "64", "128", "256", "512", "1024", "2048", "4096",
        ];
        assert_eq!(ticks_text(12.8, 5120.0, true), batch);
        // 1…131072: every second power of two.
        let wide = ticks_text(0.8, 163840.0, true);
        assert_eq!(wide[..4], ["1", "4", "16", "64"]);
        assert!(wide.len() <= MAX_TICKS);
        // Parameter counts ~800…1e6.
        let params = ticks_text(640.0, 1.25e6, false);
        assert_eq!(params, ["1e3", "1e4", "1e5", "1e6"]);
        // Cross-entropy 0.02…2.5: 1-2-5 multiples.
        let ce = ["0.02", "0.05", "0.1", "0.2", "0.5", "1", "2"];
        assert_eq!(ticks_text(0.016, 2.6, false), ce);
        // Less than a decade: 1-2-5 multiples, else round steps.
        assert_eq!(ticks_text(80.0, 600.0, false), ["100", "200", "500"]);
        let narrow = ticks_text(640.0, 1875.0, false);
        assert_eq!(narrow, ["800", "1000", "1200", "1400", "1600", "1800"]);
    }
}
