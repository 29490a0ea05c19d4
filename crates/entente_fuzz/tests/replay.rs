//! Every committed fuzz seed and every input that once crashed a target, through the target's
//! harness: a crash found by `just fuzz` and fixed stays fixed.

use std::path::{Path, PathBuf};

use entente_fuzz::TARGETS;

fn inputs(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut files: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
    files.sort();
    files
}

#[test]
fn seeds_and_regressions_pass_every_harness() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    for (target, harness) in TARGETS {
        let seeds = inputs(&fuzz.join("corpus").join(target));
        assert!(seeds.len() >= 3, "{target}: fewer than 3 seeds in fuzz/corpus/{target}");
        for path in seeds.iter().chain(&inputs(&fuzz.join("regressions").join(target))) {
            let data = std::fs::read(path).unwrap();
            let result = std::panic::catch_unwind(|| harness(&data));
            assert!(result.is_ok(), "{target} fails on {}", path.display());
        }
    }
}

/// Every target of `fuzz/fuzz_targets/` is a harness of this crate and the other way round.
#[test]
fn every_harness_has_a_cargo_fuzz_target() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/fuzz_targets");
    let mut on_disk: Vec<String> = inputs(&dir)
        .iter()
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut names: Vec<String> = TARGETS.iter().map(|(n, _)| (*n).to_owned()).collect();
    names.sort();
    assert_eq!(on_disk, names);
}
