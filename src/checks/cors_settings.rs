//! cors-wildcard-with-credentials in Django settings: django-cors-headers'
//! allow-all switches (`CORS_ALLOW_ALL_ORIGINS`, the older
//! `CORS_ORIGIN_ALLOW_ALL`) and origin regexes that match everything. Alone
//! they are medium severity; with `CORS_ALLOW_CREDENTIALS = True` in the same
//! module the library echoes any Origin with credentials, which is high. The
//! matching lives in [`super::settings_flags`]; this is the table.

use super::settings_flags::{Bad, Flag, SettingsFlags};
use crate::rules::meta::Severity;

pub static CORS: SettingsFlags = SettingsFlags::new(
    false,
    &[
        Flag {
            name: "CORS_ALLOW_ALL_ORIGINS",
            bad: Bad::True,
            message: "`CORS_ALLOW_ALL_ORIGINS = True` lets every website read this API's responses from a visitor's browser",
            severity: Some(Severity::Medium),
            escalate: Some(("CORS_ALLOW_CREDENTIALS", Severity::High, CORS_CREDS)),
        },
        Flag {
            name: "CORS_ALLOWED_ORIGIN_REGEXES",
            bad: Bad::MatchAll,
            message: "`CORS_ALLOWED_ORIGIN_REGEXES` holds a pattern that matches every origin, so every website can read this API's responses",
            severity: Some(Severity::Medium),
            escalate: Some(("CORS_ALLOW_CREDENTIALS", Severity::High, CORS_CREDS)),
        },
        Flag {
            name: "CORS_ORIGIN_REGEX_WHITELIST",
            bad: Bad::MatchAll,
            message: "`CORS_ORIGIN_REGEX_WHITELIST` holds a pattern that matches every origin, so every website can read this API's responses",
            severity: Some(Severity::Medium),
            escalate: Some(("CORS_ALLOW_CREDENTIALS", Severity::High, CORS_CREDS)),
        },
        Flag {
            name: "CORS_ORIGIN_ALLOW_ALL",
            bad: Bad::True,
            message: "`CORS_ORIGIN_ALLOW_ALL = True` lets every website read this API's responses from a visitor's browser",
            severity: Some(Severity::Medium),
            escalate: Some(("CORS_ALLOW_CREDENTIALS", Severity::High, CORS_CREDS)),
        },
    ],
);

const CORS_CREDS: &str = "every origin is allowed together with `CORS_ALLOW_CREDENTIALS = True`: any website can make requests with the visitor's cookies and read the answers";
