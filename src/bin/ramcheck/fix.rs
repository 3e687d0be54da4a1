//! `ramcheck fix`: writes a corrected package, then checks it.
//!
//! Exit status: 0 the output was written and has no error; 1 errors remain
//! that no repair covers (listed), or with `--dry-run` would remain; 2
//! nothing could be written.

use std::fs::{self, File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::ValueEnum;
use serde_json::json;

use ramcheck::repair::{self, Mode, Plan, Unrepaired};
use ramcheck::report::{self, Lang};
use ramcheck::Target;
use ramcheck::{Options, Report};

use super::Language;

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

/// Writes a corrected package for the failures that have a safe, mechanical fix.
///
/// Repairs: empty image archives, stray entries, a plain tar or a double
/// gzip, bytes after the gzip stream, a zip, an unsafe file name, a
/// byte-order mark on metadata.json. The output is checked again; INPUT is
/// never changed. Exit status: 0 written and no error remains, 1 errors
/// remain that no repair covers, 2 nothing could be written.
#[derive(clap::Args)]
pub struct FixArgs {
    /// The package to repair.
    input: PathBuf,
    /// Where to write the corrected package: a file, or a directory to write
    /// it in (default: beside INPUT, under a name the console and the
    /// importer handle).
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// List the repairs that would be made; write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Replace OUTPUT if it exists.
    #[arg(long)]
    force: bool,
    /// text for people; json: one object with the repairs and the new report.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Also hash every blob and layer (IMG008) in both checks.
    #[arg(long)]
    deep: bool,
    /// The Rainbond that will import it (as for checking): the repair answers
    /// what fails there; `all` (default) answers what fails anywhere.
    #[arg(long, value_name = "TARGET", default_value = "all", value_parser = super::parse_target)]
    target: Target,
    /// Language of the text output (default: from LANG).
    #[arg(long, value_enum)]
    lang: Option<Language>,
    #[command(flatten)]
    progress: super::progress::ProgressArgs,
}

pub fn run(args: FixArgs) -> ExitCode {
    match fix(&args) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("ramcheck fix: {message}");
            ExitCode::from(2)
        }
    }
}

fn fix(args: &FixArgs) -> Result<ExitCode, String> {
    let lang = super::lang(args.lang);
    let options = Options { deep: args.deep };
    let input = File::open(&args.input).map_err(|e| format!("{}: {e}", args.input.display()))?;
    if !input.metadata().map_err(|e| e.to_string())?.is_file() {
        return Err(format!("{}: not a regular file", args.input.display()));
    }
    let input_name = file_name(&args.input);
    // OUTPUT names the file, or the directory that gets the proposed name.
    let (dir, chosen) = match &args.output {
        Some(path) if path.is_dir() => (path.clone(), None),
        Some(path) => (PathBuf::new(), Some(file_name(path))),
        None => (args.input.parent().map(Path::to_path_buf).unwrap_or_default(), None),
    };
    let len = input.metadata().map_err(|e| e.to_string())?.len();
    let mut meter = args.progress.start("pass 1/2: checking", &input_name, len);
    let (report, mut plan) = repair::check_and_plan(&input, &input_name, chosen.as_deref(), &options, &args.target, meter.hook());
    meter.finish();
    let output = match (&args.output, chosen) {
        (Some(path), Some(_)) => path.clone(),
        _ => {
            let proposed = dir.join(&plan.output_name);
            if same_file(&args.input, &proposed) || (args.output.is_none() && plan.output_name == input_name) {
                plan.output_name = fixed_name(&plan.output_name);
            }
            dir.join(&plan.output_name)
        }
    };
    if args.dry_run {
        print_plan(args, &output, &plan, &report, lang);
        return Ok(match plan.mode {
            Mode::Refused => ExitCode::from(2),
            _ if !plan.unrepaired.is_empty() => ExitCode::from(1),
            _ => ExitCode::SUCCESS,
        });
    }
    if plan.mode == Mode::Refused {
        print_plan(args, &output, &plan, &report, lang);
        return Err(format!("{}: the package cannot be read to its end, so nothing was written", args.input.display()));
    }
    if same_file(&args.input, &output) {
        return Err(format!("{}: OUTPUT is INPUT; ramcheck never overwrites the package it repairs", output.display()));
    }
    if output.exists() && !args.force {
        return Err(format!("{}: exists; pass --force to replace it", output.display()));
    }
    let mut meter = args.progress.start("pass 2/2: writing", &file_name(&output), len);
    let wrote = write_atomically(&output, args.force, |sink| repair::apply(&input, &plan, sink, meter.hook()).map(drop));
    meter.finish();
    wrote?;
    let written = File::open(&output).map_err(|e| format!("{}: {e}", output.display()))?;
    let mut meter = args.progress.start("checking the output", &file_name(&output), written.metadata().map_or(0, |m| m.len()));
    let mut after = ramcheck::check(&written, &file_name(&output), &options, meter.hook());
    meter.finish();
    ramcheck::retarget(&mut after, &args.target);
    print_result(args, &output, &plan, &after, lang);
    Ok(if after.has_errors() { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// `app-1.0-ram.tar.gz` → `app-1.0-ram-fixed.tar.gz`.
fn fixed_name(name: &str) -> String {
    let ext = [".tar.gz", ".tgz"].into_iter().find(|e| name.ends_with(e)).unwrap_or("");
    format!("{}-fixed{ext}", &name[..name.len() - ext.len()])
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (fs::canonicalize(a), fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Writes through a temporary file beside `output`, renamed into place only
/// when everything was written: a failed repair leaves nothing behind.
fn write_atomically(output: &Path, force: bool, write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<(), String> {
    let dir = output.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let tmp = dir.join(format!(".{}.{}.ramcheck-part", file_name(output), std::process::id()));
    let result = (|| {
        let file = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        let mut sink = BufWriter::with_capacity(1 << 20, file);
        write(&mut sink)?;
        let file = sink.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        if output.exists() && !force {
            return Err(std::io::Error::new(std::io::ErrorKind::AlreadyExists, "appeared while writing; pass --force to replace it"));
        }
        fs::rename(&tmp, output)
    })();
    result.map_err(|e| {
        let _ = fs::remove_file(&tmp);
        format!("{}: {e}", output.display())
    })
}

fn print_plan(args: &FixArgs, output: &Path, plan: &Plan, report: &Report, lang: Lang) {
    if matches!(args.format, Format::Json) {
        let value =
            json!({ "input": args.input, "output": output, "dry_run": args.dry_run, "written": false, "plan": plan, "report": report });
        emit(&format!("{value}\n"));
        return;
    }
    let mut out = String::new();
    let title =
        if args.dry_run { lang.pick("Repairs that would be made", "将要进行的修复") } else { lang.pick("Repairs", "修复") };
    out.push_str(&format!("{} → {}\n", args.input.display(), output.display()));
    push_repairs(&mut out, title, plan, lang);
    push_unrepaired(&mut out, &plan.unrepaired, lang);
    emit(&out);
}

/// Prints to stdout; a closed pipe (`| head`) is not an error worth a panic.
fn emit(text: &str) {
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

fn print_result(args: &FixArgs, output: &Path, plan: &Plan, after: &Report, lang: Lang) {
    let remaining = repair::not_repairable(after);
    if matches!(args.format, Format::Json) {
        let value = json!({ "input": args.input, "output": output, "dry_run": false, "written": true, "plan": plan, "not_repairable": remaining, "report": after });
        emit(&format!("{value}\n"));
        return;
    }
    let color = super::stdout_in_color();
    let mut out = format!("{} → {}\n", args.input.display(), output.display());
    push_repairs(&mut out, lang.pick("Repairs made", "已完成的修复"), plan, lang);
    push_unrepaired(&mut out, &remaining, lang);
    out.push_str(&format!("\n{}\n", lang.pick("The written package, checked again:", "写出的安装包重新检查结果：")));
    out.push_str(&report::text(after, lang, color));
    out.push('\n');
    emit(&out);
}

fn push_repairs(out: &mut String, title: &str, plan: &Plan, lang: Lang) {
    if plan.mode == Mode::Refused {
        let none = lang.pick("Nothing can be written: the package cannot be read to its end.", "无法写出：安装包无法完整读取。");
        out.push_str(&format!("\n  {none}\n"));
        return;
    }
    if plan.repairs.is_empty() {
        let none = lang.pick("Nothing to repair: the output is a copy of the input.", "无需修复：输出与输入内容相同。");
        out.push_str(&format!("\n  {none}\n"));
        return;
    }
    out.push_str(&format!("\n  {title} ({})\n", plan.repairs.len()));
    for r in &plan.repairs {
        let code = r.code.as_deref().unwrap_or("      ");
        out.push_str(&format!("  ✔ {code}  {}\n", lang.pick(&r.message, &r.message_zh)));
    }
}

fn push_unrepaired(out: &mut String, unrepaired: &[Unrepaired], lang: Lang) {
    if unrepaired.is_empty() {
        return;
    }
    out.push_str(&format!("\n  {} ({})\n", lang.pick("Not repairable", "无法修复"), unrepaired.len()));
    for u in unrepaired {
        out.push_str(&format!("  ✖ {} {} {}\n", u.code, lang.pick("at", "位置"), u.location));
        out.push_str(&format!("    {}\n", lang.pick(&u.reason, &u.reason_zh)));
    }
}
