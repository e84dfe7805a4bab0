//! The `edgekd` binary away from its source tree, as `cargo install --path host` leaves it: run in an
//! empty folder with an empty environment (no `HOME`, no `CARGO`, an empty `PATH`: no cargo or rustc
//! to build anything; QEMU named by `QEMU_SYSTEM_ARM`), `flash --qemu` and `eval --device qemu` boot
//! the firmware embedded in the binary, with this cache's own public key written into it, and the
//! device accepts a model signed with that key and predicts what the host simulation predicts.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use edgekd_shared::artifact::sample::{sample, SampleKind};
use edgekd_shared::artifact::{decode_trusted, encode};

/// The emulator as an absolute path (the binary gets no `PATH`).
fn qemu_path() -> PathBuf {
    let qemu = edgekd_host::qemu::QemuOptions::default().qemu;
    if qemu.is_absolute() {
        return qemu;
    }
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join(&qemu))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("{} is on no PATH folder", qemu.display()))
}

fn edgekd(args: &[&str], cwd: &Path, cache: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_edgekd"))
        .args(args)
        .current_dir(cwd)
        .env_clear()
        .env("PATH", "")
        .env("EDGEKD_CACHE", cache)
        .env("QEMU_SYSTEM_ARM", qemu_path())
        .output()
        .expect("runs edgekd")
}

fn check(out: &Output, what: &str) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[test]
fn flash_and_eval_on_qemu_run_from_an_empty_folder_without_a_toolchain() {
    if let Some(why) = edgekd_host::qemu::missing_prerequisite() {
        return edgekd_host::prerequisite::skip(&why).unwrap();
    }
    let root = tempfile::tempdir().unwrap();
    let (cache, cwd) = (root.path().join("cache"), root.path().join("work"));
    std::fs::create_dir_all(&cwd).unwrap();
    let key = edgekd_host::keys::generate(&cache.join("keys"), "dev").unwrap();

    // A sample model with its labels in the order a table's discovered labels take (sorted).
    let unsigned = sample(SampleKind::Bag, 3, None).unwrap().bytes;
    let mut model = decode_trusted(&unsigned).unwrap();
    model.meta.labels.sort_unstable();
    std::fs::write(cwd.join("model.ekd"), encode(&model, Some(&key)).unwrap()).unwrap();
    let mut csv = String::from("text,label\n");
    for i in 0..90 {
        let label = ["negative", "neutral", "positive"][i % 3];
        csv.push_str(&format!(
            "\"review {i}: the plot was {label} and the cast {i}\",{label}\n"
        ));
    }
    std::fs::write(cwd.join("reviews.csv"), csv).unwrap();

    let flashed = check(
        &edgekd(&["flash", "model.ekd", "--qemu"], &cwd, &cache),
        "flash --qemu",
    );
    assert!(flashed.contains("flashed model"), "{flashed}");
    let firmware: Vec<_> = std::fs::read_dir(cache.join("qemu"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("server-") && n.ends_with(".elf"))
        .collect();
    assert_eq!(firmware.len(), 1, "{firmware:?}");

    let args = ["eval", "model.ekd", "--data", "csv:reviews.csv"];
    let eval = check(
        &edgekd(
            &[&args[..], &["--device", "qemu", "--limit", "10"]].concat(),
            &cwd,
            &cache,
        ),
        "eval --device qemu",
    );
    assert!(
        eval.contains("device predictions equal to the host simulation on 10 of 10"),
        "{eval}"
    );
}
