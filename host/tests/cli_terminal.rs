//! The `edgekd` binary as a user meets it: `--version`, completions, table errors that teach
//! without a backtrace, and a short `distill` under a pseudo-terminal (`script` from util-linux) and
//! without one, each ending with the summary (`doctor` has its own file, `doctor.rs`).

use std::path::Path;
use std::process::{Command, Output};

/// `edgekd ARGS` run in `cache` (also its working folder, so that nothing lands in the checkout).
fn edgekd(args: &[&str], cache: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_edgekd"))
        .args(args)
        .current_dir(cache)
        .env("EDGEKD_CACHE", cache)
        .env("RUST_BACKTRACE", "1")
        .env_remove("RUST_LOG")
        .output()
        .expect("runs edgekd")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn version_names_the_artifact_format_and_the_protocol() {
    let dir = tempfile::tempdir().unwrap();
    let out = edgekd(&["--version"], dir.path());
    assert!(out.status.success());
    let v = text(&out.stdout);
    assert!(
        v.starts_with(&format!("edgekd {}", env!("CARGO_PKG_VERSION"))),
        "{v}"
    );
    assert!(v.contains(&format!(
        "artifact format {}",
        edgekd_shared::artifact::FORMAT_VERSION
    )));
    assert!(v.contains(&format!(
        "device protocol {}",
        edgekd_shared::protocol::PROTOCOL_VERSION
    )));
}

#[test]
fn completions_cover_the_subcommands() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish"] {
        let out = edgekd(&["completions", shell], dir.path());
        assert!(out.status.success(), "{shell}: {}", text(&out.stderr));
        let script = text(&out.stdout);
        for sub in ["doctor", "distill", "flash"] {
            assert!(script.contains(sub), "{shell} completions lack {sub}");
        }
    }
}

#[test]
fn a_tsv_passed_as_csv_gets_a_delimiter_hint_and_no_backtrace() {
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("reviews.csv");
    std::fs::write(&table, "text\tlabel\ngood film\tpos\nbad film\tneg\n").unwrap();
    let corpus = format!("--corpus=csv:{}", table.display());
    let out = edgekd(&["distill", &corpus], dir.path());
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("the header looks tab-separated; pass the table as tsv:PATH"),
        "{stderr}"
    );
    assert!(!stderr.contains("acktrace"), "{stderr}");
    // Refused before the output folder (`runs/distill` by default) or its log exists.
    assert!(
        !dir.path().join("runs").exists(),
        "a refused run wrote a folder"
    );
}

/// A short `distill` on a generated table with a few teacher steps (the real MiniLM: the
/// `minilm-l6` and `wordnet` assets must be fetched; the test fails without them).
#[test]
fn bad_sweep_settings_are_refused_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let grid = dir.path().join("kd-only.toml");
    std::fs::write(
        &grid,
        "corpora = [\"rotten-tomatoes\"]\nmethods = [\"synonym\"]\nsizes = [500]\ncopies = [4]\n\
         degrees = [0.3]\nmodes = [\"kd\"]\nseeds = [1]\n",
    )
    .unwrap();
    let grid = grid.to_str().unwrap();
    // A mode the grid has no cells of, and a learning rate that is not one: each an error naming
    // the flag, and no results file.
    for (flags, says) in [
        (vec!["--mode", "ft"], "--mode Ft"),
        (
            vec!["--learning-rates", "1e-3,-2"],
            "--learning-rates: learning_rate must be finite and > 0, got -2",
        ),
    ] {
        let mut args = vec!["sweep", "--grid", grid, "--results", "r.jsonl"];
        args.extend(flags);
        let out = edgekd(&args, dir.path());
        let err = text(&out.stderr);
        assert!(!out.status.success() && err.contains(says), "{err}");
        assert!(!dir.path().join("r.jsonl").exists());
    }
}

fn distill_args(dir: &Path) -> Vec<String> {
    let table = dir.join("reviews.csv");
    let mut csv = String::from("text,label\n");
    let (good, bad) = (
        ["wonderful", "moving", "superb"],
        ["boring", "dull", "awful"],
    );
    for i in 0..120 {
        let (w, l) = if i % 2 == 0 {
            (good[i % 3], "pos")
        } else {
            (bad[i % 3], "neg")
        };
        csv.push_str(&format!("\"the film {i} was {w}\",{l}\n"));
    }
    std::fs::write(&table, csv).unwrap();
    [
        format!("--corpus=csv:{}", table.display()),
        "--train-size=0".into(),
        "--teacher-epochs=1".into(),
        "--teacher-max-steps=2".into(),
        "--teacher-max-len=16".into(),
        "--copies=1".into(),
        "--degree=0.3".into(),
        "--buckets=256".into(),
        "--epochs=2".into(),
        "--backend=flex".into(),
        "--train-kd-without-augmentation=false".into(),
        format!("--out={}", dir.join("out").display()),
    ]
    .into()
}

/// The closing summary of `distill` on `screen`: the models, the KD student's estimated fit per
/// board, and the next commands, starting with the export of `dir/out`; and the `config.toml`
/// that export reads.
fn assert_summary(screen: &str, dir: &Path) {
    for line in [
        "teacher",
        "student kd (f32)",
        "student ft (f32)",
        "KD student in int8, estimated: ~",
        "m4-1m    fits",
        "m4-256k  fits",
        "next:",
    ] {
        assert!(screen.contains(line), "no `{line}` in {screen}");
    }
    let out = dir.join("out");
    assert!(
        screen.contains(&format!("  edgekd export {} ", out.display())),
        "{screen}"
    );
    assert!(
        screen.contains(&format!(
            "  edgekd eval {} --device qemu",
            out.join("model.ekd").display()
        )),
        "{screen}"
    );
    let config = std::fs::read_to_string(out.join("config.toml")).expect("config.toml written");
    let config: toml::Value = toml::from_str(&config).unwrap();
    assert_eq!(config["buckets"].as_integer(), Some(256), "{config}");
    // The detail the terminal leaves out is in the out folder's run.log.
    let log = std::fs::read_to_string(out.join("run.log")).expect("run.log written");
    assert!(
        log.contains("INFO"),
        "run.log holds the detailed log:\n{log}"
    );
}

fn require_assets() {
    let cache = edgekd_host::assets::Cache::from_env().expect("cache");
    for name in ["minilm-l6", "wordnet"] {
        let spec = edgekd_host::assets::lookup(name).unwrap();
        assert!(
            cache.is_present(spec),
            "asset {name} missing: run `edgekd assets fetch --only {name}`"
        );
    }
}

#[test]
fn distill_under_a_terminal_prints_stage_lines_and_the_table() {
    require_assets();
    let dir = tempfile::tempdir().unwrap();
    let args = distill_args(dir.path()).join(" ");
    let cmd = format!("{} distill {args}", env!("CARGO_BIN_EXE_edgekd"));
    let out = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .env("TERM", "xterm")
        .output()
        .expect("script (util-linux) runs");
    let screen = text(&out.stdout);
    assert!(out.status.success(), "{screen}");
    for stage in [
        "Fine-tuning teacher",
        "Augmenting",
        "Labelling",
        "Training KD student",
        "Training FT student",
    ] {
        assert!(screen.contains(stage), "no `{stage}` line in {screen}");
    }
    assert_summary(&screen, dir.path());
    assert!(screen.contains('\x1b'), "a terminal gets colour: {screen}");
    // Bars redraw in place (`\r`); only finished lines stay: the bound for a cold run.
    let lines = screen.matches('\n').count();
    assert!(lines <= 30, "{lines} lines on the terminal: {screen}");
    let summary = screen.rsplit("\nmodel ").next().unwrap();
    assert!(
        !summary.contains('\x1b'),
        "the summary is plain text after the bars: {summary:?}"
    );
}

#[test]
fn distill_without_a_terminal_writes_no_control_characters() {
    require_assets();
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_edgekd"))
        .arg("distill")
        .args(distill_args(dir.path()))
        .output()
        .expect("runs edgekd");
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("Labelling"), "{stdout}");
    assert_summary(&stdout, dir.path());
    for bytes in [&out.stdout, &out.stderr] {
        assert!(
            !bytes.iter().any(|&b| b == 0x1b || b == b'\r'),
            "control characters in {}",
            text(bytes)
        );
    }
}
