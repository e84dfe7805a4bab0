//! Board profiles: the memory budgets a model is exported for and checked against.
//!
//! | profile | board class | artifact ≤ | inference arena ≤ | learner state ≤ | default student's buckets |
//! |---|---|---|---|---|---|
//! | `m4-1m` (default) | nRF52840: Cortex-M4F 64 MHz, 1 MiB flash, 256 KiB RAM | 256 KiB | 32 KiB | 16 KiB | 32768 |
//! | `m4-256k` | STM32F401 / nRF52832: 256 KiB flash, 64 KiB RAM | 96 KiB | 16 KiB | 8 KiB | 12288 |

use crate::protocol::BoardProfileId;

/// The budgets of one board class, in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BoardProfile {
    /// Identifier on the wire.
    pub id: BoardProfileId,
    /// Name used on the command line and in artifact metadata.
    pub name: &'static str,
    /// Largest artifact (one model slot).
    pub max_artifact: usize,
    /// Largest inference arena.
    pub max_arena: usize,
    /// Largest learner state (f32 head master and its journal buffers).
    pub max_learner: usize,
    /// Hashed-embedding rows of the student `edgekd run` trains for this board when none are
    /// asked for: the host's default student (a 6-wide int8 table) sized to the artifact budget.
    pub student_buckets: usize,
}

/// The default profile, `m4-1m`.
pub const M4_1M: BoardProfile = BoardProfile {
    id: BoardProfileId::M4_1M,
    name: "m4-1m",
    max_artifact: 256 * 1024,
    max_arena: 32 * 1024,
    max_learner: 16 * 1024,
    // 32768×6 table: 192 KiB of the 256 KiB slot.
    student_buckets: 32768,
};

/// The small profile, `m4-256k`.
pub const M4_256K: BoardProfile = BoardProfile {
    id: BoardProfileId::M4_256K,
    name: "m4-256k",
    max_artifact: 96 * 1024,
    max_arena: 16 * 1024,
    max_learner: 8 * 1024,
    // 12288×6 table: 72 KiB of the 96 KiB slot.
    student_buckets: 12288,
};

/// Every profile, default first.
pub const PROFILES: [BoardProfile; 2] = [M4_1M, M4_256K];

impl BoardProfile {
    /// The profile called `name`, if any.
    pub fn by_name(name: &str) -> Option<BoardProfile> {
        PROFILES.iter().copied().find(|p| p.name == name)
    }

    /// The profile with wire identifier `id`.
    pub fn by_id(id: BoardProfileId) -> BoardProfile {
        match id {
            BoardProfileId::M4_1M => M4_1M,
            BoardProfileId::M4_256K => M4_256K,
        }
    }

    /// Which budget, if any, a model of these sizes exceeds.
    pub fn check(&self, artifact: usize, arena: usize, learner: usize) -> Result<(), OverBudget> {
        let over = |what, used, budget| Err(OverBudget { what, used, budget });
        if artifact > self.max_artifact {
            return over("artifact", artifact, self.max_artifact);
        }
        if arena > self.max_arena {
            return over("inference arena", arena, self.max_arena);
        }
        if learner > self.max_learner {
            return over("learner state", learner, self.max_learner);
        }
        Ok(())
    }
}

/// A budget of a board profile that a model exceeds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OverBudget {
    /// Which budget.
    pub what: &'static str,
    /// Bytes the model needs.
    pub used: usize,
    /// Bytes the profile allows.
    pub budget: usize,
}

impl core::fmt::Display for OverBudget {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "{} needs {} bytes, the profile allows {}",
            self.what, self.used, self.budget
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_ids_round_trip() {
        for p in PROFILES {
            assert_eq!(BoardProfile::by_name(p.name), Some(p));
            assert_eq!(BoardProfile::by_id(p.id), p);
        }
        assert_eq!(BoardProfile::by_name("m7"), None);
    }

    #[test]
    fn check_names_the_first_budget_exceeded() {
        assert_eq!(M4_256K.check(96 * 1024, 16 * 1024, 8 * 1024), Ok(()));
        let e = M4_256K.check(100_000, 0, 0).unwrap_err();
        assert_eq!(e.what, "artifact");
        assert_eq!(
            M4_1M.check(0, 40_000, 0).unwrap_err().what,
            "inference arena"
        );
        assert_eq!(M4_1M.check(0, 0, 20_000).unwrap_err().what, "learner state");
    }
}
