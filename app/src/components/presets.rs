//! A panel's presets as one-click links: each sets the URL hash, which reloads the panel with
//! that configuration.

use yew::prelude::*;

/// One preset: its label, the hash it sets (without `#`), and what to expect.
#[derive(Clone, Debug, PartialEq)]
pub struct Preset {
    pub label: &'static str,
    pub hash: String,
    pub note: &'static str,
}

#[derive(Properties, PartialEq)]
pub struct PresetsProps {
    pub presets: Vec<Preset>,
    /// The panel's current hash, to mark the preset in use.
    #[prop_or_default]
    pub current: AttrValue,
}

#[function_component]
pub fn Presets(props: &PresetsProps) -> Html {
    html! {
        <nav class="presets" aria-label="presets">
            <span>{ "Presets:" }</span>
            { for props.presets.iter().map(|p| {
                let current = props.current.as_str() == p.hash;
                html! {
                    <a href={format!("#{}", p.hash)} class={classes!("preset", current.then_some("selected"))} title={p.note}>
                        { p.label }<small>{ format!(" ({})", p.note) }</small>
                    </a>
                }
            }) }
        </nav>
    }
}
