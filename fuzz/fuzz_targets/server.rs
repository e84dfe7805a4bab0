#![no_main]
//! Arbitrary bytes on the serial line of a device that runs a valid, signed model.
//!
//! Invariants (a panic is a finding): the server never panics; every reply is a well-formed
//! frame holding a `Response`; after the input (and a `0x00` to end any partial frame) a `Stats`
//! request is still answered; the running model is still the signed one (no input can switch it
//! to anything that is not signed with the device key).

use std::sync::OnceLock;

use ed25519_dalek::{SigningKey, VerifyingKey};
use edgekd_device::server::{Link, Platform, Server, ServerConfig};
use edgekd_device::storage::sim::SimFlash;
use edgekd_device::storage::Layout;
use edgekd_shared::artifact::sample::{sample, SampleKind};
use edgekd_shared::artifact::{model_id, ModelId};
use edgekd_shared::protocol::{
    check_frame, decode_message, encode_frame, BoardProfileId, Request, Response,
};

type Flash = SimFlash<1024, 4>;
const SECTORS: usize = 22;
const LAYOUT: Layout = Layout::contiguous(0, 1024, 8 * 1024, 4 * 1024);

struct Board;

impl Platform for Board {
    fn instructions(&self) -> u32 {
        0
    }
    fn stack_high_water(&self) -> usize {
        0
    }
    fn profile(&self) -> BoardProfileId {
        BoardProfileId::M4_1M
    }
}

struct Fixture {
    key: VerifyingKey,
    image: Vec<u8>,
    model_id: ModelId,
}

/// Flash contents with the signed Bag sample active (built once through the server itself).
fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let signing = SigningKey::from_bytes(&[3u8; 32]);
        let key = signing.verifying_key();
        let bytes = sample(SampleKind::Bag, 1, Some(&signing))
            .expect("sample")
            .bytes;
        let id = model_id(&bytes).expect("sample is an artifact");
        let mut server: Server<'_, Flash, Board, Vec<u8>, 64> = Server::new(
            Flash::new(SECTORS),
            LAYOUT,
            Board,
            vec![0u8; 4096],
            ServerConfig::new(&key),
        )
        .expect("mount");
        let ok = matches!(
            server.handle(&Request::FlashBegin {
                total_len: bytes.len() as u32,
                model_id: id
            }),
            Response::Ack
        );
        assert!(ok);
        for (i, c) in bytes.chunks(256).enumerate() {
            server.handle(&Request::FlashChunk {
                offset: (i * 256) as u32,
                data: c,
            });
        }
        assert!(matches!(
            server.handle(&Request::FlashCommit),
            Response::FlashDone { .. }
        ));
        let image = server.into_flash().bytes().to_vec();
        Fixture {
            key,
            image,
            model_id: id,
        }
    })
}

fn check_reply(frame: &[u8]) {
    let mut copy = frame.to_vec();
    let body = check_frame(&mut copy).expect("reply is a well-formed frame");
    let _: Response<'_> = decode_message(body).expect("reply decodes as a Response");
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let fx = fixture();
    let mut flash = Flash::new(SECTORS);
    flash.bytes_mut().copy_from_slice(&fx.image);
    let mut server: Server<'_, Flash, Board, Vec<u8>, 64> = Server::new(
        flash,
        LAYOUT,
        Board,
        vec![0u8; 4096],
        ServerConfig::new(&fx.key),
    )
    .expect("mount");
    let mut link = Link::<1024, 640>::new();
    for &b in data {
        if let Some(frame) = server.poll(&mut link, b) {
            check_reply(frame);
        }
    }
    if let Some(frame) = server.poll(&mut link, 0) {
        check_reply(frame);
    }
    let mut buf = [0u8; 16];
    let stats = encode_frame(&Request::Stats, &mut buf).expect("encode");
    let mut answered = false;
    for &b in stats.iter() {
        if let Some(frame) = server.poll(&mut link, b) {
            let mut copy = frame.to_vec();
            let body = check_frame(&mut copy).expect("frame");
            let r: Response<'_> = decode_message(body).expect("response");
            assert!(matches!(r, Response::Stats(_)), "Stats answered with {r:?}");
            answered = true;
        }
    }
    assert!(answered, "no reply to Stats after the input");
    assert_eq!(
        server.info().model_id,
        Some(fx.model_id),
        "the signed model is still the one running"
    );
});
