//! An experiment's config lives in the URL hash: read on mount (with notices for rejected
//! values), written back on every change, edited one parameter at a time by the controls.

use mlds_core::engine::FromParams;
use mlds_core::params::{to_query, Params};
use yew::prelude::*;

use crate::components::{ParamField, ParamOptions};
use crate::url;

#[derive(Clone)]
pub struct UrlConfig<C> {
    pub config: UseStateHandle<C>,
    /// Values the URL or a control asked for that were clamped or rejected, and why.
    pub notices: UseStateHandle<Vec<String>>,
    /// `autorun=1`: start on load.
    pub autorun: bool,
    /// A control committed `(key, value)`: re-parse the whole config with it.
    pub on_param: Callback<(&'static str, String)>,
    /// Several values at once (a dataset the user gave sets `dataset` and `source`).
    pub on_params: Callback<Vec<(&'static str, String)>>,
}

impl<C> UrlConfig<C> {
    /// A free-text control for `name`.
    pub fn field(
        &self,
        name: &'static str,
        label: &'static str,
        value: String,
        busy: bool,
    ) -> Html {
        html! { <ParamField {name} {label} {value} disabled={busy} onchange={self.on_param.clone()} /> }
    }

    /// A drop-down control for `name` with (id, label) options.
    pub fn choice(
        &self,
        name: &'static str,
        label: &'static str,
        value: &str,
        options: Vec<(&'static str, &'static str)>,
        title: &'static str,
        busy: bool,
    ) -> Html {
        html! {
            <ParamField {name} {label} value={value.to_string()} options={ParamOptions::Choice(options)}
                {title} disabled={busy} onchange={self.on_param.clone()} />
        }
    }

    /// Add a notice unless it is already shown.
    pub fn notify(&self, notice: &str) {
        if !self.notices.iter().any(|n| n == notice) {
            self.notices
                .set([(*self.notices).clone(), vec![notice.to_string()]].concat());
        }
    }
}

impl<C: FromParams> UrlConfig<C> {
    /// The value the config writes for `key` (a list, as the URL has it).
    pub fn written(&self, key: &str) -> String {
        self.config
            .to_params()
            .into_iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v)
            .unwrap_or_default()
    }
}

impl<C: Clone + 'static> UrlConfig<C> {
    /// `notify` as a callback (for what reports into the panel's notices).
    pub fn notifier(&self) -> Callback<String> {
        let url = self.clone();
        Callback::from(move |notice: String| url.notify(&notice))
    }
}

/// URL keys that set the page, not the run: `workers` (where runs go), `scale` (E6's colour
/// scale), `compare` (the queries of the runs ticked in the Runs list).
pub const PAGE_KEYS: [&str; 3] = ["workers", "scale", crate::runs::URL_KEY];

fn from_url<C: FromParams>() -> (C, Vec<String>, bool) {
    let mut params = url::params();
    params.get("exp");
    let autorun = params.flag("autorun");
    // Settings of the page, not of the run (where runs go, how a figure is scaled): kept in the
    // URL as they are.
    for key in PAGE_KEYS {
        params.get(key);
    }
    let config = C::from_params_within_budget(&mut params);
    (config, params.finish(), autorun)
}

/// Bind a config of experiment `exp` to the URL hash.
#[hook]
pub fn use_url_config<C>(exp: &'static str) -> UrlConfig<C>
where
    C: FromParams + Clone + PartialEq + 'static,
{
    let initial = use_memo((), |_| from_url::<C>());
    let config = use_state(|| initial.0.clone());
    let notices = use_state(|| initial.1.clone());
    let autorun = initial.2;
    use_effect_with((*config).clone(), move |c| {
        let mut pairs = vec![("exp", exp.to_string())];
        pairs.extend(c.to_params());
        // As the URL has them now: the backend line's "Where" control, a figure's scale.
        let mut now = url::params();
        pairs.extend(PAGE_KEYS.iter().filter_map(|&k| Some((k, now.get(k)?))));
        if autorun {
            pairs.push(("autorun", "1".into()));
        }
        url::write_hash(pairs);
    });
    let on_params = {
        let (config, notices) = (config.clone(), notices.clone());
        Callback::from(move |changes: Vec<(&'static str, String)>| {
            let mut pairs: Vec<(&str, String)> = config.to_params();
            pairs.retain(|(k, _)| changes.iter().all(|(key, _)| k != key));
            pairs.extend(changes);
            let mut params = Params::parse(&to_query(pairs));
            let next = C::from_params_within_budget(&mut params);
            notices.set(params.finish());
            config.set(next);
        })
    };
    UrlConfig {
        config,
        notices,
        autorun,
        on_param: on_params.reform(|change| vec![change]),
        on_params,
    }
}

/// `autorun=1`: start once, on mount.
#[hook]
pub fn use_autorun(autorun: bool, on_start: Callback<()>) {
    use_effect_with((), move |_| {
        if autorun {
            on_start.emit(());
        }
    });
}
