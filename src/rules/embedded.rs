//! The rule files under rules/, compiled into the binary by build.rs so the
//! installed tool needs no data files.

include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));
