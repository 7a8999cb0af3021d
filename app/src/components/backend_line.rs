//! Which backend the next run uses, and (for `auto`) why, in a tooltip.

use mlds_core::backend::{BackendChoice, Resolution, Workload};
use mlds_core::BackendKind;
use yew::prelude::*;

use web_sys::HtmlSelectElement;

use crate::url;
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
/// device; E1's or E2's models side by side in at most that many groups) unless `placement`
/// is the page.
fn placement_text(kind: BackendKind, placement: Placement) -> String {
    match (kind, placement) {
        (_, Placement::Page) => "on this page (workers=0)".into(),
        (BackendKind::WebGpu, _) | (BackendKind::Cpu, Placement::Workers(1)) => {
            "in a Web Worker".into()
        }
        (BackendKind::Cpu, Placement::Workers(n)) => {
            format!("in Web Workers (a sweep's units on up to {n} at once; models side by side in up to {n} groups, a worker each)")
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
    // The URL's `workers`, read again when the control below changes it.
    let placement = use_state(crate::workers::placement);
    let place = placement_text(props.resolution.kind, *placement);

    html! {
        <p class="backend-line">
            <span {title}>{ format!("This run uses: {name}, {place}") }</span>
            if props.choice == BackendChoice::Auto {
                <span class="why" {title}>{ " (auto — hover for why)" }</span>
            }
            { " " }
            <WorkersControl on_change={Callback::from(move |()| placement.set(crate::workers::placement()))} />
            <WorkersNotice />
        </p>
    }
}

#[derive(Properties, PartialEq)]
struct WorkersControlProps {
    on_change: Callback<()>,
}

/// The URL's `workers` as a control: the default pool, a number of workers, or the page.
#[function_component]
fn WorkersControl(props: &WorkersControlProps) -> Html {
    let asked = url::params().get("workers").unwrap_or_default();
    let most = crate::workers::cores().max(2);
    let auto = crate::workers::default_pool(crate::workers::cores());
    let mut options = vec![(String::new(), format!("auto ({auto})"))];
    options.extend((1..=most).map(|n| (n.to_string(), n.to_string())));
    options.push(("0".into(), "none: on this page".into()));
    let onchange = {
        let on_change = props.on_change.clone();
        Callback::from(move |e: Event| {
            let value = e.target_unchecked_into::<HtmlSelectElement>().value();
            url::set_param("workers", Some(value.as_str()).filter(|v| !v.is_empty()));
            on_change.emit(());
        })
    };
    html! {
        <label class="workers" title="Web Workers that train a run (a sweep's units spread over them); none: on this page's main thread">
            { "Workers: " }
            <select class="workers" {onchange}>
                { for options.into_iter().map(|(value, label)| html! {
                    <option selected={value == asked} value={value.clone()}>{ label }</option>
                }) }
            </select>
        </label>
    }
}

/// The URL's `workers` where it asked for more than help (`workers=64`): what is used instead.
/// Shown on every panel, whether or not it offers a Workers control.
#[function_component]
pub fn WorkersNotice() -> Html {
    let asked = url::params().get("workers");
    match Placement::asked(asked.as_deref(), crate::workers::cores()).1 {
        Some(notice) => html! {
            <span class="notice" data-workers-notice="" role="status">{ format!(" {notice}") }</span>
        },
        None => html! {},
    }
}
