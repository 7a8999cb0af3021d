//! Image datasets in memory: u8 pixels in NCHW order with a label (a class, 0 to 9) per image.

use super::error::DataError;
pub use super::shape::ImageShape;

/// The number of classes of every image dataset here (MNIST's digits, CIFAR-10's classes).
pub const CLASSES: usize = 10;

/// Images as u8 in NCHW order (one image = `shape.pixels()` consecutive bytes, channel-major),
/// labels 0..[`CLASSES`].
#[derive(Clone, Debug, PartialEq)]
pub struct ImageSet {
    pub shape: ImageShape,
    pub images: Vec<u8>,
    pub labels: Vec<u8>,
}

impl ImageSet {
    /// Checks that there are `labels.len()` whole images and that every label is a class.
    pub fn new(shape: ImageShape, images: Vec<u8>, labels: Vec<u8>) -> Result<Self, DataError> {
        let p = shape.pixels();
        if labels.len().checked_mul(p) != Some(images.len()) {
            return Err(match images.len().checked_rem(p) {
                Some(0) => DataError::CountMismatch {
                    images: images.len() / p,
                    labels: labels.len(),
                },
                _ => DataError::Unsupported {
                    file: "the image data".into(),
                    reason: format!(
                        "{} bytes are not a whole number of {shape} images",
                        images.len()
                    ),
                },
            });
        }
        check_labels("", &labels)?;
        Ok(Self {
            shape,
            images,
            labels,
        })
    }

    /// The number of examples.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The pixels of example `i`. Panics if `i >= self.len()`, like slice indexing.
    pub fn image(&self, i: usize) -> &[u8] {
        let p = self.shape.pixels();
        &self.images[i * p..(i + 1) * p]
    }

    /// The first `n` examples (all of them if there are fewer).
    pub fn take(&self, n: usize) -> ImageSet {
        self.split(n).0
    }

    /// The examples of all `parts` in order; they must share one shape. With no parts at all
    /// there is no shape to give the result, which is [`DataError::Empty`].
    pub fn concat(parts: Vec<ImageSet>) -> Result<ImageSet, DataError> {
        let mut parts = parts.into_iter();
        let Some(mut all) = parts.next() else {
            return Err(DataError::Empty {
                file: "the list of image sets to combine".into(),
            });
        };
        let rest: Vec<ImageSet> = parts.collect();
        if let Some(odd) = rest.iter().find(|p| p.shape != all.shape) {
            return Err(DataError::ShapeMismatch {
                file: String::new(),
                expected: all.shape,
                found: odd.shape,
            });
        }
        all.images
            .reserve_exact(rest.iter().map(|p| p.images.len()).sum());
        all.labels
            .reserve_exact(rest.iter().map(|p| p.labels.len()).sum());
        for part in rest {
            all.images.extend_from_slice(&part.images);
            all.labels.extend_from_slice(&part.labels);
        }
        Ok(all)
    }

    /// The same images with their labels randomly permuted (seeded): E7's random labels. The
    /// label counts stay those of the set; which image has which label becomes noise.
    pub fn with_shuffled_labels(&self, seed: u64) -> ImageSet {
        use rand::seq::SliceRandom;
        use rand::SeedableRng;
        let mut labels = self.labels.clone();
        labels.shuffle(&mut rand::rngs::StdRng::seed_from_u64(seed));
        ImageSet {
            shape: self.shape,
            images: self.images.clone(),
            labels,
        }
    }

    /// The same images with a `fraction` of their labels made wrong (seeded): that many images,
    /// chosen at random, each get a label drawn uniformly from the other classes (partially
    /// random labels, as Zhang et al. and Novak et al. corrupt a training set).
    pub fn with_noisy_labels(&self, fraction: f64, seed: u64) -> ImageSet {
        use rand::seq::SliceRandom;
        use rand::{RngExt, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        let n = self.len();
        let wrong = ((fraction.clamp(0.0, 1.0) * n as f64).round() as usize).min(n);
        let mut order: Vec<usize> = (0..n).collect();
        order.shuffle(&mut rng);
        let mut labels = self.labels.clone();
        for &i in &order[..wrong] {
            // 1 … 9 classes on: any other label, each as likely.
            let shift = rng.random_range(1..CLASSES as u8);
            labels[i] = (labels[i] + shift) % CLASSES as u8;
        }
        ImageSet {
            shape: self.shape,
            images: self.images.clone(),
            labels,
        }
    }

    /// The first `train` examples (all if there are fewer) and the rest: the fixed train/test split.
    pub fn split(&self, train: usize) -> (ImageSet, ImageSet) {
        let n = train.min(self.len());
        let at = n * self.shape.pixels();
        let part = |images: &[u8], labels: &[u8]| ImageSet {
            shape: self.shape,
            images: images.to_vec(),
            labels: labels.to_vec(),
        };
        (
            part(&self.images[..at], &self.labels[..n]),
            part(&self.images[at..], &self.labels[n..]),
        )
    }
}

/// An image dataset: a training set and a test set of one shape.
#[derive(Clone, Debug, PartialEq)]
pub struct ImageDataset {
    pub name: String,
    pub train: ImageSet,
    pub test: ImageSet,
}

/// Every label must be a class: below [`CLASSES`].
pub(crate) fn check_labels(file: &str, labels: &[u8]) -> Result<(), DataError> {
    match labels.iter().position(|&l| usize::from(l) >= CLASSES) {
        Some(index) => Err(DataError::LabelOutOfRange {
            file: file.to_string(),
            index,
            label: labels[index],
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHAPE: ImageShape = ImageShape {
        channels: 1,
        height: 1,
        width: 2,
    };

    fn set(n: u8) -> ImageSet {
        let images = (0..n).flat_map(|i| [i, i]).collect();
        ImageSet::new(SHAPE, images, (0..n).map(|i| i % 10).collect()).unwrap()
    }

    #[test]
    fn noisy_labels_make_exactly_that_fraction_wrong_and_keep_the_rest() {
        let clean = set(200);
        assert_eq!(clean.with_noisy_labels(0.0, 3), clean);
        let noisy = clean.with_noisy_labels(0.25, 3);
        assert_eq!(noisy.images, clean.images);
        let wrong = (0..200)
            .filter(|&i| noisy.labels[i] != clean.labels[i])
            .count();
        assert_eq!(wrong, 50);
        assert!(noisy.labels.iter().all(|&l| (l as usize) < CLASSES));
        // Seeded: the same seed, the same labels; another seed, others.
        assert_eq!(clean.with_noisy_labels(0.25, 3), noisy);
        assert_ne!(clean.with_noisy_labels(0.25, 4), noisy);
        let all = clean.with_noisy_labels(1.0, 3);
        assert!((0..200).all(|i| all.labels[i] != clean.labels[i]));
    }

    #[test]
    fn new_checks_counts_and_labels() {
        assert_eq!(
            ImageSet::new(SHAPE, vec![0; 6], vec![0, 1]),
            Err(DataError::CountMismatch {
                images: 3,
                labels: 2
            })
        );
        assert!(matches!(
            ImageSet::new(SHAPE, vec![0; 5], vec![0, 1]),
            Err(DataError::Unsupported { .. })
        ));
        assert_eq!(
            ImageSet::new(SHAPE, vec![0; 4], vec![0, 10]),
            Err(DataError::LabelOutOfRange {
                file: String::new(),
                index: 1,
                label: 10
            })
        );
    }

    #[test]
    fn take_split_concat() {
        let s = set(5);
        assert_eq!(s.image(3), &[3, 3]);
        assert_eq!(s.take(2).labels, vec![0, 1]);
        assert_eq!(s.take(9), s);
        let (a, b) = s.split(3);
        assert_eq!((a.len(), b.len()), (3, 2));
        assert_eq!(b.image(0), &[3, 3]);
        assert_eq!(ImageSet::concat(vec![a, b]).unwrap(), s);
        assert!(ImageSet::concat(vec![]).is_err());
        let mut other = set(1);
        other.shape.width = 1;
        other.images.truncate(1);
        assert!(matches!(
            ImageSet::concat(vec![s, other]),
            Err(DataError::ShapeMismatch { .. })
        ));
    }

    #[test]
    fn shuffled_labels_are_a_reproducible_permutation() {
        let shape = ImageShape {
            channels: 1,
            height: 1,
            width: 1,
        };
        let labels: Vec<u8> = (0..200).map(|i| (i * 7 % 10) as u8).collect();
        let set =
            ImageSet::new(shape, (0..200).map(|i| i as u8).collect(), labels.clone()).unwrap();
        let a = set.with_shuffled_labels(3);
        assert_eq!(a.images, set.images, "images stay in place");
        assert_ne!(a.labels, labels, "labels move");
        let (mut sorted, mut original) = (a.labels.clone(), labels);
        sorted.sort();
        original.sort();
        assert_eq!(sorted, original, "a permutation: same label counts");
        assert_eq!(
            set.with_shuffled_labels(3),
            a,
            "same seed, same permutation"
        );
        assert_ne!(set.with_shuffled_labels(4).labels, a.labels);
    }
}
