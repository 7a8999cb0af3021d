//! What can go wrong reading a dataset's files. Every message is meant for the person who chose
//! the files: it names the file when one is known and says what was expected.

use super::shape::ImageShape;

/// A dataset file (or a set of them) that cannot be read. `file` fields hold the name the
/// caller gave, or `archive/entry` for a file inside an archive; empty when no file is involved.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DataError {
    #[error("{file} is empty")]
    Empty { file: String },

    #[error(
        "{file} is not the expected kind of file: it starts with {found:#010x}, expected {expected:#010x}"
    )]
    BadMagic {
        file: String,
        found: u32,
        expected: u32,
    },

    #[error("{file} is truncated: expected {expected} bytes, found only {found}")]
    Truncated {
        file: String,
        expected: usize,
        found: usize,
    },

    #[error("the number of images ({images}) does not match the number of labels ({labels})")]
    CountMismatch { images: usize, labels: usize },

    #[error("{}label {label} of example {index} is out of range (classes are 0 to 9)", at(.file))]
    LabelOutOfRange {
        file: String,
        index: usize,
        label: u8,
    },

    #[error(
        "{file} is {len} bytes, not a whole number of {record}-byte CIFAR-10 records \
         (is it a CIFAR-10 binary batch, and complete?)"
    )]
    RecordSize {
        file: String,
        len: usize,
        record: usize,
    },

    #[error("{file} is not a valid gzip file (no gzip header, or corrupt or incomplete compressed data)")]
    NotGzip { file: String },

    #[error("{file} is not a valid tar archive (or it is damaged)")]
    NotTar { file: String },

    #[error("missing file: {file}")]
    MissingFile { file: String },

    #[error("{}images of shape {found} where {expected} was expected", at(.file))]
    ShapeMismatch {
        file: String,
        expected: ImageShape,
        found: ImageShape,
    },

    #[error(
        "{file} decompresses to more than {limit} bytes, more than any dataset file should be"
    )]
    TooLarge { file: String, limit: usize },

    #[error(
        "{file} {what} {claimed} bytes, more than the {most} {limit}; refused before reading it"
    )]
    Claims {
        file: String,
        /// "claims" (a header's size) or "is" (a file's own size).
        what: &'static str,
        claimed: u64,
        most: u64,
        /// What the limit is: "a CIFAR-10 batch file holds".
        limit: &'static str,
    },

    #[error("{file} is not supported: {reason}")]
    Unsupported { file: String, reason: String },
}

/// `"file: "`, or nothing when no file is known.
fn at(file: &str) -> String {
    if file.is_empty() {
        String::new()
    } else {
        format!("{file}: ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_file() {
        let e = DataError::BadMagic {
            file: "t10k-images-idx3-ubyte".into(),
            found: 0x0801,
            expected: 0x0803,
        };
        assert_eq!(
            e.to_string(),
            "t10k-images-idx3-ubyte is not the expected kind of file: it starts with \
             0x00000801, expected 0x00000803"
        );
        let e = DataError::LabelOutOfRange {
            file: String::new(),
            index: 3,
            label: 12,
        };
        assert_eq!(
            e.to_string(),
            "label 12 of example 3 is out of range (classes are 0 to 9)"
        );
        let e = DataError::LabelOutOfRange {
            file: "a.bin".into(),
            index: 0,
            label: 255,
        };
        assert!(e.to_string().starts_with("a.bin: label 255 "));
    }
}
