use serde::{Deserialize, Serialize};
use std::f64::consts::PI;

use super::expression::{Expression, ExpressionError};

/// Single-input, single-output functions that E1 fits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetFunction {
    /// `sin(5πx) / (5πx)`, 1 at x = 0.
    #[default]
    Sinc5,
    /// `sign(sin(5πx))`: a square wave, hard for smooth models.
    Sgn5,
    /// `exp(-2x)·cos(6πx)`: a damped oscillation.
    DampedCos,
    /// A triangle wave of period 0.4 between -1 and 1.
    Triangle,
}

impl TargetFunction {
    pub const ALL: [TargetFunction; 4] = [Self::Sinc5, Self::Sgn5, Self::DampedCos, Self::Triangle];

    pub fn id(self) -> &'static str {
        match self {
            Self::Sinc5 => "sinc5",
            Self::Sgn5 => "sgn5",
            Self::DampedCos => "damped_cos",
            Self::Triangle => "triangle",
        }
    }

    pub fn formula(self) -> &'static str {
        match self {
            Self::Sinc5 => "sin(5πx) / (5πx)",
            Self::Sgn5 => "sign(sin(5πx))",
            Self::DampedCos => "exp(−2x)·cos(6πx)",
            Self::Triangle => "triangle wave, period 0.4",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.id() == s)
    }

    pub fn eval(self, x: f64) -> f64 {
        match self {
            Self::Sinc5 => {
                let t = 5.0 * PI * x;
                if t.abs() < 1e-12 {
                    1.0
                } else {
                    t.sin() / t
                }
            }
            // sign(0) = 0, as numpy's sign: the wave's zeros stay zeros.
            Self::Sgn5 => {
                let s = (5.0 * PI * x).sin();
                if s.abs() < 1e-12 {
                    0.0
                } else {
                    s.signum()
                }
            }
            Self::DampedCos => (-2.0 * x).exp() * (6.0 * PI * x).cos(),
            Self::Triangle => {
                let phase = (x / 0.4).rem_euclid(1.0);
                4.0 * (phase - 0.5).abs() - 1.0
            }
        }
    }
}

/// What a function task fits: a named function or one the user typed (`fn=expr:…`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Function {
    Named(TargetFunction),
    Typed(Expression),
}

impl Default for Function {
    fn default() -> Self {
        Self::Named(TargetFunction::default())
    }
}

impl From<TargetFunction> for Function {
    fn from(f: TargetFunction) -> Self {
        Self::Named(f)
    }
}

impl Function {
    /// `fn=expr:sin(3*x)`: the prefix of a typed function in the URL.
    pub const TYPED_PREFIX: &'static str = "expr:";

    /// The URL value: a named function's id or `expr:` and the expression.
    pub fn id(&self) -> String {
        match self {
            Self::Named(f) => f.id().into(),
            Self::Typed(e) => format!("{}{}", Self::TYPED_PREFIX, e.source()),
        }
    }

    pub fn formula(&self) -> String {
        match self {
            Self::Named(f) => f.formula().into(),
            Self::Typed(e) => e.source().into(),
        }
    }

    /// The named function of that id, or the expression after `expr:`; `None` for anything
    /// else, the expression's error for a malformed one.
    pub fn parse(s: &str) -> Option<Result<Self, ExpressionError>> {
        match s.strip_prefix(Self::TYPED_PREFIX) {
            Some(source) => Some(Expression::parse(source).map(Self::Typed)),
            None => TargetFunction::parse(s).map(|f| Ok(Self::Named(f))),
        }
    }

    /// The value at `x`; a typed function is NaN where it has none (a task checks its grid).
    pub fn eval(&self, x: f64) -> f64 {
        match self {
            Self::Named(f) => f.eval(x),
            Self::Typed(e) => e.eval(x),
        }
    }

    /// Every point of `xs` has a finite value (named functions always do).
    pub fn check_on(&self, xs: &[f64]) -> Result<(), ExpressionError> {
        match self {
            Self::Named(_) => Ok(()),
            Self::Typed(e) => e.check_on(xs),
        }
    }
}

/// `n` evenly spaced points from `lo` to `hi`, both included.
pub fn linspace(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    match n {
        0 => vec![],
        1 => vec![lo],
        _ => (0..n)
            .map(|i| lo + (hi - lo) * i as f64 / (n - 1) as f64)
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn sinc5_is_one_at_zero_and_zero_at_multiples_of_a_fifth() {
        assert_eq!(TargetFunction::Sinc5.eval(0.0), 1.0);
        for k in 1..=5 {
            assert!(close(TargetFunction::Sinc5.eval(k as f64 / 5.0), 0.0));
        }
        // sin(π/2) / (π/2) at x = 0.1
        assert!(close(TargetFunction::Sinc5.eval(0.1), 2.0 / PI));
    }

    #[test]
    fn sgn5_is_a_square_wave() {
        let f = TargetFunction::Sgn5;
        assert_eq!(f.eval(0.1), 1.0);
        assert_eq!(f.eval(0.3), -1.0);
        assert_eq!(f.eval(0.5), 1.0);
        assert_eq!(f.eval(0.0), 0.0);
    }

    #[test]
    fn the_other_functions_have_their_known_values() {
        assert!(close(TargetFunction::DampedCos.eval(0.0), 1.0));
        assert!(close(
            TargetFunction::DampedCos.eval(0.5),
            (-1.0f64).exp() * (3.0 * PI).cos()
        ));
        assert!(close(TargetFunction::Triangle.eval(0.0), 1.0));
        assert!(close(TargetFunction::Triangle.eval(0.2), -1.0));
        assert!(close(TargetFunction::Triangle.eval(0.4), 1.0));
        assert!(close(TargetFunction::Triangle.eval(0.1), 0.0));
    }

    #[test]
    fn ids_round_trip() {
        for f in TargetFunction::ALL {
            assert_eq!(TargetFunction::parse(f.id()), Some(f));
        }
        assert_eq!(TargetFunction::parse("sinc"), None);
    }

    #[test]
    fn functions_parse_from_their_url_values() {
        let named = Function::parse("sgn5").unwrap().unwrap();
        assert_eq!(named, Function::Named(TargetFunction::Sgn5));
        assert_eq!(named.id(), "sgn5");
        let typed = Function::parse("expr:sin(3*x)*exp(-x*x)").unwrap().unwrap();
        assert_eq!(typed.id(), "expr:sin(3*x)*exp(-x*x)");
        assert_eq!(typed.formula(), "sin(3*x)*exp(-x*x)");
        assert!(close(typed.eval(0.5), 1.5f64.sin() * (-0.25f64).exp()));
        assert!(Function::parse("expr:sin(").unwrap().is_err());
        assert!(Function::parse("sinc").is_none());
        assert!(named.check_on(&[0.0]).is_ok());
    }

    #[test]
    fn linspace_includes_both_ends() {
        assert_eq!(linspace(0.0, 1.0, 5), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
        assert_eq!(linspace(2.0, 3.0, 1), vec![2.0]);
        assert!(linspace(0.0, 1.0, 0).is_empty());
    }
}
