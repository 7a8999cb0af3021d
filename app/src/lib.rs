//! MLDS Playground in the browser: the page, a yew app that renders the events `mlds-core`
//! experiments emit (`src/main.rs`). Its training worker is the `mlds-worker` package, which
//! links burn (the page links none); what the two share, the messages between them and the
//! build's id, is `mlds-protocol`.

pub mod app;
pub mod backends;
pub mod components;
pub mod datasets;
pub mod idb;
pub mod js_error;
pub mod landing;
pub mod panels;
pub mod report;
pub mod run_view;
pub mod runs;
pub mod url;
pub mod workers;

/// Start the page: the panic banner, then the app, in its own element (`#app`): yew empties
/// the element it renders into, and the banner (`#fatal`) must stay in the page.
pub fn start_page() {
    install_panic_hook();
    let root = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("app"));
    match root {
        Some(root) => yew::Renderer::<app::App>::with_root(root).render(),
        None => yew::Renderer::<app::App>::new().render(),
    };
}

/// A panic must never leave a blank page: log it, then show it in the page's fatal banner
/// (outside yew's tree, which is gone once the wasm instance aborts), in words, with what to do.
/// If the report showed kept sections, one of them may be the cause: the banner offers to clear
/// them (its button works without this code: `static/fatal.js`), and the next visit sets them
/// aside (`report::guard`).
fn install_panic_hook() {
    // Through yew: a hook set with `std::panic::set_hook` is replaced by yew's own when the app
    // renders, which is why the banner never showed before.
    yew::set_custom_panic_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let Some(banner) = document.get_element_by_id("fatal") else {
            return;
        };
        let what = info.to_string().replace('\n', " ");
        banner.set_text_content(None);
        let say = |text: &str| {
            if let Ok(p) = document.create_element("p") {
                p.set_text_content(Some(text));
                let _ = banner.append_child(&p);
            }
        };
        say(&format!(
            "The playground hit an internal error and stopped ({what}). Reload the page to start \
             again; the URL keeps your settings."
        ));
        let shown = report::guard::after_panic();
        if !shown.is_empty() {
            say(&format!(
                "If it stopped while showing a kept report section ({}), this report section could \
                 not be shown — Clear it; a reload sets it aside meanwhile.",
                shown.join(", ")
            ));
            if let Ok(button) = document.create_element("button") {
                let _ = button.set_attribute("type", "button");
                let _ = button.set_attribute("class", "clear-report");
                button.set_text_content(Some("Clear the kept report sections and reload"));
                let _ = banner.append_child(&button);
            }
        }
        let _ = banner.remove_attribute("hidden");
    }));
}
