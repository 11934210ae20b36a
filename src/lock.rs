//! The run lock: one `ingest` at a time per database. An OS file lock, so it is released when
//! the process holding it dies, however it dies.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

/// Why the lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another process holds it.
    #[error("another statusdb run holds the lock {path}; try again when it has finished")]
    Held {
        /// The lock file.
        path: PathBuf,
    },
    /// The lock file could not be opened.
    #[error("cannot open lock file {path}: {reason}")]
    Io {
        /// The lock file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

/// Held for as long as the value lives.
#[derive(Debug)]
pub struct RunLock {
    _file: File,
}

impl RunLock {
    /// The lock file of a database: `<db>.lock` beside it.
    pub(crate) fn path_for(db: &Path) -> PathBuf {
        let mut name = db.as_os_str().to_owned();
        name.push(".lock");
        PathBuf::from(name)
    }

    /// Takes the lock at once or reports that another run holds it; never waits.
    pub fn acquire(db: &Path) -> Result<RunLock, LockError> {
        let path = RunLock::path_for(db);
        let io_error = |e: std::io::Error| LockError::Io {
            path: path.clone(),
            reason: e.to_string(),
        };
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io_error)?;
        match file.try_lock() {
            Ok(()) => Ok(RunLock { _file: file }),
            Err(TryLockError::WouldBlock) => Err(LockError::Held { path }),
            Err(TryLockError::Error(e)) => Err(io_error(e)),
        }
    }
}
