//! The run's models: parameter counts (counted from the built model) and latest metrics.

use yew::prelude::*;

use crate::run_view::RunView;
use mlds_figures::charts::PALETTE;

#[derive(Properties, PartialEq)]
pub struct ModelTableProps {
    pub view: RunView,
}

fn latest(series: &[Vec<(f64, f64)>], i: usize) -> Option<f64> {
    series.get(i).and_then(|s| s.last()).map(|&(_, v)| v)
}

#[function_component]
pub fn ModelTable(props: &ModelTableProps) -> Html {
    let view = &props.view;
    if view.models.is_empty() {
        return html! {};
    }
    // Accuracy columns only for classifiers.
    let classify = view.accuracies.iter().any(|a| !a.is_empty());
    let percent = |v: Option<f64>| v.map(|v| format!("{:.1}%", v * 100.0)).unwrap_or_default();
    html! {
        <table class="models">
            <thead><tr>
                <th>{ "model" }</th><th>{ "architecture" }</th><th>{ "parameters" }</th><th>{ "loss" }</th>
                if classify { <th>{ "train accuracy" }</th><th>{ "test accuracy" }</th> }
            </tr></thead>
            <tbody>
            { for view.models.iter().enumerate().map(|(i, m)| {
                let color = PALETTE[i % PALETTE.len()];
                html! {
                    <tr>
                        <td><span class="swatch" style={format!("background: rgb({},{},{})", color.0, color.1, color.2)}></span>{ &m.name }</td>
                        <td>{ &m.shape }</td>
                        <td class="num">{ m.params }</td>
                        <td class="num">{ latest(&view.losses, i).map(|v| format!("{v:.3e}")).unwrap_or_default() }</td>
                        if classify {
                            <td class="num">{ percent(latest(&view.accuracies, i)) }</td>
                            <td class="num">{ percent(latest(&view.test_accuracies, i)) }</td>
                        }
                    </tr>
                }
            }) }
            </tbody>
        </table>
    }
}
