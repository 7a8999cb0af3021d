//! Builders of small valid dataset files and the expected errors, shared by the format tests;
//! readers of a run's events, shared by the experiment tests.
#![allow(dead_code)] // each test crate uses a different part

use mlds_core::data::{
    cifar, dataset_from_files, idx, DataError, DatasetKind, ImageDataset, ImageSet, ImageShape,
};
use std::sync::OnceLock;

pub const MNIST: ImageShape = shape(1, 28, 28);
pub const CIFAR: ImageShape = cifar::SHAPE;

pub const fn shape(channels: usize, height: usize, width: usize) -> ImageShape {
    ImageShape {
        channels,
        height,
        width,
    }
}

/// Asserts that a parse fails with exactly this error.
#[macro_export]
macro_rules! fails {
    ($parse:expr, $err:expr) => {
        assert_eq!($parse.err(), Some($err))
    };
}

/// `n` images of `shape` with varied pixels and labels cycling through the classes.
pub fn set(shape: ImageShape, n: usize, seed: u8) -> ImageSet {
    let images = (0..n * shape.pixels()).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed));
    let labels = (0..n).map(|i| ((i + seed as usize) % 10) as u8).collect();
    ImageSet::new(shape, images.collect(), labels).unwrap()
}

pub fn idx_files(s: &ImageSet) -> (Vec<u8>, Vec<u8>) {
    let images = idx::encode_images(s.shape, s.len(), &s.images);
    (images, idx::encode_labels(&s.labels))
}

/// A tar of the entries under cifar-10-batches-bin/ (which is also an entry).
pub fn tar(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    let dir = ("", &[][..], tar::EntryType::Directory);
    let files = entries
        .iter()
        .map(|&(p, d)| (p, d, tar::EntryType::Regular));
    for (path, data, kind) in std::iter::once(dir).chain(files) {
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(kind);
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        let path = format!("cifar-10-batches-bin/{path}");
        builder.append_data(&mut header, path, data).unwrap();
    }
    builder.into_inner().unwrap()
}

/// Small CIFAR batches (3 records each, distinct per batch): data_batch_1..5, then test_batch.
pub fn cifar_batches() -> Vec<(String, Vec<u8>)> {
    let name = |i| match i {
        6 => "test_batch.bin".to_string(),
        i => format!("data_batch_{i}.bin"),
    };
    (1..=6)
        .map(|i| (name(i), cifar::encode_batch(&set(CIFAR, 3, i))))
        .collect()
}

pub fn borrow(files: &[(String, Vec<u8>)]) -> Vec<(&str, &[u8])> {
    files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect()
}

/// The dataset of [`cifar_batches`] with the given data batches.
pub fn cifar_expected(data: &[u8]) -> ImageDataset {
    let parts = data.iter().map(|&i| set(CIFAR, 3, i)).collect();
    let train = ImageSet::concat(parts).unwrap();
    ImageDataset {
        name: "CIFAR-10".into(),
        train,
        test: set(CIFAR, 3, 6),
    }
}

/// An archive laid out like the official one: entries out of order, plus other files.
pub fn archive_tar() -> &'static [u8] {
    static TAR: OnceLock<Vec<u8>> = OnceLock::new();
    TAR.get_or_init(|| {
        let files = cifar_batches();
        let mut entries = vec![
            ("batches.meta.txt", &b"airplane\n"[..]),
            ("readme.html", b"<html>"),
        ];
        entries.extend([3, 5, 0, 2, 4, 1].map(|i| (files[i].0.as_str(), files[i].1.as_slice())));
        tar(&entries)
    })
}

pub fn archive_gz() -> &'static [u8] {
    static GZ: OnceLock<Vec<u8>> = OnceLock::new();
    GZ.get_or_init(|| idx::gzip(archive_tar()))
}

pub fn unsupported<T>(r: Result<T, DataError>) -> bool {
    matches!(r, Err(DataError::Unsupported { .. }))
}

pub fn empty(file: &str) -> DataError {
    DataError::Empty { file: file.into() }
}
pub fn truncated(file: &str, expected: usize, found: usize) -> DataError {
    DataError::Truncated {
        file: file.into(),
        expected,
        found,
    }
}
pub fn bad_label(file: &str, index: usize, label: u8) -> DataError {
    DataError::LabelOutOfRange {
        file: file.into(),
        index,
        label,
    }
}
pub fn record_size(file: &str, len: usize) -> DataError {
    DataError::RecordSize {
        file: file.into(),
        len,
        record: 3073,
    }
}
pub fn count_mismatch(images: usize, labels: usize) -> DataError {
    DataError::CountMismatch { images, labels }
}
pub fn not_gzip(file: &str) -> DataError {
    DataError::NotGzip { file: file.into() }
}
pub fn not_tar(file: &str) -> DataError {
    DataError::NotTar { file: file.into() }
}
pub fn missing(file: &str) -> DataError {
    DataError::MissingFile { file: file.into() }
}

/// The MNIST subset shipped in `static/data/` (8,000 training and 2,000 test images).
pub fn subset() -> ImageDataset {
    static SUBSET: OnceLock<ImageDataset> = OnceLock::new();
    SUBSET
        .get_or_init(|| {
            let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../static/data/mnist-subset");
            let files: Vec<(String, Vec<u8>)> = [
                "train-images-idx3-ubyte.gz",
                "train-labels-idx1-ubyte.gz",
                "t10k-images-idx3-ubyte.gz",
                "t10k-labels-idx1-ubyte.gz",
            ]
            .iter()
            .map(|f| {
                let bytes = std::fs::read(format!("{dir}/{f}")).expect("the subset ships");
                (f.to_string(), bytes)
            })
            .collect();
            dataset_from_files(DatasetKind::Mnist, "MNIST subset", &files)
                .expect("the subset parses")
        })
        .clone()
}

/// A config parsed from a URL query that must raise no notice.
pub fn config<C: mlds_core::engine::FromParams>(query: &str) -> C {
    let mut params = mlds_core::params::Params::parse(query);
    let config = C::from_params(&mut params);
    let notices = params.finish();
    assert!(notices.is_empty(), "test queries are valid: {notices:?}");
    config
}

/// Parsing the URL a config writes gives the same config back.
pub fn round_trips<C>(query: &str)
where
    C: mlds_core::engine::FromParams + PartialEq + std::fmt::Debug,
{
    let c: C = config(query);
    let written = mlds_core::params::to_query(c.to_params());
    assert_eq!(config::<C>(&written), c, "{query}");
}

/// A run's training points: (epoch, every model's loss, every model's accuracy).
pub fn train_points(events: &[mlds_core::Event]) -> Vec<(f64, Vec<f64>, Vec<f64>)> {
    events
        .iter()
        .filter_map(|e| match e {
            mlds_core::Event::TrainMetrics {
                epoch,
                losses,
                accuracies,
                ..
            } => Some((*epoch, losses.clone(), accuracies.clone())),
            _ => None,
        })
        .collect()
}

/// A property test's configuration: `cases` cases (`FUZZ_CASES` overrides) from a fixed seed,
/// so the test command is deterministic and a landing never fails on a case no earlier run
/// met; `FUZZ_SEED=random` (or a number) explores further before a change to what they test.
pub fn fuzz_config(cases: u32) -> proptest::test_runner::Config {
    use proptest::test_runner::{Config, RngSeed};
    let cases = std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(cases);
    let rng_seed = match std::env::var("FUZZ_SEED").as_deref() {
        Ok("random") => RngSeed::Random,
        Ok(n) => RngSeed::Fixed(n.parse().expect("FUZZ_SEED is a number or `random`")),
        Err(_) => RngSeed::Fixed(31),
    };
    Config {
        cases,
        rng_seed,
        ..Config::default()
    }
}
