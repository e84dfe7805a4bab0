//! Flashing the session's model unless the device already runs it, compared by identity.

use std::io::{Read, Write};

use edgekd_shared::artifact::model_id;

use crate::device::{DeviceClient, FlashReport};

use super::AdaptError;

/// Flashes `artifact` unless the device's active model is that very model: the device's `Info`
/// names its model by [`ModelId`](edgekd_shared::artifact::ModelId), which differs for any two
/// models (the CRC-32 of a whole artifact is the same constant for every one of them). Returns
/// the flash report, or `None` when the model was already active.
pub fn ensure_flashed<T: Read + Write>(
    client: &mut DeviceClient<T>,
    artifact: &[u8],
) -> Result<Option<FlashReport>, AdaptError> {
    let wanted = model_id(artifact).map_err(|e| AdaptError::NotAnArtifact {
        reason: e.to_string(),
    })?;
    let device = |during: &str| {
        let during = during.to_string();
        move |source| AdaptError::Device { during, source }
    };
    let info = client.info().map_err(device("info"))?;
    if info.model_id == Some(wanted) {
        return Ok(None);
    }
    client
        .flash(artifact, |_, _| {})
        .map(Some)
        .map_err(device("flash"))
}
