//! Progress of a run: epoch, training time and the estimated time left.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ProgressProps {
    pub epoch: usize,
    pub total: usize,
    pub elapsed_ms: f64,
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
    let fraction = props.epoch as f64 / total as f64;
    let eta = if props.epoch > 0 && props.epoch < total {
        seconds(props.elapsed_ms / props.epoch as f64 * (total - props.epoch) as f64)
    } else {
        "–".into()
    };
    html! {
        <div class="progress">
            <progress max={total.to_string()} value={props.epoch.to_string()}></progress>
            <span class="progress-text">
                { format!("epoch {} / {} · {:.0}% · elapsed {} · ETA {}", props.epoch, total, fraction * 100.0, seconds(props.elapsed_ms), eta) }
            </span>
        </div>
    }
}
