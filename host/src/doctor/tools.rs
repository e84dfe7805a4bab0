//! The tools of the device commands: the emulator (`qemu-system-arm`) and the Rust thumb targets
//! the firmware is built for.

use std::process::Command;

use super::{Finding, Purpose};

/// The Rust targets of the firmware: the emulated board and nRF52840 DK, and the Pico.
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
                    Finding::ok(*t, Some(Purpose::Device), "installed")
                }
                Some(_) => Finding::missing(*t, Some(Purpose::Device), "not installed", fix),
                None => Finding::missing(*t, Some(Purpose::Device), "rustup not found", fix),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_thumb_target_blocks_the_device_but_not_the_run() {
        let found = thumb_targets(Some("x86_64-unknown-linux-gnu\nthumbv6m-none-eabi\n"));
        assert_eq!(
            found[0].fix.as_deref(),
            Some("rustup target add thumbv7em-none-eabihf")
        );
        assert!(found[0].blocks(Purpose::Device) && !found[0].blocks(Purpose::Run));
        assert_eq!(found[1].fix, None);
        let without_rustup = thumb_targets(None);
        assert!(without_rustup
            .iter()
            .all(|f| f.detail == "rustup not found"));
    }
}
