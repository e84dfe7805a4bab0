//! Plain data carried inside messages: model slots, board profiles, device info and counters.

use serde::{Deserialize, Serialize};

use crate::artifact::ModelId;

/// One of the two model slots of the device's A/B storage.
///
/// Wire: postcard enum index (`A` = 0, `B` = 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Slot {
    /// The first slot.
    A,
    /// The second slot.
    B,
}

impl Slot {
    /// The other slot.
    pub const fn other(self) -> Slot {
        match self {
            Slot::A => Slot::B,
            Slot::B => Slot::A,
        }
    }

    /// 0 for A, 1 for B (index into per-slot tables).
    pub const fn index(self) -> usize {
        match self {
            Slot::A => 0,
            Slot::B => 1,
        }
    }

    /// The slot whose [`Slot::index`] is `index`, if any.
    pub const fn from_index(index: u8) -> Option<Slot> {
        match index {
            0 => Some(Slot::A),
            1 => Some(Slot::B),
            _ => None,
        }
    }
}

/// The device memory budget a firmware was built for (see `docs/design.md`, "Device memory budget").
///
/// Wire: postcard enum index; new profiles are appended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum BoardProfileId {
    /// nRF52840 class: Cortex-M4F, 1 MiB flash, 256 KiB RAM; artifact ≤ 256 KiB, arena ≤ 32 KiB.
    M4_1M,
    /// STM32F401 / nRF52832 class: 256 KiB flash, 64 KiB RAM; artifact ≤ 96 KiB, arena ≤ 16 KiB.
    M4_256K,
}

/// What [`crate::protocol::Response::Info`] reports about the device's model storage and memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceInfo {
    /// Slot of the model that runs, `None` when no valid model is stored.
    pub active_slot: Option<Slot>,
    /// Length of the active model in bytes (0 without a model).
    pub model_len: u32,
    /// The active model's identity (`None` without a model).
    pub model_id: Option<ModelId>,
    /// Sequence number of the boot record that made the model active (0 without a model).
    pub boot_seq: u32,
    /// Capacity of one model slot in bytes: the largest artifact the device accepts.
    pub slot_capacity: u32,
    /// Bytes of the inference arena.
    pub arena_bytes: u32,
    /// Bytes of RAM reserved for the on-device learner's state.
    pub learner_bytes: u32,
}

/// Counters since the last reset, answered to [`crate::protocol::Request::Stats`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceStats {
    /// Frames received whose CRC and body decoded.
    pub frames_ok: u32,
    /// Frames dropped: bad COBS, bad CRC, undecodable body, or too long.
    pub frames_bad: u32,
    /// Inferences run.
    pub inferences: u32,
    /// Cycle count (DWT `CYCCNT`) or instruction estimate of the last inference.
    pub last_infer_cycles: u32,
    /// On-device learning steps applied since the last reset.
    pub learn_steps: u32,
    /// Learner commits written to the journal.
    pub learn_commits: u32,
    /// Models flashed successfully.
    pub flash_commits: u32,
    /// Milliseconds since the device started (wraps after ~49 days).
    pub uptime_ms: u32,
    /// Bytes of RAM the server uses: inference arena + learner state + stack high-water mark.
    pub ram_bytes: u32,
    /// Deepest stack use seen so far, in bytes (part of `ram_bytes`).
    pub stack_high_water: u32,
    /// Sequence number of the learner journal's last record (0 with no journal).
    pub journal_seq: u32,
}

/// Outcome of one [`crate::protocol::Request::Learn`] step.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LearnReport {
    /// Steps applied since the last commit or revert, this one included.
    pub pending_steps: u32,
    /// KL(teacher ‖ student) at the request's temperature, before the update (nats).
    pub loss: f32,
    /// The student's label before the update.
    pub label_before: u8,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slot_other_and_index_agree() {
        for s in [Slot::A, Slot::B] {
            assert_ne!(s, s.other());
            assert_eq!(s.other().other(), s);
            assert_eq!(Slot::from_index(s.index() as u8), Some(s));
        }
        assert_eq!(Slot::from_index(2), None);
    }
}
