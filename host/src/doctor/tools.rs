//! The tools of the device commands: the emulator (`qemu-system-arm`) and the emulated board's
//! firmware embedded in this binary; for real boards, the Rust thumb targets their images are built for.

use std::process::Command;

use super::{Finding, Purpose};

/// The Rust targets of the board images built from the source tree: the nRF52840 DK (and the
/// emulated board, whose image this binary's build embeds), and the Pico.
pub const THUMB_TARGETS: [&str; 2] = ["thumbv7em-none-eabihf", "thumbv6m-none-eabi"];

/// The emulator the device commands would start (`$QEMU_SYSTEM_ARM`, else `qemu-system-arm`).
pub(super) fn qemu() -> Finding {
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
pub(super) fn emulated_firmware() -> Finding {
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
pub(super) fn installed_targets() -> Option<String> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_thumb_target_blocks_a_board_but_not_the_emulated_device() {
        let found = thumb_targets(Some("x86_64-unknown-linux-gnu\nthumbv6m-none-eabi\n"));
        assert_eq!(
            found[0].fix.as_deref(),
            Some("rustup target add thumbv7em-none-eabihf")
        );
        assert!(found[0].blocks(Purpose::Board) && !found[0].blocks(Purpose::Device));
        assert_eq!(found[1].fix, None);
        let without_rustup = thumb_targets(None);
        assert!(without_rustup
            .iter()
            .all(|f| f.detail == "rustup not found"));
    }
}
