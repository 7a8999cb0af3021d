//! A function the user types (`fn=expr:sin(3*x)*exp(-x*x)`), parsed by `evalexpr` and
//! evaluated on the task's grid.
//!
//! Only the variable `x`, the constants `pi` and `e`, the operators + − * / ^ and the functions
//! below are known: evalexpr's own built-ins (strings, `math::…`) are turned off, so an
//! expression means what a maths textbook would read into it. Integer literals are read as
//! reals (`1/2` is 0.5, not evalexpr's integer division).

use std::fmt;

use evalexpr::error::EvalexprResultValue;
use evalexpr::{
    build_operator_tree, Context, DefaultNumericTypes, EvalexprError, EvalexprResult, Node,
    Operator, Value,
};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The functions an expression may call, as the page lists them.
pub const FUNCTIONS: [&str; 12] = [
    "sin", "cos", "tan", "exp", "log", "sqrt", "abs", "sign", "tanh", "min", "max", "pow",
];

/// Why a typed function was refused, in words for the place it was typed.
#[derive(Clone, Debug, PartialEq)]
pub enum ExpressionError {
    Empty,
    TooLong {
        chars: usize,
    },
    Malformed(String),
    /// Evaluating failed at `x` (an unknown name, a function given the wrong arguments).
    Failed {
        x: f64,
        why: String,
    },
    /// The value at `x` is NaN or infinite.
    NotFinite {
        x: f64,
    },
}

impl fmt::Display for ExpressionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => write!(f, "the expression is empty"),
            Self::TooLong { chars } => write!(
                f,
                "the expression has {chars} characters; at most {} are allowed",
                Expression::MAX_CHARS
            ),
            Self::Malformed(why) => write!(f, "the expression cannot be read: {why}"),
            Self::Failed { x, why } => write!(f, "the expression fails at x = {x}: {why}"),
            Self::NotFinite { x } => {
                write!(f, "the expression is not a finite number at x = {x}")
            }
        }
    }
}

impl std::error::Error for ExpressionError {}

/// A parsed expression in `x`, kept with the text it was typed as.
#[derive(Clone)]
pub struct Expression {
    source: String,
    tree: Node<DefaultNumericTypes>,
}

impl Expression {
    /// The longest expression accepted, in characters (a URL stays readable, parsing cheap).
    pub const MAX_CHARS: usize = 200;

    pub fn parse(source: &str) -> Result<Self, ExpressionError> {
        let source = source.trim();
        let chars = source.chars().count();
        if chars == 0 {
            return Err(ExpressionError::Empty);
        }
        if chars > Self::MAX_CHARS {
            return Err(ExpressionError::TooLong { chars });
        }
        let mut tree = build_operator_tree::<DefaultNumericTypes>(source)
            .map_err(|e| ExpressionError::Malformed(e.to_string()))?;
        reals_for_integers(&mut tree);
        let expression = Self {
            source: source.to_owned(),
            tree,
        };
        // One evaluation away from any grid catches what the grammar lets through but the
        // maths cannot mean (`x = 1`, `"a"`, an unknown name), whatever the grid.
        match expression.try_eval(0.5) {
            Err(ExpressionError::Failed { why, .. }) => Err(ExpressionError::Malformed(why)),
            _ => Ok(expression),
        }
    }

    /// The text as typed (trimmed).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The value at `x`, or why there is none.
    pub fn try_eval(&self, x: f64) -> Result<f64, ExpressionError> {
        let value = self
            .tree
            .eval_number_with_context(&At::new(x))
            .map_err(|e| ExpressionError::Failed {
                x,
                why: e.to_string(),
            })?;
        match value.is_finite() {
            true => Ok(value),
            false => Err(ExpressionError::NotFinite { x }),
        }
    }

    /// The value at `x`; NaN where there is none (callers check their grid first).
    pub fn eval(&self, x: f64) -> f64 {
        self.try_eval(x).unwrap_or(f64::NAN)
    }

    /// Every point of `xs` has a finite value, or the first that has not.
    pub fn check_on(&self, xs: &[f64]) -> Result<(), ExpressionError> {
        xs.iter().try_for_each(|&x| self.try_eval(x).map(|_| ()))
    }
}

impl PartialEq for Expression {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

impl Eq for Expression {}

impl fmt::Debug for Expression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Expression").field(&self.source).finish()
    }
}

impl Serialize for Expression {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.source)
    }
}

impl<'de> Deserialize<'de> for Expression {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let source = String::deserialize(d)?;
        Self::parse(&source).map_err(serde::de::Error::custom)
    }
}

/// evalexpr divides integers as integers; a function of a real `x` means real constants.
fn reals_for_integers(node: &mut Node<DefaultNumericTypes>) {
    if let Operator::Const {
        value: Value::Int(i),
    } = node.operator()
    {
        *node.operator_mut() = Operator::Const {
            value: Value::Float(*i as f64),
        };
    }
    for child in node.children_mut() {
        reals_for_integers(child);
    }
}

/// The context of one evaluation: `x`, `pi`, `e` and the functions in [`FUNCTIONS`].
struct At {
    x: Value<DefaultNumericTypes>,
    pi: Value<DefaultNumericTypes>,
    e: Value<DefaultNumericTypes>,
}

impl At {
    fn new(x: f64) -> Self {
        Self {
            x: Value::Float(x),
            pi: Value::Float(std::f64::consts::PI),
            e: Value::Float(std::f64::consts::E),
        }
    }
}

impl Context for At {
    type NumericTypes = DefaultNumericTypes;

    fn get_value(&self, identifier: &str) -> Option<&Value<DefaultNumericTypes>> {
        match identifier {
            "x" => Some(&self.x),
            "pi" => Some(&self.pi),
            "e" => Some(&self.e),
            _ => None,
        }
    }

    fn call_function(
        &self,
        identifier: &str,
        argument: &Value<DefaultNumericTypes>,
    ) -> EvalexprResultValue<DefaultNumericTypes> {
        let one = |f: fn(f64) -> f64| argument.as_number().map(|a| Value::Float(f(a)));
        let two = |f: fn(f64, f64) -> f64| {
            let args = argument.as_fixed_len_tuple(2)?;
            Ok(Value::Float(f(args[0].as_number()?, args[1].as_number()?)))
        };
        match identifier {
            "sin" => one(f64::sin),
            "cos" => one(f64::cos),
            "tan" => one(f64::tan),
            "exp" => one(f64::exp),
            "log" => one(f64::ln),
            "sqrt" => one(f64::sqrt),
            "abs" => one(f64::abs),
            // sign(0) = 0, as numpy's (and sgn5's).
            "sign" => one(|a| if a == 0.0 { 0.0 } else { a.signum() }),
            "tanh" => one(f64::tanh),
            "min" => two(f64::min),
            "max" => two(f64::max),
            "pow" => two(f64::powf),
            _ => Err(EvalexprError::FunctionIdentifierNotFound(
                identifier.to_owned(),
            )),
        }
    }

    fn are_builtin_functions_disabled(&self) -> bool {
        true
    }

    fn set_builtin_functions_disabled(
        &mut self,
        _disabled: bool,
    ) -> EvalexprResult<(), DefaultNumericTypes> {
        Err(EvalexprError::ContextNotMutable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::{E, PI};

    fn value(source: &str, x: f64) -> f64 {
        Expression::parse(source).unwrap().try_eval(x).unwrap()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn known_values() {
        assert!(close(
            value("sin(3*x)*exp(-x*x)", 0.7),
            (2.1f64).sin() * (-0.49f64).exp()
        ));
        assert!(close(value("x^2 + 2*x + 1", 3.0), 16.0));
        assert!(close(value("-x^2", 3.0), -9.0));
        assert!(close(value("1/2", 0.0), 0.5));
        assert!(close(value("7/2*x", 1.0), 3.5));
        assert!(close(value("cos(pi*x)", 1.0), -1.0));
        assert!(close(value("log(e)", 0.0), 1.0));
        assert!(close(value("sqrt(x) + abs(-x)", 4.0), 6.0));
        assert!(close(
            value("tan(x) - tanh(x)", 0.3),
            0.3f64.tan() - 0.3f64.tanh()
        ));
        assert!(close(value("sign(x - 0.5)", 0.2), -1.0));
        assert!(close(value("sign(x)", 0.0), 0.0));
        assert!(close(value("min(x, 0.3) + max(x, 0.3)", 0.9), 1.2));
        assert!(close(value("pow(2, x)", 3.0), 8.0));
        assert!(close(value("e^x", 2.0), E * E));
        assert!(close(value("2.5e-1 * x", 4.0), 1.0));
        assert!(close(value("  sin(pi * x)  ", 0.5), (PI * 0.5).sin()));
    }

    #[test]
    fn a_malformed_expression_says_so() {
        for bad in ["sin(x", "x +", "2 3", "(", "x * * 2"] {
            match Expression::parse(bad) {
                Err(ExpressionError::Malformed(_)) => {}
                other => panic!("{bad}: {other:?}"),
            }
        }
    }

    #[test]
    fn unknown_names_assignments_and_non_numbers_are_refused() {
        for bad in [
            "y * 2",
            "foo(x)",
            "math::sin(x)",
            "str::len(\"ab\")",
            "x = 1",
            "\"text\"",
            "x > 1",
            "min(x)",
            "(x, x)",
        ] {
            assert!(
                matches!(Expression::parse(bad), Err(ExpressionError::Malformed(_))),
                "{bad} was accepted"
            );
        }
    }

    #[test]
    fn empty_and_over_long_expressions_are_refused() {
        assert_eq!(Expression::parse("  ").err(), Some(ExpressionError::Empty));
        let long = format!("x{}", "+x".repeat(100));
        assert_eq!(
            Expression::parse(&long).err(),
            Some(ExpressionError::TooLong { chars: 201 })
        );
        assert!(Expression::parse(&long[..199]).is_ok());
    }

    #[test]
    fn non_finite_values_on_a_grid_are_found() {
        let e = Expression::parse("1/(x - 0.5)").unwrap();
        assert_eq!(
            e.check_on(&[0.0, 0.25, 0.5, 0.75]),
            Err(ExpressionError::NotFinite { x: 0.5 })
        );
        assert!(e.check_on(&[0.0, 0.25, 0.75]).is_ok());
        let log = Expression::parse("log(x)").unwrap();
        assert!(
            matches!(log.check_on(&[0.0, 1.0]), Err(ExpressionError::NotFinite { x }) if x == 0.0)
        );
        assert!(log.eval(-1.0).is_nan());
    }

    #[test]
    fn serialises_as_its_text_and_refuses_bad_text() {
        let e = Expression::parse("sin(x)").unwrap();
        assert_eq!(serde_json::to_string(&e).unwrap(), "\"sin(x)\"");
        let back: Expression = serde_json::from_str("\"sin(x)\"").unwrap();
        assert_eq!(back, e);
        assert!(serde_json::from_str::<Expression>("\"sin(\"").is_err());
    }
}
