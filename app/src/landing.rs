//! The front page: every experiment as a card — what it shows, its presets as links, and what
//! to expect of the backends.

use yew::prelude::*;

use crate::panels::registry::PANELS;

#[function_component]
pub fn Landing() -> Html {
    html! {
        <section class="landing" data-experiment="home">
            <p class="lede">
                { "The ten experiments of the classic deep-learning-theory homework, trained live in this page: pick a preset to start. Every setting is in the URL, so a link reproduces a run. Times are for the CPU backend of a 2-core laptop-class machine." }
            </p>
            <p class="report-link">
                <a href="#exp=report">{ "The whole report" }</a>
                { ": every experiment's quick preset in one page, one after another (about a minute on the CPU of a 2-core machine), each with its figures and a finding checked against the reference result, downloadable as one HTML file." }
            </p>
            <div class="cards">
                { for PANELS.iter().map(|panel| (panel.id, &panel.card, panel.presets)).map(|(id, c, presets)| html! {
                    <article class="card" data-card={id}>
                        <p class="part">{ c.part }</p>
                        <h3><a href={format!("#exp={id}")}>{ c.title }</a></h3>
                        <p>{ c.shows }</p>
                        <ul class="card-presets">
                            { for presets().into_iter().map(|p| html! {
                                <li><a href={format!("#{}", p.hash)}>{ p.label }</a>{ format!(" — {}", p.note) }</li>
                            }) }
                        </ul>
                        <p class="card-backends">{ c.backends }</p>
                    </article>
                }) }
            </div>
        </section>
    }
}
