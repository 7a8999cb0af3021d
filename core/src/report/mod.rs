//! The homework's report, produced by the playground: its sections in order (one per
//! experiment, each with its question, its quick and full presets and the reference result of
//! the spec) and the finding each section's data supports ([`findings`]; those of the
//! experiments that compare minima, E9a, E9b and E10, in [`flatness`]).

mod finding;
mod findings;
pub mod flatness;
mod optimization;
pub mod stats;

pub use finding::Finding;
pub use findings::finding;

use crate::job::Job;

/// One section of the report: an experiment and the question it answers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Section {
    /// The experiment's URL id (`exp=`), also the section's `data-section`.
    pub id: &'static str,
    /// "E1", "E9a"…
    pub label: &'static str,
    pub title: &'static str,
    /// The question, in one sentence.
    pub question: &'static str,
    /// What the reference (the spec, or the paper the experiment reproduces) found; the
    /// finding says whether the data agrees.
    pub reference: &'static str,
    /// The query of the quick preset: the whole report in minutes on a 2-core CPU.
    pub quick: &'static str,
    /// The query at the homework's scale.
    pub full: &'static str,
    /// About how long the quick preset takes on the CPU backend of a 2-core machine, in
    /// seconds (measured by `bench/report.mjs`): the weight of the section in the report's
    /// progress bar and its ETA.
    pub seconds: u32,
}

/// Which presets the report runs: the quick ones (minutes on a CPU) or the homework's scale.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Quick,
    Full,
}

impl Mode {
    /// As the report's URL (`mode=`) and `mlds report --mode` write it.
    pub fn id(self) -> &'static str {
        match self {
            Mode::Quick => "quick",
            Mode::Full => "full",
        }
    }

    /// The mode an id names.
    pub fn parse(id: &str) -> Option<Mode> {
        [Mode::Quick, Mode::Full].into_iter().find(|m| m.id() == id)
    }

    /// The query section `s` runs in this mode.
    pub fn query(self, s: &Section) -> &'static str {
        match self {
            Mode::Quick => s.quick,
            Mode::Full => s.full,
        }
    }

    /// The index of the section whose query in this mode is `query`, compared as the job
    /// writes them (every parameter, in its order): a run file's query is the job's own.
    pub fn section_of(self, query: &str) -> Option<usize> {
        let normal = |q: &str| Job::parse(q).ok().map(|(job, _)| job.query());
        let query = normal(query)?;
        SECTIONS
            .iter()
            .position(|s| normal(self.query(s)).as_deref() == Some(query.as_str()))
    }
}

/// The report's three parts, each with its sections.
pub fn parts() -> [(&'static str, &'static [Section]); 3] {
    [
        ("Part 1 — Deep vs shallow", &SECTIONS[0..2]),
        ("Part 2 — Optimization", &SECTIONS[2..6]),
        ("Part 3 — Generalization", &SECTIONS[6..11]),
    ]
}

/// Every section, in the spec's order.
pub const SECTIONS: [Section; 11] = [
    Section {
        id: "fit",
        label: "E1",
        title: "Simulate a function",
        question: "With the same number of parameters, does a deep network fit a non-linear function better than a shallow one?",
        reference: "the deeper models end far below the one-hidden-layer model (over 3 seeds in the full report: on the means and in ≥ 80 % of the seeds)",
        quick: "exp=fit&fn=sinc5&epochs=2000",
        full: "exp=fit&fn=sinc5&epochs=20000&seeds=3",
        seconds: 8,
    },
    Section {
        id: "tasks",
        label: "E2",
        title: "Train on actual tasks",
        question: "On real images, do deeper CNNs of the same size learn better than shallow ones?",
        reference: "deeper CNNs reach higher accuracy at equal parameter count (the spec's reference is on CIFAR-10; compared here on test accuracy)",
        quick: "exp=tasks&dataset=mnist&train_size=2000&epochs=2",
        full: "exp=tasks&dataset=mnist&epochs=5&seeds=3",
        seconds: 6,
    },
    Section {
        id: "trajectory",
        label: "E3",
        title: "Visualize the optimization process",
        question: "Where do the weights go during training, seen through PCA across several runs?",
        reference: "runs leave a common centre in different directions",
        quick: "exp=trajectory&task=images&dataset=mnist",
        full: "exp=trajectory&task=images&dataset=mnist&train_size=all&epochs=45",
        seconds: 3,
    },
    Section {
        id: "gradnorm",
        label: "E4",
        title: "Gradient norm during training",
        question: "How does the gradient norm behave while the loss falls?",
        reference: "fitting a function (full batch), the loss and ‖∇L‖ both fall by orders of magnitude; on a mini-batch classifier the loss falls while the mini-batch norm stays within a small factor, at its noise floor tr(Σ)/B (Deep Learning §8.2.1)",
        quick: "exp=gradnorm&task=function&fn=sinc5",
        full: "exp=gradnorm&task=images&dataset=mnist&train_size=all&epochs=10",
        seconds: 1,
    },
    Section {
        id: "minratio",
        label: "E5",
        title: "What happens when the gradient is almost zero",
        question: "At points where the gradient vanishes, how do the loss and the Hessian's minimal ratio relate?",
        reference: "the homework's recipe: low-loss points have a high minimal ratio (no point above about 0.56), high-loss outliers a low one; Frye et al. 2021: true critical points (‖∇L‖² < 1e-10) are few, most at the constant-mean output's loss, and only they can confirm it",
        quick: "exp=minratio&runs=24&steps=30",
        full: "exp=minratio&runs=200&steps=40",
        seconds: 20,
    },
    Section {
        id: "surface",
        label: "E6",
        title: "Error surface",
        question: "What does the loss look like around a trained model and along the way from its initial weights?",
        reference: "the trained model sits at the bottom of a basin",
        quick: "exp=surface&task=function&fn=sinc5&dirs=pca",
        full: "exp=surface&task=images&dataset=mnist&dirs=pca",
        seconds: 1,
    },
    Section {
        id: "random-labels",
        label: "E7",
        title: "Can a network fit random labels?",
        question: "Can a network memorise randomly permuted labels, and what happens to its test performance?",
        reference: "train loss goes to ~0 while test accuracy stays at chance (~10 %) and test loss rises",
        quick: "exp=random-labels",
        full: "exp=random-labels&train_size=all&epochs=100",
        seconds: 4,
    },
    Section {
        id: "params",
        label: "E8",
        title: "Number of parameters vs generalization",
        question: "As a model family grows from about a thousand to a million parameters, how do train and test performance change?",
        reference: "bigger models fit the training set better and do not generalise worse (over 3 seeds in the full report: in the means and in ≥ 80 % of the seeds)",
        quick: "exp=params",
        full: "exp=params&train_size=all&epochs=20&seeds=3",
        seconds: 10,
    },
    Section {
        id: "interpolate",
        label: "E9a",
        title: "Flatness vs generalization — interpolation",
        question: "Along the line through two minima from the same initial weights (batch 64 and a tenth of the training set, each trained until its training loss reaches 1e-3 or stops improving), which is flatter, and does it generalise better?",
        reference: "the flatter minimum (smaller rise in training loss at ±0.125 in α) has the lower test error (Keskar et al. 2017: the small-batch one, its rise 100–1000× smaller on the authors' figures); over 5 seeds in the full report, on the means and in ≥ 80 % of the seeds",
        quick: "exp=interpolate&train_size=2000&batch2=200",
        full: "exp=interpolate&points=49&seeds=5",
        seconds: 40,
    },
    Section {
        id: "sensitivity",
        label: "E9b",
        title: "Flatness vs generalization — sensitivity",
        question: "Among models trained to the same training loss that differ in batch size, width, learning rate and label noise, does sensitivity to the input track the generalisation gap?",
        reference: "sensitivity grows with the generalisation gap, test − train loss (Novak et al. 2018, over thousands of models varying many factors): Spearman's ρ over the models that reached the target, significant at one-sided p < 0.01, over several factors (the full report's 24 models; batch sizes alone describe, they do not test it)",
        quick: "exp=sensitivity",
        full: "exp=sensitivity&sweep=factors",
        seconds: 10,
    },
    Section {
        id: "sharpness",
        label: "E10",
        title: "Other generalization metrics",
        question: "Trained to the same training loss, do larger batches find sharper minima?",
        reference: "sharpness grows with the batch size (Keskar et al. 2017: 1.23 at batch 256 vs 205 at 10 % of the set, ε = 1e-3, ×100): rank correlation ≥ 0.9 over ≥ 5 batch sizes that reached the target, and ≥ 10× from the smallest to the largest; in the full report every batch size trains as Keskar's (and E9a's ends): to cross-entropy 1e-3 or until it stops improving, over 3 seeds, larger in ≥ 80 % of them",
        quick: "exp=sharpness",
        full: "exp=sharpness&batches=16,32,64,128,256,512,1024,2048,4096&slq_probes=4&target=0.001&patience=20&epochs=1000&seeds=3",
        seconds: 10,
    },
];

/// The section of experiment `id`.
pub fn section(id: &str) -> Option<&'static Section> {
    SECTIONS.iter().find(|s| s.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::job::{Job, IDS};

    #[test]
    fn every_experiment_has_one_section_in_order() {
        let ids: Vec<_> = SECTIONS.iter().map(|s| s.id).collect();
        assert_eq!(ids, IDS);
        let in_parts: Vec<_> = parts()
            .iter()
            .flat_map(|(_, s)| s.iter().map(|s| s.id))
            .collect();
        assert_eq!(in_parts, IDS);
    }

    #[test]
    fn every_preset_parses_without_notices() {
        for s in SECTIONS {
            for query in [s.quick, s.full] {
                let (job, notices) = Job::parse(query).unwrap();
                assert_eq!(job.id(), s.id, "{query}");
                assert!(notices.is_empty(), "{query}: {notices:?}");
            }
        }
    }
}
