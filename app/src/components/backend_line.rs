//! Which backend the next run uses, and (for `auto`) why, in a tooltip.

use mlds_core::backend::{BackendChoice, Resolution, Workload};
use mlds_core::BackendKind;
use yew::prelude::*;

use crate::workers::Placement;

#[derive(Properties, PartialEq)]
pub struct BackendLineProps {
    pub choice: BackendChoice,
    pub resolution: Resolution,
    pub workload: Workload,
}

/// The tooltip of the backend control and line.
pub fn backend_title(choice: BackendChoice, workload: Workload) -> &'static str {
    match choice {
        BackendChoice::Auto => BackendChoice::auto_reason(workload),
        _ => "the backend this run is asked to use",
    }
}

/// The backend control's options.
pub fn backend_options() -> Vec<(&'static str, &'static str)> {
    vec![
        ("auto", "auto"),
        ("webgpu", "WebGPU"),
        ("cpu", "CPU (flex)"),
    ]
}

/// Where a run on `kind` trains: in Web Workers (one for a WebGPU run, which is bound to one
/// device) unless the URL says `workers=0`.
fn placement(kind: BackendKind) -> String {
    match (kind, Placement::from_url()) {
        (_, Placement::Page) => "on this page (workers=0)".into(),
        (BackendKind::WebGpu, _) | (BackendKind::Cpu, Placement::Workers(1)) => {
            "in a Web Worker".into()
        }
        (BackendKind::Cpu, Placement::Workers(n)) => {
            format!("in Web Workers (a sweep's units on up to {n} at once)")
        }
    }
}

#[function_component]
pub fn BackendLine(props: &BackendLineProps) -> Html {
    let title = backend_title(props.choice, props.workload);
    let name = match props.resolution.kind {
        BackendKind::WebGpu => "WebGPU",
        BackendKind::Cpu => "CPU (flex)",
    };
    let place = placement(props.resolution.kind);
    html! {
        <p class="backend-line" {title}>
            { format!("This run uses: {name}, {place}") }
            if props.choice == BackendChoice::Auto {
                <span class="why">{ " (auto — hover for why)" }</span>
            }
        </p>
    }
}
