//! The tasks several experiments share: fitting a 1-D function and classifying images, with
//! their URL keys and data.

use burn::tensor::Device;
use serde::{Deserialize, Serialize};

use crate::data::{linspace, DataSource, DatasetKind, ImageDataset, ImageSet, TargetFunction};
use crate::events::{Event, Host};
use crate::params::Params;
use crate::train::Regression;

/// A 1-D function to fit on evenly spaced points (`fn`, `xmin`, `xmax`, `samples`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FunctionTask {
    pub function: TargetFunction,
    pub x_min: f64,
    pub x_max: f64,
    /// Training points, evenly spaced over the domain.
    pub samples: usize,
}

impl Default for FunctionTask {
    fn default() -> Self {
        Self {
            function: TargetFunction::Sinc5,
            x_min: 0.0,
            x_max: 1.0,
            samples: 512,
        }
    }
}

impl FunctionTask {
    pub fn from_params(p: &mut Params) -> Self {
        Self::from_params_with_samples(p, Self::default().samples)
    }

    /// [`FunctionTask::from_params`] where `samples` defaults to `default_samples`.
    pub fn from_params_with_samples(p: &mut Params, default_samples: usize) -> Self {
        let d = Self {
            samples: default_samples,
            ..Self::default()
        };
        let function = p.choice(
            "fn",
            d.function,
            TargetFunction::parse,
            &TargetFunction::ALL.map(|f| f.id()),
        );
        let mut x_min = p.number("xmin", d.x_min, -10.0..=10.0);
        let mut x_max = p.number("xmax", d.x_max, -10.0..=10.0);
        if x_max <= x_min {
            p.notice(format!(
                "xmax must exceed xmin; using [{}, {}]",
                d.x_min, d.x_max
            ));
            (x_min, x_max) = (d.x_min, d.x_max);
        }
        let samples = p.number("samples", d.samples, 8..=8192);
        Self {
            function,
            x_min,
            x_max,
            samples,
        }
    }

    pub fn to_params(&self) -> Vec<(&'static str, String)> {
        vec![
            ("fn", self.function.id().into()),
            ("xmin", self.x_min.to_string()),
            ("xmax", self.x_max.to_string()),
            ("samples", self.samples.to_string()),
        ]
    }

    /// The training points as tensors on `device`.
    pub fn data(&self, device: &Device) -> Regression {
        let xs = linspace(self.x_min, self.x_max, self.samples);
        let ys: Vec<f64> = xs.iter().map(|&x| self.function.eval(x)).collect();
        Regression::new(&xs, &ys, device)
    }
}

/// An image classification task (`dataset`, `source`, `train_size`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImageTask {
    pub dataset: DatasetKind,
    pub source: DataSource,
    /// Use only the first `train_size` training examples (`None`: all of them).
    pub train_size: Option<usize>,
}

impl ImageTask {
    pub const MAX_TRAIN_SIZE: usize = 60_000;

    /// The training examples a run may use: `train_size`, or the largest training set.
    pub fn train_examples_at_most(&self) -> usize {
        self.train_size.unwrap_or(Self::MAX_TRAIN_SIZE)
    }

    pub fn from_params(p: &mut Params, default_train_size: Option<usize>) -> Self {
        let dataset = p.choice(
            "dataset",
            DatasetKind::Mnist,
            DatasetKind::parse,
            &DatasetKind::ALL.map(|k| k.id()),
        );
        // CIFAR-10 has no shipped subset: its default source is the full set.
        let default_source = match dataset.has_subset() {
            true => DataSource::Subset,
            false => DataSource::Full,
        };
        let mut source = p.choice(
            "source",
            default_source,
            DataSource::parse,
            &DataSource::ALL.map(|s| s.id()),
        );
        if source == DataSource::Subset && !dataset.has_subset() {
            p.notice(format!(
                "{} has no built-in subset; using the full dataset",
                dataset.title()
            ));
            source = DataSource::Full;
        }
        p.describe(
            "train_size",
            format!("`all` or 16 – {}", Self::MAX_TRAIN_SIZE),
            default_train_size.map_or("all".into(), |n| n.to_string()),
        );
        let train_size = match p.get("train_size").as_deref() {
            None => default_train_size,
            Some("all") => None,
            Some(_) => Some(p.number(
                "train_size",
                Self::MAX_TRAIN_SIZE,
                16..=Self::MAX_TRAIN_SIZE,
            )),
        };
        Self {
            dataset,
            source,
            train_size,
        }
    }

    pub fn to_params(&self) -> Vec<(&'static str, String)> {
        vec![
            ("dataset", self.dataset.id().into()),
            ("source", self.source.id().into()),
            (
                "train_size",
                self.train_size.map_or("all".into(), |n| n.to_string()),
            ),
        ]
    }

    /// The training set this task uses (checked against the dataset's image shape), after
    /// announcing the data to the host.
    pub fn prepare(&self, data: &ImageDataset, host: &mut impl Host) -> Result<ImageSet, String> {
        let expected = self.dataset.shape();
        if data.train.shape != expected || data.test.shape != expected {
            let s = data.train.shape;
            return Err(format!(
                "{} images must be {}×{}×{}; this dataset's are {}×{}×{}",
                self.dataset.title(),
                expected.channels,
                expected.height,
                expected.width,
                s.channels,
                s.height,
                s.width
            ));
        }
        let train = data.train.take(self.train_size.unwrap_or(data.train.len()));
        if train.is_empty() || data.test.is_empty() {
            return Err(format!(
                "the dataset '{}' has no images to train or test on",
                data.name
            ));
        }
        host.emit(Event::Dataset {
            title: data.name.clone(),
            train: train.len(),
            test: data.test.len(),
        });
        Ok(train)
    }
}
