//! What SECURITY.md promises of the code itself: it reads the package and
//! writes nothing (only `ramcheck fix` writes, the one output file the user
//! names), opens no connection and runs no program. Checked on the source, so
//! that an API that would break a promise cannot slip in unseen.

use std::path::Path;

use crate::sources;

/// APIs that open connections or run programs: used nowhere.
const FORBIDDEN: &[&str] = &["std::net", "TcpStream", "UdpSocket", "process::Command", "Command::new"];

/// The one file allowed to write: `ramcheck fix`'s output (and its
/// temporary file beside it).
const WRITER: &str = "src/bin/ramcheck/fix.rs";

/// APIs that write or change files.
const WRITES: &[&str] = &[
    "File::create",
    "fs::write",
    "OpenOptions",
    "remove_file",
    "remove_dir",
    "create_dir",
    "set_permissions",
    "os::unix::fs::symlink",
    "hard_link",
];

#[test]
fn the_code_writes_no_file_opens_no_connection_and_runs_no_program() {
    let mut files = Vec::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // The core with the command line, and the browser's bindings.
    sources(&root.join("src"), &mut files);
    sources(&root.join("wasm").join("src"), &mut files);
    assert!(files.len() > 20, "{} source files", files.len());
    for (path, text) in &files {
        for api in FORBIDDEN {
            assert!(!text.contains(api), "{path} uses {api}");
        }
        if !path.ends_with(WRITER) {
            for api in WRITES {
                assert!(!text.contains(api), "{path} uses {api}");
            }
        }
    }
}
