//! `edgekd doctor`: what this machine has for each kind of work, and the command that fixes what it
//! lacks. Each [`Finding`] names what it is needed for; a missing item needed for the purpose asked
//! for makes the doctor fail.

mod board;
mod gpu;
mod tools;

use std::path::Path;
use std::process::Command;

use crate::assets::{verify, Cache, CATALOG};

pub use board::{probe_kind, UsbDevice};
pub use gpu::{vulkan_drivers, VulkanDrivers};
pub use tools::{thumb_targets, THUMB_TARGETS};

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

/// Free space below which the cache is reported as short (a teacher, its fine-tuned copies, the
/// soft-label cache and the corpora).
pub const MIN_FREE_BYTES: u64 = 2 << 30;

/// Every check on this machine against `cache`.
pub fn examine(cache: &Cache) -> Vec<Finding> {
    let mut out = vec![cache_space(cache.root())];
    out.extend(assets(cache));
    out.push(signing_key(cache.root()));
    out.push(tools::qemu());
    out.push(tools::emulated_firmware());
    out.extend(thumb_targets(tools::installed_targets().as_deref()));
    out.push(gpu::gpu());
    out.extend(board::links());
    out
}

fn cache_space(root: &Path) -> Finding {
    let existing = root.ancestors().find(|p| p.exists()).unwrap_or(root);
    let where_ = if root.exists() {
        root.display().to_string()
    } else {
        format!("{} (made on first fetch)", root.display())
    };
    if root.exists() && !writable(root) {
        return Finding::missing(
            "cache",
            Some(Purpose::Run),
            format!("{where_}: not writable"),
            format!(
                "sudo chown -R $USER {}, or point EDGEKD_CACHE at a folder you own",
                root.display()
            ),
        );
    }
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

/// Whether a file can be made in `dir` (made and removed again).
fn writable(dir: &Path) -> bool {
    let probe = dir.join(format!(".edgekd-doctor-{}", std::process::id()));
    let made = std::fs::File::create(&probe).is_ok();
    let _ = std::fs::remove_file(&probe);
    made
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
    fn a_damaged_signing_key_blocks_the_run_and_an_absent_one_does_not() {
        let dir = tempfile::tempdir().unwrap();
        let absent = signing_key(dir.path());
        assert!(!absent.blocks(Purpose::Run), "{absent:?}");
        assert!(absent.detail.contains("made on the first `edgekd run`"));
        let (secret, _) = crate::keys::key_paths(&dir.path().join("keys"), "dev");
        std::fs::create_dir_all(secret.parent().unwrap()).unwrap();
        std::fs::write(&secret, b"not a key").unwrap();
        let damaged = signing_key(dir.path());
        assert!(damaged.blocks(Purpose::Run), "{damaged:?}");
        assert!(
            damaged.fix.as_deref().unwrap().starts_with("rm "),
            "{damaged:?}"
        );
    }

    #[test]
    fn a_cache_not_made_yet_is_fine_and_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let found = cache_space(&dir.path().join("cache"));
        assert!(found.detail.contains("(made on first fetch)"), "{found:?}");
    }
}
