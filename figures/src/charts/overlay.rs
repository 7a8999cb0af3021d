//! Several runs of one experiment in the same figures: each chart of the run on show gains the
//! compared runs' curves (line charts) or points (scatters), each named by its run; a chart
//! whose axes belong to one run (a heatmap, a PCA projection, stacked spectra, two y axes)
//! (or a scatter that says so, `Scatter::own_axes`) is shown once per compared run, beside. The page and `mlds compare` draw the same.

use std::rc::Rc;

use super::{Figure, Line, Scatter};

/// One compared run: its name in the legends (the settings that differ, "lr 0.01 · opt sgd")
/// and its figures.
#[derive(Clone, Debug, PartialEq)]
pub struct Compared {
    pub label: String,
    pub figures: Vec<Figure>,
}

/// `base` (the run on show, named `base_label`) with `compared` overlaid, figure by figure
/// (matched by id). Every figure's caption names the runs it shows.
pub fn overlay(base: Vec<Figure>, base_label: &str, compared: &[Compared]) -> Vec<Figure> {
    if compared.is_empty() {
        return base;
    }
    let mut out = Vec::with_capacity(base.len());
    for figure in base {
        let id = figure.id().to_owned();
        let others: Vec<(&str, &Figure)> = compared
            .iter()
            .filter_map(|c| Some((c.label.as_str(), c.figures.iter().find(|f| f.id() == id)?)))
            .collect();
        let mut names = vec![base_label];
        let mut apart = Vec::new();
        let overlaid = match figure {
            Figure::Line(line) => {
                let series = joined(&others, &mut names, &mut apart, |f| match f {
                    Figure::Line(o) => Some(o.series.as_slice()),
                    _ => None,
                });
                // Dashed: the compared runs' curves beside this run's solid ones.
                let series = series.map(|(label, mut s)| {
                    (s.name, s.dashed) = (format!("{label} · {}", s.name), true);
                    s
                });
                Figure::Line(Line {
                    series: Rc::new(line.series.iter().cloned().chain(series).collect()),
                    ..line
                })
            }
            Figure::Scatter(scatter) if !scatter.own_axes => {
                let series = joined(&others, &mut names, &mut apart, |f| match f {
                    Figure::Scatter(o) => Some(o.series.as_slice()),
                    _ => None,
                });
                // Rings tell the compared runs' points from this run's dots.
                let series = series.map(|(label, mut s)| {
                    (s.name, s.hollow) = (format!("{label} · {}", s.name), true);
                    s
                });
                Figure::Scatter(Scatter {
                    series: Rc::new(scatter.series.iter().cloned().chain(series).collect()),
                    ..scatter
                })
            }
            other => {
                apart.extend(others.iter().map(|(l, f)| (*l, (*f).clone())));
                other
            }
        };
        let shown = names.join("; ");
        out.push(overlaid.with_runs(&format!("Runs: {shown}.")));
        for (k, (label, figure)) in apart.into_iter().enumerate() {
            let id = format!("{}-compared-{}", figure.id(), k + 1);
            let title = format!("{} ({label})", figure.title());
            out.push(
                figure
                    .renamed(id, title)
                    .with_runs(&format!("Run: {label}.")),
            );
        }
    }
    out
}

/// The compared runs' series of a chart of this kind (`series_of` finds them), each with its
/// run's label; a run whose chart of this id is of another kind goes `apart` (shown beside).
/// `names` gains each run drawn over the chart.
fn joined<'a, S: Clone + 'a>(
    others: &[(&'a str, &'a Figure)],
    names: &mut Vec<&'a str>,
    apart: &mut Vec<(&'a str, Figure)>,
    series_of: impl Fn(&'a Figure) -> Option<&'a [S]>,
) -> impl Iterator<Item = (&'a str, S)> {
    let mut drawn = Vec::new();
    for &(label, other) in others {
        match series_of(other) {
            Some(series) => {
                names.push(label);
                drawn.extend(series.iter().map(|s| (label, s.clone())));
            }
            None => apart.push((label, other.clone())),
        }
    }
    drawn.into_iter()
}

#[cfg(test)]
mod tests {
    use plotters::style::{BLACK, RED};

    use super::*;
    use crate::charts::{Chart, DualAxis, Series};

    fn line(id: &str, names: &[&str]) -> Figure {
        Figure::Line(Line {
            id: id.into(),
            title: "Loss".into(),
            series: Rc::new(
                names
                    .iter()
                    .map(|n| Series {
                        name: (*n).into(),
                        color: BLACK,
                        points: vec![(0.0, 1.0), (1.0, 0.5)],
                        dashed: false,
                    })
                    .collect(),
            ),
            ..Line::default()
        })
    }

    fn heatmap(id: &str) -> Figure {
        Figure::DualAxis(DualAxis {
            id: id.into(),
            title: "Surface".into(),
            ..DualAxis::default()
        })
    }

    #[test]
    fn curves_of_the_same_chart_are_drawn_together_named_by_run() {
        let compared = [
            Compared {
                label: "opt sgd".into(),
                figures: vec![line("loss", &["1-8-1"])],
            },
            Compared {
                label: "lr 0.1".into(),
                figures: vec![line("other", &["x"])],
            },
        ];
        let out = overlay(
            vec![line("loss", &["1-8-1", "1-3-3-1"])],
            "this run",
            &compared,
        );
        assert_eq!(out.len(), 1);
        let Figure::Line(l) = &out[0] else { panic!() };
        let names: Vec<_> = l
            .series
            .iter()
            .map(|s| (s.name.as_str(), s.dashed))
            .collect();
        assert_eq!(
            names,
            [
                ("1-8-1", false),
                ("1-3-3-1", false),
                ("opt sgd · 1-8-1", true)
            ]
        );
        // Only the runs it shows: the second run has no chart of this id.
        assert_eq!(l.caption.as_deref(), Some("Runs: this run; opt sgd."));
        assert!(
            l.csv().contains("opt sgd · 1-8-1"),
            "the CSV carries every run"
        );
    }

    #[test]
    fn charts_that_cannot_overlay_are_shown_side_by_side() {
        let compared = [Compared {
            label: "seed 2".into(),
            figures: vec![heatmap("map")],
        }];
        let out = overlay(vec![heatmap("map")], "this run", &compared);
        let ids: Vec<_> = out.iter().map(|f| f.id().to_owned()).collect();
        assert_eq!(ids, ["map", "map-compared-1"]);
        assert_eq!(out[1].title(), "Surface (seed 2)");
        assert_eq!(out[0].caption(), Some("Runs: this run."));
        assert_eq!(out[1].caption(), Some("Run: seed 2."));
    }

    #[test]
    fn scatters_overlay_their_points_as_rings() {
        let scatter = |id: &str| {
            Figure::Scatter(Scatter {
                id: id.into(),
                series: Rc::new(vec![crate::charts::ScatterSeries {
                    name: "batch".into(),
                    color: RED,
                    points: vec![crate::charts::ScatterPoint::at(1.0, 2.0)],
                    joined: false,
                    hollow: false,
                }]),
                ..Scatter::default()
            })
        };
        let compared = [Compared {
            label: "seeds 3".into(),
            figures: vec![scatter("s")],
        }];
        let out = overlay(vec![scatter("s")], "this run", &compared);
        let Figure::Scatter(s) = &out[0] else {
            panic!()
        };
        assert_eq!(s.series.len(), 2);
        assert!(s.series[1].hollow && s.series[1].name == "seeds 3 · batch");
    }

    #[test]
    fn a_scatter_on_its_own_axes_is_shown_beside() {
        let pca = |id: &str| {
            Figure::Scatter(Scatter {
                id: id.into(),
                own_axes: true,
                ..Scatter::default()
            })
        };
        let compared = [Compared {
            label: "seed 2".into(),
            figures: vec![pca("trajectory-model")],
        }];
        let out = overlay(vec![pca("trajectory-model")], "this run", &compared);
        let ids: Vec<_> = out.iter().map(|f| f.id().to_owned()).collect();
        assert_eq!(ids, ["trajectory-model", "trajectory-model-compared-1"]);
    }

    #[test]
    fn nothing_compared_leaves_the_figures_as_they_are() {
        let base = vec![line("loss", &["a"])];
        assert_eq!(overlay(base.clone(), "this run", &[]), base);
    }
}
