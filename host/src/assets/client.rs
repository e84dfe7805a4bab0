//! Runs the registry clients (pip, npm, apt-get, dpkg-deb) and turns their failures into
//! [`AssetError`]s that name the asset, the command and its stderr.

use super::catalog::{AssetSpec, Client};
use super::error::AssetError;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Downloads the asset's package file into the empty directory `dir` with its client and
/// returns the path of the one file it left there.
pub fn download(spec: &AssetSpec, dir: &Path) -> Result<PathBuf, AssetError> {
    let dir_s = dir.to_string_lossy().into_owned();
    let (program, args): (&str, Vec<String>) = match spec.client {
        Client::Pip { spec: req, sdist } => {
            let mut args = vec!["download".into(), "--no-deps".into()];
            if sdist {
                args.extend(["--no-binary".into(), ":all:".into()]);
            }
            args.extend(["-d".into(), dir_s, req.into()]);
            (pip_program(), args)
        }
        Client::Npm { spec: pkg } => ("npm", vec!["pack".into(), pkg.into()]),
        Client::Apt { package, .. } => ("apt-get", vec!["download".into(), package.into()]),
    };
    run(spec.name, program, &args, dir)?;
    let files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(AssetError::io(spec.name, "listing", dir))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    match files.as_slice() {
        [one] => Ok(one.clone()),
        _ => Err(AssetError::NoPackageFile {
            asset: spec.name,
            command: command_line(program, &args),
            found: files.len(),
            dir: dir.to_path_buf(),
        }),
    }
}

/// `dpkg-deb -x DEB DEST`.
pub fn dpkg_extract(asset: &'static str, deb: &Path, dest: &Path) -> Result<(), AssetError> {
    let args = vec![
        "-x".to_string(),
        deb.to_string_lossy().into_owned(),
        dest.to_string_lossy().into_owned(),
    ];
    run(asset, "dpkg-deb", &args, dest)
}

/// `pip` if on PATH, else `pip3`.
fn pip_program() -> &'static str {
    let found = |p: &str| {
        std::env::var_os("PATH")
            .is_some_and(|paths| std::env::split_paths(&paths).any(|d| d.join(p).is_file()))
    };
    if found("pip") || !found("pip3") {
        "pip"
    } else {
        "pip3"
    }
}

fn command_line(program: &str, args: &[String]) -> String {
    std::iter::once(program.to_string())
        .chain(args.iter().cloned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs `program args` in `cwd`, mapping a missing program and a failing exit to typed errors.
fn run(asset: &'static str, program: &str, args: &[String], cwd: &Path) -> Result<(), AssetError> {
    let command = command_line(program, args);
    tracing::info!(asset, %command, "running registry client");
    let output = Command::new(program)
        .args(args)
        .current_dir(cwd)
        .output()
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                AssetError::ClientMissing {
                    asset,
                    client: program.to_string(),
                    command: command.clone(),
                }
            } else {
                AssetError::Io {
                    asset,
                    action: "starting",
                    path: PathBuf::from(program),
                    source: e,
                }
            }
        })?;
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let tail: Vec<&str> = stderr.lines().rev().take(20).collect();
    Err(AssetError::ClientFailed {
        asset,
        command,
        status: output.status.to_string(),
        stderr: tail.into_iter().rev().collect::<Vec<_>>().join("\n"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_program_is_a_typed_error() {
        let dir = tempfile::tempdir().unwrap();
        let err = run("x", "edgekd-no-such-client", &["a".into()], dir.path()).unwrap_err();
        assert!(matches!(err, AssetError::ClientMissing { .. }), "{err}");
        assert!(err.to_string().contains("edgekd-no-such-client a"));
    }

    #[test]
    fn failing_program_reports_command_and_stderr() {
        let dir = tempfile::tempdir().unwrap();
        let args = vec![
            "-c".to_string(),
            "echo registry down >&2; exit 3".to_string(),
        ];
        let err = run("x", "sh", &args, dir.path()).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("registry down") && text.contains("sh -c"),
            "{text}"
        );
    }
}
