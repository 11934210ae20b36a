//! `statusdb generate`: shell completions and the man page, from the CLI definition itself.

use crate::{Cli, Failure};
use clap::{CommandFactory, ValueEnum};
use clap_complete::Shell;
use std::io::{self, Write};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct GenerateArgs {
    #[arg(value_enum)]
    what: Target,
    /// For `man`: write a page per subcommand (statusdb.1, statusdb-ingest.1, ...) into DIR
    /// instead of the main page to stdout.
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Target {
    Bash,
    Zsh,
    Fish,
    Elvish,
    Powershell,
    Man,
}

pub fn run(args: GenerateArgs) -> Result<u8, Failure> {
    let mut command = Cli::command();
    let shell = match args.what {
        Target::Bash => Shell::Bash,
        Target::Zsh => Shell::Zsh,
        Target::Fish => Shell::Fish,
        Target::Elvish => Shell::Elvish,
        Target::Powershell => Shell::PowerShell,
        Target::Man => {
            return match args.dir {
                Some(dir) => clap_mangen::generate_to(command, &dir)
                    .map(|()| 0)
                    .map_err(|e| {
                        Failure::runtime(format!(
                            "cannot write man pages to {}: {e}",
                            dir.display()
                        ))
                    }),
                None => {
                    let mut out = io::stdout().lock();
                    clap_mangen::Man::new(command)
                        .render(&mut out)
                        .and_then(|()| out.flush())
                        .map(|()| 0)
                        .map_err(Failure::runtime)
                }
            };
        }
    };
    if args.dir.is_some() {
        return Err(Failure::usage("--dir is for `generate man`"));
    }
    clap_complete::generate(shell, &mut command, "statusdb", &mut io::stdout());
    Ok(0)
}
