//! Documentation generated from the code stays in sync with it.

use crate::{entente, root, stdout};

const BEGIN: &str = "<!-- BEGIN entente schema -->\n";
const END: &str = "<!-- END entente schema -->";

/// The README's data dictionary is exactly `entente schema` (regenerate with
/// `just readme-schema`).
#[test]
fn readme_data_dictionary_is_generated() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let start = readme.find(BEGIN).expect("README has the schema markers") + BEGIN.len();
    let end = readme.find(END).unwrap();
    let schema = entente(&["schema"]);
    assert!(schema.status.success());
    assert!(
        readme.get(start..end) == Some(stdout(&schema).as_str()),
        "README data dictionary is stale: run `just readme-schema`"
    );
}

/// Every pipeline file parses (unknown keys are errors) and points at existing inputs.
#[test]
fn pipeline_files_are_valid() {
    let mut n = 0;
    for entry in std::fs::read_dir(root().join("pipelines")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let text = std::fs::read_to_string(&path).unwrap();
            let config = entente_pipeline::Pipeline::parse(&text, &path).unwrap();
            for input in &config.inputs {
                assert!(
                    path.parent().unwrap().join(input).exists(),
                    "{}: {}",
                    path.display(),
                    input.display()
                );
            }
            n += 1;
        }
    }
    assert!(n >= 1);
}
