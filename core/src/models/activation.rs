use burn::nn::activation::{Activation, ActivationConfig, LeakyReluConfig};
use burn::tensor::Device;
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

    pub fn init(self, device: &Device) -> Activation {
        let config = match self {
            Self::Relu => ActivationConfig::Relu,
            Self::LeakyRelu => ActivationConfig::LeakyRelu(LeakyReluConfig::new()),
            Self::Tanh => ActivationConfig::Tanh,
            Self::Sigmoid => ActivationConfig::Sigmoid,
            Self::Gelu => ActivationConfig::Gelu,
        };
        config.init(device)
    }
}
