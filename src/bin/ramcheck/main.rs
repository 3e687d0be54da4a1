//! The `ramcheck` command line, a thin shell over the core: arguments, files
//! and exit codes (`shared/spec/report.md`, "Command line").

mod fix;
mod progress;
mod shell;

use std::fs::File;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

use ramcheck::report::{self, Lang};
use ramcheck::rules::{self, RULES};
use ramcheck::{Options, Report, Target};

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
    Sarif,
}

#[derive(Clone, Copy, ValueEnum)]
enum Language {
    En,
    Zh,
}

/// Checks Rainbond application-model offline packages (<app>-<version>-ram.tar.gz)
/// before you upload them. Exit status: 0 no errors, 1 a package has errors,
/// 2 a file cannot be read or the arguments are wrong.
#[derive(Parser)]
#[command(name = "ramcheck", version, args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
struct Args {
    #[command(subcommand)]
    command: Option<Command>,
    /// Packages to check. The file name counts: it is the upload's name.
    #[arg(required_unless_present_any = ["explain", "list_rules"])]
    files: Vec<PathBuf>,
    /// Output format: text for people, json (one report per line), sarif.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Also hash every blob and layer and compare with its digest (IMG008).
    #[arg(long)]
    deep: bool,
    /// The Rainbond that will import the package: `all` (default), or
    /// VERSION[/RUNTIME], e.g. `5.17.1`, `v6.9.8/containerd`, `6.1/docker`,
    /// `latest`. Without RUNTIME, both runtimes of that release line.
    #[arg(long, value_name = "TARGET", default_value = "all", value_parser = parse_target)]
    target: Target,
    /// Language of the text report (default: from LANG).
    #[arg(long, value_enum)]
    lang: Option<Language>,
    /// Explain a rule: what it detects, why the import fails, the fix.
    #[arg(long, value_name = "CODE", conflicts_with = "files")]
    explain: Option<String>,
    /// List every rule.
    #[arg(long, conflicts_with = "files")]
    list_rules: bool,
    #[command(flatten)]
    progress: progress::ProgressArgs,
}

#[derive(Subcommand)]
enum Command {
    Fix(fix::FixArgs),
    Completions(shell::CompletionsArgs),
    #[command(hide = true)]
    Man(shell::ManArgs),
}

/// The clap definitions, with the version and the size of the rule catalog
/// (`ramcheck 0.1.0 (49 rules)`); completions and man pages come from it too.
fn command() -> clap::Command {
    let version = format!("{} ({} rules)", env!("CARGO_PKG_VERSION"), RULES.len());
    Args::command().version(&*Box::leak(version.into_boxed_str()))
}

fn main() -> ExitCode {
    let args = Args::from_arg_matches(&command().get_matches()).unwrap_or_else(|e| e.exit());
    match args.command {
        Some(Command::Fix(fix)) => return fix::run(fix),
        Some(Command::Completions(a)) => return shell::completions(a),
        Some(Command::Man(a)) => return shell::man(a),
        None => {}
    }
    let lang = lang(args.lang);
    if let Some(code) = &args.explain {
        return explain(code, lang);
    }
    if args.list_rules {
        let list: String = RULES
            .iter()
            .map(|r| {
                let title = if lang == Lang::Zh { r.title.zh } else { r.title.en };
                format!("{}  {:<8} {:<28} {}\n", r.code, r.severity.as_str(), r.name, title)
            })
            .collect();
        return print_all(&list);
    }
    let options = Options { deep: args.deep };
    let color = matches!(args.format, Format::Text) && stdout_in_color();
    let mut reports = Vec::new();
    let mut unreadable = false;
    let mut stdout = std::io::stdout().lock();
    for path in &args.files {
        let report = match check_file(path, &options, &args.target, &args.progress) {
            Ok(r) => r,
            Err(message) => {
                eprintln!("ramcheck: {}: {message}", path.display());
                unreadable = true;
                continue;
            }
        };
        let written = match args.format {
            Format::Text => writeln!(stdout, "{}", report::text(&report, lang, color)),
            Format::Json => writeln!(stdout, "{}", serde_json::to_string(&report).expect("a report serialises")),
            Format::Sarif => Ok(()),
        };
        if written.is_err() {
            return ExitCode::from(2);
        }
        reports.push(report);
    }
    if matches!(args.format, Format::Sarif) {
        let sarif = report::sarif(&reports);
        if writeln!(stdout, "{}", serde_json::to_string_pretty(&sarif).expect("SARIF serialises")).is_err() {
            return ExitCode::from(2);
        }
    }
    if unreadable {
        ExitCode::from(2)
    } else if reports.iter().any(Report::has_errors) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The language asked for, else the one of the environment.
fn lang(asked: Option<Language>) -> Lang {
    match asked {
        Some(Language::Zh) => Lang::Zh,
        Some(Language::En) => Lang::En,
        None => Lang::from_tag(&std::env::var("LC_ALL").or_else(|_| std::env::var("LANG")).unwrap_or_default()),
    }
}

fn parse_target(text: &str) -> Result<Target, String> {
    Target::parse(text).map_err(|e| e.to_string())
}

fn check_file(path: &Path, options: &Options, target: &Target, progress: &progress::ProgressArgs) -> Result<Report, String> {
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err("not a regular file".into());
    }
    let file = File::open(path).map_err(|e| e.to_string())?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let started = Instant::now();
    let mut meter = progress.start("checking", &name, meta.len());
    let mut report = ramcheck::check(&file, &name, options, meter.hook());
    meter.finish();
    ramcheck::retarget(&mut report, target);
    report.stats.millis = started.elapsed().as_millis() as u64;
    Ok(report)
}

fn explain(code: &str, lang: Lang) -> ExitCode {
    let Some(rule) = rules::find(code) else {
        eprintln!("ramcheck: no rule {code}; `ramcheck --list-rules` lists them");
        return ExitCode::from(2);
    };
    print_all(&rules::explain(rule, lang))
}

/// Whether text on stdout gets colour: a terminal, and no `NO_COLOR`.
fn stdout_in_color() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// Prints to stdout; a closed pipe (`ramcheck --list-rules | head`) is not
/// a panic.
fn print_all(text: &str) -> ExitCode {
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(_) => ExitCode::from(2),
    }
}
