#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| prodready::fuzzing::cache_file(data));
