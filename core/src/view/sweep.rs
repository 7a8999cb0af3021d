//! What the optimisation experiments add to a run's view: a sweep's units, snapshots and their
//! projections (E3), per-iteration metrics (E4), critical points (E5), the loss surface (E6).

use std::collections::BTreeMap;

use super::grid::HeatmapGrid;
use crate::engine::seeds::pool;
use crate::events::CriticalPoint;
use crate::experiments::gradnorm::FullBatchNorms;

/// One collected set of weights (E3), with the loss and accuracy there.
#[derive(Clone, Debug, PartialEq)]
pub struct SnapshotPoint {
    pub run: usize,
    pub epoch: usize,
    pub loss: f64,
    pub accuracy: Option<f64>,
}

/// The 2-D PCA coordinates of every snapshot in one space, and the variance each axis explains.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Projection {
    pub points: Vec<[f64; 2]>,
    pub explained: [f64; 2],
}

/// The loss surface so far (E6): rows arrive one by one.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SurfaceView {
    /// The losses so far (`None` until computed).
    pub grid: HeatmapGrid,
    pub directions: String,
    pub path: Vec<[f64; 2]>,
    pub rows_done: usize,
}

impl SurfaceView {
    pub fn new(xs: Vec<f64>, ys: Vec<f64>, directions: String, path: Vec<[f64; 2]>) -> Self {
        Self {
            grid: HeatmapGrid::empty(xs, ys),
            directions,
            path,
            rows_done: 0,
        }
    }

    pub fn set_row(&mut self, row: usize, losses: &[f64]) {
        if row < self.grid.ys.len() {
            for (col, &loss) in losses.iter().enumerate().take(self.grid.xs.len()) {
                self.grid.set(col, row, loss);
            }
            self.rows_done += 1;
        }
    }

    /// The loss at the grid's centre: the trained model (odd grids have their middle at 0).
    pub fn center(&self) -> Option<f64> {
        let (w, h) = (self.grid.xs.len(), self.grid.ys.len());
        self.grid.values.get((h / 2) * w + w / 2).copied().flatten()
    }

    pub fn range(&self) -> Option<(f64, f64)> {
        let mut it = self.grid.values.iter().flatten().copied();
        let first = it.by_ref().find(|v| v.is_finite())?;
        Some(
            it.filter(|v| v.is_finite())
                .fold((first, first), |(lo, hi), v| (lo.min(v), hi.max(v))),
        )
    }
}

/// One result of a sweep (a model, a batch size, an interpolation point): named values.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepResult {
    pub index: usize,
    pub label: String,
    pub values: BTreeMap<String, f64>,
}

impl SweepResult {
    pub fn get(&self, key: &str) -> f64 {
        self.values.get(key).copied().unwrap_or(f64::NAN)
    }
}

/// The Hessian's eigenvalue spectral density of result `index`'s model (E10).
#[derive(Clone, Debug, PartialEq)]
pub struct DensityView {
    pub index: usize,
    /// (eigenvalue, density) on a uniform grid.
    pub points: Vec<(f64, f64)>,
}

/// Everything the optimisation experiments fold from their events.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SweepView {
    /// The current unit of a sweep: (index, count, label).
    pub unit: Option<(usize, usize, String)>,
    pub snapshots: Vec<SnapshotPoint>,
    pub projections: BTreeMap<String, Projection>,
    /// A mini-batch run's full-batch gradient norms (E4).
    pub full_batch: Option<FullBatchNorms>,
    /// Per iteration (from 0): (loss, gradient norm).
    pub iterations: Vec<(f64, f64)>,
    pub critical_points: Vec<CriticalPoint>,
    pub surface: Option<SurfaceView>,
    /// Loss along the line from the initial to the final weights: (α, loss).
    pub line: Vec<(f64, f64)>,
    /// A sweep's results, in index order.
    pub results: Vec<SweepResult>,
    /// E10's Hessian spectral densities, one per result (in result order).
    pub densities: Vec<DensityView>,
}

impl SweepView {
    /// Add a result, keeping index order whatever order results arrive in.
    pub fn add_result(&mut self, result: SweepResult) {
        let at = self.results.partition_point(|r| r.index < result.index);
        self.results.insert(at, result);
    }

    /// Add a critical point, keeping (run, protocol) order whatever order runs finish in.
    pub fn add_critical_point(&mut self, point: CriticalPoint) {
        let key = |p: &CriticalPoint| (p.run, p.protocol);
        let at = self
            .critical_points
            .partition_point(|p| key(p) < key(&point));
        self.critical_points.insert(at, point);
    }

    /// Add a spectral density, keeping result order.
    pub fn add_density(&mut self, density: DensityView) {
        let at = self.densities.partition_point(|d| d.index < density.index);
        self.densities.insert(at, density);
    }

    /// The results pooled over their seeds (`seeds=k`): one per point, each key its mean with
    /// `<key>_std` and `seeds` beside it (see `engine::seeds`); the results as they are where
    /// the run has one seed.
    pub fn pooled(&self) -> Vec<SweepResult> {
        pool(self.results.iter().map(|r| (r.index, &r.values)))
            .into_iter()
            .map(|p| SweepResult {
                index: p.index,
                label: self
                    .results
                    .iter()
                    .find(|r| r.index == p.index)
                    .map_or_else(String::new, |r| r.label.clone()),
                values: p.values,
            })
            .collect()
    }

    /// `(x, y)` of every result, from two of its named values.
    pub fn result_points(&self, x: &str, y: &str) -> Vec<(f64, f64)> {
        self.results.iter().map(|r| (r.get(x), r.get(y))).collect()
    }

    /// The last snapshot after training began of every run, in run order.
    pub fn final_snapshots(&self) -> Vec<&SnapshotPoint> {
        let mut last: BTreeMap<usize, &SnapshotPoint> = BTreeMap::new();
        for s in self.snapshots.iter().filter(|s| s.epoch > 0) {
            last.insert(s.run, s);
        }
        last.into_values().collect()
    }
}
