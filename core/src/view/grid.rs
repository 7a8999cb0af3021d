//! Values on a grid (E6's loss surface), as charts draw them.

/// Values on a grid: `values[row * xs.len() + col]` is the value at `(xs[col], ys[row])`.
/// `xs` and `ys` are evenly spaced (a linspace each), which the contour lines rely on.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HeatmapGrid {
    pub xs: Vec<f64>,
    pub ys: Vec<f64>,
    /// Row-major, `ys.len()` rows × `xs.len()` columns; `None` = not computed yet (drawn blank).
    pub values: Vec<Option<f64>>,
}

impl HeatmapGrid {
    /// A grid with nothing computed yet.
    pub fn empty(xs: Vec<f64>, ys: Vec<f64>) -> Self {
        let values = vec![None; xs.len() * ys.len()];
        HeatmapGrid { xs, ys, values }
    }

    /// Sets the value at (`xs[col]`, `ys[row]`).
    pub fn set(&mut self, col: usize, row: usize, value: f64) {
        assert!(
            col < self.xs.len() && row < self.ys.len(),
            "({col}, {row}) is off the grid"
        );
        self.values[row * self.xs.len() + col] = Some(value);
    }
}
