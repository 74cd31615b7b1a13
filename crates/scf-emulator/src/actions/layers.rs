//! TODO-layers
use super::{Backend, Call, unsupported};
use crate::failure::Failure;
use scf_model::{
    DeleteLayerVersionRequest, GetLayerVersionRequest, ListLayerVersionsRequest, ListLayersRequest,
    PublishLayerVersionRequest,
};

/// The tables of this module.
pub(crate) const SCHEMA: &str = "";

pub(super) fn publish_layer_version(
    _backend: &Backend,
    _request: &PublishLayerVersionRequest,
    _call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    Err(unsupported("PublishLayerVersion"))
}

pub(super) fn get_layer_version(
    _backend: &Backend,
    _request: &GetLayerVersionRequest,
    _call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    Err(unsupported("GetLayerVersion"))
}

pub(super) fn list_layers(
    _backend: &Backend,
    _request: &ListLayersRequest,
    _call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    Err(unsupported("ListLayers"))
}

pub(super) fn list_layer_versions(
    _backend: &Backend,
    _request: &ListLayerVersionsRequest,
    _call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    Err(unsupported("ListLayerVersions"))
}

pub(super) fn delete_layer_version(
    _backend: &Backend,
    _request: &DeleteLayerVersionRequest,
    _call: &Call<'_>,
) -> Result<Vec<u8>, Failure> {
    Err(unsupported("DeleteLayerVersion"))
}
