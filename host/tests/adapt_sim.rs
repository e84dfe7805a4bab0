//! `edgekd adapt` against the in-process simulated device: adaptation helps on synthetic in-domain
//! data, the device's head equals the host's in-process learner bit for bit, bad soft labels are
//! refused without effect, and commit/revert behave. The sessions' texts are drawn by the library's
//! [`prepare`], as `edgekd adapt` draws them, from synthetic corpora and a rule-based teacher.

use std::time::Duration;

use ed25519_dalek::SigningKey;
use edgekd_device::engine::{arena_size, infer, Input};
use edgekd_device::learner::{HeadLearner, LearnHyper, UpdateRecord};
use edgekd_device::server::DEFAULT_LEARNING_RATE;
use edgekd_host::adapt::{
    adapt, ensure_flashed, evaluate, prepare, soft_examples, AdaptError, AdaptPlan, Corpora,
    EvalSet, EvalSplits, Finish, LabelMap, PrepareConfig, Prepared, Progress, ReplayLabels,
    SoftExample,
};
use edgekd_host::data::{Dataset, Example};
use edgekd_host::device::{DeviceClient, SimDevice, SIM_HEAD_CAP};
use edgekd_shared::artifact::sample::{sample, SampleKind};
use edgekd_shared::artifact::{decode, model_id, Model, VerifyPolicy};
use edgekd_shared::protocol::ErrorCode;

const T: f32 = 2.0;

fn key() -> SigningKey {
    SigningKey::from_bytes(&[23u8; 32])
}

/// Words of each in-domain class (the teacher's rule: the class whose words a text uses).
const VOCAB: [[&str; 6]; 3] = [
    [
        "awful", "boring", "dreadful", "tedious", "clumsy", "lifeless",
    ],
    [
        "superb",
        "delightful",
        "moving",
        "brilliant",
        "charming",
        "gripping",
    ],
    [
        "average", "ordinary", "middling", "routine", "standard", "passable",
    ],
];
/// In-domain label names; the model's are `negative`, `positive`, `neutral`.
const DOMAIN_LABELS: [&str; 3] = ["neg", "pos", "neu"];

/// Teacher logits for class `c`: a confident teacher.
fn teacher_logits(c: usize) -> Vec<f32> {
    (0..3).map(|k| if k == c { 4.0 } else { -2.0 }).collect()
}

/// Every pair of two different words of one class, with the class's in-domain index.
fn domain_corpus() -> Dataset {
    let mut examples = Vec::new();
    for (label, words) in VOCAB.iter().enumerate() {
        for (i, a) in words.iter().enumerate() {
            for (j, b) in words.iter().enumerate() {
                if i != j {
                    examples.push(Example {
                        text: format!("{a} {b}"),
                        label,
                    });
                }
            }
        }
    }
    Dataset {
        name: "in-domain".into(),
        labels: DOMAIN_LABELS.map(String::from).to_vec(),
        examples,
    }
}

/// Generic texts of the original domain (none uses an in-domain word): `n` of them.
fn original_pool(n: usize) -> Vec<String> {
    const WORDS: [&str; 12] = [
        "film", "story", "actor", "scene", "plot", "music", "ending", "camera", "script", "role",
        "sequel", "director",
    ];
    (0..n)
        .map(|i| {
            let w = |k: usize| WORDS[(i * 7 + k * 5) % WORDS.len()];
            format!("the {} and the {} of the {}", w(0), w(1), w(2))
        })
        .collect()
}

/// The original domain: generic texts with the flashed model's own answers (the device engine's)
/// as gold, so its accuracy is 1 before adapting.
fn original_corpus(model: &Model<'_>) -> Dataset {
    let mut arena = vec![0u8; arena_size(model).unwrap()];
    let examples = original_pool(40)
        .into_iter()
        .map(|text| {
            let run = infer(model, Input::Text(&text), &mut arena).unwrap();
            Example {
                label: run.prediction.label,
                text,
            }
        })
        .collect();
    Dataset {
        name: "original".into(),
        labels: model.meta.labels.iter().map(|s| s.to_string()).collect(),
        examples,
    }
}

/// A session of `updates` on the synthetic corpora, drawn by [`prepare`] with `seed`: a fifth of
/// the in-domain pairs held out, two fifths of the original texts evaluated, the rest replayed (one
/// replayed text per in-domain text) as `replay` says.
fn prepared(model: &Model<'_>, updates: usize, replay: ReplayLabels, seed: u64) -> Prepared {
    let model_labels: Vec<String> = model.meta.labels.iter().map(|s| s.to_string()).collect();
    let map = LabelMap::parse("neg=negative,pos=positive,neu=neutral").unwrap();
    let domain = domain_corpus();
    let to_model = map.resolve(&domain.labels, &model_labels).unwrap();
    // The teacher's rule: the class whose words a text uses.
    let mut teacher = |texts: &[String]| {
        Ok(texts
            .iter()
            .map(|t| {
                let c = VOCAB
                    .iter()
                    .position(|words| t.split(' ').any(|x| words.contains(&x)))
                    .expect("an in-domain text");
                teacher_logits(to_model[c])
            })
            .collect())
    };
    let cfg = PrepareConfig {
        plan: AdaptPlan::new(updates, T),
        held_out: 0.2,
        evaluate: EvalSplits::Test,
        eval_limit: 0,
        original_dev: 0.0,
        original_test: 0.4,
        seed,
        order_seed: None,
        replay,
        replay_ratio: 1.0,
        replay_pool: 0,
    };
    let original = original_corpus(model);
    let corpora = Corpora {
        domain: &domain,
        original: &original,
        map: &map,
    };
    prepare(model, corpora, &cfg, &mut teacher, None).unwrap()
}

/// The in-domain stream (no replay) and the held-out split.
fn setup(model: &Model<'_>) -> (Vec<SoftExample>, EvalSet) {
    let p = prepared(model, 1000, ReplayLabels::None, 1);
    (p.train, p.held_out)
}

fn flashed<'k>(bytes: &[u8], vk: &'k ed25519_dalek::VerifyingKey) -> DeviceClient<SimDevice<'k>> {
    let mut dev = DeviceClient::new(SimDevice::new(vk).unwrap(), Duration::from_secs(2));
    dev.hello().unwrap();
    dev.flash(bytes, |_, _| {}).unwrap();
    dev
}

fn probe_logits(dev: &mut DeviceClient<SimDevice<'_>>, set: &EvalSet) -> Vec<Vec<i8>> {
    set.texts
        .iter()
        .map(|t| dev.infer(t).unwrap().logits)
        .collect()
}

/// The draws (held-out split, replayed texts, update order) the accuracy claims hold over.
const SEEDS: [u64; 5] = [1, 2, 3, 4, 5];

/// A fresh device, one session of `updates` drawn with `seed`: (in-domain accuracy before, in-domain
/// after, share of the original answers kept after).
fn session_accuracies(
    bytes: &[u8],
    model: &Model<'_>,
    updates: usize,
    replay: ReplayLabels,
    seed: u64,
) -> (f64, f64, f64) {
    let vk = key().verifying_key();
    let mut session = prepared(model, updates, replay, seed);
    session.plan.checkpoints = vec![0];
    let mut dev = flashed(bytes, &vk);
    let report = adapt(
        &mut dev,
        &session.train,
        &session.held_out,
        &session.original,
        &session.plan,
        &mut |_| {},
    )
    .unwrap();
    let (first, last) = (report.checkpoints[0], report.checkpoints[1]);
    assert_eq!(first.original, Some(1.0), "seed {seed}");
    (
        first.in_domain.unwrap(),
        last.in_domain.unwrap(),
        last.original.unwrap(),
    )
}

#[test]
fn adaptation_helps_in_domain_and_reports_every_checkpoint() {
    let vk = key().verifying_key();
    let bytes = sample(SampleKind::Bag, 31, Some(&key())).unwrap().bytes;
    let model = decode(&bytes, VerifyPolicy::RequireKey(&vk)).unwrap();
    let mut dev = flashed(&bytes, &vk);
    let session = prepared(&model, 1000, ReplayLabels::None, 1);
    let (train, held, orig) = (&session.train, &session.held_out, &session.original);
    assert!(session.replay.is_none());
    // The rule-based teacher is right on every held-out text.
    assert_eq!(session.teacher_right, held.texts.len());
    let (mut updates, mut seen) = (0usize, Vec::new());
    let report = adapt(
        &mut dev,
        train,
        held,
        orig,
        &session.plan,
        &mut |p| match p {
            Progress::Update { done, total, loss } => {
                assert_eq!((done, total), (updates + 1, 1000));
                assert!(loss.is_finite() && loss >= 0.0);
                updates = done;
            }
            Progress::Checkpoint(c) => seen.push(c.updates),
        },
    )
    .unwrap();
    println!("{}\n{}", report.table(), report.summary());
    assert_eq!(seen, vec![0, 100, 250, 500, 1000]);
    assert_eq!(report.updates, 1000);
    let first = report.checkpoints[0];
    let last = report.checkpoints[4];
    assert_eq!(first.original, Some(1.0));
    // The gain is a property of adapting, not of one draw: every seed's split gains, and on average
    // by at least a fifth of the held-out texts.
    let gains: Vec<(f64, f64)> = SEEDS
        .iter()
        .map(|&seed| {
            let (start, in_domain, _) =
                session_accuracies(&bytes, &model, 1000, ReplayLabels::None, seed);
            (start, in_domain)
        })
        .collect();
    println!("in-domain accuracy before → after, seeds {SEEDS:?}: {gains:?}");
    assert!(gains.iter().all(|(b, a)| a > b), "{gains:?}");
    let mean_gain = gains.iter().map(|(b, a)| a - b).sum::<f64>() / gains.len() as f64;
    assert!(
        mean_gain >= 0.25,
        "mean in-domain gain {mean_gain}: {gains:?}"
    );
    // The loss the device reports falls as the head learns.
    assert!(last.mean_loss.unwrap() < report.checkpoints[1].mean_loss.unwrap());
    assert_eq!(report.device_learn_steps, 1000);
    assert_eq!(
        report.learner_bytes as usize,
        HeadLearner::<SIM_HEAD_CAP>::ram_bytes() * 2
    );
    assert!(report.ram_bytes >= report.learner_bytes);
}

/// The host's in-process learner: the device crate's engine and learner, driven with the same texts.
fn host_learner(
    model: &Model<'_>,
    train: &[SoftExample],
    updates: usize,
) -> Box<HeadLearner<SIM_HEAD_CAP>> {
    let mut learner = Box::new(HeadLearner::<SIM_HEAD_CAP>::empty());
    learner.load_model_head(model).unwrap();
    let mut arena = vec![0u8; arena_size(model).unwrap()];
    for i in 0..updates {
        let ex = &train[i % train.len()];
        let inf = infer(model, Input::Text(&ex.text), &mut arena).unwrap();
        let q = inf.head_input_quant.unwrap();
        let record = UpdateRecord {
            hyper: LearnHyper {
                temperature: T,
                learning_rate: DEFAULT_LEARNING_RATE,
            },
            x_scale: q.scale,
            x_zero_point: q.zero_point,
            x: inf.head_input,
            teacher: &ex.probs,
        };
        record.apply(&mut learner).unwrap();
    }
    learner
}

#[test]
fn device_head_equals_the_host_learner_bit_for_bit() {
    let vk = key().verifying_key();
    let bytes = sample(SampleKind::Bag, 32, Some(&key())).unwrap().bytes;
    let model = decode(&bytes, VerifyPolicy::RequireKey(&vk)).unwrap();
    let mut dev = flashed(&bytes, &vk);
    let (train, held) = setup(&model);
    let mut plan = AdaptPlan::new(137, T);
    plan.checkpoints = vec![0, 60];
    let empty = EvalSet::default();
    adapt(&mut dev, &train, &held, &empty, &plan, &mut |_| {}).unwrap();
    let host = host_learner(&model, &train, 137);
    let device = dev.get_ref().server().learner();
    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(device.updates(), 137);
    assert_eq!(bits(device.weights()), bits(host.weights()), "weights");
    assert_eq!(bits(device.bias()), bits(host.bias()), "bias");
}

#[test]
fn garbage_soft_labels_are_refused_and_change_nothing() {
    let vk = key().verifying_key();
    let bytes = sample(SampleKind::Bag, 33, Some(&key())).unwrap().bytes;
    let model = decode(&bytes, VerifyPolicy::RequireKey(&vk)).unwrap();
    let mut dev = flashed(&bytes, &vk);
    let (train, held) = setup(&model);
    let before = probe_logits(&mut dev, &held);
    let empty = EvalSet::default();
    for probs in [
        vec![f32::NAN, 0.5, 0.5],
        vec![0.9, 0.9, 0.9],
        vec![-0.5, 1.0, 0.5],
        vec![0.5, 0.5],
        vec![f32::INFINITY, 0.0, 0.0],
    ] {
        let bad = vec![SoftExample {
            text: train[0].text.clone(),
            probs: probs.clone(),
        }];
        let err = adapt(
            &mut dev,
            &bad,
            &held,
            &empty,
            &AdaptPlan::new(5, T),
            &mut |_| {},
        )
        .unwrap_err();
        assert_eq!(
            err.device_code(),
            Some(ErrorCode::BadSoftLabel),
            "{probs:?}: {err}"
        );
        assert!(err.to_string().contains("update 1"), "{err}");
        assert_eq!(
            probe_logits(&mut dev, &held),
            before,
            "{probs:?} changed predictions"
        );
    }
    assert_eq!(dev.stats().unwrap().learn_steps, 0);
    // The host refuses non-finite teacher logits before anything is sent.
    let err = soft_examples(&["x".to_string()], &[vec![f32::NAN, 0.0, 0.0]], 3, T).unwrap_err();
    assert!(
        matches!(err, AdaptError::BadTeacherLogits { index: 0, .. }),
        "{err}"
    );
    // A temperature outside the device's range is refused on the host.
    let err = adapt(
        &mut dev,
        &train,
        &held,
        &empty,
        &AdaptPlan::new(5, 50.0),
        &mut |_| {},
    )
    .unwrap_err();
    assert!(matches!(err, AdaptError::BadTemperature(_)), "{err}");
}

#[test]
fn revert_restores_the_head_and_commit_survives_a_reboot() {
    let vk = key().verifying_key();
    let bytes = sample(SampleKind::Bag, 34, Some(&key())).unwrap().bytes;
    let model = decode(&bytes, VerifyPolicy::RequireKey(&vk)).unwrap();
    let mut dev = flashed(&bytes, &vk);
    let (train, held) = setup(&model);
    let empty = EvalSet::default();
    let flashed_logits = probe_logits(&mut dev, &held);

    let mut plan = AdaptPlan::new(300, T);
    plan.finish = Finish::Revert;
    let reverted = adapt(&mut dev, &train, &held, &empty, &plan, &mut |_| {}).unwrap();
    assert_eq!(reverted.finish, Finish::Revert);
    // The steps were applied during the session (the device's KL fell), then dropped.
    let losses: Vec<f64> = reverted
        .checkpoints
        .iter()
        .filter_map(|c| c.mean_loss)
        .collect();
    assert!(
        losses.len() >= 2 && losses[losses.len() - 1] < losses[0],
        "{losses:?}"
    );
    assert_eq!(dev.stats().unwrap().learn_steps, 300);
    assert_eq!(
        probe_logits(&mut dev, &held),
        flashed_logits,
        "revert goes back to the flashed head"
    );

    plan.finish = Finish::Commit;
    let committed = adapt(&mut dev, &train, &held, &empty, &plan, &mut |_| {}).unwrap();
    let adapted_logits = probe_logits(&mut dev, &held);
    assert_ne!(adapted_logits, flashed_logits);
    let accuracy = committed.checkpoints.last().unwrap().in_domain;
    // A reboot replays the journal: the committed head, with its accuracy, is back.
    let mut dev = DeviceClient::new(dev.into_inner().reboot().unwrap(), Duration::from_secs(2));
    assert_eq!(probe_logits(&mut dev, &held), adapted_logits);
    assert_eq!(evaluate(&mut dev, &held).unwrap(), accuracy);
}

#[test]
fn replaying_the_students_own_outputs_keeps_the_original_domain() {
    let vk = key().verifying_key();
    let bytes = sample(SampleKind::Bag, 31, Some(&key())).unwrap().bytes;
    let model = decode(&bytes, VerifyPolicy::RequireKey(&vk)).unwrap();
    let mut gains_with_replay = Vec::new();
    for seed in SEEDS {
        let (start, alone_in, alone_orig) =
            session_accuracies(&bytes, &model, 600, ReplayLabels::None, seed);
        let (_, mixed_in, mixed_orig) =
            session_accuracies(&bytes, &model, 600, ReplayLabels::Student, seed);
        println!(
            "seed {seed}: in-domain from {start}: alone {alone_in}, replayed {mixed_in}; \
             original answers kept: alone {alone_orig}, replayed {mixed_orig}"
        );
        assert!(
            mixed_orig > alone_orig,
            "seed {seed}: replay kept {mixed_orig} of the original answers, no replay {alone_orig}"
        );
        gains_with_replay.push(mixed_in - start);
    }
    // Replay costs some of the in-domain gain but keeps most of it on average.
    let mean = gains_with_replay.iter().sum::<f64>() / gains_with_replay.len() as f64;
    assert!(
        mean >= 0.1,
        "mean in-domain gain with replay {mean}: {gains_with_replay:?}"
    );
}

/// Model A on the device, then a session for model B: `adapt` flashes B (protocol 1 compared the
/// whole-file CRC, the same for every artifact, and adapted A), every later answer is B's, and a
/// second session for B does not flash again.
#[test]
fn a_session_for_model_b_on_a_device_holding_a_flashes_b() {
    let vk = key().verifying_key();
    let a = sample(SampleKind::Bag, 31, Some(&key())).unwrap().bytes;
    let b = sample(SampleKind::Bag, 32, Some(&key())).unwrap().bytes;
    let mut dev = flashed(&a, &vk);
    assert_eq!(
        ensure_flashed(&mut dev, &a).unwrap(),
        None,
        "A already runs"
    );
    let report = ensure_flashed(&mut dev, &b).unwrap().expect("B is flashed");
    assert_eq!(report.model_id, model_id(&b).unwrap());
    assert_eq!(dev.info().unwrap().model_id, Some(model_id(&b).unwrap()));
    let model_b = decode(&b, VerifyPolicy::RequireKey(&vk)).unwrap();
    let mut arena = vec![0u8; arena_size(&model_b).unwrap()];
    for text in ["superb moving", "awful boring", "routine"] {
        let want = infer(&model_b, Input::Text(text), &mut arena).unwrap();
        assert_eq!(
            dev.infer(text).unwrap().logits,
            want.prediction.logits.to_vec(),
            "{text}"
        );
    }
    assert_eq!(
        ensure_flashed(&mut dev, &b).unwrap(),
        None,
        "B already runs"
    );
    assert_eq!(dev.stats().unwrap().flash_commits, 2);
}
