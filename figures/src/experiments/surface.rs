//! E6's figures: the loss on the grid around the trained model (with the trajectory where the
//! plane is its PCA plane), and the loss along the line from the initial to the final weights.

use std::rc::Rc;

use mlds_core::experiments::surface::SurfaceConfig;
use mlds_core::view::RunView;

use crate::charts::{Figure, Heatmap, HeatmapGrid, Line, Series, PALETTE};

/// The loss map's colour scale: log10 of the loss by default (losses span decades, and Li et
/// al. draw log-spaced contours), or linear.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColourScale {
    Log,
    Linear,
}

/// Contour levels on the map.
const LEVELS: usize = 12;

pub fn figures(view: &RunView, config: &SurfaceConfig, scale: ColourScale) -> Vec<Figure> {
    let surface = view.sweep.surface.as_ref();
    let grid = surface.map_or_else(HeatmapGrid::default, |s| s.grid.clone());
    let path = surface.map_or(Vec::new(), |s| {
        s.path.iter().map(|p| (p[0], p[1])).collect()
    });
    let markers = surface.map_or(Vec::new(), |_| vec![(0.0, 0.0, "trained".to_string())]);
    let line = vec![Series {
        name: "θ₀ + α(θ₁ − θ₀)".into(),
        color: PALETTE[0],
        points: view.sweep.line.clone(),
        dashed: false,
    }];
    let loss_name = match config.subject.image_task() {
        Some(_) => "cross-entropy",
        None => "MSE",
    };
    vec![
        Figure::Heatmap(Heatmap {
            id: "surface-map".into(),
            title: format!("Training loss ({loss_name}) around the trained model"),
            x_label: "direction 1".into(),
            y_label: "direction 2".into(),
            grid: Rc::new(grid),
            log_color: scale == ColourScale::Log,
            levels: LEVELS,
            path: Rc::new(path),
            markers: Rc::new(markers),
            caption: None,
        }),
        Figure::Line(Line {
            id: "surface-line".into(),
            title: "Loss from the initial (α = 0) to the final weights (α = 1)".into(),
            x_label: "α".into(),
            y_label: "loss".into(),
            log_y: true,
            series: Rc::new(line),
            caption: None,
        }),
    ]
}
