//! `edgekd keys gen`: make a signing key pair for artifacts.

use std::path::PathBuf;

use clap::{Args, Subcommand};

/// Arguments of `edgekd keys`.
#[derive(Debug, Args)]
pub struct KeysArgs {
    #[command(subcommand)]
    command: KeysCommand,
}

#[derive(Debug, Subcommand)]
enum KeysCommand {
    /// Make a new Ed25519 key pair NAME.key (secret, mode 0600) and NAME.pub.
    Gen {
        /// Name of the pair.
        #[arg(long, default_value = "release")]
        name: String,
        /// Folder of the pair (default: $EDGEKD_CACHE/keys).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
}

/// Runs `edgekd keys`.
pub fn run(args: KeysArgs) -> anyhow::Result<()> {
    match args.command {
        KeysCommand::Gen { name, dir } => {
            let dir = match dir {
                Some(d) => d,
                None => edgekd_host::keys::default_key_dir()?,
            };
            let key = edgekd_host::keys::generate(&dir, &name)?;
            let (secret, public) = edgekd_host::keys::key_paths(&dir, &name);
            println!("secret key  {}", secret.display());
            println!("public key  {}", public.display());
            println!(
                "public hex  {}",
                edgekd_host::keys::hex(key.verifying_key().as_bytes())
            );
            Ok(())
        }
    }
}
