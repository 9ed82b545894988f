//! `schema.graphql` is printed from the code; this fails when they drift.
//! To refresh it: `cargo run -p soi-cli -- schema > schema.graphql`.

#[test]
fn schema_graphql_matches_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../schema.graphql");
    let committed = std::fs::read_to_string(path).expect("schema.graphql at the repository root");
    let current = soi_graphql::sdl();
    assert!(
        committed == current,
        "schema.graphql is out of date; run `cargo run -p soi-cli -- schema > schema.graphql`"
    );
}

#[test]
fn every_type_and_field_has_a_description() {
    let sdl = soi_graphql::sdl();
    let mut missing = Vec::new();
    let mut previous = "";
    let mut in_schema_block = false;
    for line in sdl.lines() {
        let l = line.trim();
        if l.starts_with("schema {") {
            in_schema_block = true;
        }
        if in_schema_block {
            in_schema_block = l != "}";
            continue;
        }
        if l.starts_with(')') {
            previous = l;
            continue;
        }
        let declares = l.starts_with("type ")
            || l.starts_with("input ")
            || l.starts_with("enum ")
            || (line.starts_with('\t') && l.contains(':') && !l.starts_with('"'));
        // Roots, and the Relay connection wrappers the library generates (their
        // fields are described), are exempt.
        let builtin = l.starts_with("type QueryRoot")
            || l.starts_with("type MutationRoot")
            || (l.starts_with("type ") && l.ends_with("Connection {"))
            || l.contains('@');
        if declares && !builtin && previous != "\"\"\"" && !previous.ends_with("\"\"\"") {
            missing.push(l.to_owned());
        }
        if !l.is_empty() {
            previous = l;
        }
    }
    assert!(
        missing.is_empty(),
        "without a description:\n{}",
        missing.join("\n")
    );
}
