//! `scf emulator` running as a process of its own on a free port, killed when dropped.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

pub(crate) struct EmulatorProcess {
    child: Child,
    pub(crate) url: String,
}

impl EmulatorProcess {
    /// Starts `scf emulator --listen 127.0.0.1:0 ARGS` and reads the URL from its first line.
    pub(crate) fn start(args: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_scf"))
            .args(["emulator", "--listen", "127.0.0.1:0"])
            .args(args)
            .env_clear()
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        stdout.read_line(&mut first).unwrap();
        // Keep reading what it prints, so that it never writes into a closed pipe.
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        let url = first
            .trim()
            .strip_prefix("SCF emulator listening on ")
            .unwrap_or_else(|| panic!("unexpected first line: {first:?}"))
            .to_owned();
        Self { child, url }
    }
}

impl Drop for EmulatorProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
