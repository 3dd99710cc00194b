//! insecure-cookie in settings modules: `SESSION_COOKIE_SECURE = False`,
//! `CSRF_COOKIE_SECURE = False`, `SESSION_COOKIE_HTTPONLY = False` and
//! Flask-Login's `REMEMBER_COOKIE_*` in Django/Flask settings and config
//! classes. The matching (module-level assignments, development files and
//! classes skipped) lives in [`super::settings_flags`]; this is the table.

use super::settings_flags::{Bad, Flag, SettingsFlags};
use crate::rules::meta::Severity;

pub static COOKIES: SettingsFlags = SettingsFlags::new(
    false,
    &[
        Flag {
            name: "SESSION_COOKIE_SECURE",
            bad: Bad::False,
            message: "`SESSION_COOKIE_SECURE = False`: the session cookie is sent over plain HTTP too, where it can be sniffed",
            severity: None,
            escalate: None,
        },
        Flag {
            name: "CSRF_COOKIE_SECURE",
            bad: Bad::False,
            message: "`CSRF_COOKIE_SECURE = False`: the CSRF cookie is sent over plain HTTP too, where it can be read or planted",
            severity: Some(Severity::Medium),
            escalate: None,
        },
        Flag {
            name: "SESSION_COOKIE_HTTPONLY",
            bad: Bad::False,
            message: "`SESSION_COOKIE_HTTPONLY = False`: page scripts (and any injected script) can read the session cookie",
            severity: None,
            escalate: None,
        },
        Flag {
            name: "REMEMBER_COOKIE_SECURE",
            bad: Bad::False,
            message: "`REMEMBER_COOKIE_SECURE = False`: the remember-me cookie is sent over plain HTTP too, where it can be sniffed",
            severity: None,
            escalate: None,
        },
        Flag {
            name: "REMEMBER_COOKIE_HTTPONLY",
            bad: Bad::False,
            message: "`REMEMBER_COOKIE_HTTPONLY = False`: page scripts (and any injected script) can read the remember-me cookie",
            severity: None,
            escalate: None,
        },
    ],
);
