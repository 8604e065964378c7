//! A deterministic fuzz run of `decode`: N inputs, none of which may panic.
//!
//! cargo run --release -p faultline-link --example fuzz -- [N] [--seed S] [--only I]
//!
//! Property tests cover the same ground in thousands of cases on every test
//! run; this covers it in millions when asked, without cargo-fuzz (which needs
//! a nightly toolchain). Each input comes from its own generator seeded by
//! (seed, index), so a failure is reproduced alone with `--only <index>`.
//! Nothing is caught: a panic ends the run (after printing which input it
//! was) and fails the command.
//!
//! The inputs, chosen to reach every stage of decoding rather than die at the
//! first: valid links of the shipped scenarios damaged by a few edits, random
//! base64 behind a version tag, deflated JSON of the shipped scenarios with
//! byte edits (reaching the JSON parser) or structural edits (reaching
//! validation, and often passing it), deflated random bytes, arbitrary text,
//! and rarely a decompression bomb or an over-long link.

#[path = "../tests/common/mod.rs"]
mod common;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use faultline_link::{decode, encode, encode_attempt, encode_compare, LinkError, Shared, MAX_LINK_CHARS};
use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use serde_json::Value;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// The generators, with their share of the inputs in thousandths.
const GENERATORS: &[(&str, u32)] = &[
    ("damaged", 350),
    ("base64", 150),
    ("json-bytes", 150),
    ("json-tree", 150),
    ("deflate", 90),
    ("text", 100),
    ("bomb/long", 10),
];

/// Outcomes in the order they are printed. "ok, changed" is a damaged link
/// that still opened, but not the scenario it was made from.
const OUTCOMES: &[&str] = &[
    "ok",
    "ok, changed",
    "Empty",
    "TooLong",
    "NotALink",
    "UnknownVersion",
    "UnknownOption",
    "BadExercise",
    "UnknownExercise",
    "NotBase64",
    "Corrupt",
    "TooLarge",
    "NotJson",
    "Invalid",
];

/// What every generator draws from, built once.
struct Corpus {
    /// Valid links and what they decode to.
    links: Vec<(String, Shared)>,
    /// Compact JSON of each shipped scenario, as text and as a tree.
    json: Vec<(String, Value)>,
    bomb: String,
    long: String,
}

impl Corpus {
    fn new() -> Corpus {
        let shipped = common::shipped();
        let mut links = Vec::new();
        let mut json = Vec::new();
        for (_, scenario) in &shipped {
            for autoplay in [false, true] {
                links.push((
                    encode(scenario, autoplay),
                    Shared { scenario: scenario.clone(), autoplay, exercise: None, compare: None },
                ));
                // The same design as an attempt at an exercise (version 2).
                let exercise = Some("flaky-database".to_string());
                let attempt = encode_attempt(scenario, "flaky-database", autoplay);
                links.push((attempt, Shared { scenario: scenario.clone(), autoplay, exercise, compare: None }));
            }
            json.push((serde_json::to_string(scenario).unwrap(), serde_json::to_value(scenario).unwrap()));
        }
        // Each shipped scenario compared with the next (version 3).
        for pair in shipped.windows(2) {
            let (a, b) = (&pair[0].1, &pair[1].1);
            let compare = Some(Box::new(b.clone()));
            links
                .push((encode_compare(a, b), Shared { scenario: a.clone(), autoplay: false, exercise: None, compare }));
        }
        // 50 MB of spaces: valid JSON whitespace if it were ever inflated whole.
        let bomb = common::link_of_bytes(&vec![b' '; 50_000_000]);
        let long = format!("v1.{}", "A".repeat(MAX_LINK_CHARS));
        Corpus { links, json, bomb, long }
    }
}

fn pick<'a, T>(rng: &mut Xoshiro256PlusPlus, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// A character a damaged link might gain: mostly its own alphabet.
fn damage_char(rng: &mut Xoshiro256PlusPlus) -> char {
    if rng.random_bool(0.85) {
        *pick(rng, ALPHABET) as char
    } else {
        *pick(rng, &['.', '#', '=', '+', '/', ' ', '\n', '%', 'p', 'v', '1', '2', 'é', '\u{0}', '\u{1F600}'])
    }
}

/// One to four edits of the kinds links suffer: cut short, characters changed,
/// added, lost, swapped, or a span lost or repeated.
fn damage(rng: &mut Xoshiro256PlusPlus, link: &str) -> String {
    let mut s: Vec<char> = link.chars().collect();
    for _ in 0..rng.random_range(1..=4) {
        let n = s.len();
        let at = rng.random_range(0..=n);
        match rng.random_range(0..7) {
            0 => s.truncate(at),
            1 if at < n => s[at] = damage_char(rng),
            2 => s.insert(at, damage_char(rng)),
            3 if at < n => {
                s.remove(at);
            }
            4 if at + 1 < n => s.swap(at, at + 1),
            5 if at < n => {
                let end = rng.random_range(at..=n.min(at + 16));
                s.drain(at..end);
            }
            6 if at < n => {
                let end = rng.random_range(at..=n.min(at + 16));
                let span: Vec<char> = s[at..end].to_vec();
                s.splice(at..at, span);
            }
            _ => {}
        }
    }
    s.into_iter().collect()
}

fn link_of(rng: &mut Xoshiro256PlusPlus, bytes: &[u8]) -> String {
    let packed = miniz_oxide::deflate::compress_to_vec(bytes, rng.random_range(1..=6));
    // Mostly a scenario link; sometimes a compare link (version 3), whose
    // payload then holds one design where it should hold two.
    let head = *pick(rng, &["v1.", "v1.", "v1.p.", "v3.c."]);
    format!("{head}{}", URL_SAFE_NO_PAD.encode(packed))
}

/// Edits a scenario's JSON text byte by byte: mostly breaks the syntax.
fn edit_bytes(rng: &mut Xoshiro256PlusPlus, json: &str) -> Vec<u8> {
    const JSONISH: &[u8] = b"{}[]\":,.-+eE0123456789 truefalsnul\\";
    let mut b = json.as_bytes().to_vec();
    for _ in 0..rng.random_range(1..=8) {
        let n = b.len();
        let at = rng.random_range(0..=n);
        let byte = if rng.random_bool(0.8) { *pick(rng, JSONISH) } else { rng.random() };
        match rng.random_range(0..3) {
            0 if at < n => b[at] = byte,
            1 => b.insert(at, byte),
            2 if at < n => {
                b.remove(at);
            }
            _ => {}
        }
    }
    b
}

/// A value to put somewhere in a scenario: the awkward ones validation exists for.
fn random_value(rng: &mut Xoshiro256PlusPlus) -> Value {
    match rng.random_range(0..12) {
        0 => Value::Null,
        1 => Value::Bool(rng.random()),
        2 => Value::from(rng.random_range(-3i64..=3)),
        3 => Value::from(rng.random::<u64>()),
        4 => Value::from(rng.random::<i64>()),
        5 => Value::from(*pick(rng, &[0.0, -0.5, 0.5, 1.5, 1e-300, 1e300, f64::MAX, 2e6, 3_600_001.0])),
        6 => Value::from(rng.random_range(0.0..1.0)),
        7 => Value::from(""),
        8 => Value::from(*pick(rng, &["client", "api", "db", "service", "queue", "constant", "exponential", "x"])),
        9 => Value::from("z".repeat(rng.random_range(0..100))),
        10 => Value::Array(Vec::new()),
        _ => Value::Object(Default::default()),
    }
}

/// Edits a scenario's tree: swaps, removes or duplicates one value somewhere
/// in it. Keeps the syntax, so it reaches the schema and validation.
fn edit_tree(rng: &mut Xoshiro256PlusPlus, mut v: Value) -> Value {
    for _ in 0..rng.random_range(1..=3) {
        let mut at = &mut v;
        // Walk down a random path, stopping at random depth.
        loop {
            let children = match at {
                Value::Array(a) => a.len(),
                Value::Object(o) => o.len(),
                _ => 0,
            };
            if children == 0 || rng.random_bool(0.25) {
                break;
            }
            let i = rng.random_range(0..children);
            let removing = rng.random_bool(0.15);
            let duplicating = rng.random_bool(0.1);
            match at {
                Value::Array(a) if removing => {
                    a.remove(i);
                    break;
                }
                Value::Array(a) if duplicating => {
                    let copy = a[i].clone();
                    a.insert(i, copy);
                    break;
                }
                Value::Object(o) if removing => {
                    let key = o.keys().nth(i).unwrap().clone();
                    o.remove(&key);
                    break;
                }
                Value::Array(a) => at = &mut a[i],
                Value::Object(o) => at = o.values_mut().nth(i).unwrap(),
                _ => unreachable!(),
            }
        }
        if rng.random_bool(0.8) {
            *at = random_value(rng);
        }
    }
    v
}

/// Input number `index`: its generator, the text, and for a damaged link the
/// scenario it was made from.
fn input(corpus: &Corpus, seed: u64, index: u64) -> (usize, String, Option<&Shared>) {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ index);
    let mut roll = rng.random_range(0..1000u32);
    let mut g = GENERATORS.len() - 1;
    for (i, (_, share)) in GENERATORS.iter().enumerate() {
        if roll < *share {
            g = i;
            break;
        }
        roll -= share;
    }
    let rng = &mut rng;
    match g {
        0 => {
            let (link, shared) = pick(rng, &corpus.links);
            let text = damage(rng, link);
            (g, text, Some(shared))
        }
        1 => {
            let prefix = *pick(
                rng,
                &["v1.", "v1.", "v1.", "v1.p.", "#v1.", "v2.", "v1.x.", "v2.e.flaky-database.", "v2.e.nope.", ""],
            );
            let len = rng.random_range(0..2_000);
            let body: String = (0..len).map(|_| *pick(rng, ALPHABET) as char).collect();
            (g, format!("{prefix}{body}"), None)
        }
        2 => {
            let (text, _) = pick(rng, &corpus.json);
            let bytes = edit_bytes(rng, text);
            (g, link_of(rng, &bytes), None)
        }
        3 => {
            let (_, tree) = pick(rng, &corpus.json);
            let edited = edit_tree(rng, tree.clone());
            (g, link_of(rng, edited.to_string().as_bytes()), None)
        }
        4 => {
            let bytes: Vec<u8> = (0..rng.random_range(0..1_000)).map(|_| rng.random()).collect();
            (g, link_of(rng, &bytes), None)
        }
        5 => {
            let len = rng.random_range(0..200);
            let text: String = (0..len)
                .map(|_| match rng.random_range(0..4) {
                    0 => *pick(rng, &[' ', '\n', '\t', '#', '.', 'v', '1']),
                    1 => rng.random_range(' '..='~'),
                    2 => *pick(rng, ALPHABET) as char,
                    _ => rng.random_range('\u{80}'..='\u{10FFFF}'),
                })
                .collect();
            (g, text, None)
        }
        _ => {
            let text = if rng.random_bool(0.5) { &corpus.bomb } else { &corpus.long };
            let text = if rng.random_bool(0.5) { damage(rng, text) } else { text.clone() };
            (g, text, None)
        }
    }
}

fn outcome(result: &Result<Shared, LinkError>, intact: Option<&Shared>) -> usize {
    let name = match result {
        Ok(s) if intact.is_none_or(|i| i == s) => "ok",
        Ok(_) => "ok, changed",
        Err(LinkError::Empty) => "Empty",
        Err(LinkError::TooLong { .. }) => "TooLong",
        Err(LinkError::NotALink) => "NotALink",
        Err(LinkError::UnknownVersion(_)) => "UnknownVersion",
        Err(LinkError::UnknownOption(_)) => "UnknownOption",
        Err(LinkError::BadExercise(_)) => "BadExercise",
        Err(LinkError::UnknownExercise(_)) => "UnknownExercise",
        Err(LinkError::NotBase64) => "NotBase64",
        Err(LinkError::Corrupt) => "Corrupt",
        Err(LinkError::TooLarge { .. }) => "TooLarge",
        Err(LinkError::NotJson(_)) => "NotJson",
        Err(LinkError::Invalid(_)) => "Invalid",
    };
    OUTCOMES.iter().position(|o| *o == name).unwrap()
}

/// The input being decoded, for the panic message.
static CURRENT: AtomicU64 = AtomicU64::new(u64::MAX);

/// `[N] [--seed S] [--only I]`: N inputs (default 100 000), seed 1.
fn parse_args(mut args: impl Iterator<Item = String>) -> Option<(u64, u64, Option<u64>)> {
    let (mut count, mut seed, mut only) = (100_000, 1, None);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--seed" => seed = args.next()?.parse().ok()?,
            "--only" => only = Some(args.next()?.parse().ok()?),
            n => count = n.parse().ok()?,
        }
    }
    Some((count, seed, only))
}

fn main() {
    let Some((count, seed, only)) = parse_args(std::env::args().skip(1)) else {
        eprintln!("usage: fuzz [N] [--seed S] [--only I]");
        std::process::exit(2);
    };

    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let i = CURRENT.load(Ordering::Relaxed);
        eprintln!("fuzz: decode panicked on input {i}; reproduce with: --seed {seed} --only {i}");
        default_hook(info);
    }));

    let corpus = Corpus::new();
    if let Some(i) = only {
        let (g, text, _) = input(&corpus, seed, i);
        let shown: String = text.chars().take(2_000).collect();
        println!("input {i} ({}, {} bytes): {shown:?}", GENERATORS[g].0, text.len());
        CURRENT.store(i, Ordering::Relaxed);
        println!("{:?}", decode(&text).map(|s| s.autoplay));
        return;
    }

    let mut counts = vec![[0u64; GENERATORS.len()]; OUTCOMES.len()];
    let (mut slowest, mut slowest_at) = (Duration::ZERO, 0);
    let mut decoding = Duration::ZERO;
    let start = Instant::now();
    for i in 0..count {
        let (g, text, intact) = input(&corpus, seed, i);
        CURRENT.store(i, Ordering::Relaxed);
        let t = Instant::now();
        let result = decode(&text);
        let took = t.elapsed();
        decoding += took;
        if took > slowest {
            (slowest, slowest_at) = (took, i);
        }
        counts[outcome(&result, intact)][g] += 1;
    }
    let elapsed = start.elapsed();
    assert_eq!(GENERATORS.iter().map(|(_, s)| s).sum::<u32>(), 1000);

    println!("faultline-link fuzz: {count} inputs, seed {seed}");
    print!("{:<16}", "outcome");
    for (name, _) in GENERATORS {
        print!("{name:>11}");
    }
    println!("{:>11}", "total");
    for (o, row) in OUTCOMES.iter().zip(&counts) {
        print!("{o:<16}");
        for n in row {
            print!("{n:>11}");
        }
        println!("{:>11}", row.iter().sum::<u64>());
    }
    println!(
        "elapsed {:.1} s ({:.1} s in decode, {:.1} us per decode on average); slowest decode {:.2} ms (input {slowest_at})",
        elapsed.as_secs_f64(),
        decoding.as_secs_f64(),
        decoding.as_secs_f64() * 1e6 / count.max(1) as f64,
        slowest.as_secs_f64() * 1e3,
    );
}
