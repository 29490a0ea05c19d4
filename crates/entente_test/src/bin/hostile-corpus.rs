//! Writes the hostile-input corpus into the directory given (`just validate-hostile`) and
//! prints what each file is and the outcome it must have.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a small command-line tool for the justfile: its output is for people"
)]

fn main() -> std::process::ExitCode {
    let Some(dir) = std::env::args_os().nth(1) else {
        eprintln!("usage: hostile-corpus DIR");
        return std::process::ExitCode::from(2);
    };
    match entente_test::hostile::write(std::path::Path::new(&dir)) {
        Ok(cases) => {
            for c in &cases {
                println!(
                    "{:<22} {:<45} documents {} rejects {:?}",
                    c.source, c.what, c.documents, c.rejects
                );
            }
            let (documents, rejects) = entente_test::hostile::totals(&cases);
            println!("{} files: {documents} documents and {rejects} rejects expected", cases.len());
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!(
                "cannot write the hostile corpus into {}: {e}",
                std::path::Path::new(&dir).display()
            );
            std::process::ExitCode::FAILURE
        }
    }
}
