#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| prodready::fuzzing::code_and_config(data));
