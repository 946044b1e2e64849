//! `actors import`: converts the Phoenix dictionaries into the registry file, writes it, and
//! prints what was left out and why (the library does the work: `tonetrack::actors::import`).
//!
//! Example: `tonetrack actors import --models models --out models/actors-phoenix.toml`.

use anyhow::{Context, Result};

use super::args::ActorsImportArgs;

pub fn import(args: ActorsImportArgs) -> Result<u8> {
    let source = tonetrack::models::ModelSource { dir: args.models };
    let (text, imported) = tonetrack::actors::import::import_folder(&args.dictionaries, &source)?;
    std::fs::write(&args.out, &text).with_context(|| format!("writing {}", args.out.display()))?;
    let r = &imported.report;
    eprintln!(
        "{} entries read, {} actors written to {}",
        r.entries_read,
        imported.actors.len(),
        args.out.display()
    );
    for (why, n) in &r.skipped {
        eprintln!("  {n:>6}  {why}");
    }
    eprintln!("  roles whose code has no country here (code: roles):");
    for (code, n) in &r.unmapped_codes {
        eprintln!("  {n:>6}  {code}");
    }
    if !r.unknown_sectors.is_empty() {
        let parts: Vec<String> = r
            .unknown_sectors
            .iter()
            .map(|(p, n)| format!("{p} {n}"))
            .collect();
        eprintln!(
            "  sector parts not in cameo-codes.toml (left out of titles): {}",
            parts.join(", ")
        );
    }
    for m in &r.malformed {
        eprintln!("  unreadable: {m}");
    }
    Ok(0)
}
