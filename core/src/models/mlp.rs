use burn::module::Module;
use burn::nn::{Linear, LinearConfig};
use burn::tensor::{Device, Tensor};
use std::fmt;

use super::{ActivationKind, HiddenActivation};
use crate::budget::Footprint;

/// A fully connected network given by its layer widths, e.g. `[1, 190, 1]`.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MlpConfig {
    pub widths: Vec<usize>,
    pub activation: ActivationKind,
}

#[derive(Module, Debug)]
pub struct Mlp {
    layers: Vec<Linear>,
    activation: HiddenActivation,
}

/// Why a shape string such as `1-10-18-15-4-1` was rejected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShapeError(pub String);

impl fmt::Display for ShapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl MlpConfig {
    /// Largest width and depth a shape string may ask for (keeps a typo from freezing the page).
    pub const MAX_WIDTH: usize = 4096;
    pub const MAX_LAYERS: usize = 24;

    pub fn new(widths: Vec<usize>, activation: ActivationKind) -> Self {
        Self { widths, activation }
    }

    /// Parse `1-5-10-1`: at least one hidden layer, every width in 1..=MAX_WIDTH.
    pub fn parse_widths(shape: &str) -> Result<Vec<usize>, ShapeError> {
        let widths = shape
            .split('-')
            .map(|w| w.trim().parse::<usize>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| ShapeError(format!("'{shape}' is not a list of widths like 1-10-1")))?;
        if widths.len() < 3 || widths.len() > Self::MAX_LAYERS + 1 {
            return Err(ShapeError(format!(
                "'{shape}' needs between 1 and {} hidden layers",
                Self::MAX_LAYERS - 1
            )));
        }
        if widths.iter().any(|&w| w == 0 || w > Self::MAX_WIDTH) {
            return Err(ShapeError(format!(
                "'{shape}': every width must be between 1 and {}",
                Self::MAX_WIDTH
            )));
        }
        Ok(widths)
    }

    /// `1-5-10-1`
    pub fn shape(&self) -> String {
        Self::join_widths(&self.widths)
    }

    /// `1-5-10-1` from `[1, 5, 10, 1]`: what [`MlpConfig::parse_widths`] reads (also a
    /// classifier's conv channels and hidden widths, `32-16`; empty for none).
    pub fn join_widths(widths: &[usize]) -> String {
        widths
            .iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join("-")
    }

    /// Parameter count from the widths alone (weights plus biases).
    pub fn expected_params(&self) -> usize {
        self.widths.windows(2).map(|w| w[0] * w[1] + w[1]).sum()
    }

    /// Numbers one example's forward pass keeps for the backward pass: every layer's output,
    /// before and after its activation.
    pub fn activations(&self) -> usize {
        2 * self.widths.iter().sum::<usize>()
    }

    /// Training it on batches of `batch` examples (see [`crate::budget`]).
    pub fn footprint(&self, batch: usize) -> Footprint {
        Footprint::training(self.expected_params(), self.activations(), batch)
    }

    pub fn init(&self, device: &Device) -> Mlp {
        let layers = self
            .widths
            .windows(2)
            .map(|w| LinearConfig::new(w[0], w[1]).init(device))
            .collect();
        Mlp {
            layers,
            activation: self.activation.init(device),
        }
    }
}

impl Mlp {
    /// `[batch, in] -> [batch, out]`; the activation follows every layer but the last.
    pub fn forward(&self, input: Tensor<2>) -> Tensor<2> {
        let last = self.layers.len() - 1;
        self.layers.iter().enumerate().fold(input, |x, (i, layer)| {
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
    fn reference_shapes_have_the_reference_parameter_counts() {
        let device = Device::flex();
        for (shape, params) in [
            ("1-5-10-10-10-10-10-5-1", 571),
            ("1-10-18-15-4-1", 572),
            ("1-190-1", 571),
        ] {
            let config = MlpConfig::new(
                MlpConfig::parse_widths(shape).unwrap(),
                ActivationKind::Relu,
            );
            assert_eq!(config.expected_params(), params, "{shape}");
            assert_eq!(config.init(&device).num_params(), params, "{shape}");
            assert_eq!(config.shape(), shape);
        }
    }

    #[test]
    fn forward_maps_batch_to_outputs() {
        let device = Device::flex();
        let model = MlpConfig::new(vec![3, 4, 2], ActivationKind::Tanh).init(&device);
        let out = model.forward(Tensor::zeros([5, 3], &device));
        assert_eq!(out.dims(), [5, 2]);
    }

    #[test]
    fn bad_shapes_are_rejected_with_a_reason() {
        for bad in ["", "1-a-1", "1-1", "1-0-1", "1-99999-1", "1--1"] {
            assert!(MlpConfig::parse_widths(bad).is_err(), "{bad}");
        }
        let long = vec!["2"; 40].join("-");
        assert!(MlpConfig::parse_widths(&long).is_err());
    }
}
