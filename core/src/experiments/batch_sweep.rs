//! The sweep of E9b and E10: models trained to a common training target, one after another,
//! each evaluated and measured. By default the models differ only in their batch size (the
//! homework's sweep); with `sweep=factors` (E9b) in every combination of batch size, width,
//! learning rate and label noise (`factors`, Novak et al.'s kind of sweep). Each model is
//! trained once per seed (`seeds`), each seed × model a unit of its own.

use burn::tensor::Device;

use super::factors::{self, batch_list, FactorDesign, ModelFactors};
use super::generalization::{emit_result, join_list, number_list, train_len, Evaluator};
use super::subject::{image_training, subject_params, ImageDefaults, Subject, SubjectData};
use super::target::{target_values, train_to_target, Target, TrainedToTarget};
use crate::budget::Footprint;
use crate::engine::seeds::Seeds;
use crate::engine::units::Units;
use crate::engine::{fail, stopped, Outcome};
use crate::events::{Event, Host};
use crate::models::Classifier;
use crate::params::Params;
use crate::train::{BatchPlan, Halt, Stopwatch, TrainSettings};

/// The sweep's settings: the models it trains and how.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BatchSweep {
    pub subject: Subject,
    /// Every model's training, but for its batch size (`epochs`: the cap).
    pub train: TrainSettings,
    /// The training loss every model trains to.
    pub target: Target,
    /// One model per batch size, log-spaced by default (with `factors`, per combination).
    pub batches: Vec<usize>,
    /// `sweep=factors`: every batch size with every width, learning rate and label noise.
    #[serde(default)]
    pub factors: Option<FactorDesign>,
    /// Examples of each set the finished models are evaluated on.
    pub eval_size: usize,
    /// Each model is trained once per seed (`seed`, `seed + 1`, …): a unit each.
    #[serde(default)]
    pub seeds: Seeds,
    /// The units this run trains (all, or one: a worker's unit).
    #[serde(default)]
    pub units: Units,
}

/// 16 … 4096, ×4 apart: five models.
pub const DEFAULT_BATCHES: [usize; 5] = [16, 64, 256, 1024, 4096];

impl BatchSweep {
    /// Its models, without their seeds.
    pub fn models(&self) -> usize {
        self.batches.len() * self.factors.as_ref().map_or(1, FactorDesign::per_batch)
    }

    /// Its units, one per model and seed: how many, and which this run trains.
    pub fn units(&self) -> (usize, Units) {
        (self.seeds.units(self.models()), self.units)
    }

    /// What unit `unit`'s model is.
    pub fn model(&self, unit: usize) -> ModelFactors {
        let model = self.seeds.of(unit).0;
        match &self.factors {
            Some(design) => design.model(&self.batches, model),
            None => ModelFactors {
                batch: self.batches[model],
                width: None,
                lr: None,
                label_noise: 0.0,
            },
        }
    }

    /// The seed unit `unit` trains (and measures) with.
    pub fn seed(&self, unit: usize) -> u64 {
        self.seeds.seed(self.train.seed, unit)
    }

    /// The subject a model of these factors trains: its width as the hidden layer.
    pub fn subject_of(&self, model: &ModelFactors) -> Subject {
        match (&self.subject, model.width) {
            (Subject::Images { task, model: c }, Some(width)) => Subject::Images {
                task: task.clone(),
                model: crate::models::ClassifierConfig {
                    hidden: vec![width],
                    ..c.clone()
                },
            },
            (subject, _) => subject.clone(),
        }
    }

    /// Smallest batch sizes first: their many steps cost the most per example.
    pub fn schedule(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.units().0).collect();
        order.sort_by_key(|&u| (self.model(u).batch, u));
        order
    }

    /// One model trains at a time.
    pub fn footprint(&self) -> Footprint {
        Footprint::largest((0..self.models()).map(|i| {
            let model = self.model(self.seeds.units(i));
            self.subject_of(&model).footprint(Some(model.batch))
        }))
    }

    /// Whether a model that stopped improving before the cap has reached its minimum (and the
    /// target): in a batch-size sweep with patience (Keskar et al. train until the loss stops
    /// improving: E10's full protocol), not over several factors (every model to the same
    /// loss, Jiang et al.).
    pub fn counts_settled(&self) -> bool {
        self.factors.is_none() && self.target.patience > 0
    }

    /// Whether a model that trained `epochs` epochs stopped at its minimum (see
    /// [`BatchSweep::counts_settled`]): it stopped before the cap.
    pub fn settled(&self, epochs: usize) -> bool {
        self.counts_settled() && epochs < self.train.epochs
    }

    /// The homework's sweep: models that differ only in their batch size (E10; E9b's default).
    pub fn from_params(p: &mut Params, subject: &ImageDefaults, epochs: usize) -> Self {
        let subject = Subject::images_from_params(p, subject);
        let train = TrainSettings::from_params(p, &image_training(epochs));
        let batches = number_list(p, "batches", &DEFAULT_BATCHES, 1..=8192, 2);
        let target = Target::from_params(p);
        Self::assemble(p, subject, train, target, batches, None)
    }

    /// E9b's sweep: `sweep=batches` as [`BatchSweep::from_params`], or `sweep=factors`, every
    /// combination of the factors, by default on 2,000 subset images to cross-entropy 0.01
    /// (Jiang et al. 2020), a model stopping once its loss has not improved for 20 epochs.
    pub fn with_factors_from_params(
        p: &mut Params,
        subject: &ImageDefaults,
        epochs: usize,
    ) -> Self {
        let factors = p.choice(
            "sweep",
            false,
            |s| match s {
                "batches" => Some(false),
                "factors" => Some(true),
                _ => None,
            },
            &["batches", "factors"],
        );
        if !factors {
            return Self::from_params(p, subject, epochs);
        }
        let defaults = ImageDefaults {
            train_size: Some(factors::DEFAULT_TRAIN_SIZE),
            ..*subject
        };
        let subject = Subject::images_from_params(p, &defaults);
        let train = TrainSettings::from_params(p, &image_training(epochs));
        let batches = batch_list(p, &factors::DEFAULT_BATCHES);
        let design = FactorDesign::from_params(p);
        let target = Target {
            loss: p.number("target", factors::DEFAULT_TARGET, 1e-4..=10.0),
            patience: p.number("patience", factors::DEFAULT_PATIENCE, 0..=1000),
        };
        // (A model stopped by patience here did not reach the common loss: see `settled`.)
        Self::assemble(p, subject, train, target, batches, Some(design))
    }

    fn assemble(
        p: &mut Params,
        subject: Subject,
        train: TrainSettings,
        target: Target,
        batches: Vec<usize>,
        factors: Option<FactorDesign>,
    ) -> Self {
        let seeds = Seeds::from_params(p);
        let mut sweep = Self {
            subject,
            train,
            target,
            batches,
            factors,
            eval_size: 0,
            seeds,
            units: Units::default(),
        };
        sweep.units = Units::from_params(p, sweep.units().0);
        sweep.eval_size = p.number("eval_size", 2000, 10..=60_000);
        sweep
    }

    pub fn to_params(&self) -> Vec<(&'static str, String)> {
        let mut pairs = subject_params(&self.subject, &self.train);
        pairs.retain(|(k, _)| !matches!(*k, "task" | "batch"));
        match &self.factors {
            None => {
                pairs.push(self.target.to_params());
                if self.target.patience > 0 {
                    pairs.push(("patience", self.target.patience.to_string()));
                }
                pairs.push(("batches", join_list(&self.batches)));
            }
            Some(design) => {
                pairs.extend([
                    ("sweep", "factors".to_string()),
                    self.target.to_params(),
                    ("patience", self.target.patience.to_string()),
                    ("batches", factors::join_batches(&self.batches)),
                ]);
                pairs.extend(design.to_params());
            }
        }
        pairs.push(("eval_size", self.eval_size.to_string()));
        pairs.extend(self.seeds.to_params());
        pairs.extend(self.units.to_params());
        pairs
    }
}

/// What E9b and E10 measure on each trained model besides its losses and accuracies.
#[allow(async_fn_in_trait)] // used generically, never as a trait object
pub trait Measure {
    /// Named values for the model of unit `unit` (`None`: the host stopped).
    async fn measure(
        &mut self,
        unit: usize,
        model: &Classifier,
        data: &SubjectData,
        device: &Device,
        host: &mut impl Host,
        clock: &mut Stopwatch,
    ) -> Result<Option<Vec<(&'static str, f64)>>, String>;
}

/// The data a model with `label_noise` trains on: the training labels of that fraction of
/// images made wrong (the same images for every model of the sweep: seeded by the run's seed).
fn with_label_noise(data: &SubjectData, label_noise: f64, seed: u64) -> Option<SubjectData> {
    match data {
        SubjectData::Images { train, test, title } if label_noise > 0.0 => {
            Some(SubjectData::Images {
                train: train.with_noisy_labels(label_noise, seed),
                test: test.clone(),
                title: title.clone(),
            })
        }
        _ => None,
    }
}

/// What a result calls its model, and the factors it reports beside its measures.
fn describe(
    sweep: &BatchSweep,
    model: &ModelFactors,
    batch: usize,
    train_size: usize,
) -> (String, Vec<(&'static str, f64)>) {
    if sweep.factors.is_none() {
        return (format!("batch {batch}"), Vec::new());
    }
    let width = model.width.map_or(0.0, |w| w as f64);
    let lr = model.lr.unwrap_or(sweep.train.learning_rate);
    let label = format!(
        "batch {batch} · width {width} · lr {lr} · {}% wrong labels",
        model.label_noise * 100.0
    );
    let values = vec![
        ("width", width),
        ("lr", lr),
        ("label_noise", model.label_noise),
        ("train_size", train_size as f64),
    ];
    (label, values)
}

/// Train each unit's model to the sweep's target, one after another; evaluate and `measure`
/// each, and report it as a result (`batch`, losses, accuracies, the target's values of
/// [`target_values`], the measured values, its factors and seed).
pub async fn run_batch_sweep<H: Host>(
    sweep: &BatchSweep,
    data: SubjectData,
    device: &Device,
    host: &mut H,
    measure: &mut impl Measure,
) -> Outcome {
    sweep.subject.started(host, sweep.train.epochs);
    let mut clock = Stopwatch::default();
    let count = sweep.units().0;
    for i in (0..count).filter(|&i| sweep.units.includes(i)) {
        let factors = sweep.model(i);
        let noisy = with_label_noise(&data, factors.label_noise, sweep.train.seed);
        let data = noisy.as_ref().unwrap_or(&data);
        let subject = sweep.subject_of(&factors);
        // A batch larger than the training set is the full batch.
        let batch = factors.batch.min(train_len(data));
        let (label, described) = describe(sweep, &factors, batch, train_len(data));
        let of_seed = match sweep.seeds.0 {
            1 => String::new(),
            k => format!(", seed {} of {k}", sweep.seeds.of(i).1 + 1),
        };
        host.emit(Event::Unit {
            index: i,
            count,
            label: format!("{label}{of_seed} ({} of {count})", i + 1),
        });
        let settings = TrainSettings {
            batch_size: Some(batch),
            seed: sweep.seed(i),
            learning_rate: factors.lr.unwrap_or(sweep.train.learning_rate),
            ..sweep.train.clone()
        };
        let trained = train_to_target(
            &subject,
            data,
            &settings,
            sweep.target,
            settings.seed,
            device,
            host,
            &mut clock,
        )
        .await;
        let TrainedToTarget { model, epochs } = match trained {
            Ok(m) => m,
            Err(Halt::Stopped { epoch }) => return stopped(host, epoch, &clock),
            Err(Halt::Failed(e)) => return fail(host, format!("{label}: {e}")),
        };
        clock.start();
        let evaluator = match Evaluator::new(&subject, data, sweep.eval_size, device) {
            Ok(e) => e,
            Err(e) => return fail(host, e),
        };
        let eval = evaluator
            .evaluate(std::slice::from_ref(&model), device, host, &mut clock)
            .await;
        let eval = match eval {
            Ok(Some(e)) => e[0],
            Ok(None) => return stopped(host, sweep.train.epochs, &clock),
            Err(e) => return fail(host, e),
        };
        let measured = match measure
            .measure(i, &model, data, device, host, &mut clock)
            .await
        {
            Ok(Some(m)) => m,
            Ok(None) => return stopped(host, sweep.train.epochs, &clock),
            Err(e) => return fail(host, format!("{label}: {e}")),
        };
        clock.stop();
        let steps_per_epoch = BatchPlan::new(train_len(data), Some(batch), 0).batches_per_epoch();
        emit_result(
            host,
            i,
            label,
            [("batch", batch as f64)]
                .into_iter()
                .chain(eval.values())
                .chain(target_values(
                    sweep.target,
                    epochs,
                    steps_per_epoch,
                    eval.train_loss,
                    sweep.settled(epochs),
                ))
                .chain(measured)
                .chain(described)
                .chain(sweep.seeds.values(i)),
        );
    }
    host.emit(Event::Done {
        epoch: sweep.train.epochs,
        elapsed_ms: clock.elapsed_ms(),
    });
    Outcome::Done
}
