//! What the integration tests share: an emulator on the test's clock and a client pointed at it.

#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use scf::{Client, Credentials, Endpoint, ProxyConfig};
use scf_emulator::{
    Config, DEMO_SECRET_ID, DEMO_SECRET_KEY, Emulator, EmulatorBuilder, RunningEmulator, TokioClock,
};

/// An emulator whose clock follows the (paused) test runtime.
pub fn emulator_builder() -> EmulatorBuilder {
    Emulator::builder().clock(TokioClock::starting_now())
}

pub async fn emulator() -> RunningEmulator {
    emulator_builder().start().await.unwrap()
}

/// An emulator that does not limit request rates, for tests that make many events quickly.
pub fn unlimited_config() -> Config {
    let mut config = Config::default();
    config.rate_limits.enabled = false;
    config
}

/// A client of `emulator` whose clock follows the test runtime.
pub fn builder(emulator: &RunningEmulator) -> scf::ClientBuilder {
    real_time_builder(emulator).clock(scf::transport::time::TokioClock::new())
}

/// A client of `emulator` on the system clock, for the blocking client.
pub fn real_time_builder(emulator: &RunningEmulator) -> scf::ClientBuilder {
    Client::builder()
        .endpoint(Endpoint::url(&emulator.url()).unwrap())
        .credentials(Credentials::new(DEMO_SECRET_ID, DEMO_SECRET_KEY).unwrap())
        .proxy(ProxyConfig::None)
}

/// A ClientContext that tells the emulator how an event goes.
pub fn context(directive: &str) -> String {
    format!(r#"{{"scf_emulator": {directive}}}"#)
}
