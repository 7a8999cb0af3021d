//! What an experiment tells the outside world, and how the outside world answers.

use serde::{Deserialize, Serialize};

/// One model of a run, as the UI lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelInfo {
    pub name: String,
    /// Layer widths or a short description of the architecture.
    pub shape: String,
    /// Counted from the built model, not from the config.
    pub params: usize,
}

/// Which of E5's two protocols found a point (spec, E5).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum SearchProtocol {
    /// Train, then drive ‖∇L‖² down from the trained end to a modest tolerance; the ratio
    /// counts all eigenvalues > 0, flat ones included. Files from before the strict protocol
    /// hold only these.
    #[default]
    Homework,
    /// Frye et al. 2021: starts uniform in loss along the training trajectory, Newton-MR, a run
    /// critical only when ‖∇L‖² < 1e-10, the index counted against an absolute threshold.
    Strict,
}

impl SearchProtocol {
    pub const ALL: [SearchProtocol; 2] = [Self::Homework, Self::Strict];

    pub fn id(self) -> &'static str {
        match self {
            Self::Homework => "homework",
            Self::Strict => "strict",
        }
    }
}

/// Where one E5 search ended: the point, its spectrum and what counts it as critical.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CriticalPoint {
    pub run: usize,
    #[serde(default)]
    pub protocol: SearchProtocol,
    pub loss: f64,
    /// The loss where the search started (the trained end, or the trajectory point drawn).
    #[serde(default)]
    pub start_loss: f64,
    /// The minimal ratio by the protocol's definition (homework: the fraction of all
    /// eigenvalues > 0; strict: 1 − index).
    pub ratio: f64,
    /// The fraction of eigenvalues below −1e-5 (absolute).
    #[serde(default)]
    pub index: f64,
    /// Eigenvalues against ±1e-5 (absolute), for both protocols alike.
    #[serde(default)]
    pub negative: usize,
    #[serde(default)]
    pub positive: usize,
    #[serde(default)]
    pub flat: usize,
    /// ‖∇L‖ at the end point.
    pub grad_norm: f64,
    /// ‖∇L‖'s part on the eigen-directions outside the search's flat band.
    #[serde(default)]
    pub projected_grad_norm: f64,
    /// ‖∇L‖ where the search started, and at the initial weights.
    pub start_grad_norm: f64,
    pub init_grad_norm: f64,
    /// Gradient-flatness r = ‖Hp + g‖ / (‖H‖_F‖p‖ + ‖g‖) at the end point (> 0.9: gradient-flat).
    #[serde(default)]
    pub flatness: f64,
    /// Whether the protocol's criterion was met. Files written before the criterion existed
    /// hold no such field: not converged.
    #[serde(default)]
    pub converged: bool,
    /// The Hessian's eigenvalues at the end point, ascending.
    pub eigenvalues: Vec<f64>,
}

/// Above this gradient-flatness a point counts as gradient-flat (Frye et al.).
pub const GRADIENT_FLAT: f64 = 0.9;

impl CriticalPoint {
    /// Counted in a finding: the criterion met, and not gradient-flat.
    pub fn counts(&self) -> bool {
        self.converged && self.flatness <= GRADIENT_FLAT
    }
}

/// The stream an experiment emits. Serializable so that a Web Worker can forward it as is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// The run's models are built; `total_epochs` is the schedule's length.
    Started {
        models: Vec<ModelInfo>,
        total_epochs: usize,
    },
    /// A curve that does not change during the run (E1's ground truth).
    Reference { xs: Vec<f32>, ys: Vec<f32> },
    /// Training losses of every model (same order as `Started::models`) after `epoch` epochs.
    Losses {
        epoch: usize,
        elapsed_ms: f64,
        losses: Vec<f64>,
    },
    /// Every model's prediction on the reference grid (`Reference::xs`).
    Predictions { epoch: usize, ys: Vec<Vec<f32>> },
    /// The data a run trains on, as the page names it.
    Dataset {
        title: String,
        train: usize,
        test: usize,
    },
    /// Training loss and accuracy (0–1) of every model, averaged over the mini-batches since
    /// the previous `TrainMetrics` (every few batches on the CPU, a few times a second on a
    /// GPU). `epoch` is fractional: 2.5
    /// is half-way through the third.
    TrainMetrics {
        epoch: f64,
        elapsed_ms: f64,
        losses: Vec<f64>,
        accuracies: Vec<f64>,
    },
    /// Accuracy (0–1) of every model on the held-out test set after `epoch` epochs, and how
    /// long that epoch's training took (all models, without the test pass): the throughput
    /// figure, free of the first epoch's warm-up from the second epoch on.
    TestMetrics {
        epoch: usize,
        accuracies: Vec<f64>,
        /// Mean cross-entropy of every model on the test set.
        #[serde(default)]
        losses: Vec<f64>,
        epoch_train_ms: f64,
    },
    /// A sweep's unit `index` (of `count`) starts: one of several independent trainings
    /// (E3's runs, E5's runs). Later progress events are about this unit.
    Unit {
        index: usize,
        count: usize,
        label: String,
    },
    /// Weights were collected from `run` after `epoch` epochs (E3, E6), with the training loss
    /// and, for classifiers, the test accuracy at that point.
    Snapshot {
        run: usize,
        epoch: usize,
        loss: f64,
        accuracy: Option<f64>,
    },
    /// The weights of the `Snapshot` just sent, where E3's runs are computed apart (a unit
    /// each, in a pool of workers): the whole model's parameters and the chosen layer's range
    /// in them. The sweep's combining step turns them into `Projection`s and drops them. E9a's
    /// trainings send their trained model this way, `epoch` the epochs it took, to the line.
    Weights {
        run: usize,
        epoch: usize,
        model: Vec<f64>,
        layer: [usize; 2],
    },
    /// Every snapshot so far (in the order of `Snapshot` events) projected on the top two
    /// principal components of `space` ("layer" or "model"), refitted on all of them, and the
    /// fraction of the variance each component explains.
    Projection {
        space: String,
        points: Vec<[f64; 2]>,
        explained: [f64; 2],
    },
    /// Steps `first..first + losses.len()` (from 0) of the run's one model: loss and gradient
    /// norm of each (E4).
    Iterations {
        first: usize,
        losses: Vec<f64>,
        grad_norms: Vec<f64>,
    },
    /// The full-batch gradient norm ‖∇L‖ of the run's one model on a fixed probe set of
    /// `examples` training examples, at the weights step `step` starts from (E4, mini-batch
    /// runs): the reference the step's mini-batch norm scatters around. `batch` is the run's
    /// mini-batch size B and `train` its training examples N (each epoch's last batch holds
    /// N mod B examples when B does not divide N).
    FullGradient {
        step: usize,
        grad_norm: f64,
        examples: usize,
        batch: usize,
        train: usize,
    },
    /// One of run `run`'s searches for a critical point ended (E5), by one protocol.
    CriticalPoint(CriticalPoint),
    /// The loss surface's grid (E6): coordinates along the two directions, what they are, and
    /// the training trajectory projected on them (empty where it has no meaning).
    SurfaceGrid {
        xs: Vec<f64>,
        ys: Vec<f64>,
        directions: String,
        path: Vec<[f64; 2]>,
    },
    /// Row `row` of the surface (loss at every x for `ys[row]`).
    SurfaceRow { row: usize, losses: Vec<f64> },
    /// One result of a sweep (E8's models, E9a's interpolation points, E9b/E10's batch sizes):
    /// named values such as `params`, `batch`, `alpha`, `train_loss`, `test_accuracy`.
    Result {
        index: usize,
        label: String,
        values: std::collections::BTreeMap<String, f64>,
    },
    /// The Hessian's eigenvalue spectral density of sweep result `index`'s model (E10), by
    /// stochastic Lanczos quadrature: `density[i]` at eigenvalue `grid[i]` (it integrates to 1).
    Density {
        index: usize,
        grid: Vec<f64>,
        density: Vec<f64>,
    },
    /// Loss along the straight line from the initial to the final weights, θ(α) = θ₀ + α(θ₁ − θ₀).
    LineLosses { alphas: Vec<f64>, losses: Vec<f64> },
    /// A sweep whose units run apart (a pool of workers) and are merged into one stream (see
    /// `engine::merge`): epochs done and to do over all its units, and units ended.
    SweepProgress {
        epochs_done: f64,
        epochs_total: f64,
        units_ended: usize,
        units: usize,
    },
    /// A part of a run computed apart (a unit, in a worker of a pool) was lost, with what it
    /// would have computed; the run's other parts go on. `message` is meant for the user.
    UnitLost { message: String },
    /// The schedule ran to its end.
    Done { epoch: usize, elapsed_ms: f64 },
    /// The host asked to stop.
    Stopped { epoch: usize, elapsed_ms: f64 },
    /// The run cannot go on; `message` is meant for the user.
    Error { message: String },
}

/// The host's answer at a checkpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    Continue,
    Stop,
}

/// Where an experiment runs: receives events and decides, between chunks of work, whether to
/// yield, wait (pause) or stop.
#[allow(async_fn_in_trait)] // hosts are used generically, never as trait objects
pub trait Host {
    fn emit(&mut self, event: Event);

    /// Called between chunks of work (after every epoch). A browser host yields to the event
    /// loop here when its time slice is used up, and waits here while paused.
    async fn checkpoint(&mut self) -> Flow;
}

/// A host that collects every event and never pauses: native tests and benchmarks.
#[derive(Default, Debug)]
pub struct CollectingHost {
    pub events: Vec<Event>,
    /// Stop once this many checkpoints have passed (to test stopping).
    pub stop_after: Option<usize>,
    checkpoints: usize,
}

impl CollectingHost {
    pub fn stopping_after(checkpoints: usize) -> Self {
        Self {
            stop_after: Some(checkpoints),
            ..Self::default()
        }
    }

    /// Every `Losses` event's losses, in order.
    pub fn loss_history(&self) -> Vec<(usize, Vec<f64>)> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::Losses { epoch, losses, .. } => Some((*epoch, losses.clone())),
                _ => None,
            })
            .collect()
    }
}

impl Host for CollectingHost {
    fn emit(&mut self, event: Event) {
        self.events.push(event);
    }

    async fn checkpoint(&mut self) -> Flow {
        self.checkpoints += 1;
        match self.stop_after {
            Some(n) if self.checkpoints >= n => Flow::Stop,
            _ => Flow::Continue,
        }
    }
}
