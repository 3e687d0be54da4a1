//! The two languages every sentence a user sees is written in.

/// The language of the messages shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// English.
    En,
    /// Chinese (simplified).
    Zh,
}

impl Lang {
    /// The text in this language, of a sentence written in both.
    pub fn pick<'a>(self, en: &'a str, zh: &'a str) -> &'a str {
        match self {
            Lang::En => en,
            Lang::Zh => zh,
        }
    }

    /// `zh`, `zh_CN.UTF-8`, `zh-TW` are Chinese; anything else English.
    pub fn from_tag(tag: &str) -> Lang {
        if tag.to_ascii_lowercase().starts_with("zh") {
            Lang::Zh
        } else {
            Lang::En
        }
    }
}

/// A fact that can be said to a user: each sentence written once, in both
/// languages, beside the type it describes. `en` and `zh` are phrases that
/// the rules set into their messages.
pub trait Describe {
    /// The fact in English.
    fn en(&self) -> String;
    /// The same in Chinese.
    fn zh(&self) -> String;
}

/// An upstream tool's own words (a decoder's error), set into a Chinese
/// sentence as a quotation.
pub fn quoted(words: &str) -> String {
    format!("\"{words}\"")
}

/// Bytes for people: `1.8 GB` (decimal units, as file managers show them).
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["KB", "MB", "GB", "TB", "PB"];
    if n < 1000 {
        return format!("{n} B");
    }
    let mut value = n as f64 / 1000.0;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if value >= 100.0 {
        format!("{value:.0} {}", UNITS[unit])
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}
