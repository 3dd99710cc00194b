//! Redaction as a property: secrets generated at random, planted in the
//! shapes the secret rules read, never appear whole in any output format.

use assert_cmd::Command;

/// Deterministic 64-bit LCG: the same secrets on every run.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 11
    }

    fn secret(&mut self, len: usize) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        (0..len)
            .map(|_| char::from(ALPHABET[(self.next() as usize) % ALPHABET.len()]))
            .collect()
    }
}

#[test]
fn generated_secrets_are_masked_in_every_format() {
    let mut g = Gen(20_261_122);
    for round in 0..4 {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut secrets = Vec::new();
        let mut py = String::from("import os\n\n");
        let mut env = String::new();
        let mut js = String::new();
        for i in 0..5 {
            let a = g.secret(24 + (i * 3) % 17);
            let b = format!("sk_live_{}", g.secret(24));
            let c = g.secret(32);
            let d = format!("ghp_{}", g.secret(36));
            py.push_str(&format!("SECRET_KEY_{i} = \"{a}\"\nSTRIPE_KEY_{i} = os.getenv(\"STRIPE_KEY_{i}\", \"{b}\")\n"));
            env.push_str(&format!("API_TOKEN_{i}={c}\n"));
            js.push_str(&format!(
                "const githubToken{i} = process.env.GITHUB_TOKEN_{i} || '{d}';\n"
            ));
            secrets.extend([a, b, c, d]);
        }
        std::fs::write(dir.path().join("settings.py"), py).expect("write");
        std::fs::write(dir.path().join(".env"), env).expect("write");
        std::fs::write(dir.path().join("config.js"), js).expect("write");
        let mut found_any = false;
        for format in ["text", "json", "sarif", "markdown"] {
            let out = Command::cargo_bin("prodready")
                .expect("binary")
                .env("NO_COLOR", "1")
                .args([
                    "scan",
                    "--fail-on",
                    "none",
                    "-v",
                    "--show-suppressed",
                    "--format",
                    format,
                ])
                .arg(dir.path())
                .assert()
                .code(0)
                .get_output()
                .stdout
                .clone();
            let out = String::from_utf8_lossy(&out);
            found_any |= out.contains("hardcoded-secret") || out.contains("leaked-credential");
            for s in &secrets {
                assert!(
                    !out.contains(s.as_str()),
                    "round {round}: {format} output leaks `{s}`"
                );
            }
        }
        assert!(found_any, "round {round}: the planted secrets are reported");
    }
}
