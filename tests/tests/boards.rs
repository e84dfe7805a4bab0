//! Every board of `edgekd_device::board`: its `memory.x`, the board map, the storage layout and
//! the probe flasher's addresses agree; its firmware image builds (`cargo build --release` in
//! `device/boards/<name>`) and fits the board's flash and RAM, printed against the budgets.
//!
//! A missing prerequisite (a Rust target of a board) fails the build test: it never skips.

use edgekd_device::board::{BoardMap, BOARDS};
use edgekd_device::storage::RECORD_LEN;
use edgekd_host::device::probe_target;
use edgekd_host::firmware;
use edgekd_shared::profile::BoardProfile;
use edgekd_tests::memory_x;
use edgekd_tests::qemu_env::test_public_key_hex;

fn memory_x(board: &BoardMap) -> Vec<memory_x::Named> {
    let path = firmware::board_dir(board).join("memory.x");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    memory_x::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn memory_x_board_map_layout_and_probe_addresses_agree() {
    for board in BOARDS {
        let name = board.name;
        board.check().unwrap_or_else(|e| panic!("board map: {e}"));
        let regions = memory_x(&board);
        let get = |r: &str| {
            memory_x::region(&regions, r)
                .unwrap_or_else(|| panic!("{name}: memory.x has no {r} region"))
        };
        assert_eq!(get("FLASH"), board.firmware, "{name}: FLASH");
        assert_eq!(get("STORAGE"), board.storage, "{name}: STORAGE");
        assert_eq!(get("RAM"), board.ram, "{name}: RAM");
        // Whatever else memory.x names (the RP2040's BOOT2) lies in the chip's flash, before
        // the firmware.
        for other in regions
            .iter()
            .filter(|r| !["FLASH", "STORAGE", "RAM"].contains(&r.name.as_str()))
        {
            assert!(
                board.chip_flash.contains(&other.region)
                    && other.region.end() <= Some(board.firmware.origin),
                "{name}: {} {:?}",
                other.name,
                other.region
            );
        }

        // The storage layout fills STORAGE, in erase sectors, and a slot holds the profile's
        // largest artifact.
        let layout = board.layout;
        assert_eq!(
            layout.span(),
            Some(board.storage.len),
            "{name}: layout span"
        );
        layout
            .check(board.storage.len, board.erase_size, RECORD_LEN as u32)
            .unwrap_or_else(|e| panic!("{name}: layout: {e}"));
        let profile = BoardProfile::by_id(board.profile);
        assert!(
            layout
                .slots
                .iter()
                .all(|s| s.len as usize >= profile.max_artifact),
            "{name}: slots smaller than the {} artifact budget",
            profile.name
        );

        // What `edgekd flash --probe --board NAME` writes, without overrides.
        if board.chip.is_empty() {
            assert!(probe_target(name, None, None).is_err(), "{name}: emulated");
            continue;
        }
        let t = probe_target(name, None, None).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(t.chip, board.chip, "{name}: probe chip");
        assert_eq!(
            t.storage.base,
            u64::from(get("STORAGE").origin),
            "{name}: probe base"
        );
        assert_eq!(
            t.storage.len, board.storage.len as usize,
            "{name}: probe length"
        );
        assert_eq!(t.storage.layout, layout, "{name}: probe layout");
    }
}

/// The `name`s of the `[[bin]]` sections of a Cargo.toml.
fn bin_names(toml: &str) -> Vec<String> {
    let mut in_bin = false;
    let mut names = Vec::new();
    for line in toml.lines().map(str::trim) {
        if line.starts_with('[') {
            in_bin = line == "[[bin]]";
        } else if let Some(name) = line.strip_prefix("name = \"").filter(|_| in_bin) {
            names.push(name.trim_end_matches('"').to_string());
        }
    }
    names
}

#[test]
fn every_board_image_builds_and_fits_its_budgets() {
    let key = test_public_key_hex();
    let mut lines = Vec::new();
    for board in BOARDS {
        let release =
            firmware::build(&board, &key, None).unwrap_or_else(|e| panic!("{}: {e}", board.name));
        let toml = firmware::board_dir(&board).join("Cargo.toml");
        let toml =
            std::fs::read_to_string(&toml).unwrap_or_else(|e| panic!("{}: {e}", toml.display()));
        let bins = bin_names(&toml);
        assert!(
            bins.iter().any(|b| b == "server"),
            "{}: {bins:?}",
            board.name
        );
        for bin in bins {
            let elf = release.join(&bin);
            let usage = firmware::measure_file(&board, &elf)
                .unwrap_or_else(|e| panic!("{e}"))
                .unwrap_or_else(|e| panic!("{bin}: {e}"));
            assert!(usage.flash > 0, "{}: {usage:?}", elf.display());
            if bin == "server" {
                // Arena, learner heads and link buffers are statics.
                assert!(usage.ram > 32 * 1024, "{}: {usage:?}", elf.display());
            }
            lines.push(format!("{bin:<9} {usage}"));
        }
    }
    println!("board images against their budgets:");
    for line in lines {
        println!("  {line}");
    }
}
