//! Framework and library password hashing for weak-password-hash (Python):
//! passlib legacy schemes and `CryptContext` defaults, Django
//! `PASSWORD_HASHERS` and `make_password`, Werkzeug
//! `generate_password_hash` with a bare digest.

use super::python::{unquote, Args};
use super::{classify, Speed};
use crate::checks::localflow::N;
use crate::checks::Hit;
use crate::parse::fields::FieldOf;
use crate::parse::ParsedFile;
use crate::rules::meta::Severity;

/// passlib schemes that are broken, unsalted or plaintext.
#[rustfmt::skip]
pub(super) const WEAK_PASSLIB: &[&str] = &[
    "md5_crypt", "apr_md5_crypt", "des_crypt", "bsdi_crypt", "bigcrypt", "crypt16",
    "sun_md5_crypt", "plaintext", "ldap_plaintext", "ldap_md5", "ldap_sha1", "ldap_salted_md5",
    "ldap_salted_sha1", "ldap_hex_md5", "ldap_hex_sha1", "ldap_des_crypt", "ldap_bsdi_crypt",
    "ldap_md5_crypt", "hex_md4", "hex_md5", "hex_sha1", "hex_sha256", "hex_sha512", "mysql323",
    "mysql41", "postgres_md5", "oracle10", "oracle11", "lmhash", "nthash", "msdcc", "msdcc2",
    "roundup_plaintext", "htdigest",
];

const WEAK_DJANGO: &[&str] = &[
    "MD5PasswordHasher",
    "SHA1PasswordHasher",
    "UnsaltedMD5PasswordHasher",
    "UnsaltedSHA1PasswordHasher",
    "CryptPasswordHasher",
];

/// `make_password(pw, salt, "md5")` / `make_password(pw, hasher="sha1")`.
pub(super) fn django_make_password(
    node: &N<'_>,
    resolved: &str,
    args: &Args<'_>,
    out: &mut Vec<Hit>,
) {
    if resolved.ends_with("generate_password_hash") {
        werkzeug_method(node, args, out);
        return;
    }
    if !resolved.ends_with("make_password") {
        return;
    }
    let Some(hasher) = args.get(2, &["hasher"]) else {
        return;
    };
    let name = unquote(&hasher.text()).to_string();
    if matches!(
        name.as_str(),
        "md5" | "sha1" | "unsalted_md5" | "unsalted_sha1" | "crypt"
    ) {
        out.push(
            Hit::new(node.range(), format!("password hashed by `make_password` with the `{name}` hasher, a fast legacy hash"))
                .severity(Severity::Critical),
        );
    }
}

/// Werkzeug `generate_password_hash(pw, method="sha256")`: old Werkzeug
/// took a bare digest name for one salted round; `plain` stores cleartext.
pub(super) fn werkzeug_method(node: &N<'_>, args: &Args<'_>, out: &mut Vec<Hit>) {
    let Some(method) = args.get(1, &["method"]) else {
        return;
    };
    if !matches!(method.kind().as_ref(), "string") {
        return;
    }
    let name = unquote(&method.text()).to_string();
    let base = name.strip_prefix("sha1$").unwrap_or(&name);
    let (message, severity) = if base == "plain" {
        (
            "`generate_password_hash(method=\"plain\")` stores the password in clear text"
                .to_string(),
            Severity::Critical,
        )
    } else {
        match classify(base) {
            Some(speed) => (
                format!("`generate_password_hash(method=\"{name}\")` hashes the password with one salted round of `{base}`, which GPUs try billions of guesses per second against"),
                if speed == Speed::Broken { Severity::Critical } else { Severity::High },
            ),
            None => return,
        }
    };
    out.push(Hit::new(node.range(), message).severity(severity));
}

/// passlib `CryptContext(schemes=["md5_crypt", ...])`: the first scheme (or
/// `default=`) is what new hashes use.
pub(super) fn passlib_context(resolved: &str, args: &Args<'_>, out: &mut Vec<Hit>) {
    if !resolved.ends_with("CryptContext") {
        return;
    }
    let default = args.get(usize::MAX, &["default"]).or_else(|| {
        args.get(0, &["schemes"])
            .and_then(|s| s.named_children().find(|c| c.kind() == "string"))
    });
    let Some(default) = default else { return };
    let name = unquote(&default.text()).to_string();
    if WEAK_PASSLIB.contains(&name.as_str()) {
        out.push(
            Hit::new(default.range(), format!("passlib `CryptContext` hashes new passwords with `{name}`, a legacy scheme that offline cracking breaks quickly"))
                .severity(Severity::Critical),
        );
    }
}

/// Django `PASSWORD_HASHERS` whose first (default) entry is MD5/SHA-1/crypt.
pub(super) fn django_hashers(file: &ParsedFile, node: &N<'_>, out: &mut Vec<Hit>) {
    if node
        .field_of("left")
        .is_none_or(|l| l.text() != "PASSWORD_HASHERS")
    {
        return;
    }
    // Test settings use a fast hasher on purpose.
    let path = file.rel_path.to_ascii_lowercase();
    if path.contains("test") {
        return;
    }
    let Some(list) = node.field_of("right") else {
        return;
    };
    let Some(first) = list.named_children().find(|c| c.kind() != "comment") else {
        return;
    };
    let text = first.text();
    let class = unquote(&text).rsplit('.').next().unwrap_or("").to_string();
    if WEAK_DJANGO.contains(&class.as_str()) {
        out.push(
            Hit::new(first.range(), format!("Django `PASSWORD_HASHERS` lists `{class}` first, so every new password is stored with a fast legacy hash"))
                .severity(Severity::Critical),
        );
    }
}
