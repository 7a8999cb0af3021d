//! Which backend the next run uses, and (for `auto`) why, in a tooltip.

use mlds_core::backend::{BackendChoice, Resolution, Workload};
use mlds_core::BackendKind;
use yew::prelude::*;

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

#[function_component]
pub fn BackendLine(props: &BackendLineProps) -> Html {
    let title = backend_title(props.choice, props.workload);
    let name = match props.resolution.kind {
        BackendKind::WebGpu => "WebGPU",
        BackendKind::Cpu => "CPU (flex)",
    };
    html! {
        <p class="backend-line" {title}>
            { format!("This run uses: {name}") }
            if props.choice == BackendChoice::Auto {
                <span class="why">{ " (auto — hover for why)" }</span>
            }
        </p>
    }
}
