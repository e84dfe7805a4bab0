//! Choosing where burn runs: `flex` (pure-Rust CPU, the default on CPU), `ndarray` (CPU, deprecated
//! upstream, a benchmark baseline behind the crate feature `ndarray`) or `wgpu` (GPU through
//! Vulkan/Metal/…, behind the crate feature `wgpu`). Without a request, wgpu is used when the
//! feature is on and a hardware adapter answers, else flex.

use std::fmt;
use std::str::FromStr;

use burn::prelude::*;

/// Environment variable that names a backend (`flex`, `ndarray`, `wgpu`).
pub const BACKEND_ENV: &str = "EDGEKD_BACKEND";

/// A burn backend this crate can run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BackendKind {
    /// burn-flex, pure-Rust CPU with SIMD and rayon.
    Flex,
    /// burn-ndarray CPU.
    NdArray,
    /// burn-wgpu on the default adapter.
    Wgpu,
}

/// A backend that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BackendError {
    /// The name is not one of `flex`, `ndarray`, `wgpu`.
    #[error("unknown backend {0:?} (expected flex, ndarray or wgpu)")]
    Unknown(String),
    /// ndarray was asked for but this build lacks the `ndarray` feature.
    #[error(
        "backend ndarray is not in this build: build edgekd with `--features ndarray` (edgekd-models: `ndarray`)"
    )]
    NdArrayNotBuilt,
    /// wgpu was asked for but this build lacks the `wgpu` feature.
    #[error(
        "backend wgpu is not in this build: build edgekd with `--features wgpu` (edgekd-models: `wgpu`)"
    )]
    WgpuNotBuilt,
    /// wgpu was asked for but no adapter could run a tensor operation.
    #[error("backend wgpu: no usable adapter ({0})")]
    NoAdapter(String),
}

impl BackendKind {
    /// Every kind, CPU first.
    pub const ALL: [BackendKind; 3] = [BackendKind::Flex, BackendKind::NdArray, BackendKind::Wgpu];

    /// The lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            BackendKind::Flex => "flex",
            BackendKind::NdArray => "ndarray",
            BackendKind::Wgpu => "wgpu",
        }
    }

    /// The device for this backend, checked to run a small operation.
    pub fn device(self) -> Result<Device, BackendError> {
        match self {
            BackendKind::Flex => Ok(Device::flex()),
            BackendKind::NdArray => ndarray_device(),
            BackendKind::Wgpu => wgpu_device(),
        }
    }
}

impl fmt::Display for BackendKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for BackendKind {
    type Err = BackendError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "flex" | "cpu" => Ok(BackendKind::Flex),
            "ndarray" => Ok(BackendKind::NdArray),
            "wgpu" | "gpu" => Ok(BackendKind::Wgpu),
            other => Err(BackendError::Unknown(other.to_string())),
        }
    }
}

/// The backend named by `requested`, else by `$EDGEKD_BACKEND`, else wgpu when it works, else flex.
pub fn select(requested: Option<BackendKind>) -> Result<(BackendKind, Device), BackendError> {
    let requested = match requested {
        Some(kind) => Some(kind),
        None => match std::env::var(BACKEND_ENV) {
            Ok(name) if !name.trim().is_empty() => Some(name.parse()?),
            _ => None,
        },
    };
    match requested {
        Some(kind) => Ok((kind, kind.device()?)),
        None => match hardware_adapter().and_then(|()| wgpu_device()) {
            Ok(device) => Ok((BackendKind::Wgpu, device)),
            Err(_) => Ok((BackendKind::Flex, Device::flex())),
        },
    }
}

#[cfg(feature = "ndarray")]
fn ndarray_device() -> Result<Device, BackendError> {
    #[allow(deprecated)]
    Ok(Device::ndarray())
}

#[cfg(not(feature = "ndarray"))]
fn ndarray_device() -> Result<Device, BackendError> {
    Err(BackendError::NdArrayNotBuilt)
}

#[cfg(feature = "wgpu")]
fn wgpu_device() -> Result<Device, BackendError> {
    // burn panics when no adapter exists; probe with one small op and catch that.
    let probe = std::panic::catch_unwind(|| {
        let device = Device::wgpu(DeviceKind::DefaultDevice);
        let t = Tensor::<1>::from_floats([1.0, 2.0], &device);
        let sum: Vec<f32> = t.sum().into_data().try_to_vec::<f32>().unwrap_or_default();
        (device, sum)
    });
    match probe {
        Ok((device, sum)) if sum == [3.0] => Ok(device),
        Ok((_, sum)) => Err(BackendError::NoAdapter(format!("probe returned {sum:?}"))),
        Err(_) => Err(BackendError::NoAdapter(
            "adapter initialisation panicked".into(),
        )),
    }
}

/// Whether wgpu has a hardware adapter: a software rasterizer alone (Mesa's lavapipe, llvmpipe, WARP)
/// runs burn ~20× slower than flex, so `auto` leaves it to those who name `wgpu`.
#[cfg(feature = "wgpu")]
fn hardware_adapter() -> Result<(), BackendError> {
    use burn::backend::wgpu::wgpu;
    let instance = wgpu::Instance::default();
    let adapters =
        futures_lite::future::block_on(instance.enumerate_adapters(wgpu::Backends::all()));
    match adapters
        .iter()
        .any(|a| a.get_info().device_type != wgpu::DeviceType::Cpu)
    {
        true => Ok(()),
        false => Err(BackendError::NoAdapter(
            "only software adapters; one is used only with --backend wgpu".into(),
        )),
    }
}

#[cfg(not(feature = "wgpu"))]
fn hardware_adapter() -> Result<(), BackendError> {
    Err(BackendError::WgpuNotBuilt)
}

#[cfg(not(feature = "wgpu"))]
fn wgpu_device() -> Result<Device, BackendError> {
    Err(BackendError::WgpuNotBuilt)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for kind in BackendKind::ALL {
            assert_eq!(kind.name().parse::<BackendKind>(), Ok(kind));
        }
        assert_eq!(" CPU ".parse::<BackendKind>(), Ok(BackendKind::Flex));
        assert!(matches!(
            "tpu".parse::<BackendKind>(),
            Err(BackendError::Unknown(_))
        ));
    }

    #[test]
    fn cpu_backends_compute() {
        let kinds: &[BackendKind] = if cfg!(feature = "ndarray") {
            &[BackendKind::Flex, BackendKind::NdArray]
        } else {
            &[BackendKind::Flex]
        };
        for &kind in kinds {
            let (got, device) = select(Some(kind)).unwrap();
            assert_eq!(got, kind);
            let t = Tensor::<2>::from_floats([[1.0, 2.0], [3.0, 4.0]], &device);
            let v: Vec<f32> = t.clone().matmul(t).into_data().try_to_vec().unwrap();
            assert_eq!(v, vec![7.0, 10.0, 15.0, 22.0]);
        }
    }

    #[test]
    fn default_is_usable() {
        let (kind, device) = select(None).unwrap();
        let t = Tensor::<1>::from_floats([1.0, 2.0], &device);
        let v: Vec<f32> = t.sum().into_data().try_to_vec().unwrap();
        assert_eq!(v, vec![3.0], "backend {kind}");
    }
}
