//! The `scf-emulator` binary: start-up output, serving, and a clean stop on SIGTERM.

#![allow(clippy::unwrap_used)]
#![cfg(unix)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

#[test]
fn prints_url_and_credentials_serves_and_stops_on_sigterm() {
    let config =
        std::env::temp_dir().join(format!("scf-emulator-test-{}.toml", std::process::id()));
    std::fs::write(
        &config,
        "[[credentials]]\nsecret_id = \"AKIDfromfile\"\nsecret_key = \"file-key\"\n",
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_scf-emulator"))
        .args(["--listen", "127.0.0.1:0", "--config"])
        .arg(&config)
        .args(["--credential", "AKIDfromflag:flag-key"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let url = first
        .strip_prefix("SCF emulator listening on ")
        .unwrap()
        .to_owned();
    let banner: Vec<String> = lines.by_ref().take(3).map(Result::unwrap).collect();
    assert!(
        banner
            .iter()
            .any(|l| l.contains("AKIDfromfile") && l.contains("file-key")),
        "{banner:?}"
    );
    assert!(
        banner
            .iter()
            .any(|l| l.contains("AKIDfromflag") && l.contains("flag-key")),
        "{banner:?}"
    );

    // An unsigned request gets the documented error from the running server.
    let addr = url.strip_prefix("http://").unwrap();
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    use std::io::{Read, Write};
    stream
        .write_all(format!("POST / HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}").as_bytes())
        .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(
        answer.contains("AuthFailure.InvalidAuthorization"),
        "{answer}"
    );

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let exit = loop {
        if let Some(exit) = child.try_wait().unwrap() {
            break exit;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(exit.success(), "{exit:?}");
    std::fs::remove_file(config).unwrap();
}

#[test]
fn a_bad_config_is_reported_not_served() {
    let output = Command::new(env!("CARGO_BIN_EXE_scf-emulator"))
        .args(["--listen", "127.0.0.1:0", "--credential", "no-colon"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("SECRET_ID:SECRET_KEY"), "{stderr}");
}
