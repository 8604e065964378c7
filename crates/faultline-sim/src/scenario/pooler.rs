//! A connection pooler's settings (PgBouncer's names, defaults and meanings,
//! from its configuration reference). The behaviour is `nodes/pooler.rs`.

use serde::{Deserialize, Serialize};

/// When a client's server connection goes back to the pool.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum PoolMode {
    /// When the client disconnects: one server connection per client
    /// connection, no multiplexing (PgBouncer's default).
    #[default]
    Session,
    /// When the transaction ends: many client connections share few server
    /// connections, a query waiting for a free one.
    Transaction,
}

/// A PgBouncer-like pooler between applications' pools and one database.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct PoolerConfig {
    pub pool_mode: PoolMode,
    /// Server connections it opens to the database (PgBouncer's default_pool_size, 20).
    pub default_pool_size: u32,
    /// Client connections it accepts; one more is refused (max_client_conn, 100).
    pub max_client_conn: u32,
    /// A query that waits this long for a server connection fails
    /// (query_wait_timeout, 120 s).
    pub query_wait_timeout_ms: u64,
}

impl Default for PoolerConfig {
    fn default() -> Self {
        PoolerConfig {
            pool_mode: PoolMode::Session,
            default_pool_size: 20,
            max_client_conn: 100,
            query_wait_timeout_ms: 120_000,
        }
    }
}

/// What is wrong with a pooler's settings (`p`: its path).
pub(crate) fn problems(p: &str, cfg: &PoolerConfig) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if cfg.default_pool_size == 0 || cfg.default_pool_size > 100_000 {
        out.push((format!("{p}.kind.default_pool_size"), "must be between 1 and 100000".into()));
    }
    if cfg.max_client_conn == 0 || cfg.max_client_conn > 1_000_000 {
        out.push((format!("{p}.kind.max_client_conn"), "must be between 1 and 1000000".into()));
    }
    if cfg.query_wait_timeout_ms == 0 || cfg.query_wait_timeout_ms > 86_400_000 {
        out.push((format!("{p}.kind.query_wait_timeout_ms"), "must be between 1 and 86400000 ms (24 h)".into()));
    }
    out
}
