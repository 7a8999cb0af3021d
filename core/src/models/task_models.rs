//! The image classifiers the dataset experiments compare: CNNs of (nearly) equal size and
//! different depth, and a fully connected network of the same size.

use serde::{Deserialize, Serialize};

use super::ClassifierConfig;
use crate::data::DatasetKind;

/// The models a user can pick, in the order they are listed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TaskModel {
    Cnn1,
    Cnn2,
    Cnn3,
    Dnn,
}

impl TaskModel {
    pub const ALL: [TaskModel; 4] = [Self::Cnn1, Self::Cnn2, Self::Cnn3, Self::Dnn];

    pub fn id(self) -> &'static str {
        match self {
            Self::Cnn1 => "cnn1",
            Self::Cnn2 => "cnn2",
            Self::Cnn3 => "cnn3",
            Self::Dnn => "dnn",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.id() == s.trim())
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Cnn1 => "CNN, 1 conv",
            Self::Cnn2 => "CNN, 2 conv",
            Self::Cnn3 => "CNN, 3 conv",
            Self::Dnn => "DNN, 1 hidden",
        }
    }

    /// The architecture on `dataset`. Channel counts are chosen so that every model of a
    /// dataset has about the same number of parameters (MNIST ≈15.5k, CIFAR-10 ≈22.5k).
    pub fn architecture(self, dataset: DatasetKind) -> ClassifierConfig {
        let (convs, hidden): (&[usize], &[usize]) = match (dataset, self) {
            (DatasetKind::Mnist, Self::Cnn1) => (&[8], &[]),
            (DatasetKind::Mnist, Self::Cnn2) => (&[16, 24], &[]),
            (DatasetKind::Mnist, Self::Cnn3) => (&[16, 32, 28], &[]),
            (DatasetKind::Mnist, Self::Dnn) => (&[], &[20]),
            (DatasetKind::Cifar10, Self::Cnn1) => (&[9], &[]),
            (DatasetKind::Cifar10, Self::Cnn2) => (&[16, 28], &[]),
            (DatasetKind::Cifar10, Self::Cnn3) => (&[16, 32, 40], &[]),
            (DatasetKind::Cifar10, Self::Dnn) => (&[], &[7]),
        };
        let shape = dataset.shape();
        ClassifierConfig {
            input: [shape.channels, shape.height, shape.width],
            convs: convs.to_vec(),
            hidden: hidden.to_vec(),
            classes: 10,
        }
    }

    /// `conv3×3 16-24 → dense 10`, `dense 784-20-10`.
    pub fn describe(self, dataset: DatasetKind) -> String {
        self.architecture(dataset).describe()
    }
}
