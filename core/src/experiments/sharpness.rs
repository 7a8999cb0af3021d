//! E10, "Other generalization metrics": for models trained with different batch sizes to a
//! common training loss, the curvature of the minimum each found, as Keskar et al. and
//! PyHessian measure it: Keskar's sharpness (the largest relative rise of the loss in the box
//! ‖θ' − θ‖∞ ≤ ε(|θ| + 1), ×100 as Keskar reports it, by projected ascent), the Hessian's
//! largest signed eigenvalue (Lanczos), its trace (Hutchinson) and its eigenvalue spectral
//! density (stochastic Lanczos quadrature), beside train/test accuracy. All of it is measured
//! in f64 on the CPU backend on a fixed sample of the training set, from a copy of the trained
//! weights (whichever backend trained the models), with Hessian-vector products by central
//! differences of gradients whose step is chosen by their symmetry (see `analysis::spectrum`).

use burn::nn::loss::CrossEntropyLossConfig;
use burn::tensor::{Device, FloatDType};
use serde::{Deserialize, Serialize};

use super::batch_sweep::{run_batch_sweep, BatchSweep, Measure};
use super::subject::{ImageDefaults, Subject, SubjectData};
use super::target::EPOCH_CAP;
use crate::analysis::spectrum::{
    pair_asymmetry, random_unit, rank_hvp_steps, Hutchinson, Lanczos, SpectralDensity, HVP_STEPS,
    HVP_TOLERANCE,
};
use crate::analysis::{hvp, load_params, read_params, to_f64, LossOracle, SharpnessAscent};
use crate::budget::Footprint;
use crate::engine::{FromParams, Outcome};
use crate::events::{Event, Flow, Host};
use crate::models::{Classifier, ClassifierConfig};
use crate::params::Params;
use crate::train::{Standardizer, Stopwatch};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SharpnessConfig {
    pub sweep: BatchSweep,
    /// The box's relative size ε.
    pub epsilon: f64,
    /// Training examples the loss is measured on for every metric.
    pub samples: usize,
    /// Lanczos steps per SLQ probe (one Hessian-vector product, two gradients, each).
    pub lanczos_steps: usize,
    /// SLQ probes; the top eigenvalue is the largest Ritz value over all of them.
    pub slq_probes: usize,
    /// Hutchinson probes (one product each).
    pub trace_probes: usize,
    /// Projected-ascent steps (one gradient each).
    pub ascent_steps: usize,
}

const SUBJECT: ImageDefaults = ImageDefaults {
    convs: &[],
    hidden: &[32],
    train_size: None,
};

/// Grid points of each spectral density.
pub const DENSITY_POINTS: usize = 120;

impl FromParams for SharpnessConfig {
    const SIZE_KEYS: &'static [&'static str] = &[
        "shape",
        "convs",
        "hidden",
        "samples",
        "batch",
        "batches",
        "lanczos_steps",
    ];

    /// The sweep's largest training, then Lanczos' basis (f64 vectors, one per step).
    fn footprint(&self) -> Footprint {
        let p = self.sweep.subject.parameters() as u64;
        let vectors = self.lanczos_steps as u64 + 4;
        self.sweep
            .footprint()
            .plus(Footprint::extra(p.saturating_mul(vectors * 8)))
    }

    fn from_params(p: &mut Params) -> Self {
        Self {
            sweep: BatchSweep::from_params(p, &SUBJECT, EPOCH_CAP),
            epsilon: p.number("epsilon", 1e-3, 1e-6..=0.1),
            samples: p.number("samples", 500, 10..=10_000),
            lanczos_steps: p.number("lanczos_steps", 20, 2..=200),
            slq_probes: p.number("slq_probes", 2, 1..=20),
            trace_probes: p.number("trace_probes", 10, 1..=200),
            ascent_steps: p.number("ascent_steps", 10, 1..=500),
        }
    }

    fn to_params(&self) -> Vec<(&'static str, String)> {
        let mut pairs = self.sweep.to_params();
        pairs.extend([
            ("epsilon", self.epsilon.to_string()),
            ("samples", self.samples.to_string()),
            ("lanczos_steps", self.lanczos_steps.to_string()),
            ("slq_probes", self.slq_probes.to_string()),
            ("trace_probes", self.trace_probes.to_string()),
            ("ascent_steps", self.ascent_steps.to_string()),
        ]);
        pairs
    }
}

struct Sharpness<'a> {
    config: &'a SharpnessConfig,
    architecture: ClassifierConfig,
}

impl Sharpness<'_> {
    /// The model's training loss on the sample as a function of its parameters, in f64 on the
    /// CPU backend (a copy of the trained weights, wherever they live).
    async fn oracle(
        &self,
        model: &Classifier,
        train: &crate::data::ImageSet,
    ) -> Result<(LossOracle<Classifier>, Vec<f64>), String> {
        let theta = read_params(model).await?;
        let cpu = Device::flex().autodiff();
        let copy = to_f64(load_params(self.architecture.init(&cpu), &theta));
        let n = self.config.samples.min(train.len());
        let indices: Vec<usize> = (0..n).collect();
        let (images, labels) = Standardizer::fit(train).batch(train, &indices, &cpu);
        let images = images.cast(FloatDType::F64).detach();
        let loss_fn = CrossEntropyLossConfig::new().init(&cpu);
        let oracle = LossOracle::new(copy, move |m: &Classifier| {
            loss_fn.forward(m.forward(images.clone()), labels.clone())
        });
        Ok((oracle, theta))
    }
}

/// `steps` Lanczos steps on central-difference products with step `step`, yielding between
/// them (`true`: the host stopped).
#[allow(clippy::too_many_arguments)]
async fn run_lanczos(
    lanczos: &mut Lanczos,
    grad: &mut impl FnMut(&[f64]) -> Vec<f64>,
    theta: &[f64],
    step: f64,
    steps: usize,
    host: &mut impl Host,
    clock: &mut Stopwatch,
) -> bool {
    for _ in 0..steps {
        let more = lanczos.step(&mut |v: &[f64]| hvp(grad, theta, v, step));
        if pause(host, clock).await {
            return true;
        }
        if !more {
            break;
        }
    }
    false
}

/// Between two pieces of the measurement: let the host yield or stop (`true`: stop).
async fn pause(host: &mut impl Host, clock: &mut Stopwatch) -> bool {
    clock.stop();
    let stop = host.checkpoint().await == Flow::Stop;
    clock.start();
    stop
}

impl Measure for Sharpness<'_> {
    async fn measure(
        &mut self,
        unit: usize,
        model: &Classifier,
        data: &SubjectData,
        _device: &Device,
        host: &mut impl Host,
        clock: &mut Stopwatch,
    ) -> Result<Option<Vec<(&'static str, f64)>>, String> {
        let SubjectData::Images { train, .. } = data else {
            return Err("E10 classifies images".into());
        };
        let c = self.config;
        let (oracle, theta) = self.oracle(model, train).await?;
        let n = theta.len();
        let seed = c.sweep.seed(unit);
        let mut grad = |t: &[f64]| oracle.gradient(t);
        // ReLU kinks make some steps asymmetric: try them from the most symmetric on random
        // directions (one pair each, four gradients), and keep the first whose products are
        // also symmetric along the top Ritz vector of the first SLQ probe, where a kink that a
        // sample sits on would show (see `analysis::spectrum`).
        let ranked = rank_hvp_steps(&mut grad, &theta, &HVP_STEPS, 1, seed);
        let probe = |k: u64| SpectralDensity::start(n, seed.wrapping_add(k));
        let check = random_unit(n, seed.wrapping_add(2 << 32));
        // (step, asymmetry, first probe) of the most symmetric step so far.
        let mut best: Option<(f64, f64, Lanczos)> = None;
        for &(step, random) in &ranked {
            let mut lanczos = probe(0);
            if run_lanczos(
                &mut lanczos,
                &mut grad,
                &theta,
                step,
                c.lanczos_steps,
                host,
                clock,
            )
            .await
            {
                return Ok(None);
            }
            let along = lanczos.top_vector().map_or(f64::INFINITY, |u| {
                pair_asymmetry(&mut grad, &theta, step, &u, &check)
            });
            let worst = random.max(along);
            if best.as_ref().is_none_or(|b| worst < b.1) {
                best = Some((step, worst, lanczos));
            }
            if worst <= HVP_TOLERANCE {
                break;
            }
        }
        let Some((step, asymmetry, first)) = best else {
            return Err("no difference step to try".into());
        };
        let mut esd = SpectralDensity::default();
        // Every Ritz value is at most λ_max: the largest over the probes is the estimate.
        let mut top = first.top();
        esd.add(&first)?;
        for k in 1..c.slq_probes as u64 {
            let mut lanczos = probe(k);
            if run_lanczos(
                &mut lanczos,
                &mut grad,
                &theta,
                step,
                c.lanczos_steps,
                host,
                clock,
            )
            .await
            {
                return Ok(None);
            }
            top = top.max(lanczos.top());
            esd.add(&lanczos)?;
        }
        let mut product = |v: &[f64]| hvp(&mut grad, &theta, v, step);
        let mut hutchinson = Hutchinson::default();
        for probe in 0..c.trace_probes as u64 {
            // Seeds apart from the SLQ probes', so that the two estimates are independent.
            hutchinson.probe(
                &mut product,
                n,
                seed.wrapping_add(1 << 32).wrapping_add(probe),
            );
            if pause(host, clock).await {
                return Ok(None);
            }
        }
        let base = oracle.value(&theta);
        let mut ascent = SharpnessAscent::new(&theta, c.epsilon, base, seed);
        for _ in 0..c.ascent_steps {
            ascent.step(&mut |t: &[f64]| oracle.value_and_gradient(t));
            if pause(host, clock).await {
                return Ok(None);
            }
        }
        let sharpness = ascent.finish(&mut |t: &[f64]| oracle.value(t));
        if let Some((grid, density)) = esd.density(DENSITY_POINTS) {
            host.emit(Event::Density {
                index: unit,
                grid,
                density,
            });
        }
        Ok(Some(vec![
            // Keskar et al. report the relative rise ×100.
            ("sharpness", 100.0 * sharpness),
            ("top_eigenvalue", top),
            ("trace", hutchinson.trace()),
            ("trace_error", hutchinson.standard_error()),
            ("hvp_step", step),
            ("hvp_asymmetry", asymmetry),
            (
                "hvp_symmetric",
                f64::from(u8::from(asymmetry <= HVP_TOLERANCE)),
            ),
            ("sample_loss", base),
        ]))
    }
}

/// Run E10 on `device` (plain, not autodiff) with `images`.
async fn run<H: Host>(
    config: &SharpnessConfig,
    data: SubjectData,
    device: &Device,
    host: &mut H,
) -> Outcome {
    let Subject::Images { model, .. } = &config.sweep.subject else {
        return crate::engine::fail(host, "E10 classifies images".into());
    };
    let mut measure = Sharpness {
        config,
        architecture: model.clone(),
    };
    run_batch_sweep(&config.sweep, data, device, host, &mut measure).await
}

super::subject::subject_experiment!(SharpnessConfig, "sharpness", batch sweep sweep);
