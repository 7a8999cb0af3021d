//! Every experiment's panel in one list: its URL id, its label in the navigation, its card on
//! the front page, its presets and the component that shows it. The navigation, the routes
//! and the front page read this list; a new experiment's panel joins it with one entry.

use mlds_core::experiments::fit::FitConfig;
use mlds_core::experiments::gradnorm::GradNormConfig;
use mlds_core::experiments::interpolate::InterpolateConfig;
use mlds_core::experiments::minratio::MinRatioConfig;
use mlds_core::experiments::params_sweep::ParamsConfig;
use mlds_core::experiments::random_labels::RandomLabelsConfig;
use mlds_core::experiments::sensitivity::SensitivityConfig;
use mlds_core::experiments::sharpness::SharpnessConfig;
use mlds_core::experiments::surface::SurfaceConfig;
use mlds_core::experiments::tasks::TasksConfig;
use mlds_core::experiments::trajectory::TrajectoryConfig;
use mlds_core::experiments::Experiment;
use yew::prelude::*;

use super::frame::PanelProps;
use crate::backends::Backends;
use crate::components::Preset;

/// One experiment on the front page.
pub struct Card {
    pub title: &'static str,
    /// The homework's part it belongs to.
    pub part: &'static str,
    /// What a run shows, in a sentence.
    pub shows: &'static str,
    /// What to expect of the backends.
    pub backends: &'static str,
}

/// One experiment's panel.
pub struct Panel {
    /// The URL id (`exp=`), core's.
    pub id: &'static str,
    /// The navigation's label.
    pub nav: &'static str,
    pub card: Card,
    pub presets: fn() -> Vec<Preset>,
    /// The panel with the backends found, keyed so that an edited hash mounts it anew.
    pub show: fn(Backends, u32) -> Html,
}

fn show<P: BaseComponent<Properties = PanelProps>>(backends: Backends, key: u32) -> Html {
    html! { <P key={key} {backends} /> }
}

/// The experiments of the spec, in its order.
pub const PANELS: [Panel; 11] = [
    Panel {
        id: FitConfig::ID,
        nav: "E1 Simulate a function",
        card: Card {
            title: "E1 · Simulate a function",
            part: "Deep vs shallow",
            shows: "Networks of equal size and different depth fit sin(5πx)/(5πx): the deep ones end far below the shallow one.",
            backends: "CPU: auto (tiny models). WebGPU: on request; each dispatch costs more than these models' arithmetic.",
        },
        presets: super::fit::presets,
        show: show::<super::fit::FitPanel>,
    },
    Panel {
        id: TasksConfig::ID,
        nav: "E2 Train on actual tasks",
        card: Card {
            title: "E2 · Train on actual tasks",
            part: "Deep vs shallow",
            shows: "CNNs of equal size and growing depth on MNIST or CIFAR-10: deeper reaches higher accuracy.",
            backends: "WebGPU: auto for CNNs where the browser has it; the CPU backend cuts the work into short tasks.",
        },
        presets: super::tasks::presets,
        show: show::<super::tasks::TasksPanel>,
    },
    Panel {
        id: TrajectoryConfig::ID,
        nav: "E3 Optimization trajectory",
        card: Card {
            title: "E3 · Visualize the optimization process",
            part: "Optimization",
            shows: "Eight runs' weights projected on two principal components: they leave a common centre in different directions.",
            backends: "CPU: auto for the small DNN and sinc5.",
        },
        presets: super::trajectory::presets,
        show: show::<super::trajectory::TrajectoryPanel>,
    },
    Panel {
        id: GradNormConfig::ID,
        nav: "E4 Gradient norm",
        card: Card {
            title: "E4 · Gradient norm during training",
            part: "Optimization",
            shows: "The gradient norm and the loss at every iteration, stacked on one axis.",
            backends: "CPU: auto; WebGPU on request.",
        },
        presets: super::gradnorm::presets,
        show: show::<super::gradnorm::GradNormPanel>,
    },
    Panel {
        id: MinRatioConfig::ID,
        nav: "E5 Minimal ratio",
        card: Card {
            title: "E5 · When the gradient is almost zero",
            part: "Optimization",
            shows: "Critical points of small networks by two protocols: the homework's ratio of positive eigenvalues against the loss, beside true critical points' index.",
            backends: "CPU only: the Hessian is computed in f64.",
        },
        presets: super::minratio::presets,
        show: show::<super::minratio::MinRatioPanel>,
    },
    Panel {
        id: SurfaceConfig::ID,
        nav: "E6 Error surface",
        card: Card {
            title: "E6 · Error surface",
            part: "Optimization",
            shows: "The loss around a trained model on a 2-D grid with contours, and along the line from its initial weights.",
            backends: "CPU: auto for sinc5 and the small DNN.",
        },
        presets: super::surface::presets,
        show: show::<super::surface::SurfacePanel>,
    },
    Panel {
        id: RandomLabelsConfig::ID,
        nav: "E7 Random labels",
        card: Card {
            title: "E7 · Can a network fit random labels?",
            part: "Generalization",
            shows: "An MLP memorises permuted labels: training loss to zero, test accuracy at chance.",
            backends: "CPU: auto (fully connected); WebGPU on request.",
        },
        presets: super::random_labels::presets,
        show: show::<super::random_labels::RandomLabelsPanel>,
    },
    Panel {
        id: ParamsConfig::ID,
        nav: "E8 Parameters vs generalization",
        card: Card {
            title: "E8 · Parameters vs generalization",
            part: "Generalization",
            shows: "Eleven widths from 805 to 814k parameters: train and test loss and accuracy against size.",
            backends: "CPU: auto; the widest model's steps are cut into short tasks.",
        },
        presets: super::params_sweep::presets,
        show: show::<super::params_sweep::ParamsPanel>,
    },
    Panel {
        id: InterpolateConfig::ID,
        nav: "E9a Interpolation",
        card: Card {
            title: "E9a · Flatness: interpolation",
            part: "Generalization",
            shows: "The loss and accuracy on the line through a small-batch and a large-batch model.",
            backends: "CPU: auto; WebGPU on request.",
        },
        presets: super::interpolate::presets,
        show: show::<super::interpolate::InterpolatePanel>,
    },
    Panel {
        id: SensitivityConfig::ID,
        nav: "E9b Sensitivity",
        card: Card {
            title: "E9b · Flatness: sensitivity",
            part: "Generalization",
            shows: "How much the loss and the softmax move with the input, for batch sizes 16 to 4096.",
            backends: "CPU: auto; WebGPU on request.",
        },
        presets: super::sensitivity::presets,
        show: show::<super::sensitivity::SensitivityPanel>,
    },
    Panel {
        id: SharpnessConfig::ID,
        nav: "E10 Sharpness",
        card: Card {
            title: "E10 · Sharpness",
            part: "Generalization",
            shows: "Keskar's sharpness and the Hessian's top eigenvalue against batch size.",
            backends: "Training: CPU auto, WebGPU on request; the metrics run in f64 on the CPU.",
        },
        presets: super::sharpness::presets,
        show: show::<super::sharpness::SharpnessPanel>,
    },
];

/// The panel of URL id `exp`, if there is one.
pub fn panel(exp: &str) -> Option<&'static Panel> {
    PANELS.iter().find(|p| p.id == exp)
}
