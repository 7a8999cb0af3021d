use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{Linear, LinearConfig, PaddingConfig2d, Relu};
use burn::tensor::{Device, Tensor};

use super::conv::conv3x3_forward;
use super::pool::max_pool_2x2;
use crate::budget::Footprint;

/// An image classifier: `conv3x3 (same) → ReLU → max-pool 2×2` blocks, then fully connected
/// layers with ReLU between them. No conv block at all gives a plain fully connected network.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ClassifierConfig {
    /// Input channels, height and width.
    pub input: [usize; 3],
    /// Output channels of each conv block.
    pub convs: Vec<usize>,
    /// Widths of the hidden fully connected layers after the conv blocks.
    pub hidden: Vec<usize>,
    pub classes: usize,
}

#[derive(Module, Debug)]
pub struct Classifier {
    convs: Vec<Conv2d>,
    dense: Vec<Linear>,
    activation: Relu,
}

impl ClassifierConfig {
    /// Height and width after the conv blocks (each pool halves them, rounding down).
    pub fn feature_size(&self) -> [usize; 2] {
        let [_, h, w] = self.input;
        let pools = self.convs.len() as u32;
        [h >> pools, w >> pools]
    }

    /// Length of the flattened features entering the first fully connected layer.
    pub fn flat_features(&self) -> usize {
        let [h, w] = self.feature_size();
        self.convs.last().copied().unwrap_or(self.input[0]) * h * w
    }

    fn conv_channels(&self) -> impl Iterator<Item = [usize; 2]> + '_ {
        std::iter::once(self.input[0])
            .chain(self.convs.iter().copied())
            .zip(self.convs.iter().copied())
            .map(|(i, o)| [i, o])
    }

    fn dense_widths(&self) -> Vec<usize> {
        std::iter::once(self.flat_features())
            .chain(self.hidden.iter().copied())
            .chain(std::iter::once(self.classes))
            .collect()
    }

    /// Parameter count from the config alone (weights plus biases).
    pub fn expected_params(&self) -> usize {
        let convs: usize = self.conv_channels().map(|[i, o]| i * o * 9 + o).sum();
        let dense: usize = self
            .dense_widths()
            .windows(2)
            .map(|w| w[0] * w[1] + w[1])
            .sum();
        convs + dense
    }

    /// Why the config cannot classify its input, if it cannot: a conv stack whose poolings
    /// leave no pixel, or a layer of width 0. (burn would panic on either.)
    pub fn check(&self) -> Result<(), String> {
        let [_, h, w] = self.input;
        let [fh, fw] = self.feature_size();
        if fh == 0 || fw == 0 {
            let fits = (h.min(w).max(1)).ilog2();
            return Err(format!(
                "{} conv blocks halve a {h}×{w} image {} times, leaving no pixel; at most {fits} fit",
                self.convs.len(),
                self.convs.len()
            ));
        }
        if self.convs.iter().chain(&self.hidden).any(|&n| n == 0) || self.classes == 0 {
            return Err("every layer needs a width of at least 1".into());
        }
        Ok(())
    }

    /// Numbers one image's forward pass keeps for the backward pass: the input, each conv
    /// block's output, its ReLU and its pooled map, each dense layer's output and activation.
    pub fn activations(&self) -> usize {
        let [c, mut h, mut w] = self.input;
        let mut kept = c * h * w;
        for [_, o] in self.conv_channels() {
            kept += 2 * o * h * w + o * (h / 2) * (w / 2);
            (h, w) = (h / 2, w / 2);
        }
        kept + 2 * self.dense_widths().iter().skip(1).sum::<usize>()
    }

    /// Training it on batches of `batch` images (see [`crate::budget`]).
    pub fn footprint(&self, batch: usize) -> Footprint {
        Footprint::training(self.expected_params(), self.activations(), batch)
    }

    /// Multiply-accumulates of one forward pass on one image (for throughput figures).
    pub fn forward_macs(&self) -> usize {
        let [_, mut h, mut w] = self.input;
        let mut macs = 0;
        for [i, o] in self.conv_channels() {
            macs += h * w * i * o * 9;
            (h, w) = (h / 2, w / 2);
        }
        macs + self
            .dense_widths()
            .windows(2)
            .map(|w| w[0] * w[1])
            .sum::<usize>()
    }

    /// `dense 784-16-10`, `conv3×3 16-24 → dense 10`.
    pub fn describe(&self) -> String {
        let join = |v: &[usize]| v.iter().map(usize::to_string).collect::<Vec<_>>().join("-");
        let tail: Vec<usize> = self.hidden.iter().copied().chain([self.classes]).collect();
        if self.convs.is_empty() {
            format!("dense {}-{}", self.flat_features(), join(&tail))
        } else {
            format!("conv3×3 {} → dense {}", join(&self.convs), join(&tail))
        }
    }

    pub fn init(&self, device: &Device) -> Classifier {
        Classifier {
            convs: self
                .conv_channels()
                .map(|channels| {
                    Conv2dConfig::new(channels, [3, 3])
                        .with_padding(PaddingConfig2d::Same)
                        .init(device)
                })
                .collect(),
            dense: self
                .dense_widths()
                .windows(2)
                .map(|w| LinearConfig::new(w[0], w[1]).init(device))
                .collect(),
            activation: Relu::new(),
        }
    }
}

impl Classifier {
    /// `[batch, channels, height, width] -> [batch, classes]` logits.
    pub fn forward(&self, images: Tensor<4>) -> Tensor<2> {
        let features = self.convs.iter().fold(images, |x, conv| {
            max_pool_2x2(self.activation.forward(conv3x3_forward(conv, x)))
        });
        let last = self.dense.len() - 1;
        self.dense
            .iter()
            .enumerate()
            .fold(features.flatten(1, 3), |x, (i, layer)| {
                let y = layer.forward(x);
                if i < last {
                    self.activation.forward(y)
                } else {
                    y
                }
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counted_parameters_match_the_config() {
        let device = Device::flex();
        for (convs, hidden) in [
            (vec![], vec![20]),
            (vec![8], vec![]),
            (vec![16, 32, 28], vec![12]),
        ] {
            let config = ClassifierConfig {
                input: [1, 28, 28],
                convs,
                hidden,
                classes: 10,
            };
            assert_eq!(
                config.init(&device).num_params(),
                config.expected_params(),
                "{config:?}"
            );
        }
    }

    #[test]
    fn forward_maps_images_to_logits() {
        let device = Device::flex();
        let config = ClassifierConfig {
            input: [3, 32, 32],
            convs: vec![4, 4, 4],
            hidden: vec![],
            classes: 10,
        };
        assert_eq!(config.feature_size(), [4, 4]);
        assert_eq!(config.flat_features(), 64);
        let logits = config
            .init(&device)
            .forward(Tensor::zeros([2, 3, 32, 32], &device));
        assert_eq!(logits.dims(), [2, 10]);
    }
}
