//! The status of an asynchronous event.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// `RUNNING`, `FINISHED`, `ABORTED` or `FAILED`, and whatever the service adds later.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum EventStatus {
    /// The invocation is in progress.
    Running,
    /// The invocation succeeded.
    Finished,
    /// The invocation was terminated.
    Aborted,
    /// The invocation failed.
    Failed,
    /// A status this version does not know, kept verbatim.
    Unknown(String),
}

impl EventStatus {
    /// The status as the service spells it.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Running => "RUNNING",
            Self::Finished => "FINISHED",
            Self::Aborted => "ABORTED",
            Self::Failed => "FAILED",
            Self::Unknown(other) => other,
        }
    }

    /// The status the service means by `text`.
    pub fn parse(text: &str) -> Self {
        match text {
            "RUNNING" => Self::Running,
            "FINISHED" => Self::Finished,
            "ABORTED" => Self::Aborted,
            "FAILED" => Self::Failed,
            other => Self::Unknown(other.to_owned()),
        }
    }

    /// Whether the event has ended and its status will not change again.
    ///
    /// An unknown status is not called terminal: a waiter keeps polling rather than stop on a guess.
    pub fn is_terminal(&self) -> bool {
        matches!(self, Self::Finished | Self::Aborted | Self::Failed)
    }
}

impl fmt::Display for EventStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for EventStatus {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for EventStatus {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Ok(Self::parse(&text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_known_and_unknown_values() {
        for text in ["RUNNING", "FINISHED", "ABORTED", "FAILED", "PAUSED"] {
            let status: EventStatus = serde_json::from_str(&format!("\"{text}\"")).unwrap();
            assert_eq!(status.as_str(), text);
            assert_eq!(
                serde_json::to_string(&status).unwrap(),
                format!("\"{text}\"")
            );
        }
        assert_eq!(
            EventStatus::parse("PAUSED"),
            EventStatus::Unknown("PAUSED".into())
        );
        assert!(!EventStatus::Running.is_terminal());
        assert!(!EventStatus::parse("PAUSED").is_terminal());
        assert!(EventStatus::Aborted.is_terminal());
    }
}
