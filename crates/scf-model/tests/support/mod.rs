//! What the model's integration tests share.

pub(crate) mod examples;
