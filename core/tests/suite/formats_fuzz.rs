//! Fuzzing the image-dataset parsers: no input, arbitrary or mutated, makes one panic.

use crate::common;

use common::*;
use mlds_core::data::{cifar, idx};
use proptest::prelude::*;
use std::sync::OnceLock;

// ---- Fuzzing: no input panics ----

/// Every parser, on the same bytes; only "does not panic" is checked.
fn parse_everything(bytes: &[u8]) {
    let _ = idx::parse_images("f", bytes);
    let _ = idx::parse_labels("f", bytes);
    let _ = cifar::parse_batch("f", bytes);
    let _ = cifar::from_archive("f", bytes);
    let good = cifar::encode_batch(&set(CIFAR, 1, 0));
    let _ = cifar::from_batches(&[("data_batch_1.bin", bytes), ("test_batch.bin", &good)]);
    let _ = idx::mnist("m", ("a", bytes), ("b", bytes), ("c", bytes), ("d", bytes));
}

/// Valid files of every kind, small.
fn valid_files() -> &'static [Vec<u8>] {
    static FILES: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    FILES.get_or_init(|| {
        let (images, labels) = idx_files(&set(shape(1, 4, 3), 5, 0));
        let (gi, gl) = (idx::gzip(&images), idx::gzip(&labels));
        let batch = cifar::encode_batch(&set(CIFAR, 2, 0));
        vec![
            gi,
            gl,
            images,
            labels,
            batch,
            archive_tar().to_vec(),
            archive_gz().to_vec(),
        ]
    })
}

proptest! {
    #![proptest_config(crate::common::fuzz_config(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        parse_everything(&bytes);
        // Also behind a gzip header, as a gzip stream, and as the batches of an archive.
        parse_everything(&[&[0x1f, 0x8b, 8, 0][..], &bytes].concat());
        parse_everything(&idx::gzip(&bytes));
        let entries = [("test_batch.bin", &bytes[..]), ("data_batch_1.bin", &bytes[..])];
        parse_everything(&idx::gzip(&tar(&entries)));
    }

    #[test]
    fn idx_headers_with_any_sizes_never_panic(
        kind in 0u8..16,
        dims in 0u8..5,
        sizes in prop::collection::vec(any::<u32>(), 0..5),
        tail in 0usize..64,
    ) {
        let mut bytes = vec![0, 0, kind, dims];
        sizes.iter().for_each(|s| bytes.extend_from_slice(&s.to_be_bytes()));
        bytes.extend(std::iter::repeat_n(3, tail));
        parse_everything(&bytes);
    }

    /// Valid files cut at a random point (a fraction of their length) with a few bytes flipped.
    #[test]
    fn mutated_valid_files_never_panic(
        which in 0usize..7,
        cut in 0.0f64..=1.0,
        flips in prop::collection::vec((0.0f64..1.0, 1u8..=255), 0..4),
    ) {
        let file = &valid_files()[which];
        let mut bytes = file[..(file.len() as f64 * cut) as usize].to_vec();
        let len = bytes.len() as f64;
        for (at, x) in flips {
            if let Some(b) = bytes.get_mut((len * at) as usize) {
                *b ^= x;
            }
        }
        parse_everything(&bytes);
    }
}
