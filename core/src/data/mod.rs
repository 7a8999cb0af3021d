//! Datasets: target functions for the function-fitting experiments, and image datasets (MNIST's
//! IDX files, CIFAR-10's binary batches and archive) with the catalog of where to get them.

mod catalog;
pub mod cifar;
mod error;
mod expression;
mod functions;
pub mod idx;
mod images;
mod shape;

pub use catalog::{
    check_file_size, dataset_from_files, roles, DataSource, DatasetKind, Manifest, ManifestEntry,
    FILE_MAX_BYTES,
};
pub use error::DataError;
pub use expression::{Expression, ExpressionError, FUNCTIONS};
pub use functions::{linspace, Function, TargetFunction};
pub use images::{ImageDataset, ImageSet, ImageShape, CLASSES};
