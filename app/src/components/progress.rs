//! Progress of a run: epoch, training time and the estimated time left.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ProgressProps {
    /// Epochs done, possibly fractional (mini-batch training reports within an epoch).
    pub epoch: f64,
    pub total: usize,
    pub elapsed_ms: f64,
    /// The unit of a sweep in progress ("run 3 of 8"); epochs then count over all units.
    #[prop_or_default]
    pub unit: Option<AttrValue>,
}

fn seconds(ms: f64) -> String {
    if ms >= 60_000.0 {
        format!(
            "{}m{:02}s",
            (ms / 60_000.0) as u64,
            ((ms / 1000.0) as u64) % 60
        )
    } else {
        format!("{:.1}s", ms / 1000.0)
    }
}

#[function_component]
pub fn Progress(props: &ProgressProps) -> Html {
    let total = props.total.max(1);
    let done = props.epoch.clamp(0.0, total as f64);
    let fraction = done / total as f64;
    let eta = if done > 0.0 && done < total as f64 {
        seconds(props.elapsed_ms / done * (total as f64 - done))
    } else {
        "–".into()
    };
    html! {
        <div class="progress">
            <progress max={total.to_string()} value={done.to_string()}></progress>
            <span class="progress-text">
                { props.unit.as_ref().map(|u| format!("{u} · ")).unwrap_or_default() }
                { format!("epoch {} / {} · {:.0}% · elapsed {} · ETA {}", done.floor(), total, fraction * 100.0, seconds(props.elapsed_ms), eta) }
            </span>
        </div>
    }
}
