#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| prodready::fuzzing::rule_file(data));
