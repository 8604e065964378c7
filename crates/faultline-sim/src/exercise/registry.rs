//! The exercises shipped with Faultline, embedded in the binary so the CLI
//! lists and checks them without reading files. The page lists the same
//! ones by [`IDS`] and fetches their documents from the site instead
//! (`web/src/catalog.rs`): a program that names only `IDS` carries none of
//! the documents' text.

use super::format::{Exercise, ExerciseError};

/// The ids of the shipped exercises, in the order they are listed: those of
/// [`BUILTIN`] (a test holds them equal), without their documents.
pub const IDS: &[&str] = &[
    "url-shortener",
    "hot-product-page",
    "likes-counter",
    "checkout-recommendations",
    "flaky-database",
    "shared-pool",
    "noisy-tenant",
    "flash-crowd",
    "thumbnails",
    "instance-failure",
    "rolling-deploy",
    "flash-sale",
    "payment-events",
    "two-regions",
    "profile-reads",
    "inventory-vs-cart",
    "news-feed",
    "double-charges",
];

/// Every shipped exercise: its id and its document (`assets/exercises/<id>.json`).
pub const BUILTIN: &[(&str, &str)] = &[
    ("url-shortener", include_str!("../../../../assets/exercises/url-shortener.json")),
    ("hot-product-page", include_str!("../../../../assets/exercises/hot-product-page.json")),
    ("likes-counter", include_str!("../../../../assets/exercises/likes-counter.json")),
    ("checkout-recommendations", include_str!("../../../../assets/exercises/checkout-recommendations.json")),
    ("flaky-database", include_str!("../../../../assets/exercises/flaky-database.json")),
    ("shared-pool", include_str!("../../../../assets/exercises/shared-pool.json")),
    ("noisy-tenant", include_str!("../../../../assets/exercises/noisy-tenant.json")),
    ("flash-crowd", include_str!("../../../../assets/exercises/flash-crowd.json")),
    ("thumbnails", include_str!("../../../../assets/exercises/thumbnails.json")),
    ("instance-failure", include_str!("../../../../assets/exercises/instance-failure.json")),
    ("rolling-deploy", include_str!("../../../../assets/exercises/rolling-deploy.json")),
    ("flash-sale", include_str!("../../../../assets/exercises/flash-sale.json")),
    ("payment-events", include_str!("../../../../assets/exercises/payment-events.json")),
    ("two-regions", include_str!("../../../../assets/exercises/two-regions.json")),
    ("profile-reads", include_str!("../../../../assets/exercises/profile-reads.json")),
    ("inventory-vs-cart", include_str!("../../../../assets/exercises/inventory-vs-cart.json")),
    ("news-feed", include_str!("../../../../assets/exercises/news-feed.json")),
    ("double-charges", include_str!("../../../../assets/exercises/double-charges.json")),
];

/// The ids of the shipped exercises, in the order they are listed.
pub fn ids() -> impl Iterator<Item = &'static str> {
    IDS.iter().copied()
}

/// A shipped exercise by id, parsed and validated.
pub fn load(id: &str) -> Result<Exercise, ExerciseError> {
    let (_, text) = BUILTIN.iter().find(|(i, _)| *i == id).ok_or_else(|| {
        ExerciseError::one(
            "",
            format!("no exercise `{id}` (the shipped ones: {})", ids().collect::<Vec<_>>().join(", ")),
        )
    })?;
    Exercise::from_json(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ids_are_those_of_the_documents_in_the_same_order() {
        assert_eq!(IDS, BUILTIN.iter().map(|(id, _)| *id).collect::<Vec<_>>());
    }
}
