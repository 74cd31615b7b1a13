//! Emulators started on a test's manual clock, with a signed client that shares that clock.

use scf_emulator::{Config, Emulator, ManualClock, RunningEmulator};

use super::TestClient;

/// The default configuration with rate limits off, so tests can send bursts of calls.
pub fn config_without_rate_limits() -> Config {
    let mut config = Config::default();
    config.rate_limits.enabled = false;
    config
}

/// Starts an emulator with `config` on `clock` and a client signing with the same clock.
pub async fn start_with_client(
    config: Config,
    clock: &ManualClock,
) -> (RunningEmulator, TestClient) {
    let emulator = Emulator::builder()
        .config(config)
        .clock(clock.clone())
        .start()
        .await
        .unwrap();
    let client = TestClient::new(&emulator, clock.clone());
    (emulator, client)
}
