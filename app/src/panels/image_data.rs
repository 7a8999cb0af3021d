//! The dataset of a panel's image task: found and loaded as soon as the preset names it (so
//! the page says which), given by the user (file picker or drop), forgotten on request.

use std::cell::Cell;
use std::rc::Rc;

use mlds_core::data::{DataSource, DatasetKind, ImageDataset};
use mlds_core::experiments::common::ImageTask;
use wasm_bindgen_futures::spawn_local;
use web_sys::File;
use yew::prelude::*;

use crate::components::{DataStatus, DatasetBox};
use crate::datasets::{self, read_files, LoadError, Progress};

fn ready(d: &ImageDataset, task: &ImageTask) -> DataStatus {
    DataStatus::Ready {
        title: d.name.clone(),
        train: task
            .train_size
            .map_or(d.train.len(), |n| n.min(d.train.len())),
        test: d.test.len(),
    }
}

/// Get the task's dataset, showing progress and the outcome in `status`.
pub async fn load(task: ImageTask, status: UseStateHandle<DataStatus>) -> Option<Rc<ImageDataset>> {
    // Progress is shown in steps of 2% at most: a 170 MB download has thousands of chunks.
    let shown = Cell::new(-1.0f64);
    let report = {
        let status = status.clone();
        move |p: Progress| {
            let step = p
                .total
                .map_or(p.done / 2e6, |t| (p.done / t.max(1.0) * 50.0).floor());
            if step != shown.get() {
                shown.set(step);
                status.set(DataStatus::Loading(p));
            }
        }
    };
    match datasets::obtain(task.dataset, task.source, report).await {
        Ok(d) => {
            status.set(ready(&d, &task));
            Some(d)
        }
        Err(LoadError::Missing(how)) => {
            status.set(DataStatus::Missing(how));
            None
        }
        Err(LoadError::Failed(e)) => {
            status.set(DataStatus::Failed(e));
            None
        }
    }
}

/// A panel's dataset state and the callbacks of its [`DatasetBox`].
#[derive(Clone, PartialEq)]
pub struct ImageData {
    pub status: UseStateHandle<DataStatus>,
    pub on_files: Callback<Vec<File>>,
    pub on_clear: Callback<()>,
}

impl ImageData {
    pub fn view(&self, disabled: bool) -> Html {
        html! {
            <DatasetBox status={(*self.status).clone()} on_files={self.on_files.clone()}
                        on_clear={self.on_clear.clone()} {disabled} />
        }
    }

    /// The dataset for a run (loaded if need be); `None` when missing (the box says why).
    pub async fn obtain(&self, task: ImageTask) -> Option<Rc<ImageDataset>> {
        load(task, self.status.clone()).await
    }
}

/// Track the dataset of `task` (none: the panel's task needs no images). Files the user gives
/// are parsed and cached; `on_adopt` hears which dataset they were, so the panel can switch to
/// its full source.
#[hook]
pub fn use_image_data(task: Option<ImageTask>, on_adopt: Callback<DatasetKind>) -> ImageData {
    let status = use_state(DataStatus::default);
    {
        let status = status.clone();
        use_effect_with(task.clone(), move |task| {
            if let Some(task) = task.clone() {
                spawn_local(async move {
                    load(task, status).await;
                });
            }
        });
    }
    let on_files = {
        let status = status.clone();
        Callback::from(move |files: Vec<File>| {
            let (status, on_adopt) = (status.clone(), on_adopt.clone());
            spawn_local(async move {
                status.set(DataStatus::Loading(Progress {
                    stage: "Reading your files…".into(),
                    done: 0.0,
                    total: None,
                }));
                gloo_timers::future::TimeoutFuture::new(0).await;
                let adopted = match read_files(files).await {
                    Ok(files) => datasets::adopt_user_files(files).await,
                    Err(e) => Err(e),
                };
                match adopted {
                    Ok((kind, dataset)) => {
                        let task = ImageTask {
                            dataset: kind,
                            source: DataSource::Full,
                            train_size: None,
                        };
                        status.set(ready(&dataset, &task));
                        on_adopt.emit(kind);
                    }
                    Err(e) => status.set(DataStatus::Failed(e)),
                }
            });
        })
    };
    let on_clear = {
        let status = status.clone();
        Callback::from(move |()| {
            let (task, status) = (task.clone(), status.clone());
            spawn_local(async move {
                if let Err(e) = datasets::clear().await {
                    status.set(DataStatus::Failed(format!(
                        "Clearing the cache failed: {e}"
                    )));
                    return;
                }
                if let Some(task) = task {
                    load(task, status).await;
                }
            });
        })
    };
    ImageData {
        status,
        on_files,
        on_clear,
    }
}
