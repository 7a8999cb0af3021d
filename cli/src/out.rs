//! Where `mlds` writes a file (`--out`): whole or not at all, through a `.partial` file renamed
//! over the target when written, and only to a new path or over a regular file. A directory, a
//! FIFO, a device or a symlink is refused in words: renaming over one would replace it (as root,
//! `--out /dev/null` would leave a JSON file where the device was). `--follow-symlinks` writes
//! through a symlink to the file it names, which must itself be new or regular. `-` is stdout.

use std::fs::{FileType, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

/// Write `text` to `out` whole or not at all; `-` is stdout. `follow_symlinks`: a symlink is
/// written through (to a new or regular file) instead of refused.
pub fn write_whole(text: &str, out: &Path, follow_symlinks: bool) -> Result<(), String> {
    if out == Path::new("-") {
        print!("{text}");
        return Ok(());
    }
    let target = target(out, follow_symlinks)?;
    let mut partial = target.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    let failed = |e: std::io::Error| format!("{}: {e}", out.display());
    write_new(&partial, text).map_err(failed)?;
    std::fs::rename(&partial, &target).map_err(|e| {
        let _ = std::fs::remove_file(&partial);
        failed(e)
    })
}

/// The path the file is renamed onto: `out` itself, or with `follow_symlinks` the file a
/// symlink at `out` leads to; refused unless it is new or a regular file.
fn target(out: &Path, follow_symlinks: bool) -> Result<PathBuf, String> {
    let Some(kind) = kind_at(out)? else {
        return Ok(out.to_path_buf());
    };
    if kind.is_symlink() {
        if !follow_symlinks {
            return Err(format!(
                "{}: it is a symlink; --out writes only to a new path or over a regular file \
                 (--follow-symlinks writes to the file it names)",
                out.display()
            ));
        }
        let resolved = resolve(out)?;
        return match kind_at(&resolved)? {
            None => Ok(resolved),
            Some(kind) => {
                refuse_unless_regular(out, kind, " (what the symlink names)").map(|()| resolved)
            }
        };
    }
    refuse_unless_regular(out, kind, "").map(|()| out.to_path_buf())
}

/// What is at `path` (a symlink itself, not followed), or nothing.
fn kind_at(path: &Path) -> Result<Option<FileType>, String> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) => Ok(Some(meta.file_type())),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

/// The path a symlink leads to, which may not exist yet (then its folder must).
fn resolve(link: &Path) -> Result<PathBuf, String> {
    if let Ok(path) = std::fs::canonicalize(link) {
        return Ok(path);
    }
    // A dangling symlink: the file it names is new; follow the chain by hand.
    let mut path = link.to_path_buf();
    for _ in 0..40 {
        match std::fs::read_link(&path) {
            Ok(next) => {
                path = match path.parent() {
                    Some(folder) => folder.join(next),
                    None => next,
                }
            }
            Err(_) => return Ok(path),
        }
    }
    Err(format!("{}: too many levels of symlinks", link.display()))
}

/// Refuse, in words, anything but a regular file at `out`.
fn refuse_unless_regular(out: &Path, kind: FileType, whose: &str) -> Result<(), String> {
    if kind.is_file() {
        return Ok(());
    }
    let what = describe(kind);
    Err(format!(
        "{}: it is {what}{whose}; --out writes only to a new path or over a regular file",
        out.display()
    ))
}

/// A file type in words.
fn describe(kind: FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    if kind.is_dir() {
        "a directory"
    } else if kind.is_symlink() {
        "a symlink"
    } else {
        "not a regular file"
    }
}

/// Write `text` to a file that must not exist yet (so a symlink or FIFO planted at the
/// `.partial` path is never written through); a regular file left by an earlier write that
/// stopped half way is replaced.
fn write_new(path: &Path, text: &str) -> std::io::Result<()> {
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        if !meta.file_type().is_file() {
            return Err(std::io::Error::other(format!(
                "{} is in the way and is not a regular file",
                path.display()
            )));
        }
        std::fs::remove_file(path)?;
    }
    let mut file = OpenOptions::new().write(true).create_new(true).open(path)?;
    let written = file
        .write_all(text.as_bytes())
        .and_then(|()| file.sync_all());
    if written.is_err() {
        // Half a file is no use to anyone; this one is ours.
        let _ = std::fs::remove_file(path);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Only reads what is there: a device is refused before anything is written.
    #[cfg(unix)]
    #[test]
    fn a_device_is_refused_in_words() {
        let err = target(Path::new("/dev/null"), true).unwrap_err();
        assert!(err.contains("it is a device"), "{err}");
        let err = target(Path::new("/"), false).unwrap_err();
        assert!(err.contains("it is a directory"), "{err}");
    }
}
