//! `edgekd completions bash|zsh|fish|…`: the shell completion script, on stdout.

use clap::Args;
use clap_complete::Shell;

/// Arguments of `edgekd completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, elvish or powershell.
    shell: Shell,
}

/// Writes the completion script of `command` for the shell asked for to stdout.
pub fn run(args: CompletionsArgs, mut command: clap::Command) -> anyhow::Result<()> {
    clap_complete::generate(args.shell, &mut command, "edgekd", &mut std::io::stdout());
    Ok(())
}
