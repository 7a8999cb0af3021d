fn main() {
    let device = burn::tensor::Device::flex();
    let _ = burn::tensor::Tensor::<1>::zeros([2], &device);
    yew::Renderer::<App>::new().render();
}
#[yew::function_component]
fn App() -> yew::Html {
    yew::html! { <p>{"hi"}</p> }
}
