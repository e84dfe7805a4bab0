//! `edgekd doctor`: what this machine has for each kind of work, and the command that fixes what it
//! lacks. Each [`Finding`] names what it is needed for; a missing item needed for the purpose asked
//! for makes the doctor fail.

use std::path::Path;
use std::process::Command;

use crate::assets::{verify, Cache, CATALOG};

/// What the user means to do; each purpose needs the findings of those before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Purpose {
    /// `edgekd run` / `distill` on the host (cache, default assets, signing key).
    Run,
    /// The emulated device (`eval --device qemu`, `flash --qemu`): QEMU and the firmware embedded in
    /// this binary.
    Device,
    /// A real board: a debug probe or a serial port, and the thumb targets to build its image from
    /// the source tree.
    Board,
}

/// One checked item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// What was checked (`cache`, `asset minilm-l6`, `qemu-system-arm`, …).
    pub item: String,
    /// The purpose that needs it (`None`: optional, never fails the doctor).
    pub needed_for: Option<Purpose>,
    /// What was found.
    pub detail: String,
    /// The command that fixes it; `None` when it is fine.
    pub fix: Option<String>,
}

impl Finding {
    fn ok(item: impl Into<String>, needed_for: Option<Purpose>, detail: impl Into<String>) -> Self {
        Self {
            item: item.into(),
            needed_for,
            detail: detail.into(),
            fix: None,
        }
    }

    fn missing(
        item: impl Into<String>,
        needed_for: Option<Purpose>,
        detail: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Self {
            fix: Some(fix.into()),
            ..Self::ok(item, needed_for, detail)
        }
    }

    /// Whether this finding makes work for `purpose` impossible.
    pub fn blocks(&self, purpose: Purpose) -> bool {
        self.fix.is_some() && self.needed_for.is_some_and(|p| p <= purpose)
    }
}

/// The assets the default `edgekd run` needs (corpus, teacher, synonym lexicon).
pub const RUN_ASSETS: [&str; 3] = ["rotten-tomatoes", "minilm-l6", "wordnet"];

/// The Rust targets of the board images built from the source tree: the nRF52840 DK (and the emulated
/// board, whose image this binary's build embeds), and the Pico.
pub const THUMB_TARGETS: [&str; 2] = ["thumbv7em-none-eabihf", "thumbv6m-none-eabi"];

/// Free space below which the cache is reported as short (a teacher, its fine-tuned copies, the
/// soft-label cache and the corpora).
pub const MIN_FREE_BYTES: u64 = 2 << 30;

/// Every check on this machine against `cache`.
pub fn examine(cache: &Cache) -> Vec<Finding> {
    let mut out = vec![cache_space(cache.root())];
    out.extend(assets(cache));
    out.push(signing_key(cache.root()));
    out.push(qemu());
    out.push(emulated_firmware());
    out.extend(thumb_targets(installed_targets().as_deref()));
    out.push(gpu());
    out.push(probes());
    out.push(serial_ports());
    out
}

fn cache_space(root: &Path) -> Finding {
    let existing = root.ancestors().find(|p| p.exists()).unwrap_or(root);
    let where_ = if root.exists() {
        root.display().to_string()
    } else {
        format!("{} (made on first fetch)", root.display())
    };
    match free_bytes(existing) {
        Some(free) if free < MIN_FREE_BYTES => Finding::missing(
            "cache",
            Some(Purpose::Run),
            format!(
                "{where_}: {} free, under {}",
                gib(free),
                gib(MIN_FREE_BYTES)
            ),
            "free some space there, or point EDGEKD_CACHE at a larger disk",
        ),
        Some(free) => Finding::ok(
            "cache",
            Some(Purpose::Run),
            format!("{where_}: {} free", gib(free)),
        ),
        None => Finding::ok(
            "cache",
            Some(Purpose::Run),
            format!("{where_}: free space unknown (no `df`)"),
        ),
    }
}

fn gib(bytes: u64) -> String {
    format!("{:.1} GiB", bytes as f64 / f64::from(1u32 << 30))
}

/// Free bytes on the file system holding `path`, from `df -Pk`.
fn free_bytes(path: &Path) -> Option<u64> {
    let out = Command::new("df").arg("-Pk").arg(path).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let kib: u64 = text
        .lines()
        .nth(1)?
        .split_whitespace()
        .nth(3)?
        .parse()
        .ok()?;
    Some(kib * 1024)
}

fn assets(cache: &Cache) -> Vec<Finding> {
    CATALOG
        .iter()
        .map(|spec| {
            let item = format!("asset {}", spec.name);
            let needed = RUN_ASSETS.contains(&spec.name).then_some(Purpose::Run);
            let fix = format!("edgekd assets fetch --only {}", spec.name);
            if !cache.is_present(spec) {
                return Finding::missing(item, needed, "missing", fix);
            }
            match verify(spec, &cache.asset_dir(spec.name)) {
                Ok(()) => Finding::ok(item, needed, "present, hashes verified"),
                Err(e) => Finding::missing(
                    item,
                    needed,
                    format!("present but {e}"),
                    fix + " --reverify",
                ),
            }
        })
        .collect()
}

fn signing_key(root: &Path) -> Finding {
    let (secret, _) = crate::keys::key_paths(&root.join("keys"), "dev");
    if !secret.exists() {
        return Finding::ok(
            "signing key",
            Some(Purpose::Run),
            format!(
                "{} absent: made on the first `edgekd run` (or `edgekd keys gen NAME`)",
                secret.display()
            ),
        );
    }
    match crate::keys::load_signing_key(&secret) {
        Ok(_) => Finding::ok(
            "signing key",
            Some(Purpose::Run),
            secret.display().to_string(),
        ),
        Err(e) => Finding::missing(
            "signing key",
            Some(Purpose::Run),
            e.to_string(),
            format!(
                "rm {} (a new one is made on the next run)",
                secret.display()
            ),
        ),
    }
}

fn qemu() -> Finding {
    // The emulator the device commands would start ($QEMU_SYSTEM_ARM, else qemu-system-arm).
    let program = crate::qemu::QemuOptions::default()
        .qemu
        .display()
        .to_string();
    match Command::new(&program).arg("--version").output() {
        Ok(out) if out.status.success() => Finding::ok(
            "qemu-system-arm",
            Some(Purpose::Device),
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .next()
                .unwrap_or("")
                .to_string(),
        ),
        _ => Finding::missing(
            "qemu-system-arm",
            Some(Purpose::Device),
            format!("`{program}` does not run"),
            "sudo apt-get install qemu-system-arm (or set QEMU_SYSTEM_ARM)",
        ),
    }
}

/// The emulated board's `server`, embedded by this binary's build (`host/build.rs`).
fn emulated_firmware() -> Finding {
    let item = "emulated board firmware";
    match crate::firmware::qemu_server() {
        Ok(image) => Finding::ok(
            item,
            Some(Purpose::Device),
            format!("embedded in this binary ({} bytes)", image.len()),
        ),
        Err(e) => Finding::missing(
            item,
            Some(Purpose::Device),
            e.to_string(),
            "rustup target add thumbv7em-none-eabihf, then build edgekd again",
        ),
    }
}

/// `rustup target list --installed`, or `None` without rustup.
fn installed_targets() -> Option<String> {
    let out = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The thumb targets against rustup's list of installed targets (`None`: no rustup).
pub fn thumb_targets(installed: Option<&str>) -> Vec<Finding> {
    THUMB_TARGETS
        .iter()
        .map(|t| {
            let fix = format!("rustup target add {t}");
            match installed {
                Some(list) if list.lines().any(|l| l.trim() == *t) => {
                    Finding::ok(*t, Some(Purpose::Board), "installed")
                }
                Some(_) => Finding::missing(*t, Some(Purpose::Board), "not installed", fix),
                None => Finding::missing(*t, Some(Purpose::Board), "rustup not found", fix),
            }
        })
        .collect()
}

#[cfg(feature = "wgpu")]
fn gpu() -> Finding {
    use edgekd_models::backend::{select, BackendKind};
    match select(None) {
        Ok((BackendKind::Wgpu, _)) => Finding::ok("gpu (wgpu)", None, "hardware adapter: `auto` uses it"),
        _ => match BackendKind::Wgpu.device() {
            Ok(_) => Finding::ok("gpu (wgpu)", None, "software adapter only: used with --backend wgpu"),
            Err(e) => Finding::missing(
                "gpu (wgpu)",
                None,
                e.to_string(),
                "sudo apt-get install mesa-vulkan-drivers libvulkan1 (software Vulkan), or a GPU driver",
            ),
        },
    }
}

#[cfg(not(feature = "wgpu"))]
fn gpu() -> Finding {
    Finding::ok(
        "gpu (wgpu)",
        None,
        "not built with wgpu: training runs on the CPU (cargo build -p edgekd-host --features wgpu)",
    )
}

#[cfg(feature = "probe")]
fn probes() -> Finding {
    let probes = probe_rs::probe::list::Lister::new().list_all();
    if probes.is_empty() {
        Finding::missing(
            "debug probe",
            Some(Purpose::Board),
            "none connected",
            "connect a probe (or use --serial)",
        )
    } else {
        let names: Vec<String> = probes.iter().map(|p| p.identifier.clone()).collect();
        Finding::ok("debug probe", Some(Purpose::Board), names.join(", "))
    }
}

#[cfg(not(feature = "probe"))]
fn probes() -> Finding {
    Finding::ok(
        "debug probe",
        None,
        "not built with probe-rs: `probe-rs list` shows probes; `--features probe` flashes through one",
    )
}

fn serial_ports() -> Finding {
    match serialport::available_ports() {
        Ok(ports) if !ports.is_empty() => {
            let names: Vec<String> = ports.into_iter().map(|p| p.port_name).collect();
            Finding::ok("serial ports", Some(Purpose::Board), names.join(", "))
        }
        Ok(_) => Finding::missing(
            "serial ports",
            Some(Purpose::Board),
            "none visible",
            "connect the board by USB (Linux: add yourself to `dialout`)",
        ),
        Err(e) => Finding::missing(
            "serial ports",
            Some(Purpose::Board),
            e.to_string(),
            "check /dev/tty* permissions",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_cache_names_each_run_asset_with_its_fetch_command() {
        let dir = tempfile::tempdir().unwrap();
        let found = assets(&Cache::new(dir.path()));
        for name in RUN_ASSETS {
            let f = found
                .iter()
                .find(|f| f.item == format!("asset {name}"))
                .unwrap();
            assert_eq!(
                f.fix.as_deref(),
                Some(format!("edgekd assets fetch --only {name}").as_str())
            );
            assert!(f.blocks(Purpose::Run), "{f:?}");
        }
        let glove = found
            .iter()
            .find(|f| f.item == "asset glove-6b-50d")
            .unwrap();
        assert!(!glove.blocks(Purpose::Board), "optional assets never block");
    }

    #[test]
    fn a_missing_thumb_target_blocks_a_board_but_not_the_emulated_device() {
        let found = thumb_targets(Some("x86_64-unknown-linux-gnu\nthumbv6m-none-eabi\n"));
        assert_eq!(
            found[0].fix.as_deref(),
            Some("rustup target add thumbv7em-none-eabihf")
        );
        assert!(found[0].blocks(Purpose::Board) && !found[0].blocks(Purpose::Device));
        assert_eq!(found[1].fix, None);
    }
}
