//! Tests of the learner journal on the simulated flash, with exhaustive power cuts.

use super::*;
use crate::storage::sim::{CutMode, SimFlash};
use edgekd_shared::artifact::ModelId;

const IN: usize = 8;
const OUT: usize = 2;
type Learner = HeadLearner<64>;
type Flash = SimFlash<256, 4>;

/// A deterministic stream of updates: int8 inputs and teacher probabilities.
struct Updates {
    xs: std::vec::Vec<[i8; IN]>,
    teachers: std::vec::Vec<[f32; OUT]>,
}

impl Updates {
    fn new(n: usize) -> Self {
        let mut state = 0x1234_5678u32;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state
        };
        let mut xs = std::vec::Vec::new();
        let mut teachers = std::vec::Vec::new();
        for _ in 0..n {
            let mut x = [0i8; IN];
            for v in &mut x {
                *v = next() as i8;
            }
            let p = (next() % 1000) as f32 / 1000.0;
            xs.push(x);
            teachers.push([p, 1.0 - p]);
        }
        Self { xs, teachers }
    }

    fn record(&self, i: usize) -> UpdateRecord<'_> {
        UpdateRecord {
            hyper: LearnHyper {
                temperature: 2.0,
                learning_rate: 0.05,
            },
            x_scale: 0.02,
            x_zero_point: -3,
            x: &self.xs[i],
            teacher: &self.teachers[i],
        }
    }
}

fn flashed(l: &mut Learner) -> Result<(), LearnError> {
    let w: std::vec::Vec<f32> = (0..IN * OUT).map(|i| (i as f32 - 7.5) / 16.0).collect();
    l.load(IN, OUT, &w, &[0.1, -0.1])
}

fn journal() -> Journal {
    Journal::new(256, 1024, 256, 4).unwrap()
}

/// Heads after 0, 1, …, n updates, computed in RAM alone.
fn expected_heads(u: &Updates) -> std::vec::Vec<Learner> {
    let mut l = Learner::empty();
    flashed(&mut l).unwrap();
    let mut heads = std::vec![l.clone()];
    for i in 0..u.xs.len() {
        u.record(i).apply(&mut l).unwrap();
        heads.push(l.clone());
    }
    heads
}

fn same(a: &Learner, b: &Learner) -> bool {
    let bits = |l: &Learner| -> std::vec::Vec<u32> {
        l.weights()
            .iter()
            .chain(l.bias())
            .map(|v| v.to_bits())
            .collect()
    };
    bits(a) == bits(b) && a.in_dim() == b.in_dim()
}

fn restore(flash: &mut Flash) -> (Journal, Learner, RestoreReport) {
    let mut j = journal();
    let mut l = Learner::empty();
    let r = j
        .restore(flash, ModelId([0xAB; 16]), &mut l, flashed)
        .unwrap();
    (j, l, r)
}

#[test]
fn updates_survive_a_restart_bit_for_bit_across_half_switches() {
    let u = Updates::new(40);
    let heads = expected_heads(&u);
    let mut flash = Flash::new(8);
    let (mut j, mut l, r) = restore(&mut flash);
    assert!(!r.found);
    for i in 0..40 {
        u.record(i).apply(&mut l).unwrap();
        j.append_update(&mut flash, &l, &u.record(i)).unwrap();
    }
    assert!(same(&l, &heads[40]));
    let (_, restored, report) = restore(&mut flash);
    assert!(report.found);
    assert!(same(&restored, &heads[40]));
    assert_eq!(restored.updates(), l.updates());
}

#[test]
fn revert_returns_to_the_flashed_head_and_commit_keeps_the_learned_one() {
    let u = Updates::new(6);
    let heads = expected_heads(&u);
    let mut flash = Flash::new(8);
    let (mut j, mut l, _) = restore(&mut flash);
    for i in 0..3 {
        u.record(i).apply(&mut l).unwrap();
        j.append_update(&mut flash, &l, &u.record(i)).unwrap();
    }
    j.commit(&mut flash, &l).unwrap();
    assert!(same(&restore(&mut flash).1, &heads[3]));
    j.revert(&mut flash).unwrap();
    flashed(&mut l).unwrap();
    assert!(same(&restore(&mut flash).1, &heads[0]));
    // Learning goes on after a revert.
    u.record(0).apply(&mut l).unwrap();
    j.append_update(&mut flash, &l, &u.record(0)).unwrap();
    assert!(same(&restore(&mut flash).1, &heads[1]));
}

#[test]
fn a_journal_of_another_model_is_ignored() {
    let u = Updates::new(2);
    let mut flash = Flash::new(8);
    let (mut j, mut l, _) = restore(&mut flash);
    u.record(0).apply(&mut l).unwrap();
    j.append_update(&mut flash, &l, &u.record(0)).unwrap();
    let mut other = journal();
    let mut l2 = Learner::empty();
    let r = other
        .restore(&mut flash, ModelId([0x99; 16]), &mut l2, flashed)
        .unwrap();
    assert!(!r.found);
    assert!(same(&l2, &expected_heads(&u)[0]));
}

/// A power cut at every single program or erase operation, lost or torn, loses at most the update
/// in flight: after the restart the head equals the head after every acknowledged update, or after
/// one more.
#[test]
fn power_cut_at_every_write_loses_at_most_the_update_in_flight() {
    const N: usize = 24;
    let u = Updates::new(N);
    let heads = expected_heads(&u);
    // Count the operations of the whole scenario once.
    let scenario = |flash: &mut Flash| -> usize {
        let (mut j, mut l, _) = restore(flash);
        let mut acked = 0;
        for i in 0..N {
            if u.record(i).apply(&mut l).is_err() {
                break;
            }
            if j.append_update(flash, &l, &u.record(i)).is_err() {
                break;
            }
            acked = i + 1;
            if i == N / 2 && j.commit(flash, &l).is_err() {
                break;
            }
        }
        acked
    };
    let mut probe = Flash::new(8);
    assert_eq!(scenario(&mut probe), N);
    let total = probe.ops();
    // 24 update records, a commit, and several half switches (each an erase and a snapshot).
    assert!(
        total > N as u64 + 4,
        "the scenario must switch halves ({total} ops)"
    );
    let mut cases = 0;
    for k in 0..total {
        for mode in [CutMode::Lost, CutMode::Torn] {
            let mut flash = Flash::new(8);
            flash.cut_power_at(k, mode);
            let acked = scenario(&mut flash);
            flash.power_on();
            let (_, restored, _) = restore(&mut flash);
            let ok =
                same(&restored, &heads[acked]) || (acked < N && same(&restored, &heads[acked + 1]));
            assert!(
                ok,
                "cut at op {k} ({mode:?}): {acked} acknowledged, head matches neither"
            );
            cases += 1;
        }
    }
    assert_eq!(cases as u64, 2 * total);
}
