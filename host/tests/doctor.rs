//! `edgekd doctor` on this machine and on a fresh-looking one. `scripts/test.sh` installs the
//! prerequisites first (`scripts/prerequisites.sh`), so a machine that is not ready fails the
//! ready-machine tests: they never skip.
//!
//! A fresh machine is imitated by an empty `EDGEKD_CACHE` and a `PATH` that holds only `df` and
//! `rustup` (so no `qemu-system-arm`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use edgekd_host::doctor::RUN_ASSETS;

/// `edgekd doctor --for PURPOSE`; `cache`: `EDGEKD_CACHE` (else the environment's); `path`:
/// `PATH` (else the environment's).
fn doctor(purpose: &str, cache: Option<&Path>, path: Option<&Path>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_edgekd"));
    cmd.args(["doctor", "--for", purpose])
        .env("RUST_BACKTRACE", "1")
        .env_remove("QEMU_SYSTEM_ARM")
        .env_remove("RUST_LOG");
    if let Some(cache) = cache {
        cmd.env("EDGEKD_CACHE", cache);
    }
    if let Some(path) = path {
        cmd.env("PATH", path);
    }
    cmd.output().expect("runs edgekd")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A folder of links to `df` and `rustup` only: a `PATH` without QEMU.
fn path_without_qemu(dir: &Path) -> PathBuf {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    for tool in ["df", "rustup"] {
        let found = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
            .map(|d| d.join(tool))
            .find(|p| p.is_file())
            .unwrap_or_else(|| panic!("`{tool}` is not on PATH"));
        std::os::unix::fs::symlink(found, bin.join(tool)).unwrap();
    }
    bin
}

/// The line of `item` in the doctor's report.
fn line_of<'a>(report: &'a str, item: &str) -> &'a str {
    report
        .lines()
        .find(|l| l.get(10..).is_some_and(|rest| rest.starts_with(item)))
        .unwrap_or_else(|| panic!("no `{item}` line in\n{report}"))
}

#[test]
fn on_this_ready_machine_doctor_for_the_device_exits_zero() {
    let out = doctor("device", None, None);
    let report = text(&out.stdout);
    assert!(
        out.status.success(),
        "this machine is not ready (scripts/prerequisites.sh installs what is missing):\n{report}{}",
        text(&out.stderr)
    );
    assert!(report.ends_with("ready for `--for device`\n"), "{report}");
    for item in [
        "cache",
        "qemu-system-arm",
        "emulated board firmware",
        "signing key",
    ] {
        assert!(
            line_of(&report, item).trim_start().starts_with("ok "),
            "{report}"
        );
    }
    for name in RUN_ASSETS {
        let line = line_of(&report, &format!("asset {name}"));
        assert!(
            line.trim_start().starts_with("ok ") && line.contains("hashes verified"),
            "{report}"
        );
    }
}

#[test]
fn without_qemu_the_run_is_ready_and_the_device_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let path = path_without_qemu(dir.path());
    let run = doctor("run", None, Some(&path));
    let report = text(&run.stdout);
    assert!(run.status.success(), "{report}{}", text(&run.stderr));
    assert!(
        line_of(&report, "qemu-system-arm").contains("absent"),
        "{report}"
    );
    assert!(
        report.contains("(needed for --for device)"),
        "qemu is named as what the device needs: {report}"
    );

    let device = doctor("device", None, Some(&path));
    let report = text(&device.stdout);
    assert!(!device.status.success(), "{report}");
    assert!(
        line_of(&report, "qemu-system-arm").contains("MISSING"),
        "{report}"
    );
    assert!(
        report.contains("fix: sudo apt-get install qemu-system-arm"),
        "{report}"
    );
    let stderr = text(&device.stderr);
    assert!(
        stderr.starts_with("error: 1 missing for `--for device`: qemu-system-arm"),
        "{stderr}"
    );
}

#[test]
fn on_a_fresh_machine_doctor_names_each_missing_prerequisite_with_its_fix_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    std::fs::create_dir_all(&cache).unwrap();
    let path = path_without_qemu(dir.path());
    let out = doctor("device", Some(&cache), Some(&path));
    let report = text(&out.stdout);
    assert!(!out.status.success(), "{report}");
    for name in RUN_ASSETS {
        assert!(
            line_of(&report, &format!("asset {name}")).contains("MISSING"),
            "{report}"
        );
        assert!(
            report.contains(&format!("fix: edgekd assets fetch --only {name}")),
            "{report}"
        );
    }
    assert!(
        report.contains("fix: sudo apt-get install qemu-system-arm"),
        "{report}"
    );
    let stderr = text(&out.stderr);
    assert!(stderr.starts_with("error: "), "{stderr}");
    for item in RUN_ASSETS
        .iter()
        .map(|n| format!("asset {n}"))
        .chain(["qemu-system-arm".to_string()])
    {
        assert!(stderr.contains(&item), "{item} not named in {stderr}");
    }
    assert!(!stderr.contains("acktrace"), "{stderr}");
}
