//! The links to a real board: a debug probe (J-Link, ST-LINK, CMSIS-DAP) or a serial port. Either
//! one is enough for `--for board`; with neither, both are reported missing with their fixes.

use super::{Finding, Purpose};

/// A USB device as the kernel lists it (`/sys/bus/usb/devices/*`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsbDevice {
    /// `idVendor`.
    pub vendor: u16,
    /// `idProduct`.
    pub product: u16,
    /// The product string (may be empty).
    pub name: String,
}

/// The kind of debug probe `dev` is, if it is one probe-rs drives.
pub fn probe_kind(dev: &UsbDevice) -> Option<&'static str> {
    match (dev.vendor, dev.product) {
        (0x1366, _) => Some("SEGGER J-Link"),
        (0x0483, 0x3744..=0x3754) => Some("ST-LINK"),
        (0x0d28, 0x0204) => Some("DAPLink"),
        (0x2e8a, 0x000c) => Some("Raspberry Pi Debug Probe"),
        _ if dev.name.contains("CMSIS-DAP") => Some("CMSIS-DAP"),
        _ => None,
    }
}

/// The probe and serial-port findings from what is connected (`serial`: the USB serial ports, or
/// why they could not be listed).
pub fn board_links(probes: &[String], serial: Result<&[String], &str>) -> Vec<Finding> {
    let ports = serial.as_ref().map_or(0, |p| p.len());
    let any = !probes.is_empty() || ports > 0;
    // With one link the other is optional; with none, both are what `--for board` lacks.
    let need = (!any).then_some(Purpose::Board);
    let probe = if probes.is_empty() {
        Finding::missing(
            "debug probe",
            need,
            "none connected",
            "connect a J-Link, ST-LINK or CMSIS-DAP probe to the board's SWD header",
        )
    } else {
        Finding::ok("debug probe", Some(Purpose::Board), probes.join(", "))
    };
    let port = match serial {
        Ok(names) if !names.is_empty() => {
            Finding::ok("serial ports", Some(Purpose::Board), names.join(", "))
        }
        Ok(_) => Finding::missing(
            "serial ports",
            need,
            "none over USB",
            "connect the board by USB (Linux: add yourself to `dialout`)",
        ),
        Err(e) => Finding::missing("serial ports", need, e, "check /dev/tty* permissions"),
    };
    vec![probe, port]
}

/// What the board checks find on this machine. Only USB serial ports count (a board's USB CDC
/// port or its debugger's): a machine's built-in UARTs (`/dev/ttyS0`) lead to no board.
pub(super) fn links() -> Vec<Finding> {
    let ports = serialport::available_ports()
        .map(|ports| {
            ports
                .into_iter()
                .filter(|p| matches!(p.port_type, serialport::SerialPortType::UsbPort(_)))
                .map(|p| p.port_name)
                .collect::<Vec<_>>()
        })
        .map_err(|e| e.to_string());
    board_links(&probe_names(), ports.as_deref().map_err(|e| e.as_str()))
}

/// The probes probe-rs lists.
#[cfg(feature = "probe")]
fn probe_names() -> Vec<String> {
    probe_rs::probe::list::Lister::new()
        .list_all()
        .iter()
        .map(|p| p.identifier.clone())
        .collect()
}

/// The USB devices that are probes probe-rs drives (this build flashes through them only with
/// `--features probe`).
#[cfg(not(feature = "probe"))]
fn probe_names() -> Vec<String> {
    usb_devices()
        .iter()
        .filter_map(probe_kind)
        .map(|kind| format!("{kind} (flashing through it needs `--features probe`)"))
        .collect()
}

/// The USB devices in `/sys/bus/usb/devices` (none where there is no sysfs).
#[cfg(not(feature = "probe"))]
fn usb_devices() -> Vec<UsbDevice> {
    let Ok(entries) = std::fs::read_dir("/sys/bus/usb/devices") else {
        return vec![];
    };
    let read = |dir: &std::path::Path, file: &str| {
        std::fs::read_to_string(dir.join(file)).map(|s| s.trim().to_string())
    };
    let hex = |s: String| u16::from_str_radix(&s, 16).ok();
    entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let dir = e.path();
            Some(UsbDevice {
                vendor: hex(read(&dir, "idVendor").ok()?)?,
                product: hex(read(&dir, "idProduct").ok()?)?,
                name: read(&dir, "product").unwrap_or_default(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usb(vendor: u16, product: u16, name: &str) -> UsbDevice {
        UsbDevice {
            vendor,
            product,
            name: name.into(),
        }
    }

    #[test]
    fn known_probes_are_recognised_and_other_devices_are_not() {
        assert_eq!(
            probe_kind(&usb(0x1366, 0x1015, "J-Link")),
            Some("SEGGER J-Link")
        );
        assert_eq!(
            probe_kind(&usb(0x0483, 0x374b, "STM32 STLink")),
            Some("ST-LINK")
        );
        assert_eq!(
            probe_kind(&usb(0x2e8a, 0x000c, "")),
            Some("Raspberry Pi Debug Probe")
        );
        assert_eq!(
            probe_kind(&usb(0xc251, 0xf001, "LPC-Link CMSIS-DAP")),
            Some("CMSIS-DAP")
        );
        assert_eq!(probe_kind(&usb(0x0483, 0x5740, "Virtual COM Port")), None);
        assert_eq!(probe_kind(&usb(0x046d, 0xc52b, "USB Receiver")), None);
    }

    #[test]
    fn one_link_is_enough_for_a_board_and_none_blocks_it() {
        let none = board_links(&[], Ok(&[]));
        assert!(none.iter().all(|f| f.blocks(Purpose::Board)), "{none:?}");
        assert!(none.iter().all(|f| !f.blocks(Purpose::Device)), "{none:?}");
        assert!(none.iter().all(|f| f.fix.is_some()));

        let port = ["/dev/ttyACM0".to_string()];
        let serial_only = board_links(&[], Ok(&port));
        assert!(!serial_only.iter().any(|f| f.blocks(Purpose::Board)));
        assert_eq!(serial_only[1].detail, "/dev/ttyACM0");
        assert!(serial_only[0].fix.is_some(), "the probe stays suggested");

        let probe = ["SEGGER J-Link".to_string()];
        let unreadable = board_links(&probe, Err("permission denied"));
        assert!(!unreadable.iter().any(|f| f.blocks(Purpose::Board)));
        assert_eq!(unreadable[1].detail, "permission denied");
    }
}
