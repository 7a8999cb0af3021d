//! The image datasets of a run, natively: the page's catalog and parsers, with the MNIST
//! subset compiled into the binary (a cluster's nodes need no data files for it) and the
//! official files read from `--data DIR`.

use std::path::{Path, PathBuf};

use mlds_core::data::{dataset_from_files, roles, DataSource, DatasetKind, ImageDataset, Manifest};
use mlds_core::experiments::common::ImageTask;

/// The page's `data/manifest.json`, which names the subset as the page does.
const MANIFEST: &str = include_str!("../../static/data/manifest.json");

macro_rules! subset_file {
    ($name:literal) => {
        (
            $name,
            include_bytes!(concat!("../../static/data/mnist-subset/", $name)) as &[u8],
        )
    };
}

/// The MNIST subset the page ships, as the manifest lists it.
const MNIST_SUBSET: [(&str, &[u8]); 4] = [
    subset_file!("train-images-idx3-ubyte.gz"),
    subset_file!("train-labels-idx1-ubyte.gz"),
    subset_file!("t10k-images-idx3-ubyte.gz"),
    subset_file!("t10k-labels-idx1-ubyte.gz"),
];

/// The dataset `task` trains on; the error says what is missing or wrong, and how to fix it.
pub fn obtain(task: &ImageTask, dir: Option<&Path>) -> Result<ImageDataset, String> {
    let kind = task.dataset;
    match task.source {
        DataSource::Subset if kind.has_subset() => {
            let manifest = Manifest::parse(MANIFEST)?;
            let id = kind.manifest_id(DataSource::Subset);
            let title = manifest
                .entry(&id)
                .map_or(kind.title(), |e| e.title.as_str());
            let files: Vec<(String, Vec<u8>)> = MNIST_SUBSET
                .iter()
                .map(|(name, bytes)| (name.to_string(), bytes.to_vec()))
                .collect();
            dataset_from_files(kind, title, &files).map_err(|e| e.to_string())
        }
        DataSource::Subset => Err(format!(
            "{} has no subset: use source=full with --data DIR (the official files)",
            kind.title()
        )),
        DataSource::Full => match dir {
            Some(dir) => from_dir(kind, dir),
            None => Err(format!(
                "{} (full) needs the official files: pass --data DIR, a folder with {}",
                kind.title(),
                expected_files(kind)
            )),
        },
    }
}

fn expected_files(kind: DatasetKind) -> &'static str {
    match kind {
        DatasetKind::Mnist => {
            "train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and \
             t10k-labels-idx1-ubyte (raw or .gz; https://yann.lecun.com/exdb/mnist/ and mirrors)"
        }
        DatasetKind::Cifar10 => {
            "cifar-10-binary.tar.gz, or its data_batch_1.bin … data_batch_5.bin and test_batch.bin \
             (also in a cifar-10-batches-bin folder; https://www.cs.toronto.edu/~kriz/cifar.html)"
        }
    }
}

/// A dataset from a folder: the files its `manifest.json` lists (a deployment's `static/data`),
/// or else the official files found by name, parsed by the page's parsers.
fn from_dir(kind: DatasetKind, dir: &Path) -> Result<ImageDataset, String> {
    let manifest_path = dir.join("manifest.json");
    if manifest_path.is_file() {
        let text = read_text(&manifest_path)?;
        let manifest = Manifest::parse(&text).map_err(|e| format!("{}: {e}", dir.display()))?;
        if let Some(entry) = manifest.entry(&kind.manifest_id(DataSource::Full)) {
            let mut files = Vec::new();
            for role in roles(kind) {
                let path = entry.files.get(role).ok_or_else(|| {
                    format!(
                        "{}: dataset '{}' lists no '{role}' file",
                        manifest_path.display(),
                        entry.id
                    )
                })?;
                let path = dir.join(path);
                files.push((path.display().to_string(), read(&path)?));
            }
            return dataset_from_files(kind, &entry.title, &files).map_err(|e| e.to_string());
        }
    }
    let found = candidates(kind, dir)?;
    if found.is_empty() {
        return Err(format!(
            "{} has no {} files: expected {}",
            dir.display(),
            kind.title(),
            expected_files(kind)
        ));
    }
    let files = found
        .iter()
        .map(|path| Ok((path.display().to_string(), read(path)?)))
        .collect::<Result<Vec<_>, String>>()?;
    let parsed = dataset_from_files(kind, kind.title(), &files).map_err(|e| e.to_string())?;
    // Named as the page names a user's files, so the runs' events match.
    let name = format!(
        "{} ({} train / {} test, from your files)",
        kind.title(),
        parsed.train.len(),
        parsed.test.len()
    );
    Ok(ImageDataset { name, ..parsed })
}

/// The files of `dir` (and of its `cifar-10-batches-bin`, the archive's folder) whose names
/// say they are `kind`'s, in name order.
fn candidates(kind: DatasetKind, dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut found = Vec::new();
    for folder in [dir.to_path_buf(), dir.join("cifar-10-batches-bin")] {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            if folder == dir {
                return Err(format!("{}: cannot read this folder", dir.display()));
            }
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().to_lowercase();
            if path.is_file() && belongs(kind, &name) {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

fn belongs(kind: DatasetKind, name: &str) -> bool {
    match kind {
        DatasetKind::Mnist => [
            "train-images",
            "train-labels",
            "t10k-",
            "test-images",
            "test-labels",
        ]
        .iter()
        .any(|p| name.contains(p)),
        DatasetKind::Cifar10 => {
            (name.contains("cifar") && (name.ends_with(".tar.gz") || name.ends_with(".tgz")))
                || (name.ends_with(".bin")
                    && (name.starts_with("data_batch") || name.starts_with("test_batch")))
        }
    }
}

/// A dataset file, refused by its size before it is read (`data::FILE_MAX_BYTES`).
fn read(path: &Path) -> Result<Vec<u8>, String> {
    let size = std::fs::metadata(path)
        .map_err(|e| format!("{}: {e}", path.display()))?
        .len();
    mlds_core::data::check_file_size(&path.display().to_string(), size)
        .map_err(|e| e.to_string())?;
    std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn read_text(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}
