//! `edgekd inspect MODEL.ekd`: layers, sizes, budgets, metadata, identity and signature of an
//! artifact.

use std::path::PathBuf;

use clap::Args;
use edgekd_host::inspect::{describe, SignatureStatus};

/// Arguments of `edgekd inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The artifact.
    model: PathBuf,
    /// Public key (`NAME.pub`) to check the signature against; default: the development key.
    #[arg(long)]
    public_key: Option<PathBuf>,
}

/// Runs `edgekd inspect`: prints the description, and fails when the signature does not verify
/// against the key (an unsigned artifact is reported as such and is not an error here).
pub fn run(args: InspectArgs) -> anyhow::Result<()> {
    let key = match &args.public_key {
        Some(path) => edgekd_host::keys::load_verifying_key(path)?,
        None => edgekd_host::keys::dev_signing_key()?.verifying_key(),
    };
    let inspection = describe(&args.model, &key)?;
    print!("{}", inspection.text);
    if inspection.signature == SignatureStatus::Invalid {
        anyhow::bail!(
            "{}: the signature does not verify against the key {} (tampered, or signed with \
             another key; pass that one with --public-key)",
            args.model.display(),
            edgekd_host::keys::hex(key.as_bytes())
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::SigningKey;
    use edgekd_shared::artifact::{encode, sample::tiny};

    #[test]
    fn an_invalid_signature_is_an_error_and_unsigned_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let key = SigningKey::from_bytes(&[8; 32]);
        let public = dir.path().join("k.pub");
        std::fs::write(
            &public,
            edgekd_host::keys::hex(key.verifying_key().as_bytes()),
        )
        .unwrap();
        let other = dir.path().join("other.pub");
        let other_key = SigningKey::from_bytes(&[9; 32]).verifying_key();
        std::fs::write(&other, edgekd_host::keys::hex(other_key.as_bytes())).unwrap();
        let model = dir.path().join("m.ekd");
        let args = |public_key: &PathBuf| InspectArgs {
            model: model.clone(),
            public_key: Some(public_key.clone()),
        };
        std::fs::write(&model, encode(&tiny(), Some(&key)).unwrap()).unwrap();
        assert!(run(args(&public)).is_ok());
        let err = run(args(&other)).unwrap_err().to_string();
        assert!(err.contains("does not verify"), "{err}");
        std::fs::write(&model, encode(&tiny(), None).unwrap()).unwrap();
        assert!(run(args(&other)).is_ok());
    }
}
