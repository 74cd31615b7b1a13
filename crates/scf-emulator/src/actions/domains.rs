//! TODO-domains
use super::{Backend, Call, unsupported};
use crate::failure::Failure;
use scf_model::{
    CreateCustomDomainRequest, DeleteCustomDomainRequest, GetCustomDomainRequest,
    ListCustomDomainsRequest, UpdateCustomDomainRequest,
};

/// The tables of this module.
pub(crate) const SCHEMA: &str = "";

pub(super) fn create_custom_domain(
    _backend: &Backend,
    _request: &CreateCustomDomainRequest,
    _call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    Err(unsupported("CreateCustomDomain"))
}

pub(super) fn get_custom_domain(
    _backend: &Backend,
    _request: &GetCustomDomainRequest,
    _call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    Err(unsupported("GetCustomDomain"))
}

pub(super) fn list_custom_domains(
    _backend: &Backend,
    _request: &ListCustomDomainsRequest,
    _call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    Err(unsupported("ListCustomDomains"))
}

pub(super) fn update_custom_domain(
    _backend: &Backend,
    _request: &UpdateCustomDomainRequest,
    _call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    Err(unsupported("UpdateCustomDomain"))
}

pub(super) fn delete_custom_domain(
    _backend: &Backend,
    _request: &DeleteCustomDomainRequest,
    _call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    Err(unsupported("DeleteCustomDomain"))
}
