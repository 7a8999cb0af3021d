//! Which data a run will use, how it is loading, and the ways to give the full datasets:
//! a file picker, dropping files on the panel, and clearing the browser cache.

use web_sys::{File, HtmlInputElement};
use yew::prelude::*;

use crate::datasets::{selected_files, Progress};

/// What the page knows of the data of the selected preset.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum DataStatus {
    #[default]
    Unknown,
    Loading(Progress),
    Ready {
        title: String,
        train: usize,
        test: usize,
    },
    /// Not available; how to get it.
    Missing(String),
    /// Loading or parsing failed; the message is for the user.
    Failed(String),
}

#[derive(Properties, PartialEq)]
pub struct DatasetBoxProps {
    pub status: DataStatus,
    pub on_files: Callback<Vec<File>>,
    pub on_clear: Callback<()>,
    #[prop_or_default]
    pub disabled: bool,
}

#[function_component]
pub fn DatasetBox(props: &DatasetBoxProps) -> Html {
    let onchange = {
        let cb = props.on_files.clone();
        Callback::from(move |e: Event| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                let files = selected_files(&input);
                // Clear, so that choosing the same file again fires another change.
                input.set_value("");
                if !files.is_empty() {
                    cb.emit(files);
                }
            }
        })
    };
    let on_clear = {
        let cb = props.on_clear.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    let status = match &props.status {
        DataStatus::Unknown => html! { <span>{ "Looking for the dataset…" }</span> },
        DataStatus::Loading(p) => html! {
            <span class="loading">
                { &p.stage }{ " " }
                <progress max={p.total.unwrap_or(0.0).to_string()} value={p.done.to_string()}></progress>
                { format!(" {:.1} MB", p.done / 1e6) }
            </span>
        },
        DataStatus::Ready { title, train, test } => html! {
            <span class="ready" data-dataset={title.clone()}>
                { format!("Data: {title} — this run uses {train} training and {test} test images.") }
            </span>
        },
        DataStatus::Missing(how) => html! { <span class="missing">{ how }</span> },
        DataStatus::Failed(error) => html! { <div class="error" role="alert">{ error }</div> },
    };
    html! {
        <div class="dataset-box">
            <div class="dataset-status">{ status }</div>
            <label class="dataset-files">
                { "Use the official files (MNIST's four IDX files, or CIFAR-10's cifar-10-binary.tar.gz / its .bin batches), or drop them on this panel: " }
                <input type="file" multiple=true {onchange} disabled={props.disabled} data-dataset-input="" />
            </label>
            <button class="clear-cache" onclick={on_clear} disabled={props.disabled}
                    title="Forget the datasets this browser keeps (IndexedDB)">{ "Clear cached datasets" }</button>
        </div>
    }
}
