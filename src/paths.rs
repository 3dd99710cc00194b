//! What a path says about a file: tests, fixtures, scripts.

/// Is this a test or fixture file (by the conventions of pytest, Jest,
/// Mocha, Go, Rust and most repositories)?
pub fn is_test_path(rel: &str) -> bool {
    let lower = rel.to_ascii_lowercase();
    // CI configuration runs the tests; a workflow named `test_api.yml` is
    // still the pipeline.
    if lower.starts_with(".github/") {
        return false;
    }
    let mut segments = lower.split('/');
    let file = segments.next_back().unwrap_or("");
    let parent = segments.clone().next_back().unwrap_or("");
    if segments.any(|s| {
        matches!(
            s,
            "test"
                | "tests"
                | "unittest"
                | "unittests"
                | "__tests__"
                | "spec"
                | "specs"
                | "testing"
                | "fixtures"
                | "__fixtures__"
                | "__mocks__"
                | "testdata"
                | "e2e"
                | "e2etests"
                | "integrationtests"
                // Cypress's and Playwright's end-to-end suites, their
                // fixtures and their stacks.
                | "cypress"
                | "playwright"
        ) || [
            "_tests",
            "-tests",
            "_test",
            "-test",
            // What tests share: `test-utils/`, `crates_io_test_utils/`.
            "test_utils",
            "test-utils",
            "testutils",
            "test_helpers",
            "test-helpers",
            "test_support",
            "test-support",
            "testkit",
            "test-kit",
            "test_kit",
        ]
        .iter()
        .any(|suffix| s.ends_with(suffix))
    }) {
        return true;
    }
    // A migration's name describes its change (`0132_remove_from_test.py`).
    if parent.ends_with("migrations") {
        return false;
    }
    // The settings a test run uses: Django's `settings/ci.py`,
    // `settings/testing.py`, `settings_test.py`, `ci_settings.py`.
    let stem = file.strip_suffix(".py").unwrap_or("");
    let test_settings = parent.ends_with("settings")
        && matches!(stem, "ci" | "test" | "tests" | "testing")
        || matches!(
            stem,
            "settings_ci" | "ci_settings" | "settings_test" | "settings_testing"
        );
    test_settings
        || file.starts_with("test_")
        || file == "conftest.py"
        // Django's default test module, and a package's shared test base.
        || file == "tests.py"
        || file == "test.py"
        // Rust's `#[cfg(test)] mod tests;` (or `mod test;`) kept in a file
        // of its own.
        || file == "tests.rs"
        || file == "test.rs"
        // Environment for the test runner (Jest, Next.js, Laravel-style).
        || file == ".env.test"
        || file == ".env.testing"
        || file.ends_with("_test.py")
        || file.ends_with("_tests.py")
        // `configuration_testing.py`, `smoketest_configuration.py`.
        || file.ends_with("_testing.py")
        || file.starts_with("smoketest")
        || file.starts_with("smoke_test")
        || file.ends_with("_test.rs")
        // Test runners' configuration: `cypress.config.ts`, `jest.config.js`.
        || ["cypress.", "playwright.", "jest.", "vitest."]
            .iter()
            .any(|runner| file.starts_with(runner) && file.contains(".config."))
        // A test runner's setup module: `vitestSetup.ts`, `setupTests.ts`.
        || matches!(
            file.rsplit_once('.').map_or(file, |(stem, _)| stem),
            "vitestsetup" | "vitest.setup" | "jestsetup" | "jest.setup" | "setuptests" | "test-setup" | "testsetup"
        )
        // Mock data for tests: `src/mock.ts`, `client.mock.ts`.
        || matches!(file.split('.').next(), Some("mock" | "mocks"))
        || file.ends_with("_mock.py")
        || file.ends_with("_mocks.py")
        // Storybook stories render components with made-up props.
        || [".test.", ".spec.", "_spec.", ".stories.", ".mock.", ".mocks."]
            .iter()
            .any(|m| file.contains(m))
}

/// A schema or data migration, run once and offline: a Django app's
/// `migrations/` module (or one renamed through `MIGRATION_MODULES`, such
/// as `db_migrations/`), or an Alembic revision (a `versions/` script that
/// imports `alembic`).
pub fn is_migration(rel: &str, text: &str) -> bool {
    let mut dirs = rel.split('/').rev().skip(1);
    let folders = || rel.split('/').rev().skip(1);
    folders().any(|s| s.to_ascii_lowercase().ends_with("migrations"))
        || dirs.any(|s| s == "versions") && text.contains("from alembic import")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_tests() {
        assert!(is_test_path("tests/test_auth.py"));
        assert!(is_test_path("app/test_auth.py"));
        assert!(is_test_path("src/auth.test.ts"));
        assert!(is_test_path("web/__tests__/x.js"));
        assert!(is_test_path("fixtures/keys.env"));
        assert!(!is_test_path("app/auth.py"));
        assert!(!is_test_path("src/contest.ts"));
        assert!(is_test_path("polls/tests.py") && is_test_path("hc/test.py"));
        assert!(!is_test_path("app/latest.py"));
        // Folders of API, integration and end-to-end tests.
        assert!(is_test_path("api_tests/src/shared.ts"));
        assert!(is_test_path("integration-tests/checkout.spec.ts"));
        assert!(is_test_path("services/load_test/locustfile.py"));
        assert!(!is_test_path("contests/api.py"));
        // Rust's `#[cfg(test)] mod tests;` in a file of its own.
        assert!(is_test_path("src/ledger/tests.rs"));
        assert!(is_test_path("unittests/scans/kubelinter/many.yaml"));
        assert!(is_test_path("crates/crates_io_test_utils/src/builders.rs"));
        assert!(is_test_path("settings/ci.py"));
        assert!(is_test_path("config/settings/testing.py"));
        assert!(is_test_path("app/settings_ci.py"));
        assert!(!is_test_path("settings/production.py"));
        assert!(!is_test_path("ci.py"));
        assert!(is_test_path(".env.test") && !is_test_path(".env.production"));
        assert!(is_test_path("axum/src/test_helpers/mod.rs"));
        assert!(is_test_path("packages/checkout/src/test-utils/render.tsx"));
        assert!(!is_test_path("src/attestation/utils.rs"));
        // End-to-end suites and test runners' configuration.
        assert!(is_test_path("cypress/docker-compose.yml"));
        assert!(
            is_test_path("playwright/test.env") && is_test_path("e/playwright/global-utils.ts")
        );
        assert!(is_test_path("libs/ui/src/CodeBlock.stories.tsx"));
        assert!(is_test_path("src/api/v1/account/test.rs"));
        assert!(is_test_path(
            "packages/connectors/connector-aws-ses/src/mock.ts"
        ));
        assert!(is_test_path("src/client.mock.ts") && is_test_path("app/billing_mock.py"));
        assert!(is_test_path("apps/web/vitestSetup.ts") && is_test_path("src/setupTests.js"));
        assert!(!is_test_path("src/mockingbird.ts") && !is_test_path("src/mocker.py"));
        assert!(is_test_path("netbox/netbox/configuration_testing.py"));
        assert!(is_test_path("scripts/smoketest_configuration.py"));
        assert!(!is_test_path("src/stories/feed.ts") && !is_test_path("app/load_tester.py"));
        assert!(is_test_path("cypress.config.ts") && is_test_path("web/playwright.config.mjs"));
        assert!(is_test_path("jest.config.js") && is_test_path("vitest.config.ts"));
        assert!(!is_test_path("src/config.ts") && !is_test_path("next.config.js"));
        // CI workflows and migrations are named after what they do.
        assert!(!is_test_path(".github/workflows/test_client.yaml"));
        assert!(!is_test_path(".github/workflows/tests/ci.yml"));
        assert!(!is_test_path(
            "dojo/db_migrations/0132_remove_configs_from_test.py"
        ));
        assert!(!is_test_path("shop/migrations/0007_test_mode.py"));
        assert!(is_test_path("shop/tests/migrations/test_0007.py"));
    }

    #[test]
    fn recognises_migrations() {
        assert!(is_migration("shop/migrations/0004_backfill.py", ""));
        let alembic = "from alembic import op\nimport sqlalchemy as sa\n";
        assert!(is_migration("alembic/versions/2023_add_slug.py", alembic));
        assert!(!is_migration("api/versions/v2.py", "import fastapi\n"));
        assert!(!is_migration("app/services/orders.py", alembic));
        assert!(is_migration(
            "dojo/db_migrations/0132_remove_configs.py",
            ""
        ));
        assert!(!is_migration("app/migrations.py", ""));
    }
}
