//! The progress line on stderr while a package is read (issue 19).
//!
//! On a terminal: one line per file (name, bytes read of total, MB/s, time
//! left, and the member being read once it is a large one), redrawn at most
//! ten times a second and cleared before the report:
//!
//! ```text
//! checking benchapp-3.2-ram.tar.gz [===>                ] 121.63 MB of 744.84 MB · 103.49 MB/s · 6s left · benchapp-3.2-ram/component-images.tar
//! ```
//!
//! Nothing when stderr is not a terminal or with `--quiet`; `--progress`
//! forces it, and where stderr is not a terminal (a CI log) it is a plain
//! line every few seconds and one when the file is done, no control codes.
//!
//! The core calls back every 4 MiB read (`ramcheck::Progress`) with the
//! bytes read so far and the outer member being walked when it has at least
//! `ramcheck::LARGE_MEMBER` bytes (64 MiB: an image archive, a big data
//! file; smaller ones go by too fast to read their name). A redraw costs
//! nothing measurable next to inflating those bytes; the member's name is
//! copied only when it changes, and without a line to show, the core gets no
//! callback at all. The name is shortened like the file's, keeping its end.
//! `ramcheck fix` shows both its passes so, the second naming the large
//! member it copies when it rewrites the tar (a plain copy or recompression
//! walks no members).

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{DecimalBytes, HumanDuration, ProgressBar, ProgressDrawTarget, ProgressStyle};
use ramcheck::{Progress, ProgressInfo};

/// How often `--progress` prints a line where stderr is not a terminal.
const LINE_EVERY: Duration = Duration::from_secs(5);
/// Redraws a second on a terminal, at most: the position is handed to the
/// bar no more often (indicatif's own limiter allows bursts).
const REDRAWS_PER_SECOND: u8 = 10;
const REDRAW_EVERY: Duration = Duration::from_millis(1000 / REDRAWS_PER_SECOND as u64);
/// Characters of the file name, and of the member's, on the line, at most
/// (the end is kept).
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

/// What the core calls every 4 MiB read.
type Tick = Box<dyn FnMut(ProgressInfo<'_>)>;

pub struct Meter {
    /// The bar, the mode, the label and when it started; `None` when off.
    shown: Option<(ProgressBar, Mode, String, Instant)>,
    tick: Option<Tick>,
}

impl Meter {
    fn new(mode: Mode, label: String, total: u64) -> Meter {
        // In Lines mode the bar is hidden: it only keeps the position and
        // the rate estimate, and the lines are printed here.
        let target = match mode {
            Mode::Bar => ProgressDrawTarget::stderr_with_hz(REDRAWS_PER_SECOND),
            _ => ProgressDrawTarget::hidden(),
        };
        // The label is the bar's prefix; its message is ` · member` while a
        // large member is read, else empty.
        let style = ProgressStyle::with_template(
            "{prefix} [{bar:20}] {decimal_bytes} of {decimal_total_bytes} · {decimal_bytes_per_sec} · {eta} left{msg}",
        )
        .expect("a valid template")
        .progress_chars("=> ");
        // The builders draw nothing (`set_message` would).
        let bar = ProgressBar::with_draw_target(Some(total), target).with_style(style).with_prefix(label.clone());
        // First drawn when the core first reports (after 4 MiB): a small
        // package is read before a line would be worth drawing.
        let started = Instant::now();
        let (mut next_draw, mut next_line) = (started, started + LINE_EVERY);
        let (ticked, name) = (bar.clone(), label.clone());
        // The large member on the line (as the core named it).
        let mut member: Option<String> = None;
        // Called by the core every 4 MiB read.
        let tick = move |info: ProgressInfo<'_>| {
            let now = Instant::now();
            if now < next_draw {
                return;
            }
            next_draw = now + REDRAW_EVERY;
            ticked.set_position(info.bytes_read.min(total));
            if info.member != member.as_deref() {
                member = info.member.map(str::to_string);
                ticked.set_message(member.as_deref().map_or(String::new(), |m| format!(" · {}", shown(m))));
            }
            if mode == Mode::Lines && now >= next_line {
                next_line = now + LINE_EVERY;
                let rate = ticked.per_sec() as u64;
                eprintln!("{}", plain_line(&name, ticked.position(), total, rate, ticked.eta(), member.as_deref()));
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

/// The line `--progress` prints every few seconds where stderr is not a
/// terminal: `label` has read `position` of `total` bytes at `rate` a
/// second, `eta` left, and is reading the large `member`.
fn plain_line(label: &str, position: u64, total: u64, rate: u64, eta: Duration, member: Option<&str>) -> String {
    let percent = (position * 100).checked_div(total).unwrap_or(100);
    let mut line = format!(
        "ramcheck: {label}: {} of {} ({percent}%), {}/s, {} left",
        DecimalBytes(position),
        DecimalBytes(total),
        DecimalBytes(rate),
        HumanDuration(eta),
    );
    if let Some(member) = member {
        line.push_str(&format!(", reading {}", shown(member)));
    }
    line
}

/// A file or member name safe to print on a terminal: control, invisible and
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
    use super::{plain_line, shown};
    use std::time::Duration;

    #[test]
    fn plain_lines_name_the_large_member_being_read() {
        let line = plain_line("checking big-1.0-ram.tar.gz", 4_194_304, 92_000_000, 80_000_000, Duration::from_secs(1), None);
        assert_eq!(line, "ramcheck: checking big-1.0-ram.tar.gz: 4.19 MB of 92.00 MB (4%), 80.00 MB/s, 1 second left");
        let member = format!("app/{}/images.tar", "x".repeat(60));
        let line = plain_line("checking big-1.0-ram.tar.gz", 4_194_304, 92_000_000, 80_000_000, Duration::from_secs(1), Some(&member));
        assert!(line.ends_with(&format!(" left, reading …{}/images.tar", "x".repeat(28))), "{line}");
    }

    #[test]
    fn labels_show_hidden_characters_and_keep_their_end() {
        assert_eq!(shown("a\u{202e}b\nc"), "aU+202EbU+000Ac");
        let long = format!("{}-ram.tar.gz", "x".repeat(60));
        let s = shown(&long);
        assert_eq!(s.chars().count(), 40);
        assert!(s.starts_with('…') && s.ends_with("x-ram.tar.gz"), "{s}");
    }
}
