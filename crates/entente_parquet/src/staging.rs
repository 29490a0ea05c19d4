//! The staging directory a run writes into, and the atomic exchange that commits it.

use std::fs::File;
use std::path::{Path, PathBuf};

use crate::Error;
use crate::error::io;
use entente_schema::Table;

/// Where a run builds its output before [`Staging::commit`] puts it in place: the hidden
/// directory `.<name>.entente-staging-<pid>` beside the output directory `<name>`. Creating one
/// takes the lock `.<name>.entente-lock` beside it (a second run into the same directory is
/// an [`Error::Busy`]) and removes what runs killed before it left behind. Dropping it
/// removes what was not committed.
#[derive(Debug)]
pub struct Staging {
    out: PathBuf,
    root: PathBuf,
    /// Tables of the output directory the commit leaves out.
    discarded: std::sync::Mutex<Vec<String>>,
    /// Held until the staging is dropped: the lock on the output directory.
    _lock: File,
}

impl Staging {
    /// Creates the output directory `out` if needed, locks it and creates an empty staging
    /// directory beside it.
    pub fn new(out: &Path) -> Result<Self, Error> {
        std::fs::create_dir_all(out).map_err(io(out))?;
        let out = std::fs::canonicalize(out).map_err(io(out))?;
        let (Some(parent), Some(name)) = (out.parent(), out.file_name()) else {
            return Err(Error::Io {
                path: out.clone(),
                source: std::io::Error::other("the output directory cannot be a file system root"),
            });
        };
        let name = name.to_string_lossy();
        let lock_path = parent.join(format!(".{name}.entente-lock"));
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(io(&lock_path))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => return Err(Error::Busy { path: out }),
            Err(std::fs::TryLockError::Error(e)) => return Err(io(&lock_path)(e)),
        }
        // With the lock held, any staging or old directory is a killed run's: remove it.
        let leftovers = [format!(".{name}.entente-staging-"), format!(".{name}.entente-old-")];
        for entry in std::fs::read_dir(parent).map_err(io(parent))?.flatten() {
            let file_name = entry.file_name();
            let file_name = file_name.to_string_lossy();
            if leftovers.iter().any(|p| file_name.starts_with(p.as_str())) {
                let path = entry.path();
                std::fs::remove_dir_all(&path).map_err(io(&path))?;
            }
        }
        // Earlier versions staged inside the output directory.
        for entry in std::fs::read_dir(&out).map_err(io(&out))?.flatten() {
            if entry.file_name().to_string_lossy().starts_with(".entente-staging-") {
                let path = entry.path();
                std::fs::remove_dir_all(&path).map_err(io(&path))?;
            }
        }
        let root = parent.join(format!(".{name}.entente-staging-{}", std::process::id()));
        std::fs::create_dir(&root).map_err(io(&root))?;
        Ok(Self { out, root, discarded: std::sync::Mutex::default(), _lock: lock })
    }

    /// The staging directory itself.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The staged directory of table `T`.
    pub fn table_dir<T: Table>(&self) -> PathBuf {
        self.root.join(T::NAME)
    }

    /// A staged directory for intermediate files, never committed.
    pub fn scratch(&self, name: &str) -> PathBuf {
        scratch_dir(&self.root, name)
    }

    /// Leaves table (or directory) `name` of the output directory out of the commit: after
    /// it, the output has no such table unless this run staged one.
    pub fn discard(&self, name: &str) {
        if let Ok(mut discarded) = self.discarded.lock() {
            discarded.push(name.to_owned());
        }
    }

    /// Makes the staged tables the output directory: every entry of the output directory that
    /// was neither staged nor [discarded](Staging::discard) is hard-linked into the staging
    /// directory (a table in the single-file layout of earlier versions is dropped when its
    /// directory is staged), scratch directories and the temporary files of writers that
    /// were killed (a Spark task attempt) are removed, and the staging directory and the
    /// output directory are exchanged atomically; the old output is then removed.
    pub fn commit(self) -> Result<(), Error> {
        let discarded = self.discarded.lock().map(|d| d.clone()).unwrap_or_default();
        for entry in std::fs::read_dir(&self.root).map_err(io(&self.root))?.flatten() {
            if entry.file_name().to_string_lossy().starts_with(SCRATCH) {
                let path = entry.path();
                std::fs::remove_dir_all(&path).map_err(io(&path))?;
            }
        }
        remove_temporaries(&self.root)?;
        for entry in std::fs::read_dir(&self.out).map_err(io(&self.out))?.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let table = name.strip_suffix(".parquet").unwrap_or(&name);
            if discarded.iter().any(|d| d == table) || self.root.join(table).exists() {
                continue;
            }
            link_tree(&entry.path(), &self.root.join(&name))?;
        }
        // The files are synced as they are written; their directory entries are made durable
        // before the exchange, and the exchange itself after it, so a crash leaves either the
        // old output or the whole new one.
        sync_dirs(&self.root)?;
        exchange(&self.root, &self.out)?;
        // `out` is canonical and never a root (`Staging::new`), so it has a parent.
        if let Some(parent) = self.out.parent() {
            sync_dir(parent)?;
        }
        // `root` now holds the old output.
        std::fs::remove_dir_all(&self.root).map_err(io(&self.root))
    }
}

/// Removes the temporary files of [`crate::TableWriter`]s that never finished under `dir`.
fn remove_temporaries(dir: &Path) -> Result<(), Error> {
    for entry in std::fs::read_dir(dir).map_err(io(dir))?.flatten() {
        let path = entry.path();
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            remove_temporaries(&path)?;
        } else if is_temporary(&entry.file_name().to_string_lossy()) {
            std::fs::remove_file(&path).map_err(io(&path))?;
        }
    }
    Ok(())
}

/// Whether `name` is a [`crate::TableWriter`]'s temporary file name (`.<part>.tmp-<suffix>`).
fn is_temporary(name: &str) -> bool {
    name.starts_with('.') && name.contains(".tmp-")
}

/// Syncs directory `dir` itself: its entries, not its files' contents.
fn sync_dir(dir: &Path) -> Result<(), Error> {
    std::fs::File::open(dir).and_then(|d| d.sync_all()).map_err(io(dir))
}

/// Syncs `dir` and every directory under it.
fn sync_dirs(dir: &Path) -> Result<(), Error> {
    for entry in std::fs::read_dir(dir).map_err(io(dir))?.flatten() {
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            sync_dirs(&entry.path())?;
        }
    }
    sync_dir(dir)
}

/// The name prefix of [`Staging::scratch`] directories.
const SCRATCH: &str = ".scratch-";

/// The directory for intermediate files `name` in the staging directory `root`
/// ([`Staging::scratch`]): [`Staging::commit`] removes it.
pub fn scratch_dir(root: &Path, name: &str) -> PathBuf {
    root.join(format!("{SCRATCH}{name}"))
}

impl Drop for Staging {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// Recreates `from` at `to` with hard links to its files (symbolic links copied as links), so
/// `to` can be changed by replacing files without touching `from`.
pub fn link_tree(from: &Path, to: &Path) -> Result<(), Error> {
    let meta = std::fs::symlink_metadata(from).map_err(io(from))?;
    if meta.is_dir() {
        std::fs::create_dir(to).map_err(io(to))?;
        for entry in std::fs::read_dir(from).map_err(io(from))?.flatten() {
            link_tree(&entry.path(), &to.join(entry.file_name()))?;
        }
        Ok(())
    } else if meta.file_type().is_symlink() {
        let target = std::fs::read_link(from).map_err(io(from))?;
        #[cfg(unix)]
        return std::os::unix::fs::symlink(target, to).map_err(io(to));
        #[cfg(not(unix))]
        return std::fs::copy(from, to).map(|_| ()).map_err(io(to));
    } else {
        std::fs::hard_link(from, to).map_err(io(to))
    }
}

/// Swaps directories `a` and `b` in one atomic step.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> Result<(), Error> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE)
        .map_err(|e| io(b)(std::io::Error::from_raw_os_error(e.raw_os_error())))
}

/// Swaps directories `a` and `b`: two renames, so a process killed between them leaves `b`
/// missing (its old contents stay in `b`'s hidden `.entente-old-` sibling, removed by the
/// next run). Linux exchanges them atomically.
#[cfg(not(target_os = "linux"))]
fn exchange(a: &Path, b: &Path) -> Result<(), Error> {
    let name = b.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let old = b.with_file_name(format!(".{name}.entente-old-{}", std::process::id()));
    std::fs::rename(b, &old).map_err(io(b))?;
    std::fs::rename(a, b).map_err(io(b))?;
    std::fs::rename(&old, a).map_err(io(a))
}

/// Removes table `name` from the output directory `out`, if it is there. Returns whether it
/// was.
pub fn remove_table(out: &Path, name: &str) -> Result<bool, Error> {
    let dir = out.join(name);
    let legacy = out.join(format!("{name}.parquet"));
    let mut removed = false;
    if dir.is_dir() {
        std::fs::remove_dir_all(&dir).map_err(io(&dir))?;
        removed = true;
    }
    if legacy.is_file() {
        std::fs::remove_file(&legacy).map_err(io(&legacy))?;
        removed = true;
    }
    Ok(removed)
}
