//! Image batches as tensors, and the classification metrics every image experiment shares.

use burn::tensor::{Device, Int, Tensor, TensorData};

use crate::data::ImageSet;

/// Turns stored `u8` images into standardised `f32` batches on a device. Mean and standard
/// deviation come from the training images, so test images are scaled the same way.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Standardizer {
    pub mean: f32,
    pub std: f32,
}

impl Standardizer {
    /// Statistics of every pixel of `set` (one mean and deviation over all channels).
    pub fn fit(set: &ImageSet) -> Self {
        let n = set.images.len().max(1) as f64;
        let sum: f64 = set.images.iter().map(|&p| p as f64).sum();
        let mean = sum / n;
        let var = set
            .images
            .iter()
            .map(|&p| (p as f64 - mean).powi(2))
            .sum::<f64>()
            / n;
        Self {
            mean: (mean / 255.0) as f32,
            // A constant image set would divide by zero.
            std: ((var.sqrt() / 255.0) as f32).max(1e-3),
        }
    }

    /// The images at `indices` as `[n, channels, height, width]` and their labels as `[n]`.
    pub fn batch(
        &self,
        set: &ImageSet,
        indices: &[usize],
        device: &Device,
    ) -> (Tensor<4>, Tensor<1, Int>) {
        let shape = set.shape;
        let mut pixels = Vec::with_capacity(indices.len() * shape.pixels());
        for &i in indices {
            pixels.extend(
                set.image(i)
                    .iter()
                    .map(|&p| (p as f32 / 255.0 - self.mean) / self.std),
            );
        }
        let labels: Vec<i64> = indices.iter().map(|&i| set.labels[i] as i64).collect();
        let images = Tensor::from_data(
            TensorData::new(
                pixels,
                [indices.len(), shape.channels, shape.height, shape.width],
            ),
            device,
        );
        let labels = Tensor::from_data(TensorData::new(labels, [indices.len()]), device);
        (images, labels)
    }
}

/// How many of a batch's predictions are right, as a one-element float tensor left on the
/// device, so that counts add up without a read.
pub fn correct_count(logits: Tensor<2>, labels: Tensor<1, Int>) -> Tensor<1> {
    let n = labels.dims()[0];
    logits.argmax(1).reshape([n]).equal(labels).float().sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::ImageShape;

    fn tiny_set() -> ImageSet {
        let shape = ImageShape {
            channels: 1,
            height: 1,
            width: 2,
        };
        ImageSet::new(shape, vec![0, 255, 255, 255], vec![3, 7]).unwrap()
    }

    #[test]
    fn standardizer_centres_and_scales() {
        let s = Standardizer::fit(&tiny_set());
        assert!((s.mean - 0.75).abs() < 1e-6);
        assert!((s.std - 0.4330127).abs() < 1e-5);
        let device = Device::flex();
        let (x, y) = s.batch(&tiny_set(), &[1, 0], &device);
        assert_eq!(x.dims(), [2, 1, 1, 2]);
        let values = x.into_data().try_into_vec::<f32>().unwrap();
        let z = (1.0 - 0.75) / s.std;
        let expected = [z, z, -0.75 / s.std, z];
        for (v, e) in values.iter().zip(expected) {
            assert!((v - e).abs() < 1e-5, "{values:?}");
        }
        assert_eq!(
            y.into_data()
                .convert::<i64>()
                .try_into_vec::<i64>()
                .unwrap(),
            vec![7, 3]
        );
    }

    #[test]
    fn correct_count_counts_argmax_hits() {
        let device = Device::flex();
        let logits = Tensor::<2>::from_data(
            TensorData::new(vec![0.1f32, 0.9, 0.8, 0.2, 0.3, 0.7], [3, 2]),
            &device,
        );
        let labels = Tensor::<1, Int>::from_data(TensorData::new(vec![1i64, 1, 1], [3]), &device);
        let hits: f32 = correct_count(logits, labels).into_scalar();
        assert_eq!(hits, 2.0);
    }
}
