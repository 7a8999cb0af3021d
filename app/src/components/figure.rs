//! A figure of `mlds_figures` on the page: drawn on a canvas, with its caption and downloads.

use mlds_figures::Figure;
use yew::prelude::*;

use super::export::use_chart_figure;
use super::ScatterChart;

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

/// An experiment's figures side by side (`div.charts`), each keyed by its id: a list that
/// grows (E10's densities, one per model) keeps every chart's canvas and state where they were
/// (an unkeyed list is matched from its end, which would hand one chart's canvas to another).
pub fn figures_html(figures: Vec<Figure>) -> Html {
    html! {
        <div class="charts">
            { for figures.into_iter().map(|figure| {
                let key = figure.id().to_string();
                html! { <FigureView {key} {figure} /> }
            }) }
        </div>
    }
}
