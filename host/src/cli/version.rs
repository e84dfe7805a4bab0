//! `edgekd --version`: the crate version with the artifact format and device protocol versions.

use std::sync::OnceLock;

use edgekd_shared::artifact::FORMAT_VERSION;
use edgekd_shared::protocol::PROTOCOL_VERSION;

/// `0.1.0 (artifact format 1, device protocol 2)`.
pub fn text() -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(|| {
        format!(
            "{} (artifact format {FORMAT_VERSION}, device protocol {PROTOCOL_VERSION})",
            env!("CARGO_PKG_VERSION")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_names_the_format_and_the_protocol() {
        assert_eq!(
            text(),
            format!(
                "{} (artifact format {FORMAT_VERSION}, device protocol {PROTOCOL_VERSION})",
                env!("CARGO_PKG_VERSION")
            )
        );
    }
}
