//! New seeds for the "new seed" button.

/// A fresh seed from the browser's random source (the engine itself never
/// needs OS randomness: everything in a run derives from its seed).
pub fn random_seed() -> u64 {
    let mut bytes = [0u8; 8];
    match getrandom::fill(&mut bytes) {
        Ok(()) => u64::from_le_bytes(bytes) >> 12, // keep it readable: < 2^52
        Err(_) => clock_seed(),
    }
}

/// Without a random source, the clock will do for a seed.
fn clock_seed() -> u64 {
    (web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now()) * 1_000.0) as u64
}
