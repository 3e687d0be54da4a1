//! `ramcheck completions SHELL` and the hidden `ramcheck man [DIR]`: both
//! generated from the clap definitions, so they never disagree with the
//! options (`scripts/release` writes them into the release set).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap_complete::Shell;

/// Prints a completion script for SHELL.
///
/// bash: `ramcheck completions bash > ~/.local/share/bash-completion/completions/ramcheck`;
/// zsh: into a directory of $fpath as `_ramcheck`; fish:
/// `ramcheck completions fish > ~/.config/fish/completions/ramcheck.fish`.
#[derive(clap::Args)]
pub struct CompletionsArgs {
    shell: Shell,
}

/// Writes the man pages (ramcheck.1 and one per subcommand) into DIR, or
/// prints ramcheck.1 without DIR.
#[derive(clap::Args)]
pub struct ManArgs {
    dir: Option<PathBuf>,
}

pub fn completions(args: CompletionsArgs) -> ExitCode {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut super::command(), "ramcheck", &mut script);
    super::print_all(&String::from_utf8_lossy(&script))
}

pub fn man(args: ManArgs) -> ExitCode {
    let written = match &args.dir {
        Some(dir) => clap_mangen::generate_to(super::command(), dir),
        None => {
            let mut page = Vec::new();
            clap_mangen::Man::new(super::command()).render(&mut page).and_then(|()| std::io::stdout().lock().write_all(&page))
        }
    };
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ramcheck man: {e}");
            ExitCode::from(2)
        }
    }
}
