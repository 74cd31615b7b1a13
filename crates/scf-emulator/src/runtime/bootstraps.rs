//! The bootstraps the emulator ships for Python 3 and Node.js event functions.
//!
//! SCF runs these runtimes itself; the emulator runs them through its one execution path, the Custom
//! Runtime API, with a bootstrap per language that loads the function's `Handler` and calls
//! `main_handler(event, context)` as SCF's own runtimes do. The scripts are embedded in the binary and
//! written to a directory before the first instance starts.

use std::ffi::OsString;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// The variable that names, comma-separated, the function's own variables for the bootstraps: SCF fills
/// the context's `environment` and `environ` from the function's configuration, which a process cannot
/// tell apart from the platform's variables. Configurable keys match `[a-zA-Z][a-zA-Z0-9_]*`, so the
/// leading underscore never collides with one; the bootstraps remove it before user code runs.
pub(crate) const FUNCTION_VARIABLES: &str = "_SCF_FUNCTION_VARIABLES";

/// A language whose event functions run through a bootstrap the emulator ships.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Bootstrap {
    /// Python 3 (`Python3.6` … `Python3.10`), run by `python3`.
    Python3,
    /// Node.js (`Nodejs6.10` … `Nodejs18.15`), run by `node`.
    Nodejs,
}

impl Bootstrap {
    /// Every shipped bootstrap.
    pub(crate) const ALL: [Bootstrap; 2] = [Bootstrap::Python3, Bootstrap::Nodejs];

    /// The bootstrap that runs a function of this `Runtime`, if the emulator ships one.
    ///
    /// `Python2.7` has none: its code is not Python 3, so running it with `python3` would fail in
    /// confusing ways rather than with a clear error.
    pub(crate) fn for_runtime(runtime: &str) -> Option<Bootstrap> {
        if runtime.starts_with("Python3.") {
            Some(Bootstrap::Python3)
        } else if runtime.starts_with("Nodejs") {
            Some(Bootstrap::Nodejs)
        } else {
            None
        }
    }

    /// The script's file name inside the install directory.
    pub(crate) fn file_name(self) -> &'static str {
        match self {
            Bootstrap::Python3 => "bootstrap.py",
            Bootstrap::Nodejs => "bootstrap.js",
        }
    }

    /// The script itself.
    pub(crate) fn source(self) -> &'static str {
        match self {
            Bootstrap::Python3 => include_str!("bootstraps/python3.py"),
            Bootstrap::Nodejs => include_str!("bootstraps/nodejs.js"),
        }
    }

    /// The interpreter that runs the script, looked up on `PATH`.
    pub(crate) fn interpreter(self) -> &'static str {
        match self {
            Bootstrap::Python3 => "python3",
            Bootstrap::Nodejs => "node",
        }
    }

    /// The variables this bootstrap needs beside the fixed ones and the function's: those SCF gives
    /// the language (environment variables table of SCF's documentation, with the code directory in
    /// place of `/var/user`), and [`FUNCTION_VARIABLES`] naming `function_variables`, the keys the
    /// function configured, for the context's `environment` and `environ`.
    pub(crate) fn environment<'a>(
        self,
        code_dir: &Path,
        function_variables: impl IntoIterator<Item = &'a str>,
    ) -> Vec<(String, String)> {
        let code_dir = code_dir.to_string_lossy();
        let names: Vec<&str> = function_variables.into_iter().collect();
        let mut environment = match self {
            Bootstrap::Python3 => vec![
                ("PYTHONPATH".to_owned(), code_dir.into_owned()),
                ("PYTHONDONTWRITEBYTECODE".to_owned(), "x".to_owned()),
                ("PYTHONUNBUFFERED".to_owned(), "1".to_owned()),
            ],
            Bootstrap::Nodejs => vec![(
                "NODE_PATH".to_owned(),
                format!("{code_dir}:{code_dir}/node_modules"),
            )],
        };
        environment.push((FUNCTION_VARIABLES.to_owned(), names.join(",")));
        environment
    }
}

/// The bootstraps written to one directory by [`install`].
#[derive(Debug, Clone)]
pub(crate) struct InstalledBootstraps {
    dir: PathBuf,
}

impl InstalledBootstraps {
    /// Where the script of `bootstrap` is.
    pub(crate) fn path(&self, bootstrap: Bootstrap) -> PathBuf {
        self.dir.join(bootstrap.file_name())
    }

    /// The program and arguments that start an instance with `bootstrap`: the interpreter, then
    /// the script.
    pub(crate) fn command(&self, bootstrap: Bootstrap) -> (PathBuf, Vec<OsString>) {
        (
            PathBuf::from(bootstrap.interpreter()),
            vec![self.path(bootstrap).into_os_string()],
        )
    }
}

/// Writes every bootstrap into `dir` (created if missing) and says where they are.
///
/// Idempotent: a script already there with the right content is left alone; any other file of that
/// name is replaced. Each write goes to a temporary name first and is renamed into place, so a
/// concurrent install or a starting instance never sees half a script.
pub(crate) fn install(dir: &Path) -> io::Result<InstalledBootstraps> {
    fs::create_dir_all(dir)?;
    for bootstrap in Bootstrap::ALL {
        let path = dir.join(bootstrap.file_name());
        let source = bootstrap.source().as_bytes();
        if fs::read(&path).is_ok_and(|existing| existing == source) {
            continue;
        }
        let temporary = dir.join(format!(
            ".{}.{}.{}",
            bootstrap.file_name(),
            std::process::id(),
            fastrand::u64(..)
        ));
        if let Err(error) =
            fs::write(&temporary, source).and_then(|()| fs::rename(&temporary, &path))
        {
            // Best effort: the write already failed, and a stray temporary file only wastes space.
            let _ = fs::remove_file(&temporary);
            return Err(error);
        }
    }
    Ok(InstalledBootstraps {
        dir: dir.to_path_buf(),
    })
}

// The tests run real interpreters as instances, which need Unix process groups.
#[cfg(all(test, unix))]
mod tests;
