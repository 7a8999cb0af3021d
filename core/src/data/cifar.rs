//! CIFAR-10's binary version: batch files of 3073-byte records (a label byte, then a 32×32 image
//! as 1024 red, 1024 green and 1024 blue bytes), alone or in the official `cifar-10-binary.tar.gz`.

use flate2::read::MultiGzDecoder;
use std::cell::Cell;
use std::io::{self, Read};

use super::error::DataError;
use super::idx::is_gzip;
use super::images::{check_labels, ImageDataset, ImageSet, ImageShape};

/// 1 label byte + 3072 pixel bytes (1024 R, 1024 G, 1024 B), shape 3×32×32.
pub const RECORD: usize = 3073;

/// The shape of CIFAR-10's images.
pub const SHAPE: ImageShape = ImageShape {
    channels: 3,
    height: 32,
    width: 32,
};

/// The most an archive may decompress to (the official one: 184.4 MB).
pub const ARCHIVE_MAX_BYTES: usize = 192 * 1024 * 1024;
/// The most a batch file holds: 10,000 records.
pub const BATCH_MAX_BYTES: u64 = 10_000 * RECORD as u64;
/// The most an archive may hold besides its batch files (the official one: a readme and the
/// class names, 1 kB together). Skipping an entry inflates it, so a bomb hidden in an entry
/// of another name is refused by its header, before it is inflated.
pub const OTHER_MAX_BYTES: u64 = 4 * 1024 * 1024;

const TEST_BATCH: &str = "test_batch.bin";
const DATA_BATCHES: [&str; 5] = [
    "data_batch_1.bin",
    "data_batch_2.bin",
    "data_batch_3.bin",
    "data_batch_4.bin",
    "data_batch_5.bin",
];

/// The images and labels of one batch file.
pub fn parse_batch(file: &str, bytes: &[u8]) -> Result<ImageSet, DataError> {
    let mut set = empty_set(bytes.len() / RECORD);
    append_batch(file, bytes, &mut set)?;
    Ok(set)
}

/// The five data_batch_N.bin plus test_batch.bin, given as (name, bytes) in any order and matched
/// by file name (directories are ignored, as are other files). test_batch.bin and
/// data_batch_1.bin are required; whichever other data batches are present join the training
/// set in numeric order.
pub fn from_batches(files: &[(&str, &[u8])]) -> Result<ImageDataset, DataError> {
    let mut slots: [Option<(String, &[u8])>; 6] = Default::default();
    for &(name, bytes) in files {
        if let Some(i) = slot(name) {
            slots[i] = Some((name.to_string(), bytes));
        }
    }
    assemble(slots, |missing| missing.to_string())
}

/// The official cifar-10-binary.tar.gz (entries under cifar-10-batches-bin/, matched by file name
/// as in [`from_batches`]). Not gzip → [`DataError::NotGzip`] (an uncompressed tar is accepted
/// too); gzip but not tar → [`DataError::NotTar`]. Decompression stops at [`ARCHIVE_MAX_BYTES`].
pub fn from_archive(file: &str, bytes: &[u8]) -> Result<ImageDataset, DataError> {
    read_archive(file, bytes, ARCHIVE_MAX_BYTES)
}

/// A batch file of `set`'s examples. Panics unless the images are 3×32×32.
pub fn encode_batch(set: &ImageSet) -> Vec<u8> {
    assert_eq!(set.shape, SHAPE, "CIFAR-10 images are 3×32×32");
    let mut out = Vec::with_capacity(set.len() * RECORD);
    for (i, &label) in set.labels.iter().enumerate() {
        out.push(label);
        out.extend_from_slice(set.image(i));
    }
    out
}

fn empty_set(records: usize) -> ImageSet {
    ImageSet {
        shape: SHAPE,
        images: Vec::with_capacity(records * (RECORD - 1)),
        labels: Vec::with_capacity(records),
    }
}

/// Checks a batch file and appends its examples to `set`.
fn append_batch(file: &str, bytes: &[u8], set: &mut ImageSet) -> Result<(), DataError> {
    if bytes.is_empty() {
        return Err(DataError::Empty { file: file.into() });
    }
    if !bytes.len().is_multiple_of(RECORD) {
        return Err(DataError::RecordSize {
            file: file.into(),
            len: bytes.len(),
            record: RECORD,
        });
    }
    let first = set.labels.len();
    for record in bytes.chunks_exact(RECORD) {
        let (label, pixels) = record.split_at(1);
        set.labels.extend_from_slice(label);
        set.images.extend_from_slice(pixels);
    }
    check_labels(file, &set.labels[first..])
}

/// Which slot a file belongs in: 0 to 4 for data_batch_1 to 5, 5 for test_batch.
fn slot(name: &str) -> Option<usize> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    if base == TEST_BATCH {
        return Some(5);
    }
    DATA_BATCHES.iter().position(|&b| b == base)
}

/// The dataset from the files in their slots; `missing` says where a missing file was sought.
fn assemble<B: AsRef<[u8]>>(
    slots: [Option<(String, B)>; 6],
    missing: impl Fn(&str) -> String,
) -> Result<ImageDataset, DataError> {
    let [d1, d2, d3, d4, d5, test] = slots;
    let Some(test) = test else {
        return Err(DataError::MissingFile {
            file: missing(TEST_BATCH),
        });
    };
    if d1.is_none() {
        return Err(DataError::MissingFile {
            file: missing(DATA_BATCHES[0]),
        });
    }
    let data: Vec<(String, B)> = [d1, d2, d3, d4, d5].into_iter().flatten().collect();
    let mut train = empty_set(data.iter().map(|(_, b)| b.as_ref().len() / RECORD).sum());
    for (name, bytes) in data {
        append_batch(&name, bytes.as_ref(), &mut train)?;
        // `bytes` is dropped here: an archive's raw batches are freed as they are copied.
    }
    Ok(ImageDataset {
        name: "CIFAR-10".into(),
        train,
        test: parse_batch(&test.0, test.1.as_ref())?,
    })
}

/// Why reading the archive's stream stopped, as seen by [`Guard`].
#[derive(Clone, Copy, Default)]
enum Stop {
    #[default]
    Running,
    /// The decompressor failed: not gzip after all, or corrupt.
    Inner,
    /// More than the limit came out.
    Limit,
}

/// Passes the decompressed stream to the tar reader, noting decompression errors and stopping
/// after `left` bytes.
struct Guard<'a, R> {
    inner: R,
    left: usize,
    stop: &'a Cell<Stop>,
}

impl<R: Read> Read for Guard<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut probe = [0u8; 1];
        let out = if self.left == 0 { &mut probe[..] } else { buf };
        let max = out.len().min(self.left.max(1));
        match self.inner.read(&mut out[..max]) {
            Ok(n) if self.left == 0 && n > 0 => {
                self.stop.set(Stop::Limit);
                Err(io::Error::other("archive too large"))
            }
            Ok(n) => {
                self.left -= n;
                Ok(n)
            }
            Err(e) => {
                self.stop.set(Stop::Inner);
                Err(e)
            }
        }
    }
}

fn read_archive(file: &str, bytes: &[u8], limit: usize) -> Result<ImageDataset, DataError> {
    if bytes.is_empty() {
        return Err(DataError::Empty { file: file.into() });
    }
    let plain_tar = bytes.get(257..262) == Some(b"ustar");
    if !is_gzip(bytes) && !plain_tar {
        return Err(DataError::NotGzip { file: file.into() });
    }
    let stop = Cell::new(Stop::Running);
    let inner: Box<dyn Read + '_> = if plain_tar {
        Box::new(bytes)
    } else {
        Box::new(MultiGzDecoder::new(bytes))
    };
    let mut archive = tar::Archive::new(Guard {
        inner,
        left: limit,
        stop: &stop,
    });
    let mut slots: [Option<(String, Vec<u8>)>; 6] = Default::default();
    match read_entries(file, &mut archive, &mut slots) {
        Ok(0) => return Err(DataError::NotTar { file: file.into() }),
        Ok(_) => {}
        Err(ReadError::Data(e)) => return Err(e),
        Err(ReadError::Io) => {
            return Err(match stop.get() {
                Stop::Limit => DataError::TooLarge {
                    file: file.into(),
                    limit,
                },
                Stop::Inner => DataError::NotGzip { file: file.into() },
                Stop::Running => DataError::NotTar { file: file.into() },
            })
        }
    }
    drop(archive);
    assemble(slots, |missing| format!("{missing} in {file}"))
}

/// How reading the entries failed: the stream (see [`Stop`] for why) or a file in it.
enum ReadError {
    Io,
    Data(DataError),
}

impl From<io::Error> for ReadError {
    fn from(_: io::Error) -> Self {
        Self::Io
    }
}

/// Reads the batch files of the archive into their slots; returns the number of entries.
fn read_entries<R: Read>(
    file: &str,
    archive: &mut tar::Archive<R>,
    slots: &mut [Option<(String, Vec<u8>)>; 6],
) -> Result<usize, ReadError> {
    let mut count = 0;
    let mut other = 0u64;
    for entry in archive.entries()? {
        let mut entry = entry?;
        count += 1;
        let path = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let name = format!("{file}/{path}");
        // What the header claims is checked before the entry is read (or skipped, which
        // inflates it as well).
        let claimed = entry.size();
        let Some(i) = slot(&path).filter(|_| entry.header().entry_type().is_file()) else {
            other = other.saturating_add(claimed);
            if other > OTHER_MAX_BYTES {
                return Err(ReadError::Data(DataError::Claims {
                    file: name,
                    what: "brings what the archive holds besides CIFAR-10's batch files to",
                    claimed: other,
                    most: OTHER_MAX_BYTES,
                    limit: "bytes the official archive's other files stay within",
                }));
            }
            continue;
        };
        if claimed > BATCH_MAX_BYTES {
            return Err(ReadError::Data(DataError::Claims {
                file: name,
                what: "claims",
                claimed,
                most: BATCH_MAX_BYTES,
                limit: "bytes a CIFAR-10 batch file holds (10,000 records)",
            }));
        }
        let mut data = Vec::new();
        entry.read_to_end(&mut data)?;
        let expected = entry.size();
        if data.len() as u64 != expected {
            return Err(ReadError::Data(DataError::Truncated {
                file: name,
                expected: usize::try_from(expected).unwrap_or(usize::MAX),
                found: data.len(),
            }));
        }
        slots[i] = Some((name, data));
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tar_gz(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        for (path, data) in entries {
            let mut header = tar::Header::new_gnu();
            header.set_size(data.len() as u64);
            header.set_mode(0o644);
            header.set_cksum();
            builder.append_data(&mut header, path, *data).unwrap();
        }
        super::super::idx::gzip(&builder.into_inner().unwrap())
    }

    #[test]
    fn archive_decompression_is_bounded() {
        let batch = vec![1u8; RECORD * 2];
        let archive = tar_gz(&[("d/data_batch_1.bin", &batch), ("d/test_batch.bin", &batch)]);
        assert!(read_archive("a.tgz", &archive, 1 << 20).is_ok());
        assert_eq!(
            read_archive("a.tgz", &archive, 4000),
            Err(DataError::TooLarge {
                file: "a.tgz".into(),
                limit: 4000
            })
        );
    }

    /// A tar whose header claims `size` bytes for `path`, followed by `body` (a bomb's header:
    /// nothing after it need exist for the claim to be judged).
    fn claiming(path: &str, size: u64, body: &[u8]) -> Vec<u8> {
        let mut header = tar::Header::new_gnu();
        header.set_path(path).unwrap();
        header.set_size(size);
        header.set_mode(0o644);
        header.set_cksum();
        let mut tar = header.as_bytes().to_vec();
        tar.extend_from_slice(body);
        tar.resize(tar.len() + 2048, 0);
        super::super::idx::gzip(&tar)
    }

    #[test]
    fn a_header_that_claims_more_than_a_batch_is_refused_before_reading() {
        let claimed = 40_000_000_000;
        let bomb = claiming("cifar-10-batches-bin/data_batch_1.bin", claimed, &[0; 4096]);
        let e = from_archive("bomb.tar.gz", &bomb).unwrap_err();
        assert_eq!(
            e,
            DataError::Claims {
                file: "bomb.tar.gz/cifar-10-batches-bin/data_batch_1.bin".into(),
                what: "claims",
                claimed,
                most: BATCH_MAX_BYTES,
                limit: "bytes a CIFAR-10 batch file holds (10,000 records)",
            }
        );
        assert!(e.to_string().contains("claims 40000000000 bytes, more than the 30730000 bytes a CIFAR-10 batch file holds"), "{e}");
    }

    #[test]
    fn a_bomb_under_another_name_is_refused_by_its_header_not_inflated() {
        // 64 MB of zeros under another name: refused after its 512-byte header. Were it
        // skipped, its whole body would be inflated first.
        let bomb = claiming("cifar-10-batches-bin/zeros", 64 << 20, &vec![0; 64 << 20]);
        assert!(
            bomb.len() < 1 << 20,
            "a compressed bomb: {} bytes",
            bomb.len()
        );
        let e = from_archive("bomb.tar.gz", &bomb).unwrap_err();
        assert!(
            matches!(e, DataError::Claims { claimed, .. } if claimed == 64 << 20),
            "{e}"
        );
        assert!(
            e.to_string().contains("besides CIFAR-10's batch files"),
            "{e}"
        );
    }

    #[test]
    fn slots_by_base_name() {
        assert_eq!(slot("x/y/data_batch_3.bin"), Some(2));
        assert_eq!(slot(r"C:\cifar\test_batch.bin"), Some(5));
        assert_eq!(slot("data_batch_6.bin"), None);
        assert_eq!(slot("._data_batch_1.bin"), None);
    }
}
