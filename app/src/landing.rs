//! The front page: every experiment as a card — what it shows, its presets as links, and what
//! to expect of the backends.

use yew::prelude::*;

use crate::panels::presets_of;

/// One experiment on the front page.
struct Card {
    id: &'static str,
    title: &'static str,
    part: &'static str,
    shows: &'static str,
    backends: &'static str,
}

const CARDS: [Card; 11] = [
    Card { id: "fit", title: "E1 · Simulate a function", part: "Deep vs shallow", shows: "Networks of equal size and different depth fit sin(5πx)/(5πx): the deep ones end far below the shallow one.", backends: "CPU: auto (tiny models). WebGPU: on request; each dispatch costs more than these models' arithmetic." },
    Card { id: "tasks", title: "E2 · Train on actual tasks", part: "Deep vs shallow", shows: "CNNs of equal size and growing depth on MNIST or CIFAR-10: deeper reaches higher accuracy.", backends: "WebGPU: auto for CNNs where the browser has it; the CPU backend cuts the work into short tasks." },
    Card { id: "trajectory", title: "E3 · Visualize the optimization process", part: "Optimization", shows: "Eight runs' weights projected on two principal components: they leave a common centre in different directions.", backends: "CPU: auto for the small DNN and sinc5." },
    Card { id: "gradnorm", title: "E4 · Gradient norm during training", part: "Optimization", shows: "The gradient norm and the loss at every iteration, stacked on one axis.", backends: "CPU: auto; WebGPU on request." },
    Card { id: "minratio", title: "E5 · When the gradient is almost zero", part: "Optimization", shows: "Critical points of 100 small networks: the fraction of positive Hessian eigenvalues against the loss.", backends: "CPU only: the Hessian is computed in f64." },
    Card { id: "surface", title: "E6 · Error surface", part: "Optimization", shows: "The loss around a trained model on a 2-D grid with contours, and along the line from its initial weights.", backends: "CPU: auto for sinc5 and the small DNN." },
    Card { id: "random-labels", title: "E7 · Can a network fit random labels?", part: "Generalization", shows: "An MLP memorises permuted labels: training loss to zero, test accuracy at chance.", backends: "CPU: auto (fully connected); WebGPU on request." },
    Card { id: "params", title: "E8 · Parameters vs generalization", part: "Generalization", shows: "Eleven widths from 805 to 814k parameters: train and test loss and accuracy against size.", backends: "CPU: auto; the widest model's steps are cut into short tasks." },
    Card { id: "interpolate", title: "E9a · Flatness: interpolation", part: "Generalization", shows: "The loss and accuracy on the line through a small-batch and a large-batch model.", backends: "CPU: auto; WebGPU on request." },
    Card { id: "sensitivity", title: "E9b · Flatness: sensitivity", part: "Generalization", shows: "How much the loss and the softmax move with the input, for batch sizes 16 to 4096.", backends: "CPU: auto; WebGPU on request." },
    Card { id: "sharpness", title: "E10 · Sharpness", part: "Generalization", shows: "Keskar's sharpness and the Hessian's top eigenvalue against batch size.", backends: "Training: CPU auto, WebGPU on request; the metrics run in f64 on the CPU." },
];

#[function_component]
pub fn Landing() -> Html {
    html! {
        <section class="landing" data-experiment="home">
            <p class="lede">
                { "The ten experiments of the classic deep-learning-theory homework, trained live in this page: pick a preset to start. Every setting is in the URL, so a link reproduces a run. Times are for the CPU backend of a 2-core laptop-class machine." }
            </p>
            <p class="report-link">
                <a href="#exp=report">{ "The whole report" }</a>
                { ": every experiment's quick preset in one page, one after another (about 5 minutes on the CPU), each with its figures and a finding checked against the reference result, downloadable as one HTML file." }
            </p>
            <div class="cards">
                { for CARDS.iter().map(|c| html! {
                    <article class="card" data-card={c.id}>
                        <p class="part">{ c.part }</p>
                        <h3><a href={format!("#exp={}", c.id)}>{ c.title }</a></h3>
                        <p>{ c.shows }</p>
                        <ul class="card-presets">
                            { for presets_of(c.id).into_iter().map(|p| html! {
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
