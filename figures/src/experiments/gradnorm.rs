//! E4's figure: the gradient norm over the loss, per iteration, sharing the iteration axis. On
//! a mini-batch run the top panel also has the full-batch norm on the probe set and the noise
//! floor's level over the last window.

use std::rc::Rc;

use mlds_core::experiments::gradnorm::window;
use mlds_core::view::RunView;

use crate::charts::{Figure, Series, Stacked, PALETTE};

fn per_iteration(view: &RunView, pick: fn(&(f64, f64)) -> f64) -> Vec<(f64, f64)> {
    view.sweep
        .iterations
        .iter()
        .enumerate()
        .map(|(i, p)| (i as f64, pick(p)))
        .collect()
}

fn series(name: &str, color: usize, points: Vec<(f64, f64)>, dashed: bool) -> Series {
    Series {
        name: name.into(),
        color: PALETTE[color],
        points,
        dashed,
    }
}

/// The gradient norms: the step's own (mini-batch where the batch is not full) and, where
/// measured, the full-batch norm and √(noise floor) over the last window, where ‖g_B‖ would sit
/// at a point with ‖∇L‖ = 0.
fn norms(view: &RunView) -> (Vec<Series>, Option<String>) {
    let sweep = &view.sweep;
    let Some(full) = &sweep.full_batch else {
        let own = per_iteration(view, |p| p.1);
        return (vec![series("gradient norm", 0, own, false)], None);
    };
    let mut out = vec![series(
        "mini-batch ‖g_B‖",
        0,
        per_iteration(view, |p| p.1),
        false,
    )];
    let examples = full.examples;
    let points = full
        .points
        .iter()
        .map(|&(step, norm)| (step as f64, norm))
        .collect();
    out.push(series(
        &format!("full-batch ‖∇L‖ ({examples} examples)"),
        1,
        points,
        false,
    ));
    let floor = full.noise_floor(&sweep.iterations);
    if let Some(level) = floor.filter(|f| *f > 0.0).map(f64::sqrt) {
        let n = sweep.iterations.len();
        let from = (n - window(n).min(n)) as f64;
        let to = n.saturating_sub(1) as f64;
        out.push(series(
            "√(tr Σ / B), last window",
            2,
            vec![(from, level), (to, level)],
            true,
        ));
    }
    let caption = format!(
        "full-batch ‖∇L‖ on {examples} training examples every few steps; noise floor tr(Σ)/B ≈ {} over the last {} iterations (B = {}, whole batches only)",
        floor.map_or("— (not yet measured)".into(), |f| format!("{f:.3}")),
        window(sweep.iterations.len()),
        full.batch
    );
    (out, Some(caption))
}

pub fn figures(view: &RunView) -> Vec<Figure> {
    let (top, caption) = norms(view);
    vec![Figure::Stacked(Stacked {
        id: "gradnorm-chart".into(),
        title: "Gradient norm and loss per iteration".into(),
        x_label: "iteration".into(),
        top_label: "‖∇L‖".into(),
        bottom_label: "loss".into(),
        top: Rc::new(top),
        bottom: Rc::new(vec![series("loss", 0, per_iteration(view, |p| p.0), false)]),
        log_y_top: true,
        log_y_bottom: true,
        caption,
    })]
}

#[cfg(test)]
mod tests {
    use super::*;
    use mlds_core::Event;

    fn stacked(events: Vec<Event>) -> Stacked {
        match figures(&RunView::of_events(events)).remove(0) {
            Figure::Stacked(s) => s,
            _ => unreachable!("E4 draws one stacked figure"),
        }
    }

    fn its(norms: Vec<f64>) -> Event {
        Event::Iterations {
            first: 0,
            losses: vec![1.0; norms.len()],
            grad_norms: norms,
        }
    }

    #[test]
    fn a_full_batch_run_draws_its_one_norm() {
        let s = stacked(vec![its(vec![2.0; 40])]);
        assert_eq!(s.top.len(), 1);
        assert_eq!(s.top[0].name, "gradient norm");
        assert_eq!(s.caption, None);
    }

    #[test]
    fn a_mini_batch_run_draws_the_full_batch_norm_and_the_noise_floor_beside_its_own() {
        // 40 steps (last window: 38, 39), ‖g_B‖ = 2 throughout, ‖∇L‖ = 1 measured at 0, 20, 39:
        // tr(Σ)/B ≈ 4 − 1 = 3 over the last window, drawn at √3.
        let full = [(0, 1.0), (20, 1.0), (39, 1.0)].map(|(step, grad_norm)| Event::FullGradient {
            step,
            grad_norm,
            examples: 2000,
            batch: 50,
            train: 2000,
        });
        let mut events = vec![its(vec![2.0; 40])];
        events.extend(full);
        let s = stacked(events);
        let names: Vec<&str> = s.top.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "mini-batch ‖g_B‖",
                "full-batch ‖∇L‖ (2000 examples)",
                "√(tr Σ / B), last window"
            ]
        );
        assert_eq!(s.top[1].points, vec![(0.0, 1.0), (20.0, 1.0), (39.0, 1.0)]);
        let level = 3f64.sqrt();
        assert_eq!(s.top[2].points, vec![(38.0, level), (39.0, level)]);
        let caption = s.caption.unwrap();
        assert!(
            caption.contains("tr(Σ)/B ≈ 3.000 over the last 2 iterations"),
            "{caption}"
        );
    }
}
