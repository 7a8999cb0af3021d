//! What a run may hold in memory: a config's estimated peak ([`Footprint`]) against what its
//! host can give ([`Budget`]: a browser tab, or `mlds`).
//!
//! A link is shared and `autorun=1` starts it on open, so a value that is within its own range
//! can still ask for more than a tab holds (23 hidden layers of 4096 are ~390 M parameters).
//! Every config reads through [`FromParams::from_params_within_budget`], which checks the
//! estimate when the query is parsed and, over the budget, falls back to the experiment's
//! default sizes with a notice that says what was asked, the budget and what is used instead.
//!
//! [`FromParams::from_params_within_budget`]: crate::engine::FromParams::from_params_within_budget

use std::fmt;

/// Bytes a host lets one run's training state grow to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    pub bytes: u64,
    /// Who holds the run, for notices: "a browser tab".
    pub holder: &'static str,
}

impl Budget {
    /// A tab: a wasm32 instance addresses at most 4 GiB, and a worker pool holds several
    /// runs at once, so one run's training state stays at 1 GiB.
    pub const TAB: Budget = Budget {
        bytes: 1 << 30,
        holder: "a browser tab",
    };
    /// `mlds` on a workstation or a cluster node.
    pub const NATIVE: Budget = Budget {
        bytes: 16 << 30,
        holder: "mlds",
    };

    pub fn admits(&self, footprint: &Footprint) -> bool {
        footprint.bytes <= self.bytes
    }
}

impl fmt::Display for Budget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}'s budget of {}", self.holder, Bytes(self.bytes))
    }
}

/// A run's estimated peak: the parameters of the models it holds at once, and the bytes of
/// their training state (weights, gradients and Adam's two moments; a batch's activations,
/// kept for the backward pass and their gradients; what the experiment keeps besides).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Footprint {
    pub parameters: u64,
    pub bytes: u64,
}

/// f32 weights, gradients and Adam's first and second moments.
const BYTES_PER_PARAMETER: u64 = 4 * 4;
/// An f32 activation kept for the backward pass, and its gradient.
const BYTES_PER_ACTIVATION: u64 = 4 * 2;

impl Footprint {
    /// Training one model of `parameters` whose forward pass keeps `activations` numbers per
    /// example, on batches of `batch` examples.
    pub fn training(parameters: usize, activations: usize, batch: usize) -> Self {
        let (p, a, b) = (parameters as u64, activations as u64, batch as u64);
        Self {
            parameters: p,
            bytes: p
                .saturating_mul(BYTES_PER_PARAMETER)
                .saturating_add(a.saturating_mul(b).saturating_mul(BYTES_PER_ACTIVATION)),
        }
    }

    /// Memory besides the models' (snapshots, a Hessian, Lanczos vectors).
    pub fn extra(bytes: u64) -> Self {
        Self {
            parameters: 0,
            bytes,
        }
    }

    /// Both held at once.
    pub fn plus(self, other: Footprint) -> Self {
        Self {
            parameters: self.parameters.saturating_add(other.parameters),
            bytes: self.bytes.saturating_add(other.bytes),
        }
    }

    /// One or the other at a time (a sweep's units), whichever is larger.
    pub fn max(self, other: Footprint) -> Self {
        Self {
            parameters: self.parameters.max(other.parameters),
            bytes: self.bytes.max(other.bytes),
        }
    }

    /// All of them at once.
    pub fn sum(items: impl IntoIterator<Item = Footprint>) -> Self {
        items.into_iter().fold(Self::default(), Self::plus)
    }

    /// The largest of them (they run one at a time).
    pub fn largest(items: impl IntoIterator<Item = Footprint>) -> Self {
        items.into_iter().fold(Self::default(), Self::max)
    }
}

impl fmt::Display for Footprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = self.parameters as f64;
        let parameters = match p {
            p if p >= 1e9 => format!("{:.1} G", p / 1e9),
            p if p >= 1e6 => format!("{:.1} M", p / 1e6),
            p if p >= 1e4 => format!("{:.0} k", p / 1e3),
            p => format!("{p:.0}"),
        };
        write!(
            f,
            "{parameters} parameters, {} of training state",
            Bytes(self.bytes)
        )
    }
}

/// Bytes in binary units, for people.
struct Bytes(u64);

impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self.0 as f64;
        match b {
            b if b >= (1u64 << 30) as f64 => write!(f, "{:.1} GiB", b / (1u64 << 30) as f64),
            b if b >= (1u64 << 20) as f64 => write!(f, "{:.0} MiB", b / (1u64 << 20) as f64),
            b => write!(f, "{:.0} KiB", (b / 1024.0).ceil()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn training_state_counts_adam_and_the_batch() {
        // 1,000 parameters × 16 B + 10 activations × 32 examples × 8 B.
        let f = Footprint::training(1000, 10, 32);
        assert_eq!(f.parameters, 1000);
        assert_eq!(f.bytes, 16_000 + 2_560);
        let two = Footprint::sum([f, f]);
        assert_eq!((two.parameters, two.bytes), (2000, 2 * f.bytes));
        assert_eq!(Footprint::largest([f, two, f]), two);
    }

    #[test]
    fn huge_asks_saturate_instead_of_overflowing() {
        let f = Footprint::training(usize::MAX, usize::MAX, usize::MAX);
        assert_eq!(f.bytes, u64::MAX);
        assert!(!Budget::NATIVE.admits(&f));
        assert_eq!(f.plus(f).bytes, u64::MAX);
    }

    #[test]
    fn notices_read_in_people_units() {
        let f = Footprint::training(390_000_000, 0, 1);
        assert_eq!(
            f.to_string(),
            "390.0 M parameters, 5.8 GiB of training state"
        );
        assert_eq!(Budget::TAB.to_string(), "a browser tab's budget of 1.0 GiB");
        assert!(Budget::TAB.admits(&Footprint::training(1000, 10, 32)));
        assert!(!Budget::TAB.admits(&f));
    }
}
