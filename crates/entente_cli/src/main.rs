//! The `entente` binary: everything lives in the library so tests can reach it.

fn main() -> std::process::ExitCode {
    entente_cli::main()
}
