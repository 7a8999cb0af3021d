use burn::module::Module;
use burn::nn::activation::{Activation, ActivationConfig, LeakyReluConfig};
use burn::tensor::{Device, Tensor};
use serde::{Deserialize, Serialize};

/// The hidden-layer activations a user can pick.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivationKind {
    #[default]
    Relu,
    LeakyRelu,
    Tanh,
    Sigmoid,
    Gelu,
}

impl ActivationKind {
    pub const ALL: [ActivationKind; 5] = [
        Self::Relu,
        Self::LeakyRelu,
        Self::Tanh,
        Self::Sigmoid,
        Self::Gelu,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Self::Relu => "relu",
            Self::LeakyRelu => "leaky_relu",
            Self::Tanh => "tanh",
            Self::Sigmoid => "sigmoid",
            Self::Gelu => "gelu",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.id() == s)
    }

    pub fn init(self, device: &Device) -> HiddenActivation {
        let config = match self {
            Self::Tanh => return HiddenActivation::Tanh(SigmoidTanh),
            Self::Relu => ActivationConfig::Relu,
            Self::LeakyRelu => ActivationConfig::LeakyRelu(LeakyReluConfig::new()),
            Self::Sigmoid => ActivationConfig::Sigmoid,
            Self::Gelu => ActivationConfig::Gelu,
        };
        HiddenActivation::Burn(config.init(device))
    }
}

/// A hidden-layer activation module: burn's own, except for tanh (see [`SigmoidTanh`]).
// One per model, built once: the size of the burn variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Module, Debug)]
pub enum HiddenActivation {
    Burn(Activation),
    Tanh(SigmoidTanh),
}

impl HiddenActivation {
    pub fn forward<const D: usize>(&self, x: Tensor<D>) -> Tensor<D> {
        match self {
            Self::Burn(activation) => activation.forward(x),
            Self::Tanh(tanh) => tanh.forward(x),
        }
    }
}

/// tanh, computed as 2·σ(2x) − 1: the same function with the same gradient (the chain rule
/// gives 4σ(1 − σ) = 1 − tanh²), equal to f32 rounding (tested below).
///
/// Why not burn's tanh: burn's CPU backend evaluates it with libm's `tanhf` per element, in the
/// forward pass and again in the backward pass (autodiff recomputes it), and that took over
/// half of E1's training step; σ goes through `exp`, which is several times cheaper. This made
/// E1's CPU step about 1.5x faster natively and in the browser. On the CPU backend it is now one
/// operation each way with a kernel of its own (`super::tanh`), which made it 1.65x faster again.
#[derive(Module, Debug, Default)]
pub struct SigmoidTanh;

impl SigmoidTanh {
    /// One operation on the CPU backend (`super::tanh`), four elsewhere.
    pub fn forward<const D: usize>(&self, x: Tensor<D>) -> Tensor<D> {
        super::tanh::sigmoid_tanh(x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::TensorData;

    fn values(t: Tensor<1>) -> Vec<f32> {
        t.into_data().try_to_vec::<f32>().unwrap()
    }

    #[test]
    fn sigmoid_tanh_matches_tanh_and_its_gradient() {
        let device = Device::flex();
        let xs: Vec<f32> = (-400..=400).map(|i| i as f32 * 0.025).collect();
        let n = xs.len();
        let train = device.clone().autodiff();
        let x = Tensor::<1>::from_data(TensorData::new(xs.clone(), [n]), &train).require_grad();
        let y = SigmoidTanh.forward(x.clone());
        let grads = y.clone().sum().backward();
        let dy = values(x.grad(&grads).expect("x takes part in the graph"));
        for ((&x, y), dy) in xs.iter().zip(values(y)).zip(dy) {
            let t = (x as f64).tanh();
            assert!((y as f64 - t).abs() < 2e-7, "tanh({x}) = {t}, got {y}");
            assert!(
                (dy as f64 - (1.0 - t * t)).abs() < 1e-6,
                "tanh'({x}), got {dy}"
            );
        }
        // Saturation stays finite and exact at the ends.
        let far = SigmoidTanh.forward(Tensor::<1>::from_floats([-200.0, 200.0], &device));
        assert_eq!(values(far), [-1.0, 1.0]);
    }
}
