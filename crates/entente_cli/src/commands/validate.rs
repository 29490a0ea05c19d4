//! `entente validate DIR`: checks every invariant of the contract on an output directory.

use std::io::Write as _;

use crate::Outcome;
use crate::args::ValidateArgs;

pub(crate) fn run(args: &ValidateArgs) -> anyhow::Result<Outcome> {
    let mut stdout = std::io::stdout().lock();
    let dir = args.dir.as_path();
    let violations = entente_pipeline::validate(dir)?;
    for v in violations.iter().take(args.max_shown) {
        writeln!(stdout, "{v}")?;
    }
    if violations.len() > args.max_shown {
        writeln!(stdout, "… {} more", violations.len() - args.max_shown)?;
    }
    if violations.is_empty() {
        writeln!(stdout, "{}: no violations", dir.display())?;
        Ok(Outcome::Success)
    } else {
        writeln!(stdout, "{}: {} violations", dir.display(), violations.len())?;
        Ok(Outcome::Failure)
    }
}
