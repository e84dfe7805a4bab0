//! Tests whose prerequisite (QEMU, the Cortex-M target, a fetched asset) is missing: skipped with
//! a notice on a developer's machine, failed in CI, where `.ci/run` sets [`REQUIRE_ALL`] so that
//! no test can pass by not running.

/// The environment variable that turns every "prerequisite missing" skip into a failure.
pub const REQUIRE_ALL: &str = "EDGEKD_REQUIRE_ALL";

/// A prerequisite is missing and [`REQUIRE_ALL`] forbids skipping.
#[derive(Debug, thiserror::Error)]
#[error("{reason}, and {REQUIRE_ALL}=1 forbids skipping (.ci/run sets it)")]
pub struct MissingPrerequisite {
    /// What is missing.
    pub reason: String,
}

/// Whether [`REQUIRE_ALL`] is set to anything but empty or `0`.
pub fn required() -> bool {
    std::env::var(REQUIRE_ALL).is_ok_and(|v| !v.is_empty() && v != "0")
}

/// A test's prerequisite is missing for `reason`: prints `SKIPPED: reason` and returns `Ok`
/// (the test returns early), or, under [`REQUIRE_ALL`], the error the test must fail with.
pub fn skip(reason: &str) -> Result<(), MissingPrerequisite> {
    skip_unless(required(), reason)
}

fn skip_unless(required: bool, reason: &str) -> Result<(), MissingPrerequisite> {
    if required {
        return Err(MissingPrerequisite {
            reason: reason.to_string(),
        });
    }
    println!("SKIPPED: {reason}");
    eprintln!("SKIPPED: {reason}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_skip_is_a_failure_when_everything_is_required() {
        assert!(skip_unless(false, "qemu-system-arm is not installed").is_ok());
        let err = skip_unless(true, "qemu-system-arm is not installed").unwrap_err();
        assert_eq!(
            err.to_string(),
            "qemu-system-arm is not installed, and EDGEKD_REQUIRE_ALL=1 forbids skipping \
             (.ci/run sets it)"
        );
    }
}
