//! The emulator's state in SQLite: in memory, or in a state directory that outlives the process.
//!
//! Every write is one transaction committed before the answer goes out. On disk the database runs in WAL
//! mode with `synchronous = NORMAL`: a committed transaction survives the process being killed, which is
//! the promise an emulator makes (a power cut may lose the last ones, as the SQLite docs say).
//!
//! Reads do not queue behind the writer: each takes a connection of its own from a small pool. On disk,
//! WAL gives each read transaction a snapshot while a write goes on. In memory, the connections share
//! one database of SQLite's `memdb` VFS, whose locks would refuse a read while a commit runs, so a
//! read-write lock lets reads overlap each other and a write wait for them (and them for it) instead.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError, RwLock};
use std::thread::ThreadId;

use rusqlite::{Connection, ErrorCode as SqliteCode, OpenFlags, Transaction, TransactionBehavior};
use scf_model::ErrorCode;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::failure::Failure;

/// The database file inside a state directory.
pub const STATE_FILE: &str = "state.sqlite3";
/// Marks a SQLite file as this emulator's (`PRAGMA application_id`): "SCFE".
const APPLICATION_ID: i64 = 0x5343_4645;

/// The schema, one step per version: step `i` takes a database from version `i` to `i + 1`. A new version
/// appends a step; released steps never change, so every older state directory can be brought forward.
const MIGRATIONS: &[&[&str]] = &[
    &[
        crate::actions::namespaces::SCHEMA,
        crate::actions::functions::SCHEMA,
        crate::actions::code::SCHEMA,
        crate::actions::versions::SCHEMA,
        crate::actions::triggers::SCHEMA,
        crate::actions::layers::SCHEMA,
        crate::actions::domains::SCHEMA,
        crate::actions::concurrency::SCHEMA,
        crate::actions::invocations::SCHEMA,
        crate::actions::events::SCHEMA,
    ],
    // Version 2: async events store their status, counted per status; invocations of code that ran
    // keep its ErrMsg, log and memory; timer triggers keep the time up to which they fired.
    &[
        crate::actions::events::STORED_STATUS,
        crate::actions::invocations::RUN_REPORT_SCHEMA,
        crate::actions::triggers::FIRED_UNTIL_SCHEMA,
    ],
];

/// The schema version this emulator writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// The store and where it lives.
pub(crate) struct Db {
    connection: Mutex<Connection>,
    /// Read connections not in use; a read that finds none opens one, so there are never more than
    /// the reads that ever ran at once.
    readers: Mutex<IdleReaders>,
    /// What a read connection opens: the state file, or the in-memory database's URI.
    target: PathBuf,
    /// In memory only: reads share it, a write holds it alone (see the module's doc).
    in_memory_gate: Option<RwLock<()>>,
    location: Option<PathBuf>,
}

impl fmt::Debug for Db {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Db")
            .field("location", &self.location)
            .finish_non_exhaustive()
    }
}

/// Idle read connections, each marked with the thread that last used it.
///
/// A thread takes back the connection it used last when it is idle: a read writes to its connection's
/// statement and page caches, which then stay in that core's cache instead of moving between cores.
struct IdleReaders<C = Connection>(Vec<(ThreadId, C)>);

impl<C> Default for IdleReaders<C> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<C> IdleReaders<C> {
    /// This thread's idle connection, else the one returned last.
    fn take(&mut self) -> Option<C> {
        let here = std::thread::current().id();
        let index = self
            .0
            .iter()
            .rposition(|(thread, _)| *thread == here)
            .or_else(|| self.0.len().checked_sub(1))?;
        // `remove`, not `swap_remove`: the others keep the order they were given back in.
        Some(self.0.remove(index).1)
    }

    fn give(&mut self, connection: C) {
        self.0.push((std::thread::current().id(), connection));
    }
}

impl Db {
    /// Opens the store: in memory without a directory, else `DIR/state.sqlite3`, created when missing and
    /// migrated to the current schema. A file of another program or of a newer emulator is refused.
    pub(crate) fn open(state_dir: Option<&Path>) -> Result<Self, StateError> {
        Self::open_at(state_dir, SCHEMA_VERSION)
    }

    /// Opens the store as [`Db::open`] does, but brings a new or older one only to `version`: a state
    /// file as an older emulator wrote it.
    #[cfg(test)]
    pub(crate) fn open_at_version(state_dir: &Path, version: i64) -> Result<Self, StateError> {
        Self::open_at(Some(state_dir), version)
    }

    fn open_at(state_dir: Option<&Path>, version: i64) -> Result<Self, StateError> {
        let (connection, location, target) = match state_dir {
            None => {
                // A name of its own, so two emulators in one process never share their state.
                let uri = PathBuf::from(format!(
                    "file:/scf-emulator-{}?vfs=memdb",
                    crate::ids::uuid()
                ));
                (Connection::open_with_flags(&uri, flags()), None, uri)
            }
            Some(dir) => {
                std::fs::create_dir_all(dir).map_err(|e| {
                    StateError::new(
                        StateErrorKind::Unusable,
                        dir,
                        format!("cannot create it: {e}"),
                    )
                })?;
                let file = dir.join(STATE_FILE);
                (
                    Connection::open_with_flags(&file, flags()),
                    Some(file.clone()),
                    file,
                )
            }
        };
        let shown = location
            .clone()
            .unwrap_or_else(|| PathBuf::from(":memory:"));
        let unusable =
            |e: rusqlite::Error| StateError::new(StateErrorKind::Unusable, &shown, e.to_string());
        let mut connection = connection.map_err(unusable)?;
        if location.is_some() {
            // WAL keeps readers and the writer apart, and with NORMAL a commit needs no fsync of its own.
            connection
                .pragma_update(None, "journal_mode", "WAL")
                .map_err(|e| classify_open(e, &shown))?;
            connection
                .pragma_update(None, "synchronous", "NORMAL")
                .map_err(unusable)?;
        }
        connection
            .pragma_update(None, "foreign_keys", true)
            .map_err(unusable)?;
        connection.set_prepared_statement_cache_capacity(128);
        migrate(&mut connection, &shown, version)?;
        let in_memory_gate = location.is_none().then(|| RwLock::new(()));
        let db = Self {
            connection: Mutex::new(connection),
            readers: Mutex::new(IdleReaders::default()),
            target,
            in_memory_gate,
            location,
        };
        // One reader up front, so a store that cannot give one fails here rather than on a request.
        let reader = db.open_reader().map_err(unusable)?;
        db.idle_readers().give(reader);
        Ok(db)
    }

    /// A new read connection: it refuses writes, so a read can never change the store.
    fn open_reader(&self) -> rusqlite::Result<Connection> {
        let connection = Connection::open_with_flags(&self.target, flags())?;
        connection.pragma_update(None, "query_only", true)?;
        connection.set_prepared_statement_cache_capacity(128);
        Ok(connection)
    }

    fn idle_readers(&self) -> MutexGuard<'_, IdleReaders> {
        self.readers.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The database file, or `None` in memory.
    pub(crate) fn location(&self) -> Option<&Path> {
        self.location.as_deref()
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic inside a transaction rolls it back when the transaction drops, so the data stays whole.
        self.connection.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `read` on a consistent view of the store, alongside other reads.
    pub(crate) fn read<T>(
        &self,
        read: impl FnOnce(&Connection) -> Result<T, Failure>,
    ) -> Result<T, Failure> {
        let _shared = self
            .in_memory_gate
            .as_ref()
            .map(|gate| gate.read().unwrap_or_else(PoisonError::into_inner));
        let reader = self.idle_readers().take();
        let reader = match reader {
            Some(reader) => reader,
            None => self.open_reader().map_err(|e| self.failure(e))?,
        };
        let value = if self.in_memory_gate.is_some() {
            // No write runs while the gate is shared, so every statement sees the same state.
            read(&reader)
        } else {
            // One read transaction: every statement of `read` sees the same WAL snapshot.
            reader
                .prepare_cached("BEGIN")
                .and_then(|mut begin| begin.execute([]))
                .map_err(|e| self.failure(e))?;
            let value = read(&reader);
            reader
                .prepare_cached("COMMIT")
                .and_then(|mut end| end.execute([]))
                .map_err(|e| self.failure(e))?;
            value
        };
        // A read that panicked drops its connection instead, with whatever it left open.
        self.idle_readers().give(reader);
        value
    }

    /// Runs `write` in one transaction, committed only when it succeeds; on an error nothing is stored.
    pub(crate) fn write<T>(
        &self,
        write: impl FnOnce(&Transaction<'_>) -> Result<T, Failure>,
    ) -> Result<T, Failure> {
        let _alone = self
            .in_memory_gate
            .as_ref()
            .map(|gate| gate.write().unwrap_or_else(PoisonError::into_inner));
        let mut connection = self.lock();
        let transaction = connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| self.failure(e))?;
        let value = write(&transaction)?;
        transaction.commit().map_err(|e| self.failure(e))?;
        Ok(value)
    }

    /// Makes every write fail as on a read-only disk (`PRAGMA query_only`), or lifts that.
    pub(crate) fn set_read_only(&self, read_only: bool) -> Result<(), Failure> {
        self.lock()
            .pragma_update(None, "query_only", read_only)
            .map_err(|e| self.failure(e))
    }

    /// Caps the store at about `bytes` (`PRAGMA max_page_count`), so a write that needs more room fails
    /// as on a full disk; `None` lifts the cap. The cap cannot go below what is already stored.
    pub(crate) fn limit_size(&self, bytes: Option<u64>) -> Result<(), Failure> {
        let connection = self.lock();
        let page_size: i64 = connection
            .pragma_query_value(None, "page_size", |row| row.get(0))
            .map_err(|e| self.failure(e))?;
        let pages = match bytes {
            Some(bytes) => (bytes as i64 / page_size.max(1)).max(1),
            // SQLite's own largest page count.
            None => 4_294_967_294,
        };
        connection
            .pragma_update(None, "max_page_count", pages)
            .map_err(|e| self.failure(e))
    }

    /// A storage error as an answer that says what went wrong with the state directory.
    pub(crate) fn failure(&self, error: rusqlite::Error) -> Failure {
        let place = match &self.location {
            Some(file) => format!("the state file {}", file.display()),
            None => "the in-memory state".to_owned(),
        };
        storage_failure(error, &place)
    }
}

/// How every connection opens the store: `NO_MUTEX` because a connection is used by one thread at a time
/// (behind a lock or taken from the pool), `URI` for the in-memory database's name.
fn flags() -> OpenFlags {
    OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
}

/// Any SQLite error inside an action: the state directory's problems get their own codes.
impl From<rusqlite::Error> for Failure {
    fn from(error: rusqlite::Error) -> Self {
        storage_failure(error, "the emulator's state")
    }
}

fn storage_failure(error: rusqlite::Error, place: &str) -> Failure {
    match error.sqlite_error_code() {
        Some(SqliteCode::DiskFull) => Failure::new(
            ErrorCode::ResourceInsufficient,
            format!("The disk holding {place} is full; nothing was stored."),
        ),
        Some(SqliteCode::ReadOnly | SqliteCode::CannotOpen | SqliteCode::SystemIoFailure) => {
            Failure::new(
                ErrorCode::FailedOperation,
                format!("The emulator cannot write {place} ({error}); nothing was stored."),
            )
        }
        Some(SqliteCode::DatabaseBusy | SqliteCode::DatabaseLocked) => Failure::new(
            ErrorCode::ResourceUnavailable,
            format!("{place} is locked by another process; try again."),
        ),
        _ => Failure::new(
            ErrorCode::InternalError,
            format!("The emulator's store failed: {error}."),
        ),
    }
}

fn classify_open(error: rusqlite::Error, shown: &Path) -> StateError {
    let kind = match error.sqlite_error_code() {
        Some(SqliteCode::NotADatabase) => StateErrorKind::NotAStateFile,
        _ => StateErrorKind::Unusable,
    };
    StateError::new(kind, shown, error.to_string())
}

/// Brings the database to `target` ([`SCHEMA_VERSION`] but in tests), one committed step at a time.
fn migrate(connection: &mut Connection, shown: &Path, target: i64) -> Result<(), StateError> {
    let query = |connection: &Connection, pragma: &str| -> Result<i64, StateError> {
        connection
            .pragma_query_value(None, pragma, |row| row.get(0))
            .map_err(|e| classify_open(e, shown))
    };
    let application_id = query(connection, "application_id")?;
    let version = query(connection, "user_version")?;
    let tables: i64 = connection
        .query_row("SELECT count(*) FROM sqlite_schema", [], |row| row.get(0))
        .map_err(|e| classify_open(e, shown))?;
    let ours = application_id == APPLICATION_ID || (application_id == 0 && tables == 0);
    if !ours {
        return Err(StateError::new(
            StateErrorKind::NotAStateFile,
            shown,
            "it is a SQLite database of another program; give the emulator a directory of its own",
        ));
    }
    if version > SCHEMA_VERSION {
        return Err(StateError::new(
            StateErrorKind::NewerSchema,
            shown,
            format!(
                "it was written by a newer emulator (schema version {version}); this one reads versions up to {SCHEMA_VERSION}"
            ),
        ));
    }
    let failed =
        |e: rusqlite::Error| StateError::new(StateErrorKind::Unusable, shown, e.to_string());
    let steps = MIGRATIONS.iter().enumerate().take(target.max(0) as usize);
    for (from, step) in steps.skip(version.max(0) as usize) {
        let transaction = connection.transaction().map_err(failed)?;
        for sql in *step {
            transaction.execute_batch(sql).map_err(failed)?;
        }
        transaction
            .pragma_update(None, "application_id", APPLICATION_ID)
            .map_err(failed)?;
        transaction
            .pragma_update(None, "user_version", from as i64 + 1)
            .map_err(failed)?;
        transaction.commit().map_err(failed)?;
    }
    Ok(())
}

/// Stores a record as JSON text.
pub(crate) fn to_json<T: Serialize>(value: &T) -> String {
    // The records are plain serde structs without maps keyed by non-strings, so this cannot fail.
    serde_json::to_string(value).unwrap_or_default()
}

/// Reads a record stored with [`to_json`].
pub(crate) fn from_json<T: DeserializeOwned>(text: &str) -> Result<T, Failure> {
    serde_json::from_str(text).map_err(|e| {
        Failure::new(
            ErrorCode::InternalError,
            format!("A stored record could not be read: {e}."),
        )
    })
}

/// Why a state directory could not be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StateErrorKind {
    /// The directory or its file cannot be created, opened or written.
    Unusable,
    /// The file is not a state file of this emulator.
    NotAStateFile,
    /// A newer emulator wrote it; this one would lose what it does not know.
    NewerSchema,
}

/// A state directory the emulator refuses, with the path and the reason.
#[derive(Debug, Clone)]
pub struct StateError {
    kind: StateErrorKind,
    path: PathBuf,
    reason: String,
}

impl StateError {
    fn new(kind: StateErrorKind, path: &Path, reason: impl Into<String>) -> Self {
        Self {
            kind,
            path: path.to_owned(),
            reason: reason.into(),
        }
    }

    /// A step of bringing the opened store into service failed; `step` completes "cannot ...".
    pub(crate) fn starting(location: Option<&Path>, step: &str, reason: String) -> Self {
        let path = location.unwrap_or(Path::new(":memory:"));
        Self::new(
            StateErrorKind::Unusable,
            path,
            format!("cannot {step}: {reason}"),
        )
    }

    /// What went wrong.
    pub fn kind(&self) -> StateErrorKind {
        self.kind
    }

    /// The directory or file concerned.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl fmt::Display for StateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "state {}: {}", self.path.display(), self.reason)
    }
}

impl std::error::Error for StateError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thread_takes_back_the_reader_it_used_last() {
        let mut idle = IdleReaders::default();
        let give_elsewhere = |idle: &mut IdleReaders<&'static str>, connection| {
            std::thread::scope(|scope| {
                scope.spawn(|| idle.give(connection));
            });
        };
        give_elsewhere(&mut idle, "first other thread's");
        idle.give("this thread's");
        give_elsewhere(&mut idle, "second other thread's");
        give_elsewhere(&mut idle, "third other thread's");
        assert_eq!(idle.take(), Some("this thread's"));
        // With none of its own left, a thread takes the one given back last.
        assert_eq!(idle.take(), Some("third other thread's"));
        assert_eq!(idle.take(), Some("second other thread's"));
        assert_eq!(idle.take(), Some("first other thread's"));
        assert_eq!(idle.take(), None);
    }

    fn dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("scf-emulator-db-{name}-{}", crate::ids::uuid()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn a_state_directory_is_created_and_reopened_at_the_current_version() {
        let dir = dir("reopen");
        let db = Db::open(Some(&dir)).unwrap();
        db.write(|tx| {
            tx.execute(
                "INSERT INTO namespaces (name, description, created, modified) VALUES ('kept', '', 1, 1)",
                [],
            )?;
            Ok(())
        })
        .unwrap();
        drop(db);
        let db = Db::open(Some(&dir)).unwrap();
        let (version, kept): (i64, i64) = db
            .read(|c| {
                Ok((
                    c.pragma_query_value(None, "user_version", |r| r.get(0))?,
                    c.query_row(
                        "SELECT count(*) FROM namespaces WHERE name = 'kept'",
                        [],
                        |r| r.get(0),
                    )?,
                ))
            })
            .unwrap();
        assert_eq!((version, kept), (SCHEMA_VERSION, 1));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn foreign_newer_and_corrupt_files_are_refused() {
        let newer = dir("newer");
        drop(Db::open(Some(&newer)).unwrap());
        let connection = Connection::open(newer.join(STATE_FILE)).unwrap();
        connection
            .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        drop(connection);
        let error = Db::open(Some(&newer)).unwrap_err();
        assert_eq!(error.kind(), StateErrorKind::NewerSchema);
        assert!(error.to_string().contains("newer emulator"), "{error}");

        let foreign = dir("foreign");
        std::fs::create_dir_all(&foreign).unwrap();
        let connection = Connection::open(foreign.join(STATE_FILE)).unwrap();
        connection.execute_batch("CREATE TABLE notes (x)").unwrap();
        drop(connection);
        assert_eq!(
            Db::open(Some(&foreign)).unwrap_err().kind(),
            StateErrorKind::NotAStateFile
        );

        let corrupt = dir("corrupt");
        std::fs::create_dir_all(&corrupt).unwrap();
        std::fs::write(corrupt.join(STATE_FILE), vec![b'x'; 4096]).unwrap();
        assert_eq!(
            Db::open(Some(&corrupt)).unwrap_err().kind(),
            StateErrorKind::NotAStateFile
        );
        for dir in [newer, foreign, corrupt] {
            let _ = std::fs::remove_dir_all(&dir);
        }
    }

    #[test]
    fn a_failed_write_stores_nothing() {
        let db = Db::open(None).unwrap();
        let failure = db
            .write(|tx| {
                tx.execute(
                    "INSERT INTO namespaces (name, description, created, modified) VALUES ('gone', '', 1, 1)",
                    [],
                )?;
                Err::<(), _>(Failure::new(ErrorCode::InvalidParameter, "refused"))
            })
            .unwrap_err();
        assert_eq!(failure.code, ErrorCode::InvalidParameter);
        let count: i64 = db
            .read(|c| {
                Ok(c.query_row(
                    "SELECT count(*) FROM namespaces WHERE name = 'gone'",
                    [],
                    |r| r.get(0),
                )?)
            })
            .unwrap();
        assert_eq!(count, 0);
    }
}
