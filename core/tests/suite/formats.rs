//! The image-dataset file formats: MNIST's IDX files and CIFAR-10's batches and archive.
//! Round trips and one concrete bad input per error (fuzzing is in `formats_fuzz.rs`).

use crate::common;

use common::*;
use mlds_core::data::{cifar, idx, DataError, ImageDataset, ImageSet};

// ---- IDX ----

#[test]
fn idx_round_trips_raw_and_gzip() {
    let s = set(MNIST, 7, 1);
    let (images, labels) = idx_files(&s);
    assert_eq!((images.len(), labels.len()), (16 + 7 * 784, 8 + 7));
    for (i, l) in [
        (images.clone(), labels.clone()),
        (idx::gzip(&images), idx::gzip(&labels)),
    ] {
        assert_eq!(
            idx::parse_images("i", &i).unwrap(),
            (MNIST, s.images.clone())
        );
        assert_eq!(idx::parse_labels("l", &l).unwrap(), s.labels);
    }
    // Other sizes, and no images at all, are fine too.
    let odd = shape(1, 3, 5);
    assert_eq!(
        idx::parse_images("e", &idx::encode_images(odd, 0, &[])).unwrap(),
        (odd, vec![])
    );
    assert_eq!(
        idx::parse_labels("e", &idx::encode_labels(&[])).unwrap(),
        Vec::<u8>::new()
    );
}

#[test]
fn mnist_builds_from_mixed_raw_and_gzip_files() {
    let (train, test) = (set(MNIST, 12, 2), set(MNIST, 4, 5));
    let ((ti, tl), (si, sl)) = (idx_files(&train), idx_files(&test));
    let (ti, sl) = (idx::gzip(&ti), idx::gzip(&sl));
    let d = idx::mnist(
        "MNIST",
        ("ti.gz", &ti),
        ("tl", &tl),
        ("si", &si),
        ("sl.gz", &sl),
    );
    assert_eq!(
        d.unwrap(),
        ImageDataset {
            name: "MNIST".into(),
            train,
            test
        }
    );
}

#[test]
fn idx_errors() {
    let (images, labels) = idx_files(&set(MNIST, 3, 0));
    let mut bad = images.clone();
    bad[..4].copy_from_slice(&0x1234_5678u32.to_be_bytes());
    let gz = idx::gzip(&images);
    let magic = |found, expected| DataError::BadMagic {
        file: "a".into(),
        found,
        expected,
    };
    let image_errors: [(&[u8], DataError); 8] = [
        (&[], empty("a")),
        (&bad, magic(0x1234_5678, 0x803)),
        // Truncated in the magic number, in the sizes, in the data.
        (&images[..3], truncated("a", 4, 3)),
        (&images[..10], truncated("a", 16, 10)),
        (&images[..100], truncated("a", 16 + 3 * 784, 100)),
        // A gzip header then garbage; a gzip stream cut short.
        (&[0x1f, 0x8b, 8, 0, 1, 2, 3], not_gzip("a")),
        (&gz[..gz.len() / 2], not_gzip("a")),
        (&idx::gzip(&[]), empty("a")),
    ];
    for (bytes, err) in image_errors {
        assert_eq!(idx::parse_images("a", bytes).err(), Some(err));
    }
    let label_errors: [(&[u8], DataError); 5] = [
        (&[0, 0, 7, 1, 0, 0, 0, 0], magic(0x0701, 0x801)),
        (&labels[..6], truncated("a", 8, 6)),
        (&labels[..10], truncated("a", 11, 10)),
        (&idx::encode_labels(&[1, 2, 10, 3]), bad_label("a", 2, 10)),
        (&idx::encode_labels(&[255]), bad_label("a", 0, 255)),
    ];
    for (bytes, err) in label_errors {
        assert_eq!(idx::parse_labels("a", bytes).err(), Some(err));
    }
    // Unsupported: another value type, dimension count, empty images, overflow, extra bytes.
    let mut floats = images.clone();
    floats[2] = 0x0d;
    let flat = idx::encode_images(shape(1, 0, 5), 0, &[]);
    let huge = [&[0, 0, 8, 3][..], &[0xff; 12]].concat();
    for bytes in [
        &floats,
        &labels,
        &flat,
        &huge,
        &[&images[..], &[0]].concat(),
    ] {
        assert!(unsupported(idx::parse_images("a", bytes)));
    }
    assert!(unsupported(idx::parse_labels("a", &images)));
    assert!(unsupported(idx::parse_labels(
        "a",
        &[&labels[..], &[0]].concat()
    )));
}

#[test]
fn mnist_count_and_shape_mismatch() {
    let ((ai, al), (bi, bl)) = (idx_files(&set(MNIST, 3, 0)), idx_files(&set(MNIST, 2, 0)));
    let r = idx::mnist("m", ("ai", &ai), ("bl", &bl), ("bi", &bi), ("bl", &bl));
    fails!(r, count_mismatch(3, 2));
    let other = shape(1, 28, 27);
    let ci = idx::encode_images(other, 3, &set(other, 3, 0).images);
    let r = idx::mnist("m", ("ai", &ai), ("al", &al), ("ci", &ci), ("al", &al));
    fails!(
        r,
        DataError::ShapeMismatch {
            file: "ci".into(),
            expected: MNIST,
            found: other
        }
    );
}

#[test]
fn gzip_bomb_is_refused() {
    use std::io::{copy, repeat, Read};
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    copy(&mut repeat(0).take(idx::IDX_MAX_BYTES as u64 + 1), &mut enc).unwrap();
    let bomb = enc.finish().unwrap();
    assert!(bomb.len() < 1 << 20);
    let err = DataError::TooLarge {
        file: "bomb.gz".into(),
        limit: idx::IDX_MAX_BYTES,
    };
    fails!(idx::parse_images("bomb.gz", &bomb), err);
}

// ---- CIFAR-10 ----

#[test]
fn cifar_batch_round_trip() {
    let s = set(CIFAR, 4, 3);
    let bytes = cifar::encode_batch(&s);
    assert_eq!(bytes.len(), 4 * cifar::RECORD);
    assert_eq!(
        (bytes[0], &bytes[1..cifar::RECORD]),
        (s.labels[0], s.image(0))
    );
    assert_eq!(cifar::parse_batch("b", &bytes).unwrap(), s);
}

#[test]
fn cifar_from_batches_in_any_order_and_subsets() {
    let files = cifar_batches();
    let mut all = borrow(&files);
    all.reverse();
    assert_eq!(
        cifar::from_batches(&all).unwrap(),
        cifar_expected(&[1, 2, 3, 4, 5])
    );
    let some: [(&str, &[u8]); 4] = [
        ("dir/data_batch_4.bin", &files[3].1),
        ("x/readme.html", b"hi"),
        ("a/test_batch.bin", &files[5].1),
        (r"C:\d\data_batch_1.bin", &files[0].1),
    ];
    assert_eq!(cifar::from_batches(&some).unwrap(), cifar_expected(&[1, 4]));
    fails!(cifar::from_batches(&some[..2]), missing("test_batch.bin"));
    fails!(cifar::from_batches(&some[..3]), missing("data_batch_1.bin"));
}

#[test]
fn cifar_archive_round_trip() {
    let expected = cifar_expected(&[1, 2, 3, 4, 5]);
    let gz = cifar::from_archive("cifar-10-binary.tar.gz", archive_gz());
    assert_eq!(gz.unwrap(), expected);
    let plain = cifar::from_archive("cifar-10-binary.tar", archive_tar());
    assert_eq!(plain.unwrap(), expected);
}

#[test]
fn cifar_batch_errors() {
    let batch = cifar::encode_batch(&set(CIFAR, 2, 0));
    fails!(cifar::parse_batch("b", &[]), empty("b"));
    fails!(
        cifar::parse_batch("b", &batch[1..]),
        record_size("b", batch.len() - 1)
    );
    for label in [10, 255] {
        let mut bad = batch.clone();
        bad[cifar::RECORD] = label;
        fails!(cifar::parse_batch("b", &bad), bad_label("b", 1, label));
    }
    // A bad batch among several is named.
    let files = cifar_batches();
    let mut named = borrow(&files);
    named[2].1 = &batch[..100];
    fails!(
        cifar::from_batches(&named),
        record_size("data_batch_3.bin", 100)
    );
}

#[test]
fn cifar_archive_errors() {
    let a = "c.tar.gz";
    let batch = cifar::encode_batch(&set(CIFAR, 2, 0));
    let files = cifar_batches();
    let no_test = idx::gzip(&tar(&borrow(&files[..5])));
    let bad = tar(&[
        ("data_batch_1.bin", &batch),
        ("test_batch.bin", &batch[..5]),
    ]);
    let entry = |name: &str| format!("c.tar.gz/cifar-10-batches-bin/{name}");
    let errors: [(&[u8], DataError); 9] = [
        (&[], empty(a)),
        (&batch, not_gzip(a)),
        (&archive_gz()[..archive_gz().len() / 2], not_gzip(a)),
        (&idx::gzip(b"just some text"), not_tar(a)),
        (&idx::gzip(&[7; 2000]), not_tar(a)),
        (&idx::gzip(&[]), not_tar(a)),
        (&no_test, missing("test_batch.bin in c.tar.gz")),
        (&idx::gzip(&bad), record_size(&entry("test_batch.bin"), 5)),
        // A plain tar cut inside its last entry (data_batch_2): the 1024-byte end, the 509
        // bytes of padding and 100 bytes of data cut off.
        (
            &archive_tar()[..archive_tar().len() - 1024 - 509 - 100],
            truncated(&entry("data_batch_2.bin"), 3 * 3073, 3 * 3073 - 100),
        ),
    ];
    for (bytes, err) in errors {
        assert_eq!(cifar::from_archive(a, bytes).err(), Some(err));
    }
}

#[test]
fn messages_are_readable() {
    let err = cifar::from_archive("c.tar.gz", &idx::gzip(b"text")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "c.tar.gz is not a valid tar archive (or it is damaged)"
    );
    let labels = idx::encode_labels(&[3, 12]);
    let err = idx::parse_labels("t10k-labels-idx1-ubyte", &labels).unwrap_err();
    let want = "t10k-labels-idx1-ubyte: label 12 of example 1 is out of range (classes are 0 to 9)";
    assert_eq!(err.to_string(), want);
    let err = DataError::ShapeMismatch {
        file: String::new(),
        expected: MNIST,
        found: CIFAR,
    };
    assert_eq!(
        err.to_string(),
        "images of shape 3×32×32 where 1×28×28 was expected"
    );
    let err = idx::parse_images("x", &[0, 0, 8, 3, 0, 0, 0, 1]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "x is truncated: expected 16 bytes, found only 8"
    );
}

// ---- ImageSet ----

#[test]
fn image_set_checks_and_splits() {
    let s = set(MNIST, 10, 0);
    for (train, (a_len, b_len)) in [(7, (7, 3)), (0, (0, 10)), (10, (10, 0)), (25, (10, 0))] {
        let (a, b) = s.split(train);
        assert_eq!((a.len(), b.len()), (a_len, b_len));
        assert_eq!((a.images.len(), b.images.len()), (a_len * 784, b_len * 784));
        assert_eq!(ImageSet::concat(vec![a, b]).unwrap(), s);
    }
    assert_eq!(s.take(3), s.split(3).0);
    assert_eq!(s.image(9), &s.images[9 * 784..]);
    assert!(s.take(0).is_empty());
    let r = ImageSet::new(MNIST, vec![0; 784 * 2], vec![1]);
    fails!(r, count_mismatch(2, 1));
    fails!(
        ImageSet::new(MNIST, vec![0; 784], vec![10]),
        bad_label("", 0, 10)
    );
    let mixed = ImageSet::concat(vec![s.take(1), set(CIFAR, 1, 0)]);
    assert!(matches!(mixed, Err(DataError::ShapeMismatch { .. })));
    assert!(matches!(
        ImageSet::concat(vec![]),
        Err(DataError::Empty { .. })
    ));
}
