//! docs/rules.md is generated from the registry and must not go stale.

#[test]
fn rules_doc_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/rules.md");
    let generated = ramcheck::rules::catalog_markdown();
    if std::env::var_os("RAMCHECK_BLESS").is_some() {
        std::fs::write(path, &generated).unwrap();
    }
    let on_disk = std::fs::read_to_string(path).unwrap_or_default();
    assert!(on_disk == generated, "docs/rules.md is stale: run `RAMCHECK_BLESS=1 cargo test --test suite docs::`");
    for rule in ramcheck::rules::RULES {
        assert!(on_disk.contains(&format!("\n## {}\n", rule.code)), "{} has no section", rule.code);
    }
}
