//! The scenario document: the one source of truth.
//!
//! The canvas edits it, share links and JSON files carry it, the CLI runs it.
//! It is plain serde data with a `version` so old documents can be migrated.
//! Every field has a default (see the `Default` impls) and a unit in its name
//! (`_ms`, `_rps`), so a document reads without a manual. Unknown fields are
//! rejected by name: a typo must not silently fall back to a default.

pub mod autoscale;
mod caching;
pub mod deploy;
pub mod fanout;
mod faults;
pub mod generated;
mod log;
pub mod pooler;
mod presets;
pub(crate) mod replication;
mod resilience;
pub(crate) mod sharding;
mod store;
mod validate;

pub use autoscale::Autoscale;
pub use caching::{WritePolicy, DEFAULT_FLUSH_INTERVAL_MS};
pub use deploy::{BadVersion, ConnectionPool, Scale};
pub use fanout::{Followers, MAX_FANOUT_PARTS};
pub use faults::{Fault, FaultAction};
pub use log::{
    Acks, Commit, ConsumerMode, EventKey, EventType, HoldTimeout, LogConfig, WriteSource, MAX_LOG_CONSUMERS,
    MAX_LOG_DEDUP, MAX_LOG_EVENTS, MAX_LOG_IN_FLIGHT, MAX_LOG_MS, MAX_LOG_PARTITIONS, MAX_LOG_REPLICAS,
    MAX_LOG_RETRIES,
};
pub use pooler::{PoolMode, PoolerConfig};
pub use presets::slice_scenario;
pub use replication::{ReadRouting, MAX_REPLICAS};
pub use resilience::{Bulkhead, Fallback, RateLimit, RetryPolicy};
pub use sharding::{DirectoryEntry, KeySplit, Partitioning};
pub use store::{
    Conflict, Consistency, OpConsistency, QuorumChoice, ReadMode, StoreConfig, StoreMode, MAX_CLOCK_SKEW_MS,
    MAX_STORE_REPLICAS,
};
pub use validate::{Limits, Problem, ScenarioError, LIMITS, MAX_SHARDS};

use crate::dist::Dist;
use serde::{Deserialize, Serialize};

/// The document version this build writes and reads.
pub const SCENARIO_VERSION: u32 = 1;

/// A whole simulation: topology, load, faults and the seed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Document version; must be `SCENARIO_VERSION`.
    pub version: u32,
    /// A title shown to the user.
    #[serde(default)]
    pub name: String,
    /// The seed every random stream of the run derives from.
    #[serde(default)]
    pub seed: u64,
    /// How long the run lasts, in simulated milliseconds.
    pub duration_ms: u64,
    pub nodes: Vec<Node>,
    #[serde(default)]
    pub edges: Vec<Edge>,
    #[serde(default)]
    pub workloads: Vec<Workload>,
    /// Timed faults, in any order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub faults: Vec<Fault>,
}

/// One box on the canvas.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Node {
    /// Unique id, referenced by edges and workloads.
    pub id: String,
    /// Display name; the id when empty.
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
    /// Canvas position in pixels; the engine ignores it.
    #[serde(default)]
    pub x: f64,
    #[serde(default)]
    pub y: f64,
    pub kind: NodeKind,
}

impl Node {
    pub fn display_name(&self) -> &str {
        if self.name.is_empty() {
            &self.id
        } else {
            &self.name
        }
    }
}

crate::tagged::tagged_enum! {
    /// What a node is, with its kind-specific configuration.
    #[derive(Clone, Debug, PartialEq, Serialize)]
    #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
    #[serde(tag = "type", rename_all = "snake_case")]
    pub enum NodeKind {
        Client(ClientConfig),
        LoadBalancer(LoadBalancerConfig),
        Service(ServiceConfig),
        Database(DatabaseConfig),
        Queue(QueueConfig),
        Cache(CacheConfig),
        Pooler(PoolerConfig),
        Store(StoreConfig),
        Log(LogConfig),
    }
}

impl NodeKind {
    pub fn name(&self) -> &'static str {
        match self {
            NodeKind::Client(_) => "client",
            NodeKind::LoadBalancer(_) => "load_balancer",
            NodeKind::Service(_) => "service",
            NodeKind::Database(_) => "database",
            NodeKind::Queue(_) => "queue",
            NodeKind::Cache(_) => "cache",
            NodeKind::Pooler(_) => "pooler",
            NodeKind::Store(_) => "store",
            NodeKind::Log(_) => "log",
        }
    }
}

/// A load generator; its traffic is described by the scenario's workloads.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ClientConfig {}

/// The largest `hash_balance_factor`: 100 times the average load, which
/// binds only when one backend of fewer than a hundred holds nearly all the
/// calls.
pub const MAX_HASH_BALANCE_FACTOR: u32 = 10_000;

/// A load balancer: forwards each call to one of its backends (its outgoing
/// edges) and relays the answer. It adds no work of its own.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct LoadBalancerConfig {
    pub algorithm: Balancing,
    /// Virtual nodes per backend on the consistent-hashing ring.
    pub virtual_nodes: u32,
    /// Consistent hashing with bounded loads (Mirrokni, Thorup and Zadimoghaddam,
    /// 2018), as HAProxy's and Envoy's `hash_balance_factor`: a percentage of
    /// at least 100. A backend whose calls in flight have reached
    /// ceil(factor/100 x (calls in flight + 1) / healthy backends) is passed
    /// over and the call walks clockwise to the next one under the bound, so
    /// however hot a key is, no backend takes a call past that share. `null`
    /// (the default): plain consistent hashing. Ignored by the other algorithms.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hash_balance_factor: Option<u32>,
    /// How often each backend is health-checked, in milliseconds; 0 disables checks.
    pub health_check_interval_ms: u64,
    /// How long a health-check probe may take, in milliseconds, before it
    /// counts as failed; at most the interval. `null` (the default): the
    /// interval, as HAProxy does when `timeout check` is not set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health_check_timeout_ms: Option<u64>,
    /// Consecutive failed checks before a backend is taken out.
    pub unhealthy_threshold: u32,
    /// Consecutive passed checks before it is put back.
    pub healthy_threshold: u32,
}

impl Default for LoadBalancerConfig {
    fn default() -> Self {
        LoadBalancerConfig {
            algorithm: Balancing::RoundRobin,
            virtual_nodes: 100,
            hash_balance_factor: None,
            health_check_interval_ms: 1_000,
            health_check_timeout_ms: None,
            unhealthy_threshold: 2,
            healthy_threshold: 2,
        }
    }
}

/// How a load balancer picks a backend.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Balancing {
    #[default]
    RoundRobin,
    Random,
    /// The backend with the fewest calls in flight (ties: lowest index).
    LeastOutstanding,
    /// Two random backends, the one with fewer calls in flight.
    PowerOfTwo,
    /// The backend owning the request key on a hash ring with virtual nodes.
    ConsistentHash,
}

/// A message queue between a producer and a consumer: it acknowledges the
/// producer at once and delivers to the consumer (its one outgoing edge) at
/// the consumer's pace, redelivering failed messages.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct QueueConfig {
    /// Messages it holds; what happens beyond that is the drop policy.
    pub capacity: u32,
    pub drop_policy: DropPolicy,
    /// Deliveries in progress at once (consumer concurrency).
    pub consumers: u32,
    /// Times a failed delivery is retried before the message is dead-lettered.
    pub max_redeliveries: u32,
    /// Milliseconds a failed message waits before it is delivered again (like
    /// SQS's visibility timeout); 0 redelivers it at once. The queue still
    /// holds it meanwhile.
    pub redelivery_delay_ms: u64,
}

impl Default for QueueConfig {
    fn default() -> Self {
        QueueConfig {
            capacity: 10_000,
            drop_policy: DropPolicy::RejectNew,
            consumers: 4,
            max_redeliveries: 3,
            redelivery_delay_ms: 0,
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum DropPolicy {
    /// A full queue refuses new messages (the producer sees 503).
    #[default]
    RejectNew,
    /// A full queue drops its oldest message to make room.
    DropOldest,
}

/// An application service: a worker pool in front of a bounded queue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct ServiceConfig {
    /// Concurrent requests it can work on (threads, event-loop slots).
    pub workers: u32,
    /// Requests waiting for a worker; one more is rejected with 503.
    pub queue_capacity: u32,
    /// Local processing time per request, before any downstream calls.
    pub service_time: Dist,
    /// Downstream calls made for each request, after local processing.
    /// A worker stays busy while it waits for them.
    pub calls: Vec<DownstreamCall>,
    /// Whether the calls run one after another or all at once.
    pub fanout: Fanout,
    /// Share of requests answered with a 5xx (0..1).
    #[serde(skip_serializing_if = "is_zero")]
    pub error_rate: f64,
    /// Share of requests answered with a 4xx, e.g. 404 on a missing key (0..1).
    #[serde(skip_serializing_if = "is_zero")]
    pub client_error_rate: f64,
    /// Per-dependency concurrency pools (e.g. 40/30/30 of 100 workers).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub bulkheads: Vec<Bulkhead>,
    /// A token bucket that answers 429 when empty; `null` for none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<RateLimit>,
    /// Load shedding: answer 503 at once when this many requests already wait.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shed_queue_threshold: Option<u32>,
    /// Replicas (pods), each with its own workers and its own connection
    /// pools; calls go round-robin to the ready ones.
    #[serde(skip_serializing_if = "deploy::is_one")]
    pub instances: u32,
    /// Each instance's connections to each database it calls; `null`: calls
    /// need no connection of their own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connection_pool: Option<ConnectionPool>,
    /// An instance boots this long (after a restart, or in a deploy) before
    /// it opens its pools and gets ready.
    #[serde(skip_serializing_if = "deploy::is_default_startup")]
    pub startup_ms: u64,
    /// A HorizontalPodAutoscaler on the instances; `null`: a fixed count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub autoscale: Option<Autoscale>,
    /// What one instance costs per hour it exists (the run's `cost`).
    #[serde(skip_serializing_if = "autoscale::is_default_price")]
    pub price_per_instance_hour: f64,
}

impl Default for ServiceConfig {
    fn default() -> Self {
        ServiceConfig {
            workers: 8,
            queue_capacity: 100,
            service_time: Dist::exponential(5.0),
            calls: Vec::new(),
            fanout: Fanout::Sequential,
            error_rate: 0.0,
            client_error_rate: 0.0,
            bulkheads: Vec::new(),
            rate_limit: None,
            shed_queue_threshold: None,
            instances: 1,
            connection_pool: None,
            startup_ms: deploy::DEFAULT_STARTUP_MS,
            autoscale: None,
            price_per_instance_hour: autoscale::DEFAULT_PRICE_PER_INSTANCE_HOUR,
        }
    }
}

/// One dependency call a service makes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct DownstreamCall {
    /// The node called; an edge from this service to it must exist.
    pub to: String,
    /// Operations that make this call; empty means every operation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ops: Vec<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Fanout {
    #[default]
    Sequential,
    Parallel,
}

/// A database primary: a connection limit and a query-time distribution that
/// stretches as the connections fill up.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseConfig {
    /// Queries it runs at once (PostgreSQL's max_connections).
    pub max_connections: u32,
    /// Queries waiting for a connection; one more is refused.
    pub queue_capacity: u32,
    /// Query time on an idle database.
    pub query_time: Dist,
    /// Contention: query time is multiplied by 1 + saturation x (busy/max)^2.
    pub saturation: f64,
    /// Shards, each its own pool of `max_connections` with its own queue and
    /// contention; a query goes to the shard owning its key. 1: unsharded.
    #[serde(skip_serializing_if = "sharding::is_one")]
    pub shards: u16,
    #[serde(skip_serializing_if = "sharding::is_default_partitioning")]
    pub partitioning: Partitioning,
    /// Ring points per shard (`consistent`).
    #[serde(skip_serializing_if = "sharding::is_default_virtual_nodes")]
    pub virtual_nodes: u32,
    /// Key ranges to shards (`directory`), sorted by `from`, the first from 0.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub directory: Vec<DirectoryEntry>,
    /// After a reshard, a query for a key that moved also waits this long
    /// (the row is fetched from its old shard) ...
    #[serde(skip_serializing_if = "sharding::is_zero_ms")]
    pub migration_penalty_ms: f64,
    /// ... for this long after the reshard (the copy in the background).
    #[serde(skip_serializing_if = "sharding::is_default_window")]
    pub migration_window_ms: u64,
    /// Of `max_connections`, slots kept for superusers (PostgreSQL's
    /// superuser_reserved_connections): past max_connections - this, a new
    /// connection is refused ("too many clients").
    #[serde(skip_serializing_if = "deploy::is_zero_u32")]
    pub reserved_connections: u32,
    /// The database's work to open a connection (fork a backend, authenticate).
    #[serde(skip_serializing_if = "deploy::is_default_connect_time")]
    pub connect_time_ms: f64,
    /// The keys that exist: 0 to rows - 1. A query for a key from `rows` on
    /// (read or write) is answered 404 not found. `null`: every key exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows: Option<u64>,
    /// Read replicas, each a pool of its own (`max_connections`, wait queue,
    /// query time and contention like the primary's) that every write
    /// reaches after `replica_lag`. 0: a lone primary.
    #[serde(skip_serializing_if = "replication::is_zero_u16")]
    pub replicas: u16,
    /// How long after its commit a write reaches each replica (drawn per
    /// write and replica), before the replica's load stretches it by the
    /// same contention factor as its queries.
    #[serde(skip_serializing_if = "replication::is_default_lag")]
    pub replica_lag: Dist,
    /// Where reads go: `primary`, `any_replica` or `read_your_writes`.
    #[serde(skip_serializing_if = "ReadRouting::is_default")]
    pub read_routing: ReadRouting,
    /// With `read_your_writes`: how long after a session's write of a key its
    /// reads of that key go to the primary.
    #[serde(skip_serializing_if = "replication::is_default_ryw")]
    pub ryw_window_ms: u64,
    /// After the primary fails, how long before the failure is noticed ...
    #[serde(skip_serializing_if = "replication::is_default_detection")]
    pub failover_detection_ms: u64,
    /// ... and how long the most caught-up replica then takes to become the
    /// primary. Writes fail for both.
    #[serde(skip_serializing_if = "replication::is_default_promotion")]
    pub promotion_ms: u64,
    /// For operations whose keys are accounts with `followers`: posts by an
    /// account with more followers than this are stored once and pulled by
    /// each timeline read (a query per such account the reader follows)
    /// instead of written to every follower's timeline. `null`: every post
    /// is pushed (fan-out on write); 0: every post is pulled (fan-out on read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull_above_followers: Option<u64>,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        DatabaseConfig {
            max_connections: 20,
            queue_capacity: 200,
            query_time: Dist::exponential(2.0),
            saturation: 0.5,
            shards: 1,
            partitioning: Partitioning::Hash,
            virtual_nodes: sharding::DEFAULT_VIRTUAL_NODES,
            directory: Vec::new(),
            migration_penalty_ms: 0.0,
            migration_window_ms: sharding::DEFAULT_MIGRATION_WINDOW_MS,
            reserved_connections: 0,
            connect_time_ms: deploy::DEFAULT_CONNECT_TIME_MS,
            rows: None,
            replicas: 0,
            replica_lag: replication::default_lag(),
            read_routing: ReadRouting::Primary,
            ryw_window_ms: replication::DEFAULT_RYW_WINDOW_MS,
            failover_detection_ms: replication::DEFAULT_FAILOVER_DETECTION_MS,
            promotion_ms: replication::DEFAULT_PROMOTION_MS,
            pull_above_followers: None,
        }
    }
}

/// A read-through cache in front of its one outgoing edge's node (a
/// database): hits are answered after the lookup, misses are fetched and
/// filled; writes (PUT, POST, DELETE) delete the key and go through.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct CacheConfig {
    /// Entries it holds; a fill beyond that evicts one.
    pub capacity: u32,
    pub eviction: Eviction,
    /// Time to live of an entry, in milliseconds from its fill (a hit does
    /// not extend it); `null`: entries live until evicted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ttl_ms: Option<f64>,
    /// Time to look a key up (hit or miss).
    pub lookup_time: Dist,
    /// Single-flight: a miss on a key already being fetched waits for that
    /// fetch instead of querying the backing store again.
    pub coalesce: bool,
    /// What a write does to the cache (see `WritePolicy`).
    #[serde(skip_serializing_if = "WritePolicy::is_default")]
    pub write: WritePolicy,
    /// Write-behind: how often dirty keys are written to the database, in
    /// milliseconds.
    #[serde(skip_serializing_if = "caching::is_default_flush")]
    pub flush_interval_ms: f64,
    /// Leases: a miss takes a lease on its key, a write's delete revokes it,
    /// and a fill under a revoked lease is dropped (no invalidation race).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub lease: bool,
    /// Each fill's TTL is drawn uniformly from ttl x [1 - j, 1 + j], so keys
    /// filled together do not expire together (0: exact TTLs).
    #[serde(skip_serializing_if = "caching::is_zero")]
    pub ttl_jitter: f64,
    /// Probabilistic early refresh (XFetch): a hit refreshes the key when
    /// now - delta x beta x ln(U) >= its expiry, delta being its last fill's
    /// time (0: off; 1 is the optimal default of Vattani et al.).
    #[serde(skip_serializing_if = "caching::is_zero")]
    pub early_refresh_beta: f64,
    /// Negative caching: a "not found" (404) from the database is kept this
    /// long, in milliseconds, and answered from the cache; `null`: not kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub negative_ttl_ms: Option<f64>,
}

impl Default for CacheConfig {
    fn default() -> Self {
        CacheConfig {
            capacity: 10_000,
            eviction: Eviction::Lru,
            ttl_ms: None,
            lookup_time: Dist::constant(0.2),
            coalesce: false,
            write: WritePolicy::Invalidate,
            flush_interval_ms: DEFAULT_FLUSH_INTERVAL_MS,
            lease: false,
            ttl_jitter: 0.0,
            early_refresh_beta: 0.0,
            negative_ttl_ms: None,
        }
    }
}

/// Which entry a full cache evicts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Eviction {
    /// The least recently used.
    #[default]
    Lru,
    /// The least used since its fill (ties: the least recently used).
    Lfu,
    /// The oldest fill.
    Fifo,
    /// One at random.
    Random,
}

/// A directed network link a node calls another over; responses return on it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Edge {
    pub from: String,
    pub to: String,
    /// One-way network latency (request and response each draw once).
    #[serde(default = "default_edge_latency")]
    pub latency: Dist,
    /// Probability that a message on this link is lost (0..1).
    #[serde(default)]
    pub loss: f64,
    /// Per-call timeout in milliseconds; `null` waits forever.
    #[serde(default = "default_timeout")]
    pub timeout_ms: Option<f64>,
    /// Retries by the caller; `null` for none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry: Option<RetryPolicy>,
    /// A circuit breaker on the caller's side: a preset's name ("seed",
    /// "resilience4j", "hystrix", "polly") or its settings; `null` for none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub breaker: Option<crate::policy::BreakerSpec>,
    /// Answer failures with a degraded success; `null` for none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback: Option<Fallback>,
}

fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

fn default_edge_latency() -> Dist {
    Dist::constant(0.5)
}

fn default_timeout() -> Option<f64> {
    Some(30_000.0)
}

impl Edge {
    pub fn new(from: &str, to: &str) -> Edge {
        Edge {
            from: from.into(),
            to: to.into(),
            latency: default_edge_latency(),
            loss: 0.0,
            timeout_ms: default_timeout(),
            retry: None,
            breaker: None,
            fallback: None,
        }
    }
}

/// Traffic a client node generates.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Workload {
    pub id: String,
    /// The client node that sends the requests.
    pub client: String,
    /// The node the client sends them to (an edge client -> target must exist).
    pub target: String,
    pub arrival: Arrival,
    /// The request mix; empty means a single GET operation named "get".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ops: Vec<Operation>,
    #[serde(default)]
    pub keys: Keys,
    /// Overall deadline each request carries, in milliseconds: work that
    /// reaches a worker after it is dropped instead of done. `null`: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline_ms: Option<f64>,
    /// Spread each of the hottest keys over several sub-keys (key splitting,
    /// see `sharding.rs`); `null`: keys as drawn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub split_hot_keys: Option<KeySplit>,
}

crate::tagged::tagged_enum! {
    /// When requests are generated.
    #[derive(Clone, Debug, PartialEq, Serialize)]
    #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
    #[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
    pub enum Arrival {
        /// Exponential inter-arrival times (the M in M/M/c).
        Poisson { rate_rps: f64 },
        /// Evenly spaced requests.
        Constant { rate_rps: f64 },
        /// Poisson at `rate_rps`, rising to `burst_rps` for the first `burst_ms`
        /// of every `every_ms`.
        Bursts { rate_rps: f64, burst_rps: f64, every_ms: u64, burst_ms: u64 },
        /// Poisson with a rate that follows straight lines between the points
        /// (ramps and spikes); before the first point and after the last the
        /// rate stays at that point's value.
        Schedule { points: Vec<RatePoint> },
    }
}

/// One corner of a rate schedule.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RatePoint {
    pub t_ms: u64,
    pub rate_rps: f64,
}

impl Arrival {
    /// The highest rate the process reaches.
    pub fn rate_rps(&self) -> f64 {
        match self {
            Arrival::Poisson { rate_rps } | Arrival::Constant { rate_rps } => *rate_rps,
            Arrival::Bursts { rate_rps, burst_rps, .. } => rate_rps.max(*burst_rps),
            Arrival::Schedule { points } => points.iter().map(|p| p.rate_rps).fold(0.0, f64::max),
        }
    }

    /// The rate at simulated time `t_ms`.
    pub fn rate_at(&self, t_ms: f64) -> f64 {
        match self {
            Arrival::Poisson { rate_rps } | Arrival::Constant { rate_rps } => *rate_rps,
            Arrival::Bursts { rate_rps, burst_rps, every_ms, burst_ms } => {
                let phase = t_ms % (*every_ms).max(1) as f64;
                if phase < *burst_ms as f64 {
                    *burst_rps
                } else {
                    *rate_rps
                }
            }
            Arrival::Schedule { points } => {
                let Some(first) = points.first() else {
                    return 0.0;
                };
                if t_ms <= first.t_ms as f64 {
                    return first.rate_rps;
                }
                for w in points.windows(2) {
                    let (a, b) = (w[0], w[1]);
                    if t_ms <= b.t_ms as f64 {
                        let span = (b.t_ms - a.t_ms) as f64;
                        let f = if span == 0.0 { 1.0 } else { (t_ms - a.t_ms as f64) / span };
                        return a.rate_rps + f * (b.rate_rps - a.rate_rps);
                    }
                }
                points.last().map_or(0.0, |p| p.rate_rps)
            }
        }
    }
}

/// One kind of request in the mix.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Operation {
    pub name: String,
    #[serde(default)]
    pub method: Method,
    /// Relative share of the mix.
    #[serde(default = "one")]
    pub weight: f64,
    /// Requests carry an idempotency key, so retries are safe and the
    /// receiving service deduplicates them.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub idempotency_key: bool,
    /// Has no shard key: a sharded database runs it on every shard and
    /// answers when all have (scatter-gather; see `nodes/scatter.rs`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub scatter: bool,
    /// Its key is an account with followers (a post, a timeline read): at a
    /// database a write becomes one batched write per `batch` followers, a
    /// read also pulls the accounts the database does not push (see
    /// `DatabaseConfig::pull_above_followers` and `nodes/fanout.rs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub followers: Option<Followers>,
}

fn one() -> f64 {
    1.0
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    #[default]
    Get,
    Post,
    Put,
    Delete,
}

crate::tagged::tagged_enum! {
    /// How request keys are drawn (caches and shards care).
    #[derive(Clone, Debug, PartialEq, Serialize)]
    #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
    #[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
    pub enum Keys {
        Uniform {
            count: u64,
        },
        Zipf {
            count: u64,
            s: f64,
        },
        /// Every request a new key, one above the last, from `start` (inserts
        /// with auto-increment ids).
        Sequential {
            start: u64,
        },
    }
}

impl Default for Keys {
    fn default() -> Self {
        Keys::Uniform { count: 1_000_000 }
    }
}

impl Scenario {
    /// Parses a JSON document and validates it; every problem is reported.
    pub fn from_json(text: &str) -> Result<Scenario, ScenarioError> {
        let scenario: Scenario = serde_json::from_str(text).map_err(ScenarioError::from_json)?;
        scenario.validate()?;
        Ok(scenario)
    }

    /// The document as `serde_json::to_string_pretty` writes it (through
    /// the compact writer, see `pretty_json` for why).
    pub fn to_json_pretty(&self) -> String {
        crate::pretty_json::indent(&serde_json::to_string(self).expect("a scenario always serialises"))
    }

    /// The JSON Schema of the scenario document, generated from these types.
    #[cfg(feature = "schema")]
    pub fn json_schema() -> String {
        let schema = schemars::schema_for!(Scenario);
        serde_json::to_string_pretty(&schema).expect("a schema always serialises") + "\n"
    }

    /// The key space the workloads draw from (the largest), for a range-
    /// partitioned database; sequential keys start past the existing ones.
    pub fn key_space(&self) -> u64 {
        let of = |k: &Keys| match *k {
            Keys::Uniform { count } | Keys::Zipf { count, .. } => count,
            Keys::Sequential { start } => start,
        };
        let split = |w: &Workload| w.split_hot_keys.map_or(1, |s| u64::from(s.ways.max(1)));
        self.workloads.iter().map(|w| of(&w.keys).saturating_mul(split(w))).max().unwrap_or(1).max(1)
    }

    pub fn node_index(&self, id: &str) -> Option<usize> {
        self.nodes.iter().position(|n| n.id == id)
    }

    /// A store replica's id (`<store>/<index>`) as (store node, index).
    pub fn store_member(&self, id: &str) -> Option<(usize, u32)> {
        let (store, i) = id.rsplit_once('/')?;
        let i: u32 = i.parse().ok()?;
        let n = self.node_index(store)?;
        match &self.nodes[n].kind {
            NodeKind::Store(cfg) if i < cfg.replicas => Some((n, i)),
            _ => None,
        }
    }

    /// Whether `region` is one a store places replicas in.
    pub fn is_store_region(&self, region: &str) -> bool {
        self.nodes.iter().any(|n| matches!(&n.kind, NodeKind::Store(c) if c.regions.iter().any(|r| r == region)))
    }
}
