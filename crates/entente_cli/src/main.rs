//! The `entente` binary: everything lives in the library so tests can reach it.

/// mimalloc instead of the system allocator: the stages allocate many small strings on every
/// thread, and glibc's per-thread arenas kept about 150 MiB more resident at BBC ×100. Built
/// without transparent huge pages (its `no_thp` feature), so the kernel does not zero 2 MiB
/// at each first touch (ARCHITECTURE.md, "Dependencies").
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    entente_cli::main()
}
