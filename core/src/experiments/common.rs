//! The tasks several experiments share: fitting a 1-D function and classifying images, with
//! their URL keys and data.

use burn::tensor::Device;
use serde::{Deserialize, Serialize};

use crate::data::{
    linspace, DataSource, DatasetKind, ExpressionError, Function, ImageDataset, ImageSet,
    TargetFunction,
};
use crate::events::{Event, Host};
use crate::params::Params;
use crate::train::Regression;

/// A 1-D function to fit on evenly spaced points (`fn`, `xmin`, `xmax`, `samples`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FunctionTask {
    pub function: Function,
    pub x_min: f64,
    pub x_max: f64,
    /// Training points, evenly spaced over the domain.
    pub samples: usize,
}

impl Default for FunctionTask {
    fn default() -> Self {
        Self {
            function: TargetFunction::Sinc5.into(),
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
        let named = TargetFunction::ALL.map(|f| format!("`{}`", f.id()));
        let values = format!(
            "{}, or `expr:` and an expression in `x` (at most {} characters)",
            named.join(", "),
            crate::data::Expression::MAX_CHARS
        );
        let default_id = d.function.id();
        p.describe("fn", values, &default_id);
        let written = p.get("fn");
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
        let mut task = Self {
            x_min,
            x_max,
            samples,
            ..d
        };
        if let Some(raw) = written {
            match Function::parse(raw.trim()).map(|f| f.and_then(|f| task.checked(f))) {
                Some(Ok(function)) => task.function = function,
                Some(Err(why)) => p.notice(format!("fn={raw}: {why}; using {default_id}")),
                None => p.notice(format!(
                    "fn={raw} is not one of {} or `expr:…`; using the default",
                    TargetFunction::ALL.map(|f| f.id()).join(", ")
                )),
            }
        }
        task
    }

    /// `function` if it has a value at every training point of this task; a typed function
    /// can fail there (`log(x)` at 0), a named one cannot.
    pub fn checked(&self, function: Function) -> Result<Function, ExpressionError> {
        function.check_on(&self.xs())?;
        Ok(function)
    }

    /// The function typed as `source` (what the page's function field commits) if this task
    /// can fit it, or why not.
    pub fn with_typed(&self, source: &str) -> Result<Function, ExpressionError> {
        let function = crate::data::Expression::parse(source).map(Function::Typed)?;
        self.checked(function)
    }

    /// The training inputs: `samples` points evenly spaced over the domain.
    pub fn xs(&self) -> Vec<f64> {
        linspace(self.x_min, self.x_max, self.samples)
    }

    pub fn to_params(&self) -> Vec<(&'static str, String)> {
        vec![
            ("fn", self.function.id()),
            ("xmin", self.x_min.to_string()),
            ("xmax", self.x_max.to_string()),
            ("samples", self.samples.to_string()),
        ]
    }

    /// The training points as tensors on `device`.
    pub fn data(&self, device: &Device) -> Regression {
        let xs = self.xs();
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

#[cfg(test)]
mod tests {
    use super::*;

    fn task(query: &str) -> (FunctionTask, Vec<String>) {
        let mut p = Params::parse(query);
        let task = FunctionTask::from_params(&mut p);
        (task, p.finish())
    }

    #[test]
    fn a_typed_function_is_read_from_the_url_and_written_back() {
        let (t, notices) = task("fn=expr%3Asin%283*x%29*exp%28-x*x%29&samples=16");
        assert!(notices.is_empty(), "{notices:?}");
        assert_eq!(t.function.id(), "expr:sin(3*x)*exp(-x*x)");
        let again = task(&crate::params::to_query(t.to_params())).0;
        assert_eq!(again, t);
        // The data is the expression on the grid.
        let ys: Vec<f64> = t.xs().iter().map(|&x| t.function.eval(x)).collect();
        assert!((ys[15] - 3f64.sin() * (-1f64).exp()).abs() < 1e-12);
    }

    #[test]
    fn a_typed_function_without_a_value_on_the_grid_falls_back_with_a_notice() {
        let (t, notices) = task("fn=expr%3Alog%28x%29");
        assert_eq!(t.function, Function::Named(TargetFunction::Sinc5));
        assert_eq!(notices.len(), 1, "{notices:?}");
        assert!(
            notices[0].contains("not a finite number at x = 0"),
            "{notices:?}"
        );
        // The same expression on a domain without 0 is fine.
        let (t, notices) = task("fn=expr%3Alog%28x%29&xmin=1&xmax=2");
        assert!(notices.is_empty(), "{notices:?}");
        assert!(matches!(t.function, Function::Typed(_)));
    }

    #[test]
    fn malformed_and_unknown_functions_fall_back_with_a_notice() {
        let (t, notices) = task("fn=expr%3Asin%28x&xmin=0");
        assert_eq!(t.function, Function::default());
        assert!(notices[0].contains("cannot be read"), "{notices:?}");
        let (_, notices) = task("fn=nope");
        assert!(notices[0].contains("is not one of sinc5"), "{notices:?}");
        let long = format!("fn=expr%3Ax{}", "%2Bx".repeat(100));
        let (_, notices) = task(&long);
        assert!(notices[0].contains("201 characters"), "{notices:?}");
    }

    #[test]
    fn the_page_checks_a_typed_function_on_the_task_grid() {
        let t = task("samples=9").0; // 0, 0.125, …, 0.5, …, 1
        assert!(matches!(
            t.with_typed("1/(x - 0.5)"),
            Err(ExpressionError::NotFinite { x }) if x == 0.5
        ));
        let f = t.with_typed("1/(x - 0.3)").unwrap();
        assert_eq!(f.id(), "expr:1/(x - 0.3)");
    }
}
