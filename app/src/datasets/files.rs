//! Files the user gives: the file picker and drag-and-drop.

use mlds_core::data::check_file_size;
use wasm_bindgen_futures::JsFuture;
use web_sys::{DragEvent, File, FileList, HtmlInputElement};

fn list(files: Option<FileList>) -> Vec<File> {
    let Some(files) = files else {
        return Vec::new();
    };
    (0..files.length()).filter_map(|i| files.get(i)).collect()
}

/// The files chosen in a file input.
pub fn selected_files(input: &HtmlInputElement) -> Vec<File> {
    list(input.files())
}

/// The files dropped on the page.
pub fn dropped_files(event: &DragEvent) -> Vec<File> {
    list(event.data_transfer().and_then(|d| d.files()))
}

/// Read dataset files into memory, with their names. A file larger than any dataset file is
/// refused by its size, before a byte of it is read.
pub async fn read_files(files: Vec<File>) -> Result<Vec<(String, Vec<u8>)>, String> {
    for file in &files {
        check_file_size(&file.name(), file.size() as u64).map_err(|e| e.to_string())?;
    }
    read_all(files).await
}

/// Read a run or report file's bytes (left in the JS heap, for a worker to read); over
/// [`mlds_core::run_file::MAX_BYTES`] it is refused by its size, before a byte of it is read.
pub async fn read_run_file(file: &File) -> Result<js_sys::Uint8Array, String> {
    mlds_core::run_file::check_size(file.size() as u64)
        .map_err(|why| format!("{} was not opened: {why}", file.name()))?;
    let buffer = JsFuture::from(file.array_buffer())
        .await
        .map_err(|_| format!("{} could not be read", file.name()))?;
    Ok(js_sys::Uint8Array::new(&buffer))
}

async fn read_all(files: Vec<File>) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut out = Vec::with_capacity(files.len());
    for file in files {
        let buffer = JsFuture::from(file.array_buffer())
            .await
            .map_err(|_| format!("{} could not be read", file.name()))?;
        out.push((file.name(), js_sys::Uint8Array::new(&buffer).to_vec()));
    }
    Ok(out)
}
