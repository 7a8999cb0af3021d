//! E8, "Number of parameters vs generalization": one family of fully connected networks of
//! growing width (784-w-10, about 1k to 1M parameters), each trained the same way; every
//! finished model adds a point of train/test loss and accuracy against its parameter count.
//! With `seeds=k` each width trains once per seed, each seed × width a unit of its own, and a
//! point is the width's mean over its seeds with the spread (`engine::seeds`).

use burn::module::Module;
use burn::tensor::Device;
use serde::{Deserialize, Serialize};

use super::generalization::{emit_result, join_list, number_list, Evaluator};
use super::subject::{
    image_training, subject_params, train_classifier, ImageDefaults, Subject, SubjectData,
};
use crate::budget::Footprint;
use crate::engine::seeds::Seeds;
use crate::engine::units::Units;
use crate::engine::{fail, stopped, FromParams, Outcome};
use crate::events::{Event, Host, ModelInfo};
use crate::params::Params;
use crate::train::{Halt, Stopwatch, TrainSettings};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ParamsConfig {
    /// The task and the family's first member (its `hidden` widths are replaced per model).
    pub subject: Subject,
    pub train: TrainSettings,
    /// Hidden width of each model, in order.
    pub widths: Vec<usize>,
    /// Examples of each set the finished models are evaluated on.
    pub eval_size: usize,
    /// Trainings of each width (`seeds`), a unit each.
    #[serde(default)]
    pub seeds: Seeds,
    /// The seed × width units this run trains (all, or one: a worker's unit).
    #[serde(default)]
    pub units: Units,
}

/// 1 … 1024 hidden units: 805 to 814,090 parameters on MNIST, 11 models.
pub const DEFAULT_WIDTHS: [usize; 11] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

const SUBJECT: ImageDefaults = ImageDefaults {
    convs: &[],
    hidden: &[1],
    train_size: Some(4000),
};

impl FromParams for ParamsConfig {
    const SIZE_KEYS: &'static [&'static str] =
        &["shape", "convs", "hidden", "samples", "batch", "widths"];

    /// One width trains at a time.
    fn footprint(&self) -> Footprint {
        Footprint::largest(
            self.widths
                .iter()
                .map(|&w| self.member(w).footprint(self.train.batch_size)),
        )
    }

    fn from_params(p: &mut Params) -> Self {
        let mut subject = Subject::images_from_params(p, &SUBJECT);
        // The hidden width is the sweep's own (`widths`): a link's `hidden` does not stick.
        if let Subject::Images { model, .. } = &mut subject {
            model.hidden = SUBJECT.hidden.to_vec();
        }
        let train = TrainSettings::from_params(p, &image_training(8));
        let widths = number_list(p, "widths", &DEFAULT_WIDTHS, 1..=2048, 2);
        let seeds = Seeds::from_params(p);
        Self {
            subject,
            train,
            units: Units::from_params(p, seeds.units(widths.len())),
            seeds,
            widths,
            eval_size: p.number("eval_size", 2000, 10..=60_000),
        }
    }

    fn to_params(&self) -> Vec<(&'static str, String)> {
        let mut pairs = subject_params(&self.subject, &self.train);
        pairs.retain(|(k, _)| !matches!(*k, "task" | "hidden"));
        pairs.extend([
            ("widths", join_list(&self.widths)),
            ("eval_size", self.eval_size.to_string()),
        ]);
        pairs.extend(self.seeds.to_params());
        pairs.extend(self.units.to_params());
        pairs
    }
}

impl ParamsConfig {
    /// The family's model of hidden width `w`.
    pub fn member(&self, w: usize) -> Subject {
        match &self.subject {
            Subject::Images { task, model } => Subject::Images {
                task: task.clone(),
                model: crate::models::ClassifierConfig {
                    hidden: vec![w],
                    ..model.clone()
                },
            },
            other => other.clone(),
        }
    }
}

/// Run E8 on `device` (plain, not autodiff) with `images`: the models (each width × seed)
/// one after another.
async fn run<H: Host>(
    config: &ParamsConfig,
    data: SubjectData,
    device: &Device,
    host: &mut H,
) -> Outcome {
    let members: Vec<Subject> = config.widths.iter().map(|&w| config.member(w)).collect();
    let infos: Vec<ModelInfo> = members
        .iter()
        .zip(&config.widths)
        .map(|(s, w)| s.model_info(format!("width {w}")))
        .collect();
    host.emit(Event::Started {
        models: vec![infos[0].clone()],
        total_epochs: config.train.epochs,
    });
    let mut clock = Stopwatch::default();
    let (seeds, count) = (config.seeds, config.seeds.units(members.len()));
    for unit in (0..count).filter(|&u| config.units.includes(u)) {
        let (i, seed_index) = seeds.of(unit);
        let (member, info) = (&members[i], &infos[i]);
        let of_seed = match seeds.0 {
            1 => String::new(),
            k => format!(", seed {} of {k}", seed_index + 1),
        };
        host.emit(Event::Unit {
            index: unit,
            count,
            label: format!(
                "model {} of {}: {} ({} parameters){of_seed}",
                i + 1,
                members.len(),
                info.shape,
                info.params
            ),
        });
        let trained = train_classifier(
            member,
            &data,
            &config.train,
            seeds.seed(config.train.seed, unit),
            device,
            host,
            &mut clock,
        )
        .await;
        let model = match trained {
            Ok(m) => m,
            Err(Halt::Stopped { epoch }) => return stopped(host, epoch, &clock),
            Err(Halt::Failed(e)) => return fail(host, format!("{}: {e}", info.name)),
        };
        clock.start();
        let params = model.num_params();
        // Each width is its own architecture (its own cut of the work): its own evaluator.
        let eval = match Evaluator::new(member, &data, config.eval_size, device) {
            Ok(evaluator) => evaluator.evaluate(&[model], device, host, &mut clock).await,
            Err(e) => Err(e),
        };
        clock.stop();
        match eval {
            Ok(Some(e)) => emit_result(
                host,
                unit,
                info.name.clone(),
                [
                    ("params", params as f64),
                    ("width", config.widths[i] as f64),
                ]
                .into_iter()
                .chain(e[0].values())
                .chain(seeds.values(unit)),
            ),
            Ok(None) => return stopped(host, config.train.epochs, &clock),
            Err(e) => return fail(host, e),
        }
    }
    host.emit(Event::Done {
        epoch: config.train.epochs,
        elapsed_ms: clock.elapsed_ms(),
    });
    Outcome::Done
}

// The widest models first: they cost the most.
super::subject::subject_experiment!(ParamsConfig, "params", subject, train, {
    fn units(&self) -> (usize, Units) {
        (self.seeds.units(self.widths.len()), self.units)
    }

    fn pick(&mut self, units: Units) {
        self.units = units;
    }

    fn schedule(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.seeds.units(self.widths.len())).collect();
        order.sort_by_key(|&u| std::cmp::Reverse(self.widths[self.seeds.of(u).0]));
        order
    }
});
