//! The page's binary: everything is in the library (`mlds_app`), shared with the worker.

fn main() {
    mlds_app::run_constructors();
    mlds_app::start_page();
}
