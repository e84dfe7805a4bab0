//! Sets `cfg(edgekd_dsp)` on targets whose ISA always has the Armv7E-M DSP extension
//! (`thumbv7em-*`: Cortex-M4, M7), which selects the SMLAD kernels of `kernels::dot_dsp`.
//! (`cfg(target_feature = "dsp")` cannot be used: Arm target features are unstable in Rust and
//! not visible to `cfg` on a stable compiler.) `EDGEKD_NO_DSP=1` turns the DSP kernels off.
fn main() {
    println!("cargo::rustc-check-cfg=cfg(edgekd_dsp)");
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=EDGEKD_NO_DSP");
    let target = std::env::var("TARGET").unwrap_or_default();
    let disabled = std::env::var_os("EDGEKD_NO_DSP").is_some_and(|v| v == "1");
    if target.starts_with("thumbv7em-") && !disabled {
        println!("cargo::rustc-cfg=edgekd_dsp");
    }
}
