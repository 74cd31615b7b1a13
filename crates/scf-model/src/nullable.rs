//! Tolerance for `null` where the service documents a value.

use serde::{Deserialize, Deserializer};

/// Reads `null` as the type's default, so a field the service leaves null does not fail a whole response.
pub(crate) fn or_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}
