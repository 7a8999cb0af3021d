//! A figure of `mlds_figures` on the page: drawn on a canvas, with its caption and downloads.

use mlds_figures::Figure;
use yew::prelude::*;

use super::export::use_chart_figure;
use super::ScatterChart;
use crate::runs::Comparison;

#[derive(Properties, PartialEq, Clone)]
pub struct FigureViewProps {
    pub figure: Figure,
    /// A scatter's click on a dot: (series index, point index).
    #[prop_or_default]
    pub on_pick: Option<Callback<(usize, usize)>>,
}

/// One figure: a scatter with its picking, any other chart as drawn.
#[function_component]
pub fn FigureView(props: &FigureViewProps) -> Html {
    match &props.figure {
        Figure::Scatter(chart) => html! {
            <ScatterChart chart={chart.clone()} on_click={props.on_pick.clone()} />
        },
        figure => html! { <DrawnFigure figure={figure.clone()} /> },
    }
}

#[derive(Properties, PartialEq, Clone)]
struct DrawnFigureProps {
    figure: Figure,
}

#[function_component]
fn DrawnFigure(props: &DrawnFigureProps) -> Html {
    use_chart_figure(&props.figure)
}

/// An experiment's figures side by side (`div.charts`), with the runs ticked in the panel's
/// Runs list drawn over them.
pub fn figures_html(figures: Vec<Figure>) -> Html {
    html! { <Figures {figures} /> }
}

/// The runs compared with the one on show, from the panel's frame (none outside a panel).
#[hook]
pub fn use_compared() -> Comparison {
    use_context::<Comparison>().unwrap_or_default()
}

#[derive(Properties, PartialEq)]
pub struct FiguresProps {
    pub figures: Vec<Figure>,
    /// A click on a scatter's dot: (series index, point index). A compared run's series come
    /// after the run's own, so an index past them picks nothing of this run.
    #[prop_or_default]
    pub on_pick: Option<Callback<(usize, usize)>>,
}

/// Each figure keyed by its id: a list that grows (E10's densities, one per model) keeps every
/// chart's canvas and state where they were (an unkeyed list is matched from its end, which
/// would hand one chart's canvas to another).
#[function_component]
pub fn Figures(props: &FiguresProps) -> Html {
    let compared = use_compared();
    html! {
        <div class="charts">
            { for compared.overlay(props.figures.clone()).into_iter().map(|figure| {
                let key = figure.id().to_string();
                let on_pick = matches!(figure, Figure::Scatter(_)).then(|| props.on_pick.clone()).flatten();
                html! { <FigureView {key} {figure} {on_pick} /> }
            }) }
        </div>
    }
}
