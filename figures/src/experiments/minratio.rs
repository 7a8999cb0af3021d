//! E5's figures: the loss against the minimal ratio at every run's end point (hollow: not
//! converged), and the sorted Hessian spectrum of one run.

use std::rc::Rc;

use mlds_core::analysis::critical::Criterion;
use mlds_core::view::{CriticalPointView, RunView};

use crate::charts::{Figure, Line, Scatter, ScatterPoint, ScatterSeries, Series, PALETTE};

/// The indices (into `points`) of the converged and of the unconverged runs: the scatter's
/// two series, in that order.
pub fn groups(points: &[CriticalPointView]) -> [Vec<usize>; 2] {
    let (yes, no) = (0..points.len()).partition(|&i| points[i].converged);
    [yes, no]
}

fn scatter(points: &[CriticalPointView]) -> Rc<Vec<ScatterSeries>> {
    let [yes, no] = groups(points);
    let series = |name: &str, indices: Vec<usize>, hollow| ScatterSeries {
        name: name.into(),
        color: PALETTE[0],
        points: indices
            .iter()
            .map(|&i| ScatterPoint::at(points[i].ratio, points[i].loss))
            .collect(),
        joined: false,
        hollow,
    };
    Rc::new(vec![
        series("critical (criterion met)", yes, false),
        series("not converged (left out)", no, true),
    ])
}

/// The run whose spectrum is shown before any click: the converged one of lowest loss.
pub fn default_choice(points: &[CriticalPointView]) -> Option<usize> {
    (0..points.len())
        .filter(|&i| points[i].converged)
        .min_by(|&a, &b| points[a].loss.total_cmp(&points[b].loss))
}

/// The sorted spectrum, and the flat band's edges ±τ·max|λ| (dashed).
fn spectrum(point: Option<&CriticalPointView>, tau: f64) -> Rc<Vec<Series>> {
    let Some(p) = point else {
        return Rc::new(Vec::new());
    };
    let band = Criterion {
        tau,
        ..Criterion::DEFAULT
    }
    .flat_band(&p.eigenvalues);
    let n = p.eigenvalues.len() as f64;
    let edge = |name: &str, y: f64| Series {
        name: name.into(),
        color: PALETTE[2],
        points: vec![(1.0, y), (n, y)],
        dashed: true,
    };
    Rc::new(vec![
        Series {
            name: format!("run {}", p.run + 1),
            color: PALETTE[1],
            points: p
                .eigenvalues
                .iter()
                .enumerate()
                .map(|(i, &e)| (i as f64 + 1.0, e))
                .collect(),
            dashed: false,
        },
        edge(&format!("flat band ±{band:.1e}"), band),
        edge("", -band),
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
            "No converged run yet; click a point for its spectrum.".to_string(),
        ),
        (Some(p), Some(_)) => (
            format!("Hessian eigenvalues of run {}, sorted", p.run + 1),
            format!("Run {}, picked; the flat band ±τ·max|λ| is dashed.", p.run + 1),
        ),
        (Some(p), None) => (
            format!("Hessian eigenvalues of run {}, sorted", p.run + 1),
            format!(
                "Run {}: the lowest-loss converged run (click a point or a run number for another); the flat band ±τ·max|λ| is dashed.",
                p.run + 1
            ),
        ),
    };
    vec![
        Figure::Scatter(Scatter {
            id: "minratio-scatter".into(),
            title: "Loss vs minimal ratio at each run's end".into(),
            x_label: "minimal ratio (non-flat eigenvalues)".into(),
            y_label: "loss".into(),
            log_y: true,
            series: scatter(points),
            selected: at,
            caption: Some("Hollow: the run missed the convergence criterion and is left out of the finding. Click a point for its spectrum.".into()),
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
