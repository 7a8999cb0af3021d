//! E5's figures: the loss against the minimal ratio at every search's end point, both
//! protocols on one scatter (a colour and a marker each; hollow: not counted), and the sorted
//! Hessian spectrum of one point with both thresholds marked.

use std::rc::Rc;

use mlds_core::analysis::critical::flat_band;
use mlds_core::events::SearchProtocol;
use mlds_core::experiments::minratio::INDEX_THRESHOLD;
use mlds_core::view::{CriticalPoint, RunView};

use crate::charts::{Figure, Line, Scatter, ScatterPoint, ScatterSeries, Series, PALETTE};

/// The scatter's series, in order: each protocol's counted points (criterion met, not
/// gradient-flat), then each protocol's others (hollow, left out of the finding).
const SERIES: [(SearchProtocol, bool, &str); 4] = [
    (SearchProtocol::Homework, true, "homework: converged"),
    (
        SearchProtocol::Strict,
        true,
        "strict: critical (‖∇L‖² < 1e-10)",
    ),
    (SearchProtocol::Homework, false, "homework: not converged"),
    (
        SearchProtocol::Strict,
        false,
        "strict: not converged or gradient-flat",
    ),
];

/// Whether a point is drawn filled: it counts in its protocol's finding.
fn counted(p: &CriticalPoint) -> bool {
    match p.protocol {
        SearchProtocol::Homework => p.converged,
        SearchProtocol::Strict => p.counts(),
    }
}

/// The indices (into `points`) of each of the scatter's [`SERIES`].
pub fn groups(points: &[CriticalPoint]) -> [Vec<usize>; 4] {
    SERIES.map(|(protocol, filled, _)| {
        (0..points.len())
            .filter(|&i| points[i].protocol == protocol && counted(&points[i]) == filled)
            .collect()
    })
}

fn scatter(points: &[CriticalPoint]) -> Rc<Vec<ScatterSeries>> {
    let series = groups(points)
        .into_iter()
        .zip(SERIES)
        .map(|(indices, (protocol, filled, name))| ScatterSeries {
            name: name.into(),
            color: PALETTE[match protocol {
                SearchProtocol::Homework => 0,
                SearchProtocol::Strict => 3,
            }],
            points: indices
                .iter()
                .map(|&i| ScatterPoint::at(points[i].ratio, points[i].loss))
                .collect(),
            joined: false,
            hollow: !filled,
        })
        .collect();
    Rc::new(series)
}

/// The point whose spectrum is shown before any click: the lowest-loss counted point of the
/// strict protocol, else of the homework's.
pub fn default_choice(points: &[CriticalPoint]) -> Option<usize> {
    let lowest = |protocol| {
        (0..points.len())
            .filter(|&i| points[i].protocol == protocol && counted(&points[i]))
            .min_by(|&a, &b| points[a].loss.total_cmp(&points[b].loss))
    };
    lowest(SearchProtocol::Strict).or_else(|| lowest(SearchProtocol::Homework))
}

/// A point's name in titles and captions.
pub fn point_name(p: &CriticalPoint) -> String {
    format!("run {} ({})", p.run + 1, p.protocol.id())
}

/// The sorted spectrum, the index threshold ±1e-5 (absolute) and the homework's flat band
/// ±τ·max|λ| (relative), dashed.
fn spectrum(point: Option<&CriticalPoint>, tau: f64) -> Rc<Vec<Series>> {
    let Some(p) = point else {
        return Rc::new(Vec::new());
    };
    let band = flat_band(&p.eigenvalues, tau);
    let n = p.eigenvalues.len() as f64;
    let edge = |name: String, y: f64, color: usize| Series {
        name,
        color: PALETTE[color],
        points: vec![(1.0, y), (n, y)],
        dashed: true,
    };
    Rc::new(vec![
        Series {
            name: point_name(p),
            color: PALETTE[1],
            points: p
                .eigenvalues
                .iter()
                .enumerate()
                .map(|(i, &e)| (i as f64 + 1.0, e))
                .collect(),
            dashed: false,
        },
        edge(format!("flat band ±τ·max|λ| = ±{band:.1e}"), band, 2),
        edge(String::new(), -band, 2),
        edge(
            format!("index threshold −{INDEX_THRESHOLD:.0e}"),
            -INDEX_THRESHOLD,
            4,
        ),
    ])
}

/// The spectrum shown is the `selected` run's (an index into the run's critical points), or
/// the lowest-loss converged run's. The scatter's series are [`groups`]: a click on its point
/// `(s, k)` is run `groups(points)[s][k]`.
pub fn figures(view: &RunView, tau: f64, selected: Option<usize>) -> Vec<Figure> {
    let points = &view.sweep.critical_points;
    let groups = groups(points);
    let shown = selected.or_else(|| default_choice(points));
    let chosen = shown.and_then(|i| points.get(i));
    let at = shown.and_then(|i| {
        groups
            .iter()
            .enumerate()
            .find_map(|(s, g)| g.iter().position(|&j| j == i).map(|k| (s, k)))
    });
    // Short titles (they must fit the canvas); the rest goes into the figures' captions.
    let (title, caption) = match (chosen, selected) {
        (None, _) => (
            "Hessian eigenvalues".to_string(),
            "No counted point yet; click a point for its spectrum.".to_string(),
        ),
        (Some(p), picked) => (
            format!("Hessian eigenvalues of {}, sorted", point_name(p)),
            format!(
                "{}, {}: {} negative (below −{INDEX_THRESHOLD:.0e}), {} flat, {} positive; gradient-flatness r = {:.2}. Dashed: the homework's flat band ±τ·max|λ| and the strict index threshold.",
                point_name(p),
                if picked.is_some() { "picked" } else { "the lowest-loss counted point (click a point or a run number for another)" },
                p.negative,
                p.flat,
                p.positive,
                p.flatness,
            ),
        ),
    };
    vec![
        Figure::Scatter(Scatter {
            id: "minratio-scatter".into(),
            title: "Loss vs minimal ratio, both protocols".into(),
            x_label: "minimal ratio (homework: all λ > 0; strict: 1 − index)".into(),
            y_label: "loss".into(),
            log_y: true,
            series: scatter(points),
            selected: at,
            caption: Some("Blue: the homework protocol (from the trained end, a modest tolerance); purple: the strict one (starts uniform in loss along the trajectory, ‖∇L‖² < 1e-10). Hollow: the criterion was missed or the point is gradient-flat (r > 0.9), left out of the finding. Click a point for its spectrum.".into()),
            ..Scatter::default()
        }),
        Figure::Line(Line {
            id: "minratio-spectrum".into(),
            title,
            x_label: "index".into(),
            y_label: "eigenvalue".into(),
            log_y: false,
            series: spectrum(chosen, tau),
            caption: Some(caption),
        }),
    ]
}
