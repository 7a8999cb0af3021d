//! Filter-normalised random directions for loss-landscape plots (Li et al. 2018, "Visualizing
//! the Loss Landscape of Neural Nets").
//!
//! A raw Gaussian direction means different things for layers of different scale (and ReLU
//! networks are scale invariant per neuron), so plots along it are not comparable between
//! models. Li et al. rescale each neuron's (or conv filter's) slice of the direction to the
//! norm of the same slice of the weights, and leave biases out (direction 0).

use super::random::{norm, Gaussian};
use super::vector::ParamLayout;

/// The flat indices of every neuron/filter slice, parameter by parameter: for a 2-D burn
/// `Linear` weight `[in, out]` one slice per output column j (elements `i*out + j`); for a
/// weight of three or more dims (conv `[out, in, k…]`) one slice per index of the first axis
/// (a contiguous block). 1-D parameters (biases) have no slices.
pub fn filter_slices(layout: &ParamLayout) -> Vec<Vec<usize>> {
    let mut slices = Vec::new();
    for slot in &layout.slots {
        match slot.shape[..] {
            [rows, cols] => {
                for j in 0..cols {
                    slices.push((0..rows).map(|i| slot.offset + i * cols + j).collect());
                }
            }
            [first, ..] if slot.shape.len() > 2 && first > 0 => {
                let size = slot.len / first;
                for f in 0..first {
                    let start = slot.offset + f * size;
                    slices.push((start..start + size).collect());
                }
            }
            _ => {}
        }
    }
    slices
}

/// A seeded Gaussian direction, each neuron/filter slice rescaled to the norm of the same
/// slice of `weights` (a slice of zero weights gets a zero direction), biases 0.
///
/// # Panics
/// If `weights` does not match `layout`'s length.
pub fn random_direction(layout: &ParamLayout, weights: &[f64], seed: u64) -> Vec<f64> {
    assert_eq!(
        weights.len(),
        layout.len(),
        "random_direction: weights and layout differ in length"
    );
    let mut gaussian = Gaussian::new(seed);
    let mut direction = vec![0.0; weights.len()];
    for slice in filter_slices(layout) {
        let draw = gaussian.vector(slice.len());
        let target = norm(&slice.iter().map(|&i| weights[i]).collect::<Vec<_>>());
        let size = norm(&draw);
        let scale = if size > 0.0 { target / size } else { 0.0 };
        for (&i, d) in slice.iter().zip(draw) {
            direction[i] = d * scale;
        }
    }
    direction
}

/// θ + Σᵢ aᵢ·dᵢ: a point of the plane (or line) spanned by the directions around `center`.
pub fn combine(center: &[f64], dirs: &[(&[f64], f64)]) -> Vec<f64> {
    let mut point = center.to_vec();
    for (direction, a) in dirs {
        assert_eq!(
            direction.len(),
            center.len(),
            "combine: direction length differs"
        );
        point
            .iter_mut()
            .zip(*direction)
            .for_each(|(p, d)| *p += a * d);
    }
    point
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::vector::{layout, read_params};
    use burn::module::Module;
    use burn::nn::conv::Conv2dConfig;
    use burn::nn::LinearConfig;
    use burn::tensor::Device;

    fn check_filter_norms(model: &impl Module) {
        let layout = layout(model);
        let weights = pollster::block_on(read_params(model)).unwrap();
        let direction = random_direction(&layout, &weights, 5);
        let slices = filter_slices(&layout);
        let covered: usize = slices.iter().map(Vec::len).sum();
        for slice in &slices {
            let d: Vec<f64> = slice.iter().map(|&i| direction[i]).collect();
            let w: Vec<f64> = slice.iter().map(|&i| weights[i]).collect();
            assert!((norm(&d) - norm(&w)).abs() < 1e-12 * norm(&w).max(1.0));
        }
        // Biases (the 1-D slots) are zero; everything else is covered by exactly one slice.
        for slot in layout.slots.iter().filter(|s| s.shape.len() == 1) {
            assert!(direction[slot.offset..slot.offset + slot.len]
                .iter()
                .all(|&d| d == 0.0));
        }
        let weight_len: usize = layout
            .slots
            .iter()
            .filter(|s| s.shape.len() > 1)
            .map(|s| s.len)
            .sum();
        assert_eq!(covered, weight_len);
        assert_eq!(direction, random_direction(&layout, &weights, 5));
        assert_ne!(direction, random_direction(&layout, &weights, 6));
    }

    #[test]
    fn linear_directions_have_the_weights_neuron_norms() {
        let model = LinearConfig::new(4, 3).init(&Device::flex());
        let layout = layout(&model);
        // Neuron j of a [4, 3] weight is column j: elements j, 3 + j, 6 + j, 9 + j.
        assert_eq!(filter_slices(&layout)[1], [1, 4, 7, 10]);
        assert_eq!(filter_slices(&layout).len(), 3);
        check_filter_norms(&model);
    }

    #[test]
    fn conv_directions_have_the_weights_filter_norms() {
        let model = Conv2dConfig::new([2, 3], [3, 3]).init(&Device::flex());
        let layout = layout(&model);
        assert_eq!(layout.slots[0].shape, [3, 2, 3, 3]);
        let slices = filter_slices(&layout);
        assert_eq!(slices.len(), 3);
        assert_eq!(slices[2], (36..54).collect::<Vec<_>>());
        check_filter_norms(&model);
    }

    #[test]
    fn combine_adds_scaled_directions() {
        let (d1, d2) = ([1.0, 0.0, 2.0], [0.0, -1.0, 1.0]);
        assert_eq!(
            combine(&[1.0, 1.0, 1.0], &[(&d1, 2.0), (&d2, 0.5)]),
            [3.0, 0.5, 5.5]
        );
    }
}
