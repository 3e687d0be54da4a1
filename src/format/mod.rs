//! Reports as text for people (terminal, clipboard, markdown) and as SARIF
//! for CI systems. Shared by the command line and the npm package.

mod sarif;
mod text;

pub use sarif::sarif;
pub use text::{markdown, text};

pub use crate::lang::Lang;
