//! How long share links are: every shipped scenario, and generated topologies
//! up to the engine's node limit, against `MAX_LINK_CHARS`.
//!
//! cargo run --release -p faultline-link --example lengths

#[path = "../tests/common/mod.rs"]
mod common;

use faultline_link::{decode, encode, MAX_LINK_CHARS};
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
    println!("MAX_LINK_CHARS = {MAX_LINK_CHARS}; lengths exclude the page address before the #");
}
