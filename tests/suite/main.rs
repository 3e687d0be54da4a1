//! Every integration test in one binary, so that the fixture builder
//! (tests/fixtures) compiles once: a module per suite. Run one suite with
//! `cargo test --test suite <module>::`.

#![recursion_limit = "256"]

#[path = "../fixtures/mod.rs"]
mod fixtures;

mod catalog;
mod chinese;
mod cli;
mod damage;
mod dist;
mod docs;
mod fuzz;
mod limits;
mod pipeline;
mod promises;
mod real_archives;
mod repair;
mod typescript;
