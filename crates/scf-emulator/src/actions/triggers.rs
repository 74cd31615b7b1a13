//! TODO-triggers
use super::{Backend, Call, unsupported};
use crate::failure::Failure;
use scf_model::{
    CreateTriggerRequest, DeleteTriggerRequest, ListTriggersRequest, UpdateTriggerRequest,
    UpdateTriggerStatusRequest,
};

/// The tables of this module.
pub(crate) const SCHEMA: &str = "";

/// The triggers of `function`, for GetFunction.
// Placeholder until the triggers helper lands triggers.rs: no triggers are stored yet, so there are none.
pub(crate) fn of_function(
    _connection: &rusqlite::Connection,
    _function: &super::functions::Function,
) -> Result<Vec<scf_model::Trigger>, Failure> {
    Ok(Vec::new())
}

pub(super) fn create_trigger(
    _backend: &Backend,
    _request: &CreateTriggerRequest,
    _call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    Err(unsupported("CreateTrigger"))
}

pub(super) fn delete_trigger(
    _backend: &Backend,
    _request: &DeleteTriggerRequest,
    _call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    Err(unsupported("DeleteTrigger"))
}

pub(super) fn list_triggers(
    _backend: &Backend,
    _request: &ListTriggersRequest,
    _call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    Err(unsupported("ListTriggers"))
}

pub(super) fn update_trigger(
    _backend: &Backend,
    _request: &UpdateTriggerRequest,
    _call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    Err(unsupported("UpdateTrigger"))
}

pub(super) fn update_trigger_status(
    _backend: &Backend,
    _request: &UpdateTriggerStatusRequest,
    _call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    Err(unsupported("UpdateTriggerStatus"))
}
