//! Which image datasets exist, what their files are called, and the manifest a deployment
//! publishes under `static/data/` to list the files the app may fetch.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::{cifar, idx, DataError, ImageDataset, ImageShape};

/// The image datasets the experiments train on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DatasetKind {
    #[default]
    Mnist,
    Cifar10,
}

/// Where a run's images come from: the subset shipped with the app or the official dataset.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DataSource {
    #[default]
    Subset,
    Full,
}

impl DatasetKind {
    pub const ALL: [DatasetKind; 2] = [Self::Mnist, Self::Cifar10];

    pub fn id(self) -> &'static str {
        match self {
            Self::Mnist => "mnist",
            Self::Cifar10 => "cifar10",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.id() == s)
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::Mnist => "MNIST",
            Self::Cifar10 => "CIFAR-10",
        }
    }

    pub fn shape(self) -> ImageShape {
        match self {
            Self::Mnist => ImageShape {
                channels: 1,
                height: 28,
                width: 28,
            },
            Self::Cifar10 => ImageShape {
                channels: 3,
                height: 32,
                width: 32,
            },
        }
    }

    /// Whether the app ships a subset of this dataset (CIFAR-10 must come from the user).
    pub fn has_subset(self) -> bool {
        self == Self::Mnist
    }

    /// The manifest id of a source of this dataset.
    pub fn manifest_id(self, source: DataSource) -> String {
        match source {
            DataSource::Subset => format!("{}-subset", self.id()),
            DataSource::Full => self.id().to_string(),
        }
    }

    /// How a user gets the full dataset, shown where it is missing.
    pub fn how_to_get(self) -> &'static str {
        match self {
            Self::Mnist => {
                "Give the four official MNIST files (train-images-idx3-ubyte, train-labels-idx1-ubyte, \
                 t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte; raw or .gz) with the file picker or by \
                 dropping them on the page. They are at https://yann.lecun.com/exdb/mnist/ and mirrors."
            }
            Self::Cifar10 => {
                "Download the CIFAR-10 binary version (cifar-10-binary.tar.gz, 162 MB) from \
                 https://www.cs.toronto.edu/~kriz/cifar.html and give it with the file picker or by \
                 dropping it on the page (or its data_batch_*.bin and test_batch.bin files). \
                 It is kept in this browser afterwards."
            }
        }
    }
}

impl DataSource {
    pub const ALL: [DataSource; 2] = [Self::Subset, Self::Full];

    pub fn id(self) -> &'static str {
        match self {
            Self::Subset => "subset",
            Self::Full => "full",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.id() == s)
    }
}

/// `static/data/manifest.json`: datasets a deployment serves next to the app.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub datasets: Vec<ManifestEntry>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ManifestEntry {
    /// `mnist-subset`, `mnist`, `cifar10`.
    pub id: String,
    pub kind: DatasetKind,
    pub title: String,
    /// Role (`train_images`, `train_labels`, `test_images`, `test_labels`, or `archive`) to a
    /// path relative to the manifest.
    pub files: BTreeMap<String, String>,
    /// Total size of the files, for the progress bar.
    #[serde(default)]
    pub bytes: Option<u64>,
}

impl Manifest {
    pub fn parse(json: &str) -> Result<Self, String> {
        serde_json::from_str(json).map_err(|e| format!("the dataset manifest is malformed: {e}"))
    }

    pub fn entry(&self, id: &str) -> Option<&ManifestEntry> {
        self.datasets.iter().find(|d| d.id == id)
    }
}

/// The four MNIST files by role, as the manifest names them, with the official file names
/// (and their `test-` variants) users give.
const MNIST_ROLES: [(&str, &[&str]); 4] = [
    ("train_images", &["train-images"]),
    ("train_labels", &["train-labels"]),
    ("test_images", &["t10k-images", "test-images"]),
    ("test_labels", &["t10k-labels", "test-labels"]),
];

/// The base name of a path or URL, lower-cased, without a trailing `.gz`.
fn base_name(name: &str) -> String {
    let base = name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(name)
        .to_lowercase();
    base.trim_end_matches(".gz").to_string()
}

impl DatasetKind {
    /// Which dataset files a user gave are, judged by their names: CIFAR-10's are `*.bin`
    /// batches or its `.tar.gz` archive, anything else is taken for MNIST.
    pub fn detect<'a>(names: impl IntoIterator<Item = &'a str>) -> Self {
        let cifar = names.into_iter().any(|n| {
            let n = n.to_lowercase();
            n.ends_with(".bin")
                || n.ends_with(".tar.gz")
                || n.ends_with(".tgz")
                || n.contains("cifar")
        });
        if cifar {
            Self::Cifar10
        } else {
            Self::Mnist
        }
    }
}

/// The largest dataset file read: the official CIFAR-10 archive is 162 MiB, MNIST's largest
/// file 45 MiB uncompressed. A page checks a file's size against it before reading the file.
pub const FILE_MAX_BYTES: u64 = 200 << 20;

/// A file of `size` bytes may be read as a dataset file.
pub fn check_file_size(name: &str, size: u64) -> Result<(), DataError> {
    match size > FILE_MAX_BYTES {
        true => Err(DataError::Claims {
            file: name.into(),
            what: "is",
            claimed: size,
            most: FILE_MAX_BYTES,
            limit: "bytes of the largest dataset file (CIFAR-10's archive: 170,052,171)",
        }),
        false => Ok(()),
    }
}

/// Build a dataset of `kind` from files given as (name, bytes): MNIST's four IDX files (raw or
/// gzip, recognised by name), or CIFAR-10's archive or batch files. `title` names the result.
pub fn dataset_from_files(
    kind: DatasetKind,
    title: &str,
    files: &[(String, Vec<u8>)],
) -> Result<ImageDataset, DataError> {
    for (name, bytes) in files {
        check_file_size(name, bytes.len() as u64)?;
    }
    match kind {
        DatasetKind::Mnist => {
            let find = |role: &str, patterns: &[&str]| {
                files
                    .iter()
                    .find(|(name, _)| {
                        let base = base_name(name);
                        base == role || patterns.iter().any(|p| base.contains(p))
                    })
                    .map(|(name, bytes)| (name.as_str(), bytes.as_slice()))
                    .ok_or_else(|| DataError::MissingFile {
                        file: format!("{}-… ({role})", patterns[0]),
                    })
            };
            let [a, b, c, d] = MNIST_ROLES;
            idx::mnist(
                title,
                find(a.0, a.1)?,
                find(b.0, b.1)?,
                find(c.0, c.1)?,
                find(d.0, d.1)?,
            )
        }
        DatasetKind::Cifar10 => {
            let archive = files.iter().find(|(name, bytes)| {
                let n = name.to_lowercase();
                n.ends_with(".tar.gz")
                    || n.ends_with(".tgz")
                    || n.ends_with(".tar")
                    || bytes.starts_with(&[0x1f, 0x8b])
            });
            let mut set = match archive {
                Some((name, bytes)) => cifar::from_archive(name, bytes)?,
                None => {
                    let batches: Vec<(&str, &[u8])> = files
                        .iter()
                        .map(|(n, b)| (n.as_str(), b.as_slice()))
                        .collect();
                    cifar::from_batches(&batches)?
                }
            };
            set.name = title.to_string();
            Ok(set)
        }
    }
}

/// The manifest's role names of a dataset's files, in load order.
pub fn roles(kind: DatasetKind) -> Vec<&'static str> {
    match kind {
        DatasetKind::Mnist => MNIST_ROLES.iter().map(|(r, _)| *r).collect(),
        DatasetKind::Cifar10 => vec!["archive"],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_parses_and_finds_entries() {
        let json = r#"{"datasets":[{"id":"mnist-subset","kind":"mnist","title":"t",
            "files":{"train_images":"a.gz"},"bytes":12}]}"#;
        let m = Manifest::parse(json).unwrap();
        let e = m
            .entry(&DatasetKind::Mnist.manifest_id(DataSource::Subset))
            .unwrap();
        assert_eq!(e.kind, DatasetKind::Mnist);
        assert_eq!(e.files["train_images"], "a.gz");
        assert!(m.entry("cifar10").is_none());
        assert!(Manifest::parse("{\"datasets\": 3}").is_err());
    }

    #[test]
    fn ids_round_trip() {
        for k in DatasetKind::ALL {
            assert_eq!(DatasetKind::parse(k.id()), Some(k));
        }
        for s in DataSource::ALL {
            assert_eq!(DataSource::parse(s.id()), Some(s));
        }
    }

    #[test]
    fn a_file_larger_than_any_dataset_file_is_refused_by_its_size() {
        assert!(check_file_size("cifar-10-binary.tar.gz", 170_052_171).is_ok());
        let e = check_file_size("huge-idx3-ubyte", 1_600_000_000).unwrap_err();
        assert_eq!(
            e.to_string(),
            "huge-idx3-ubyte is 1600000000 bytes, more than the 209715200 bytes of the largest \
             dataset file (CIFAR-10's archive: 170,052,171); refused before reading it"
        );
        let files = vec![("big".to_string(), vec![0u8; FILE_MAX_BYTES as usize + 1])];
        assert!(matches!(
            dataset_from_files(DatasetKind::Mnist, "t", &files),
            Err(DataError::Claims { what: "is", .. })
        ));
    }
}
