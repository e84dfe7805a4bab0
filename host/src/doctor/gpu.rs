//! A GPU adapter for burn's wgpu backend, hardware or software. A build with `--features wgpu` asks
//! wgpu itself; the default build (training on the CPU) reports the Vulkan loader and drivers a wgpu
//! build would find, so that the user knows what `--features wgpu` would give.

use std::path::{Path, PathBuf};

use super::Finding;

/// The fix when no Vulkan driver is there: Mesa's software Vulkan (lavapipe) and the loader.
const VULKAN_FIX: &str =
    "sudo apt-get install mesa-vulkan-drivers libvulkan1 (software Vulkan), or a GPU driver";

#[cfg(feature = "wgpu")]
pub(super) fn gpu() -> Finding {
    use edgekd_models::backend::{select, BackendKind};
    match select(None) {
        Ok((BackendKind::Wgpu, _)) => {
            Finding::ok("gpu (wgpu)", None, "hardware adapter: `auto` uses it")
        }
        _ => match BackendKind::Wgpu.device() {
            Ok(_) => Finding::ok(
                "gpu (wgpu)",
                None,
                "software adapter only: used with --backend wgpu",
            ),
            Err(e) => Finding::missing("gpu (wgpu)", None, e.to_string(), VULKAN_FIX),
        },
    }
}

#[cfg(not(feature = "wgpu"))]
pub(super) fn gpu() -> Finding {
    let found = vulkan_drivers(vulkan_loader().is_some(), &icd_manifests());
    let built = "not built with wgpu, training runs on the CPU (cargo build -p edgekd-host --features wgpu)";
    if found.usable() {
        Finding::ok("gpu (wgpu)", None, format!("{built}; {}", found.describe()))
    } else {
        Finding::missing(
            "gpu (wgpu)",
            None,
            format!("{built}; {}", found.describe()),
            VULKAN_FIX,
        )
    }
}

/// The Vulkan drivers a wgpu build could use.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VulkanDrivers {
    /// Whether the Vulkan loader (`libvulkan.so.1`) is installed.
    pub loader: bool,
    /// Software drivers (lavapipe, SwiftShader): an adapter on any machine.
    pub software: Vec<String>,
    /// Hardware drivers (an adapter only where their GPU is present).
    pub hardware: Vec<String>,
}

impl VulkanDrivers {
    /// Whether wgpu can get an adapter: a loader and a software driver, or a hardware driver.
    pub fn usable(&self) -> bool {
        self.loader && !(self.software.is_empty() && self.hardware.is_empty())
    }

    /// `Vulkan loader; drivers: lvp (software), intel, radeon (hardware, if the GPU is present)`.
    pub fn describe(&self) -> String {
        if !self.loader {
            return "no Vulkan loader (libvulkan.so.1)".into();
        }
        let mut parts = vec![];
        if !self.software.is_empty() {
            parts.push(format!("{} (software)", self.software.join(", ")));
        }
        if !self.hardware.is_empty() {
            parts.push(format!(
                "{} (hardware, if the GPU is present)",
                self.hardware.join(", ")
            ));
        }
        if parts.is_empty() {
            "Vulkan loader but no driver".into()
        } else {
            format!("Vulkan drivers: {}", parts.join(", "))
        }
    }
}

/// Sorts the driver manifests (`lvp_icd.x86_64.json`, `nvidia_icd.json`, …) into software and
/// hardware drivers.
pub fn vulkan_drivers(loader: bool, manifests: &[String]) -> VulkanDrivers {
    let mut found = VulkanDrivers {
        loader,
        ..VulkanDrivers::default()
    };
    for m in manifests {
        let stem = m.split("_icd").next().unwrap_or(m);
        let name = stem.strip_prefix("vk_").unwrap_or(stem).to_string();
        let list = if matches!(name.as_str(), "lvp" | "swiftshader") {
            &mut found.software
        } else {
            &mut found.hardware
        };
        if !list.contains(&name) {
            list.push(name);
        }
    }
    found
}

/// The loader library, if installed in one of the usual library folders (a wgpu build asks wgpu
/// itself instead, so it leaves this and `icd_manifests` unused).
#[cfg_attr(feature = "wgpu", allow(dead_code))]
fn vulkan_loader() -> Option<PathBuf> {
    [
        "/usr/lib/x86_64-linux-gnu",
        "/usr/lib/aarch64-linux-gnu",
        "/usr/lib64",
        "/usr/lib",
        "/usr/local/lib",
        "/lib/x86_64-linux-gnu",
    ]
    .iter()
    .map(|d| Path::new(d).join("libvulkan.so.1"))
    .find(|p| p.exists())
}

/// File names of the driver manifests: `$VK_DRIVER_FILES` / `$VK_ICD_FILENAMES` when set (as the
/// loader reads them), else the loader's system folders.
#[cfg_attr(feature = "wgpu", allow(dead_code))]
fn icd_manifests() -> Vec<String> {
    let name = |p: &Path| p.file_name().map(|n| n.to_string_lossy().into_owned());
    for var in ["VK_DRIVER_FILES", "VK_ICD_FILENAMES"] {
        if let Some(files) = std::env::var_os(var).filter(|v| !v.is_empty()) {
            return std::env::split_paths(&files)
                .filter(|p| p.exists())
                .filter_map(|p| name(&p))
                .collect();
        }
    }
    let mut out: Vec<String> = [
        "/usr/share/vulkan/icd.d",
        "/usr/local/share/vulkan/icd.d",
        "/etc/vulkan/icd.d",
    ]
    .iter()
    .filter_map(|d| std::fs::read_dir(d).ok())
    .flatten()
    .filter_map(|e| e.ok().and_then(|e| name(&e.path())))
    .filter(|n| n.ends_with(".json"))
    .collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn mesa_manifests_are_sorted_into_software_and_hardware() {
        let found = vulkan_drivers(
            true,
            &names(&[
                "intel_hasvk_icd.x86_64.json",
                "intel_icd.x86_64.json",
                "lvp_icd.x86_64.json",
                "nvidia_icd.json",
                "vk_swiftshader_icd.json",
            ]),
        );
        assert_eq!(found.software, ["lvp", "swiftshader"]);
        assert_eq!(found.hardware, ["intel_hasvk", "intel", "nvidia"]);
        assert!(found.usable());
        assert_eq!(
            found.describe(),
            "Vulkan drivers: lvp, swiftshader (software), intel_hasvk, intel, nvidia (hardware, \
             if the GPU is present)"
        );
    }

    #[test]
    fn without_a_loader_or_a_driver_there_is_no_adapter() {
        let no_loader = vulkan_drivers(false, &names(&["lvp_icd.x86_64.json"]));
        assert!(!no_loader.usable());
        assert!(no_loader.describe().contains("no Vulkan loader"));
        let no_driver = vulkan_drivers(true, &[]);
        assert!(!no_driver.usable());
        assert_eq!(no_driver.describe(), "Vulkan loader but no driver");
    }
}
