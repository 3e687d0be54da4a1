//! Reports as text for people (terminal, clipboard, markdown) and as SARIF
//! for CI systems. Shared by the command line and the npm package.

mod sarif;
mod text;

pub use sarif::sarif;
pub use text::{markdown, text};

/// The language of the messages shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Zh,
}

impl Lang {
    /// `zh`, `zh_CN.UTF-8`, `zh-TW` are Chinese; anything else English.
    pub fn from_tag(tag: &str) -> Lang {
        if tag.to_ascii_lowercase().starts_with("zh") {
            Lang::Zh
        } else {
            Lang::En
        }
    }
}
