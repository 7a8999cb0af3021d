//! MNIST's IDX files (`train-images-idx3-ubyte` and friends), raw or gzip-compressed.
//!
//! An IDX file is a big-endian header — two zero bytes, a data type (0x08: unsigned bytes), the
//! number of dimensions `d`, then `d` u32 sizes — followed by the values. Image files have three
//! dimensions (count, rows, columns), label files one (count).

use flate2::{read::MultiGzDecoder, write::GzEncoder, Compression};
use std::borrow::Cow;
use std::io::{Read, Write};

use super::error::DataError;
use super::images::{check_labels, ImageDataset, ImageSet, ImageShape};

/// The most a compressed IDX file may decompress to (MNIST's largest file is 47 MB).
pub const IDX_MAX_BYTES: usize = 100 * 1024 * 1024;

const IMAGES_MAGIC: u32 = 0x0000_0803;
const LABELS_MAGIC: u32 = 0x0000_0801;

/// Whether `bytes` start with the gzip header (1f 8b).
pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0x1f, 0x8b])
}

/// Decompresses gzip `bytes`, refusing to produce more than `limit` bytes ([`DataError::TooLarge`])
/// so that a small malicious file cannot exhaust memory.
pub fn gunzip(file: &str, bytes: &[u8], limit: usize) -> Result<Vec<u8>, DataError> {
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    let mut out = Vec::new();
    MultiGzDecoder::new(bytes)
        .take(cap)
        .read_to_end(&mut out)
        .map_err(|_| DataError::NotGzip { file: file.into() })?;
    if out.len() > limit {
        return Err(DataError::TooLarge {
            file: file.into(),
            limit,
        });
    }
    Ok(out)
}

/// Accepts raw or gzip (detected by the 1f 8b header, not by the name). `file` is used in errors.
/// Returns the images' shape (one channel) and their pixels.
pub fn parse_images(file: &str, bytes: &[u8]) -> Result<(ImageShape, Vec<u8>), DataError> {
    let data = open(file, bytes)?;
    let ([n, rows, cols], head) = header(file, &data, IMAGES_MAGIC)?;
    if rows == 0 || cols == 0 {
        return Err(unsupported(
            file,
            format!("its images are {rows}×{cols} pixels"),
        ));
    }
    body_len(file, &data, head, [n, rows, cols])?;
    let shape = ImageShape {
        channels: 1,
        height: rows,
        width: cols,
    };
    Ok((shape, into_body(data, head)))
}

/// The labels of an IDX label file (raw or gzip); every label must be below 10.
pub fn parse_labels(file: &str, bytes: &[u8]) -> Result<Vec<u8>, DataError> {
    let data = open(file, bytes)?;
    let ([n], head) = header(file, &data, LABELS_MAGIC)?;
    body_len(file, &data, head, [n, 1, 1])?;
    let labels = into_body(data, head);
    check_labels(file, &labels)?;
    Ok(labels)
}

/// A dataset from MNIST's four files, each given as (name, bytes).
pub fn mnist(
    name: &str,
    train_images: (&str, &[u8]),
    train_labels: (&str, &[u8]),
    test_images: (&str, &[u8]),
    test_labels: (&str, &[u8]),
) -> Result<ImageDataset, DataError> {
    let (shape, train_pixels) = parse_images(train_images.0, train_images.1)?;
    let train_labels = parse_labels(train_labels.0, train_labels.1)?;
    let (test_shape, test_pixels) = parse_images(test_images.0, test_images.1)?;
    let test_labels = parse_labels(test_labels.0, test_labels.1)?;
    if test_shape != shape {
        return Err(DataError::ShapeMismatch {
            file: test_images.0.into(),
            expected: shape,
            found: test_shape,
        });
    }
    Ok(ImageDataset {
        name: name.into(),
        train: ImageSet::new(shape, train_pixels, train_labels)?,
        test: ImageSet::new(shape, test_pixels, test_labels)?,
    })
}

/// An uncompressed IDX image file of `n` images. Panics unless `shape.channels` is 1,
/// `pixels.len()` is `n * shape.pixels()` and the sizes fit in u32.
pub fn encode_images(shape: ImageShape, n: usize, pixels: &[u8]) -> Vec<u8> {
    assert_eq!(shape.channels, 1, "IDX images have one channel");
    assert_eq!(pixels.len(), n * shape.pixels(), "pixel count");
    let mut out = encode_header(IMAGES_MAGIC, &[n, shape.height, shape.width]);
    out.extend_from_slice(pixels);
    out
}

/// An uncompressed IDX label file.
pub fn encode_labels(labels: &[u8]) -> Vec<u8> {
    let mut out = encode_header(LABELS_MAGIC, &[labels.len()]);
    out.extend_from_slice(labels);
    out
}

/// Gzip-compresses `bytes` (default level).
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder
        .write_all(bytes)
        .expect("writing to a Vec cannot fail");
    encoder.finish().expect("writing to a Vec cannot fail")
}

fn encode_header(magic: u32, dims: &[usize]) -> Vec<u8> {
    let mut out = magic.to_be_bytes().to_vec();
    for &d in dims {
        let d = u32::try_from(d).expect("IDX sizes fit in u32");
        out.extend_from_slice(&d.to_be_bytes());
    }
    out
}

/// The file's bytes, decompressed if they are gzip.
fn open<'a>(file: &str, bytes: &'a [u8]) -> Result<Cow<'a, [u8]>, DataError> {
    let data = if is_gzip(bytes) {
        Cow::Owned(gunzip(file, bytes, IDX_MAX_BYTES)?)
    } else {
        Cow::Borrowed(bytes)
    };
    if data.is_empty() {
        return Err(DataError::Empty { file: file.into() });
    }
    Ok(data)
}

/// Checks the magic number and returns the `D` dimensions and the header's length.
fn header<const D: usize>(
    file: &str,
    data: &[u8],
    magic: u32,
) -> Result<([usize; D], usize), DataError> {
    let truncated = |expected: usize| DataError::Truncated {
        file: file.into(),
        expected,
        found: data.len(),
    };
    let Some(&[z0, z1, kind, d]) = data.get(..4) else {
        return Err(truncated(4));
    };
    let found = u32::from_be_bytes([z0, z1, kind, d]);
    // IDX data types: u8, i8, i16, i32, f32, f64.
    if [z0, z1] != [0, 0] || ![0x08, 0x09, 0x0b, 0x0c, 0x0d, 0x0e].contains(&kind) {
        return Err(DataError::BadMagic {
            file: file.into(),
            found,
            expected: magic,
        });
    }
    if kind != 0x08 {
        let reason =
            format!("its values have IDX type {kind:#04x}; only unsigned bytes (0x08) are");
        return Err(unsupported(file, reason));
    }
    if usize::from(d) != D {
        let what = match magic {
            IMAGES_MAGIC => "an image file has 3 (count, rows, columns)",
            _ => "a label file has 1 (count)",
        };
        return Err(unsupported(file, format!("it has {d} dimensions; {what}")));
    }
    let head = 4 + 4 * D;
    let sizes = data.get(4..head).ok_or_else(|| truncated(head))?;
    let dims = std::array::from_fn(|i| {
        let c = &sizes[4 * i..4 * i + 4];
        u32::from_be_bytes([c[0], c[1], c[2], c[3]]) as usize
    });
    Ok((dims, head))
}

/// Checks that the data after the header holds exactly `n × rows × cols` bytes.
fn body_len(
    file: &str,
    data: &[u8],
    head: usize,
    [n, rows, cols]: [usize; 3],
) -> Result<(), DataError> {
    let expected = n
        .checked_mul(rows)
        .and_then(|x| x.checked_mul(cols))
        .and_then(|x| x.checked_add(head))
        .ok_or_else(|| unsupported(file, format!("its sizes {n}×{rows}×{cols} are too large")))?;
    if data.len() < expected {
        return Err(DataError::Truncated {
            file: file.into(),
            expected,
            found: data.len(),
        });
    }
    if data.len() > expected {
        let extra = data.len() - expected;
        return Err(unsupported(
            file,
            format!("it has {extra} unexpected bytes after its data"),
        ));
    }
    Ok(())
}

/// The bytes after the header, without copying decompressed data.
fn into_body(data: Cow<'_, [u8]>, head: usize) -> Vec<u8> {
    match data {
        Cow::Borrowed(b) => b.get(head..).unwrap_or_default().to_vec(),
        Cow::Owned(mut v) => {
            v.drain(..head.min(v.len()));
            v
        }
    }
}

fn unsupported(file: &str, reason: String) -> DataError {
    DataError::Unsupported {
        file: file.into(),
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gunzip_is_bounded() {
        let z = gzip(&[7; 1000]);
        assert_eq!(gunzip("f", &z, 1000).unwrap().len(), 1000);
        assert_eq!(
            gunzip("f", &z, 999),
            Err(DataError::TooLarge {
                file: "f".into(),
                limit: 999
            })
        );
        assert_eq!(
            gunzip("f", b"plain", 10),
            Err(DataError::NotGzip { file: "f".into() })
        );
    }

    #[test]
    fn labels_file_given_as_images_says_so() {
        let err = parse_images("l", &encode_labels(&[1, 2])).unwrap_err();
        assert!(
            err.to_string()
                .contains("it has 1 dimensions; an image file has 3"),
            "{err}"
        );
    }
}
