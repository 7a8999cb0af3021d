//! Work the page hands to one of the pool's workers and awaits, so that it never holds the
//! page's thread: parsing a dataset's files (inflating CIFAR-10's 162 MB archive takes seconds,
//! a crafted archive more) and reading a run or report file (a 64 MB file takes the best part
//! of a second). The worker is an idle one, or the pool's first, given back afterwards for the
//! run that follows. With `workers=0` (no workers wanted), or where no worker can be created,
//! the page does the work itself.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::Uint8Array;
use mlds_core::data::{dataset_from_files, DatasetKind, ImageDataset};
use mlds_core::run_file::{open, Opened, RunFile};
use mlds_protocol::dataset_js::{dataset_from_js, files_to_js};
use mlds_protocol::file_js::{opened_from_js, OpenedInSlices, RunInSlices};
use mlds_protocol::ToWorker;
use wasm_bindgen::JsValue;

use super::worker::{acquire, release, Message};

/// Send `request` to a worker and await its answer, which `answer` picks from the worker's
/// messages; `None` where the work is the page's (no workers wanted, or none can start).
async fn ask(
    request: ToWorker,
    answer: fn(Message) -> Option<Result<JsValue, String>>,
) -> Option<Result<JsValue, String>> {
    if super::placement() == super::Placement::Page {
        return None;
    }
    let worker = acquire(false).ok()?;
    let mut resolve = None;
    let reply = js_sys::Promise::new(&mut |ok, _| resolve = Some(ok));
    let resolve = resolve.expect("a promise's executor runs at once");
    let got: Rc<RefCell<Option<Result<JsValue, String>>>> = Rc::default();
    {
        let got = got.clone();
        worker.lease(Rc::new(move |m: Message| {
            let Some(answer) = (match m {
                Message::Lost(why) => Some(Err(why)),
                m => answer(m),
            }) else {
                return;
            };
            *got.borrow_mut() = Some(answer);
            let _ = resolve.call0(&JsValue::NULL);
        }));
    }
    worker.send(&request);
    let _ = wasm_bindgen_futures::JsFuture::from(reply).await;
    release(worker);
    let answer = got.take();
    Some(answer.unwrap_or_else(|| Err("the worker did not answer".into())))
}

/// Parse dataset files (`kind`: MNIST's IDX files or CIFAR-10's archive or batches).
pub async fn parse_dataset(
    kind: DatasetKind,
    title: &str,
    files: &[(String, Vec<u8>)],
) -> Result<ImageDataset, String> {
    let request = ToWorker::Parse {
        kind: kind.id().into(),
        title: title.into(),
        files: files_to_js(files),
    };
    let parsed = |m| match m {
        Message::Parsed(parsed) => Some(parsed),
        _ => None,
    };
    match ask(request, parsed).await {
        None => dataset_from_files(kind, title, files).map_err(|e| e.to_string()),
        Some(answer) => dataset_from_js(&answer?)
            .ok_or_else(|| "The dataset worker sent a malformed dataset.".into()),
    }
}

/// Read the run or report file `name` (its `bytes`); the error names the file and says what
/// is wrong with it. A worker reads and checks it; the page then reads its events one slice
/// (about a megabyte of JSON) per task, so that no task holds the page for long.
pub async fn read_file(name: &str, bytes: Uint8Array) -> Result<Opened, String> {
    let request = ToWorker::Read {
        name: name.into(),
        bytes: bytes.clone().into(),
    };
    let read = |m| match m {
        Message::Read(read) => Some(read),
        _ => None,
    };
    let answer = match ask(request, read).await {
        None => return open(name, bytes.to_vec()),
        Some(answer) => answer?,
    };
    let malformed =
        || format!("{name} could not be opened: the worker that read it sent a malformed answer.");
    Ok(match opened_from_js(&answer).ok_or_else(malformed)? {
        OpenedInSlices::Run(run) => Opened::Run(assemble(name, run).await?),
        OpenedInSlices::Report(sections) => {
            let mut runs = Vec::with_capacity(sections.len());
            for section in sections {
                runs.push(match section {
                    Ok(run) => Ok(assemble(name, run).await?),
                    Err(why) => Err(why),
                });
            }
            Opened::Report(runs)
        }
    })
}

/// A run whose events come in slices: each read in a task of its own.
async fn assemble(name: &str, run: RunInSlices) -> Result<RunFile, String> {
    let mut events = Vec::new();
    for i in 0..run.slices.len() {
        // Let the page draw and answer between slices.
        gloo_timers::future::TimeoutFuture::new(0).await;
        let slice = run
            .slice(i)
            .map_err(|why| format!("{name} could not be opened: {why}."))?;
        events.extend(slice);
    }
    Ok(RunFile {
        events,
        ..run.header
    })
}
