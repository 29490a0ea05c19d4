"""Crates that `maturin build` (entente_py alone) would compile with other features than
`cargo build --workspace --all-targets`: each one, and everything above it, compiles twice.
Prints them and exits 1; silent and 0 when the builds agree. Run from the repository root."""

import subprocess
import sys


def features(*args: str) -> dict[str, set[str]]:
    tree = subprocess.run(
        ["cargo", "tree", "-q", "--locked", "--prefix", "none", "-f", "{p}|{f}", *args],
        capture_output=True, text=True, check=True,
    ).stdout
    out: dict[str, set[str]] = {}
    for line in tree.splitlines():
        package, _, enabled = line.replace(" (*)", "").partition("|")
        out.setdefault(package.strip(), set()).update(f.strip() for f in enabled.split(",") if f.strip())
    return out


wheel = features("-p", "entente_py", "-e", "normal,build")
workspace = features("--workspace", "-e", "normal,dev,build")
drift = {p: sorted(workspace[p] - f) for p, f in wheel.items() if p in workspace and workspace[p] != f}
for package, missing in sorted(drift.items()):
    print(f"{package}: the workspace build adds {', '.join(missing)}")
sys.exit(1 if drift else 0)
