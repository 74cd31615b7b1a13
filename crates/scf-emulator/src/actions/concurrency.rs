//! TODO-concurrency
use super::{Backend, Call, unsupported};
use crate::failure::Failure;
use scf_model::{
    DeleteProvisionedConcurrencyConfigRequest, DeleteReservedConcurrencyConfigRequest,
    GetAccountRequest, GetFunctionEventInvokeConfigRequest, GetProvisionedConcurrencyConfigRequest,
    GetReservedConcurrencyConfigRequest, PutProvisionedConcurrencyConfigRequest,
    PutReservedConcurrencyConfigRequest, PutTotalConcurrencyConfigRequest,
    UpdateFunctionEventInvokeConfigRequest,
};

/// The tables of this module.
pub(crate) const SCHEMA: &str = "";

pub(super) fn put_reserved_concurrency_config(
    _backend: &Backend,
    _request: &PutReservedConcurrencyConfigRequest,
    _call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    Err(unsupported("PutReservedConcurrencyConfig"))
}

pub(super) fn get_reserved_concurrency_config(
    _backend: &Backend,
    _request: &GetReservedConcurrencyConfigRequest,
    _call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    Err(unsupported("GetReservedConcurrencyConfig"))
}

pub(super) fn delete_reserved_concurrency_config(
    _backend: &Backend,
    _request: &DeleteReservedConcurrencyConfigRequest,
    _call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    Err(unsupported("DeleteReservedConcurrencyConfig"))
}

pub(super) fn put_provisioned_concurrency_config(
    _backend: &Backend,
    _request: &PutProvisionedConcurrencyConfigRequest,
    _call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    Err(unsupported("PutProvisionedConcurrencyConfig"))
}

pub(super) fn get_provisioned_concurrency_config(
    _backend: &Backend,
    _request: &GetProvisionedConcurrencyConfigRequest,
    _call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    Err(unsupported("GetProvisionedConcurrencyConfig"))
}

pub(super) fn delete_provisioned_concurrency_config(
    _backend: &Backend,
    _request: &DeleteProvisionedConcurrencyConfigRequest,
    _call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    Err(unsupported("DeleteProvisionedConcurrencyConfig"))
}

pub(super) fn put_total_concurrency_config(
    _backend: &Backend,
    _request: &PutTotalConcurrencyConfigRequest,
    _call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    Err(unsupported("PutTotalConcurrencyConfig"))
}

pub(super) fn get_account(
    _backend: &Backend,
    _request: &GetAccountRequest,
    _call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    Err(unsupported("GetAccount"))
}

pub(super) fn get_function_event_invoke_config(
    _backend: &Backend,
    _request: &GetFunctionEventInvokeConfigRequest,
    _call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    Err(unsupported("GetFunctionEventInvokeConfig"))
}

pub(super) fn update_function_event_invoke_config(
    _backend: &Backend,
    _request: &UpdateFunctionEventInvokeConfigRequest,
    _call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    Err(unsupported("UpdateFunctionEventInvokeConfig"))
}
