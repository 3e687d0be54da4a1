//! Every integration test in one binary, so that the fixture builder
//! (tests/fixtures) compiles once: a module per suite. Run one suite with
//! `cargo test --test suite <module>::`.

#![recursion_limit = "256"]

use std::path::Path;

/// Every Rust source file below `dir`: (path, text). The suites that read
/// the code itself (layout, promises) walk it with this.
fn sources(dir: &Path, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push((path.display().to_string(), std::fs::read_to_string(&path).unwrap()));
        }
    }
}

#[path = "../fixtures/mod.rs"]
mod fixtures;

mod cases;
mod catalog;
mod chinese;
mod cli;
mod damage;
mod dist;
mod docs;
mod fuzz;
mod layout;
mod limits;
mod pipeline;
mod progress;
mod promises;
mod real_archives;
mod repair;
mod typescript;
