#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    edgekd_fuzz::exercise_body(data);
});
