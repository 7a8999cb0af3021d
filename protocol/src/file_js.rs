//! A run or report file a worker has read, as it crosses to the page: per run its header (the
//! run file's fields but its events) and its events as slices of JSON
//! ([`mlds_core::run_file::slices`]) in `Uint8Array`s, which the page reads one at a time, one
//! per task. `{kind: "run" | "report", runs: [{header, slices: [bytes…]} | {error}]}`, the
//! header a run file's JSON text with no events.

use js_sys::{Array, Object, Uint8Array};
use mlds_core::run_file::slices::{from_slice, to_slices, SLICE_BYTES};
use mlds_core::run_file::{Opened, RunFile};
use mlds_core::Event;
use wasm_bindgen::{JsCast, JsValue};

use crate::js::{field, set, text};

/// One run, its events still as slices.
pub struct RunInSlices {
    /// The run file but its events (empty here).
    pub header: RunFile,
    pub slices: Vec<Uint8Array>,
}

/// What the worker read: one run, or a report's runs (each, or why it is not one).
pub enum OpenedInSlices {
    Run(RunInSlices),
    Report(Vec<Result<RunInSlices, String>>),
}

fn run_to_js(file: &RunFile) -> Object {
    let o = Object::new();
    // The header as a run file with no events, which the page reads back with the reader
    // itself (`RunFile::parse`: every field, the query checked again).
    set(&o, "header", &file.header().to_json().into());
    let slices: Array = to_slices(&file.events, SLICE_BYTES)
        .iter()
        .map(|s| JsValue::from(Uint8Array::from(s.as_slice())))
        .collect();
    set(&o, "slices", &slices);
    o
}

/// What [`mlds_core::run_file::open`] read, for the page.
pub fn opened_to_js(opened: &Opened) -> JsValue {
    let o = Object::new();
    let (kind, runs): (&str, Array) = match opened {
        Opened::Run(file) => ("run", Array::of1(&run_to_js(file))),
        Opened::Report(sections) => (
            "report",
            sections
                .iter()
                .map(|section| match section {
                    Ok(file) => JsValue::from(run_to_js(file)),
                    Err(why) => {
                        let e = Object::new();
                        set(&e, "error", &why.as_str().into());
                        e.into()
                    }
                })
                .collect(),
        ),
    };
    set(&o, "kind", &kind.into());
    set(&o, "runs", &runs);
    o.into()
}

fn run_from_js(value: &JsValue) -> Option<Result<RunInSlices, String>> {
    if let Some(why) = text(value, "error") {
        return Some(Err(why));
    }
    let header = RunFile::parse(&text(value, "header")?).ok()?;
    let slices = field(value, "slices")?.dyn_into::<Array>().ok()?;
    let slices = slices
        .iter()
        .map(|s| s.dyn_into::<Uint8Array>().ok())
        .collect::<Option<_>>()?;
    Some(Ok(RunInSlices { header, slices }))
}

/// What [`opened_to_js`] wrote, or `None` where it is malformed.
pub fn opened_from_js(value: &JsValue) -> Option<OpenedInSlices> {
    let runs = field(value, "runs")?.dyn_into::<Array>().ok()?;
    let mut runs = runs
        .iter()
        .map(|r| run_from_js(&r))
        .collect::<Option<Vec<_>>>()?;
    match text(value, "kind")?.as_str() {
        "run" if runs.len() == 1 => runs.pop()?.ok().map(OpenedInSlices::Run),
        "report" => Some(OpenedInSlices::Report(runs)),
        _ => None,
    }
}

impl RunInSlices {
    /// The events of slice `i` (copied out of the JS heap and read): the page reads one per
    /// task. The error says what is wrong with it.
    pub fn slice(&self, i: usize) -> Result<Vec<Event>, String> {
        let bytes = self.slices.get(i).ok_or("no such slice")?.to_vec();
        from_slice(&bytes).map_err(|why| format!("its events crossed from the worker as {why}"))
    }
}
