//! How long share links are: every shipped scenario, and generated topologies
//! up to the engine's node limit, against `MAX_LINK_CHARS`; then the compare
//! link of each before/after pair against its two plain links.
//!
//! cargo run --release -p faultline-link --example lengths

#[path = "../tests/common/mod.rs"]
mod common;

use faultline_link::{decode, encode, encode_compare, MAX_LINK_CHARS};
use faultline_sim::scenario::generated::layered;
use faultline_sim::Scenario;

fn row(name: &str, scenario: &Scenario) {
    let json = serde_json::to_string(scenario).unwrap();
    let link = encode(scenario, false);
    let opens = if decode(&link).is_ok() { "yes" } else { "NO" };
    let ratio = json.len() as f64 / link.len() as f64;
    println!("{name:<28} {:>6} {:>5} {:>8} {:>9.1}x  {opens}", scenario.nodes.len(), json.len(), link.len(), ratio);
}

fn main() {
    println!("{:<28} {:>6} {:>5} {:>8} {:>10}  opens", "scenario", "nodes", "json", "link", "json/link");
    for (name, scenario) in common::shipped() {
        row(&name, &scenario);
    }
    println!("(generated: faultline_sim::scenario::generated::layered, fan-out 2)");
    for nodes in [100, 500, 1_000, 2_000] {
        row(&format!("layered-{nodes}"), &layered(nodes, 2, 1, 60_000));
    }
    println!("{:<28} {:>8} {:>8} {:>8}", "before/after pair", "before", "after", "compare");
    let shipped = common::shipped();
    for (name, before) in &shipped {
        let Some(stem) = name.strip_suffix("-before") else { continue };
        let Some((_, after)) = shipped.iter().find(|(n, _)| *n == format!("{stem}-after")) else { continue };
        let (b, a, c) = (encode(before, false).len(), encode(after, false).len(), encode_compare(before, after).len());
        println!("{stem:<28} {b:>8} {a:>8} {c:>8}");
    }
    println!("MAX_LINK_CHARS = {MAX_LINK_CHARS}; lengths exclude the page address before the #");
}
