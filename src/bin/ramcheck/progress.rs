//! The progress line on stderr while a package is read (issue 19).
//!
//! On a terminal: one line per file (name, bytes read of total, MB/s, time
//! left), redrawn at most ten times a second and cleared before the report.
//! Nothing when stderr is not a terminal or with `--quiet`; `--progress`
//! forces it, and where stderr is not a terminal (a CI log) it is a plain
//! line every few seconds and one when the file is done, no control codes.
//!
//! The core calls back every 4 MiB read (`ramcheck::source::Progress`), so a
//! redraw costs nothing measurable next to inflating those bytes; without a
//! line to show, the core gets no callback at all. The line cannot name the
//! member being read: the callback carries only the bytes read so far.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{DecimalBytes, HumanDuration, ProgressBar, ProgressDrawTarget, ProgressStyle};
use ramcheck::Progress;

/// How often `--progress` prints a line where stderr is not a terminal.
const LINE_EVERY: Duration = Duration::from_secs(5);
/// Redraws a second on a terminal, at most: the position is handed to the
/// bar no more often (indicatif's own limiter allows bursts).
const REDRAWS_PER_SECOND: u8 = 10;
const REDRAW_EVERY: Duration = Duration::from_millis(1000 / REDRAWS_PER_SECOND as u64);
/// Characters of the file name on the line, at most (the end is kept).
const NAME_WIDTH: usize = 40;

#[derive(clap::Args, Clone, Copy)]
pub struct ProgressArgs {
    /// Show no progress on stderr.
    #[arg(short, long, conflicts_with = "progress")]
    quiet: bool,
    /// Show progress even when stderr is not a terminal (then a plain line
    /// every few seconds, for CI logs).
    #[arg(long)]
    progress: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    Off,
    /// A line redrawn in place (stderr is a terminal).
    Bar,
    /// A plain line every few seconds (`--progress`, stderr is not a terminal).
    Lines,
}

impl ProgressArgs {
    fn mode(&self) -> Mode {
        let terminal = std::io::stderr().is_terminal();
        match (self.quiet, self.progress, terminal) {
            (true, _, _) => Mode::Off,
            (_, _, true) => Mode::Bar,
            (_, true, false) => Mode::Lines,
            (false, false, false) => Mode::Off,
        }
    }

    /// The progress line of one pass over the `total` bytes of `file`,
    /// saying `doing` (`checking`, `writing`) and the file's name. Hand
    /// [`Meter::hook`] to the core, then call [`Meter::finish`] before
    /// printing anything.
    pub fn start(&self, doing: &str, file: &str, total: u64) -> Meter {
        match self.mode() {
            Mode::Off => Meter { shown: None, tick: None },
            mode => Meter::new(mode, format!("{doing} {}", shown(file)), total),
        }
    }
}

pub struct Meter {
    /// The bar, the mode, the label and when it started; `None` when off.
    shown: Option<(ProgressBar, Mode, String, Instant)>,
    tick: Option<Box<dyn FnMut(u64)>>,
}

impl Meter {
    fn new(mode: Mode, label: String, total: u64) -> Meter {
        // In Lines mode the bar is hidden: it only keeps the position and
        // the rate estimate, and the lines are printed here.
        let target = match mode {
            Mode::Bar => ProgressDrawTarget::stderr_with_hz(REDRAWS_PER_SECOND),
            _ => ProgressDrawTarget::hidden(),
        };
        let style = ProgressStyle::with_template(
            "{msg} [{bar:20}] {decimal_bytes} of {decimal_total_bytes} · {decimal_bytes_per_sec} · {eta} left",
        )
        .expect("a valid template")
        .progress_chars("=> ");
        // The builders draw nothing (`set_message` would).
        let bar = ProgressBar::with_draw_target(Some(total), target).with_style(style).with_message(label.clone());
        // First drawn when the core first reports (after 4 MiB): a small
        // package is read before a line would be worth drawing.
        let started = Instant::now();
        let (mut next_draw, mut next_line) = (started, started + LINE_EVERY);
        let (ticked, name) = (bar.clone(), label.clone());
        // Called by the core every 4 MiB read.
        let tick = move |bytes: u64| {
            let now = Instant::now();
            if now < next_draw {
                return;
            }
            next_draw = now + REDRAW_EVERY;
            ticked.set_position(bytes.min(total));
            if mode == Mode::Lines && now >= next_line {
                next_line = now + LINE_EVERY;
                let percent = (ticked.position() * 100).checked_div(total).unwrap_or(100);
                eprintln!(
                    "ramcheck: {name}: {} of {} ({percent}%), {}/s, {} left",
                    DecimalBytes(ticked.position()),
                    DecimalBytes(total),
                    DecimalBytes(ticked.per_sec() as u64),
                    HumanDuration(ticked.eta()),
                );
            }
        };
        Meter { shown: Some((bar, mode, label, started)), tick: Some(Box::new(tick)) }
    }

    /// The callback for the core; `None` when no progress is shown, so the
    /// core skips it.
    pub fn hook(&mut self) -> Option<Progress<'_>> {
        self.tick.as_mut().map(|t| -> Progress<'_> { t.as_mut() })
    }

    /// Clears the line (with `--progress` and no terminal: prints the last).
    pub fn finish(self) {
        let Some((bar, mode, label, started)) = self.shown else { return };
        bar.finish_and_clear();
        if mode == Mode::Lines {
            let took = started.elapsed().as_secs_f64();
            let total = bar.length().unwrap_or(0);
            let rate = DecimalBytes((total as f64 / took.max(1e-3)) as u64);
            eprintln!("ramcheck: {label}: {} in {took:.1} s, {rate}/s", DecimalBytes(total));
        }
    }
}

/// A file name safe to print on a terminal: control, invisible and
/// direction-changing characters (a package can be named anything) as
/// `U+XXXX`, and at most [`NAME_WIDTH`] characters, the end kept.
fn shown(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        let hidden =
            c.is_control() || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}');
        if hidden {
            out.push_str(&format!("U+{:04X}", c as u32));
        } else {
            out.push(c);
        }
    }
    let count = out.chars().count();
    if count > NAME_WIDTH {
        let tail: String = out.chars().skip(count - (NAME_WIDTH - 1)).collect();
        out = format!("…{tail}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::shown;

    #[test]
    fn labels_show_hidden_characters_and_keep_their_end() {
        assert_eq!(shown("a\u{202e}b\nc"), "aU+202EbU+000Ac");
        let long = format!("{}-ram.tar.gz", "x".repeat(60));
        let s = shown(&long);
        assert_eq!(s.chars().count(), 40);
        assert!(s.starts_with('…') && s.ends_with("x-ram.tar.gz"), "{s}");
    }
}
