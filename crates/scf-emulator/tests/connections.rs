//! Client connections over raw loopback sockets, on a paused runtime: how many are open, and the keep-alive
//! idle timeout that closes the idle ones as real gateways do.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use scf_emulator::{Config, Emulator, Fault, FaultRule, RunningEmulator, TokioClock};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::Instant;

const IDLE: Duration = Duration::from_secs(5);
/// Longer than any wait of these tests: on a paused runtime it passes at once if nothing else is due.
const NEVER: Duration = Duration::from_secs(3_600);

async fn start(idle_timeout: Option<Duration>) -> RunningEmulator {
    let builder = Emulator::builder().clock(TokioClock::starting_now());
    match idle_timeout {
        Some(timeout) => builder.keep_alive_idle_timeout(timeout),
        None => builder,
    }
    .start()
    .await
    .unwrap()
}

/// Sends an unsigned keep-alive request and reads its whole answer, an error envelope; returns its head.
async fn round_trip(stream: &mut TcpStream) -> String {
    tokio::time::timeout(NEVER, send_and_read(stream))
        .await
        .expect("no answer")
}

async fn send_and_read(stream: &mut TcpStream) -> String {
    stream
        .write_all(b"POST / HTTP/1.1\r\nHost: emulator\r\nContent-Length: 2\r\n\r\n{}")
        .await
        .unwrap();
    let mut received = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let read = stream.read(&mut chunk).await.unwrap();
        assert!(read > 0, "closed mid-answer: {received:?}");
        received.extend_from_slice(&chunk[..read]);
        let text = String::from_utf8_lossy(&received);
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length: usize = head
                .lines()
                .find_map(|line| line.strip_prefix("content-length: "))
                .unwrap()
                .parse()
                .unwrap();
            if body.len() >= length {
                assert!(body.contains("AuthFailure.InvalidAuthorization"), "{text}");
                return head.to_owned();
            }
        }
    }
}

/// Waits for the server to close `stream`; returns how long that took on tokio's clock.
async fn time_to_close(stream: &mut TcpStream) -> Duration {
    let started = Instant::now();
    let mut byte = [0u8; 1];
    let read = tokio::time::timeout(NEVER, stream.read(&mut byte))
        .await
        .expect("the connection stayed open")
        .unwrap();
    assert_eq!(read, 0, "expected the end of the stream");
    started.elapsed()
}

#[tokio::test(start_paused = true)]
async fn an_idle_connection_is_closed_when_the_timeout_has_passed() {
    let emulator = start(Some(IDLE)).await;
    let mut stream = TcpStream::connect(emulator.local_addr()).await.unwrap();
    round_trip(&mut stream).await;
    assert_eq!(emulator.open_connections(), 1);
    assert_eq!(time_to_close(&mut stream).await, IDLE);
    assert_eq!(emulator.open_connections(), 0);

    // A connection that never sends a request is idle from the start.
    let mut silent = TcpStream::connect(emulator.local_addr()).await.unwrap();
    assert_eq!(time_to_close(&mut silent).await, IDLE);
    assert_eq!(emulator.open_connections(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_busy_connection_stays_open() {
    let emulator = start(Some(IDLE)).await;
    let mut stream = TcpStream::connect(emulator.local_addr()).await.unwrap();
    // Requests a little less than the timeout apart, for four timeouts' worth of time.
    for _ in 0..5 {
        round_trip(&mut stream).await;
        tokio::time::sleep(IDLE - Duration::from_millis(1)).await;
        assert_eq!(emulator.open_connections(), 1);
    }
    // A request that takes three timeouts to answer is answered, on the same connection.
    emulator.add_fault(FaultRule::always(Fault::Latency { millis: 15_000 }).times(1));
    let started = Instant::now();
    let head = round_trip(&mut stream).await;
    assert_eq!(started.elapsed(), Duration::from_secs(15));
    assert!(!head.contains("connection: close"), "{head}");
    // Idle from its last answer on.
    assert_eq!(time_to_close(&mut stream).await, IDLE);
    assert_eq!(emulator.open_connections(), 0);
}

#[tokio::test(start_paused = true)]
async fn without_a_timeout_idle_connections_stay_open() {
    let emulator = start(None).await;
    let mut stream = TcpStream::connect(emulator.local_addr()).await.unwrap();
    round_trip(&mut stream).await;
    tokio::time::sleep(Duration::from_secs(24 * 3600)).await;
    assert_eq!(emulator.open_connections(), 1);
    round_trip(&mut stream).await;
}

#[tokio::test(start_paused = true)]
async fn the_count_follows_connects_and_closes() {
    let emulator = start(None).await;
    assert_eq!(emulator.open_connections(), 0);
    let mut streams = Vec::new();
    for open in 1..=3 {
        let mut stream = TcpStream::connect(emulator.local_addr()).await.unwrap();
        // An answer proves the emulator has accepted the connection.
        round_trip(&mut stream).await;
        assert_eq!(emulator.open_connections(), open);
        streams.push(stream);
    }
    for open in (0..3).rev() {
        let mut stream = streams.pop().unwrap();
        // The client closes its side; the emulator answers by closing too, and counts it closed by then.
        stream.shutdown().await.unwrap();
        time_to_close(&mut stream).await;
        assert_eq!(emulator.open_connections(), open);
    }
}

#[tokio::test(start_paused = true)]
async fn the_timeout_comes_from_the_configuration_unless_the_builder_sets_one() {
    let config = Config::from_toml("idle_timeout_secs = 7").unwrap();
    let configured = Emulator::builder()
        .config(config.clone())
        .start()
        .await
        .unwrap();
    let mut stream = TcpStream::connect(configured.local_addr()).await.unwrap();
    assert_eq!(time_to_close(&mut stream).await, Duration::from_secs(7));

    let overridden = Emulator::builder()
        .config(config)
        .keep_alive_idle_timeout(Duration::from_millis(1_500))
        .start()
        .await
        .unwrap();
    let mut stream = TcpStream::connect(overridden.local_addr()).await.unwrap();
    assert_eq!(
        time_to_close(&mut stream).await,
        Duration::from_millis(1_500)
    );
}

#[cfg(feature = "cli")]
#[tokio::test(start_paused = true)]
async fn the_command_line_sets_the_timeout() {
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        emulator: scf_emulator::EmulatorArgs,
    }
    let cli = Cli::try_parse_from([
        "scf-emulator",
        "--listen",
        "127.0.0.1:0",
        "--idle-timeout-secs",
        "3",
    ])
    .unwrap();
    let emulator = cli.emulator.start().await.unwrap();
    let mut stream = TcpStream::connect(emulator.local_addr()).await.unwrap();
    assert_eq!(time_to_close(&mut stream).await, Duration::from_secs(3));
    assert!(Cli::try_parse_from(["scf-emulator", "--idle-timeout-secs", "0"]).is_err());
}
