//! Notices raised reading the URL or choosing a backend: visible, never blocking.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct NoticesProps {
    pub notices: Vec<String>,
}

#[function_component]
pub fn Notices(props: &NoticesProps) -> Html {
    if props.notices.is_empty() {
        return html! {};
    }
    html! {
        <ul class="notices" role="status">
            { for props.notices.iter().map(|n| html! { <li>{ n }</li> }) }
        </ul>
    }
}
