//! The catalogue of node kinds and their settings, for the playground.
//!
//! The palette and the inspector are built from this list rather than written
//! per kind, so a kind or a field added to the engine shows up in the UI with
//! its label, unit, limits and help. Defaults are not repeated here: they come
//! from the config types' `Default` impls (`default_kind`), and a test checks
//! that every field of every kind is described, and that the limits agree
//! with validation.

use crate::scenario::{
    CacheConfig, ClientConfig, DatabaseConfig, LoadBalancerConfig, NodeKind, QueueConfig, ServiceConfig, StoreConfig,
    LIMITS,
};

/// Palette groups.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Group {
    Traffic,
    Compute,
    Data,
    Messaging,
}

impl Group {
    pub fn label(self) -> &'static str {
        match self {
            Group::Traffic => "Traffic",
            Group::Compute => "Compute",
            Group::Data => "Data",
            Group::Messaging => "Messaging",
        }
    }
}

/// What sort of value a field holds, which decides its editor.
#[derive(Copy, Clone, Debug, PartialEq)]
pub enum FieldType {
    Integer {
        min: f64,
        max: f64,
    },
    Number {
        min: f64,
        max: f64,
    },
    Choice(&'static [&'static str]),
    /// A latency or service-time distribution (`Dist`).
    Distribution,
    /// The list of downstream calls of a service.
    Calls,
    /// Per-dependency concurrency pools.
    Bulkheads,
    /// An optional token bucket.
    RateLimit,
    /// An edge's retry policy.
    Retry,
    /// An edge's circuit breaker.
    Breaker,
    /// An optional whole number (empty: off).
    OptionalInteger {
        min: f64,
        max: f64,
    },
    /// On or off (`true` / `false`).
    Flag,
    /// A service instance's optional connection pool to each database.
    ConnectionPool,
    /// A service's optional HorizontalPodAutoscaler.
    Autoscale,
    /// A list edited as JSON: names (`["us", "eu"]`) or small objects.
    List,
    /// A sharded database's directory: rows of (first key, shard).
    Directory,
}

#[derive(Copy, Clone, Debug, PartialEq)]
pub struct FieldInfo {
    /// The field's name in the scenario document.
    pub name: &'static str,
    pub label: &'static str,
    /// Unit shown beside the value ("" when it has none).
    pub unit: &'static str,
    pub ty: FieldType,
    pub help: &'static str,
}

#[derive(Copy, Clone, Debug, PartialEq)]
pub struct KindInfo {
    /// The kind's `type` in the scenario document.
    pub kind: &'static str,
    pub label: &'static str,
    pub group: Group,
    pub help: &'static str,
    pub fields: &'static [FieldInfo],
}

const fn int(min: u32, max: u32) -> FieldType {
    FieldType::Integer { min: min as f64, max: max as f64 }
}

const WORKERS: u32 = LIMITS.max_workers;
const QUEUE: u32 = LIMITS.max_queue_capacity;

const SERVICE_FIELDS: &[FieldInfo] = &[
    FieldInfo {
        name: "workers",
        label: "Workers",
        unit: "",
        ty: int(1, WORKERS),
        help: "Requests it works on at once (threads). A worker waiting on a downstream call stays busy.",
    },
    FieldInfo {
        name: "queue_capacity",
        label: "Queue",
        unit: "requests",
        ty: int(0, QUEUE),
        help: "Requests that may wait for a worker; the next one is rejected with 503.",
    },
    FieldInfo {
        name: "service_time",
        label: "Service time",
        unit: "ms",
        ty: FieldType::Distribution,
        help: "Local processing per request, before downstream calls.",
    },
    FieldInfo {
        name: "calls",
        label: "Calls",
        unit: "",
        ty: FieldType::Calls,
        help: "Dependencies called for each request (per operation, or all).",
    },
    FieldInfo {
        name: "fanout",
        label: "Fan-out",
        unit: "",
        ty: FieldType::Choice(&["sequential", "parallel"]),
        help: "Call dependencies one after another, or all at once and wait for all.",
    },
    FieldInfo {
        name: "error_rate",
        label: "5xx rate",
        unit: "",
        ty: FieldType::Number { min: 0.0, max: 1.0 },
        help: "Share of requests answered with a server error.",
    },
    FieldInfo {
        name: "client_error_rate",
        label: "4xx rate",
        unit: "",
        ty: FieldType::Number { min: 0.0, max: 1.0 },
        help: "Share of requests answered with a client error (404, 409): never retried.",
    },
    FieldInfo {
        name: "bulkheads",
        label: "Bulkheads",
        unit: "",
        ty: FieldType::Bulkheads,
        help: "Separate concurrency pools per dependency, so one slow dependency cannot take every worker. A call holds its slot for one attempt, not while it sleeps before a retry.",
    },
    FieldInfo {
        name: "rate_limit",
        label: "Rate limit",
        unit: "req/s",
        ty: FieldType::RateLimit,
        help: "A token bucket: requests beyond it get 429, with an optional Retry-After.",
    },
    FieldInfo {
        name: "shed_queue_threshold",
        label: "Shed load above",
        unit: "queued",
        ty: FieldType::OptionalInteger { min: 0.0, max: QUEUE as f64 },
        help: "Answer 503 at once when this many requests already wait.",
    },
    FieldInfo {
        name: "instances",
        label: "Instances",
        unit: "pods",
        ty: int(1, crate::scenario::deploy::MAX_INSTANCES),
        help: "Replicas, each with its own workers and connection pools; calls go round-robin to the ready ones.",
    },
    FieldInfo {
        name: "connection_pool",
        label: "Connection pool",
        unit: "",
        ty: FieldType::ConnectionPool,
        help: "Each instance's connections to each database it calls: opened at start-up, grown on demand, held per call.",
    },
    FieldInfo {
        name: "startup_ms",
        label: "Start-up",
        unit: "ms",
        ty: FieldType::Integer { min: 0.0, max: crate::scenario::deploy::MAX_STARTUP_MS as f64 },
        help: "An instance's boot time after a restart, in a deploy or when autoscaled, before it opens its pools and gets ready.",
    },
    FieldInfo {
        name: "autoscale",
        label: "Autoscaling",
        unit: "",
        ty: FieldType::Autoscale,
        help: "Kubernetes' HPA: every sync, replicas = ceil(replicas x utilisation / target), within min and max; scales down only after the stabilisation window.",
    },
    FieldInfo {
        name: "price_per_instance_hour",
        label: "Price",
        unit: "per instance-hour",
        ty: FieldType::Number { min: 0.0, max: crate::scenario::autoscale::MAX_PRICE_PER_INSTANCE_HOUR },
        help: "What one instance costs per hour it exists (booting, ready, draining or backing off): the run's cost.",
    },
];

const DATABASE_FIELDS: &[FieldInfo] = &[
    FieldInfo {
        name: "max_connections",
        label: "Max connections",
        unit: "",
        ty: int(1, WORKERS),
        help: "Queries it runs at once (PostgreSQL's max_connections); with connection pools, also the connections clients may hold.",
    },
    FieldInfo {
        name: "queue_capacity",
        label: "Wait queue",
        unit: "queries",
        ty: int(0, QUEUE),
        help: "Queries waiting for a connection; beyond it they are refused.",
    },
    FieldInfo {
        name: "query_time",
        label: "Query time",
        unit: "ms",
        ty: FieldType::Distribution,
        help: "Time per query on an idle database.",
    },
    FieldInfo {
        name: "saturation",
        label: "Saturation",
        unit: "",
        ty: FieldType::Number { min: 0.0, max: 100.0 },
        help: "Contention: query time x (1 + saturation x utilisation²).",
    },
    FieldInfo {
        name: "shards",
        label: "Shards",
        unit: "",
        ty: int(1, crate::scenario::MAX_SHARDS as u32),
        help: "Independent pools, each with the connections and wait queue above; a query goes to its key's shard.",
    },
    FieldInfo {
        name: "partitioning",
        label: "Partitioning",
        unit: "",
        ty: FieldType::Choice(&["hash", "consistent", "range", "directory"]),
        help: "Key to shard: hash mod N, a consistent-hash ring, key ranges (new ids all hit the last), or a directory table.",
    },
    FieldInfo {
        name: "virtual_nodes",
        label: "Virtual nodes",
        unit: "per shard",
        ty: int(1, LIMITS.max_virtual_nodes),
        help: "Points per shard on the consistent-hashing ring; shares vary about 1/sqrt(points).",
    },
    FieldInfo {
        name: "migration_penalty_ms",
        label: "Migration penalty",
        unit: "ms",
        ty: FieldType::Number { min: 0.0, max: LIMITS.max_latency_ms },
        help: "After a reshard, extra time a query for a moved key holds its connection (read from the old shard).",
    },
    FieldInfo {
        name: "migration_window_ms",
        label: "Migration window",
        unit: "ms",
        ty: FieldType::Integer { min: 0.0, max: LIMITS.max_duration_ms as f64 },
        help: "How long after a reshard moved keys pay the migration penalty (the copy in the background).",
    },
    FieldInfo {
        name: "connect_time_ms",
        label: "Connect time",
        unit: "ms",
        ty: FieldType::Number { min: 0.0, max: 60_000.0 },
        help: "Its work to open a client's connection (fork a backend, authenticate); past max_connections it refuses.",
    },
    FieldInfo {
        name: "rows",
        label: "Rows",
        unit: "keys",
        ty: FieldType::OptionalInteger { min: 1.0, max: 1e15 },
        help: "Keys that exist (0 to rows - 1); a query for any other is answered 404 not found. Empty: every key exists.",
    },
    FieldInfo {
        name: "pull_above_followers",
        label: "Pull above followers",
        unit: "followers",
        ty: FieldType::OptionalInteger { min: 0.0, max: crate::scenario::fanout::MAX_FOLLOWERS as f64 },
        help: "For posts by accounts with followers: above this many, a post is stored once and every timeline read pulls it (one query per such account followed) instead of being written to each follower's timeline. Empty: push every post (fan-out on write).",
    },
    FieldInfo {
        name: "replicas",
        label: "Read replicas",
        unit: "",
        ty: int(0, crate::scenario::MAX_REPLICAS as u32),
        help: "Replicas, each with the connections and wait queue above; every write reaches each one after the replica lag.",
    },
    FieldInfo {
        name: "replica_lag",
        label: "Replica lag",
        unit: "ms",
        ty: FieldType::Distribution,
        help: "Time from a write's commit until a replica has it, per write and replica; stretched by the replica's contention.",
    },
    FieldInfo {
        name: "read_routing",
        label: "Read routing",
        unit: "",
        ty: FieldType::Choice(&["primary", "any_replica", "read_your_writes"]),
        help: "Reads go to the primary, round robin to the replicas, or to the primary for a while after the reader's own write of the key.",
    },
    FieldInfo {
        name: "ryw_window_ms",
        label: "Read-your-writes window",
        unit: "ms",
        ty: FieldType::Integer { min: 0.0, max: crate::scenario::replication::MAX_REPLICATION_MS as f64 },
        help: "With read_your_writes: how long after a client's write of a key its reads of it go to the primary.",
    },
    FieldInfo {
        name: "failover_detection_ms",
        label: "Failover detection",
        unit: "ms",
        ty: FieldType::Integer { min: 0.0, max: crate::scenario::replication::MAX_REPLICATION_MS as f64 },
        help: "After the primary fails, how long before it is noticed; writes fail meanwhile.",
    },
    FieldInfo {
        name: "promotion_ms",
        label: "Promotion",
        unit: "ms",
        ty: FieldType::Integer { min: 0.0, max: crate::scenario::replication::MAX_REPLICATION_MS as f64 },
        help: "Then how long the most caught-up replica takes to become the primary; writes it lacked are lost.",
    },
    FieldInfo {
        name: "directory",
        label: "Directory",
        unit: "",
        ty: FieldType::Directory,
        help: "Directory partitioning: keys from each row's key up to the next row's live on its shard. Add rows, then choose directory.",
    },
];

const BALANCER_FIELDS: &[FieldInfo] = &[
    FieldInfo {
        name: "algorithm",
        label: "Algorithm",
        unit: "",
        ty: FieldType::Choice(&["round_robin", "random", "least_outstanding", "power_of_two", "consistent_hash"]),
        help: "How the next backend is chosen.",
    },
    FieldInfo {
        name: "virtual_nodes",
        label: "Virtual nodes",
        unit: "per backend",
        ty: int(1, LIMITS.max_virtual_nodes),
        help: "Points per backend on the consistent-hashing ring; more points, more even shares.",
    },
    FieldInfo {
        name: "hash_balance_factor",
        label: "Bounded load",
        unit: "% of average",
        ty: FieldType::OptionalInteger { min: 100.0, max: crate::scenario::MAX_HASH_BALANCE_FACTOR as f64 },
        help: "Consistent hashing with bounded loads: a backend already holding this share of the average calls in flight (rounded up) is passed over and the call goes clockwise to the next (125: about 1.25x the average when many calls are in flight). Empty: plain consistent hashing, where one hot key can swamp one backend.",
    },
    FieldInfo {
        name: "health_check_interval_ms",
        label: "Health check every",
        unit: "ms",
        ty: FieldType::Integer { min: 0.0, max: LIMITS.max_duration_ms as f64 },
        help: "How often backends are probed; 0 turns checks off. A probe crosses the link both ways (latency, loss, partitions) and the backend answers it after its own work time, slowed by a slow fault, failing at its 5xx rate; it takes no worker and is not counted as traffic.",
    },
    FieldInfo {
        name: "health_check_timeout_ms",
        label: "Health check timeout",
        unit: "ms",
        ty: FieldType::OptionalInteger { min: 1.0, max: LIMITS.max_duration_ms as f64 },
        help: "A probe not answered within this fails its check; at most the interval. Empty: the interval.",
    },
    FieldInfo {
        name: "unhealthy_threshold",
        label: "Unhealthy after",
        unit: "failed checks",
        ty: int(1, 1_000),
        help: "Consecutive failed checks before a backend is taken out.",
    },
    FieldInfo {
        name: "healthy_threshold",
        label: "Healthy after",
        unit: "passed checks",
        ty: int(1, 1_000),
        help: "Consecutive passed checks before it is put back.",
    },
];

const QUEUE_FIELDS: &[FieldInfo] = &[
    FieldInfo {
        name: "capacity",
        label: "Capacity",
        unit: "messages",
        ty: int(1, QUEUE),
        help: "Messages it holds before the drop policy applies.",
    },
    FieldInfo {
        name: "drop_policy",
        label: "When full",
        unit: "",
        ty: FieldType::Choice(&["reject_new", "drop_oldest"]),
        help: "Refuse new messages (producer sees 503), or drop the oldest.",
    },
    FieldInfo {
        name: "consumers",
        label: "Consumers",
        unit: "",
        ty: int(1, WORKERS),
        help: "Deliveries to the consumer in progress at once.",
    },
    FieldInfo {
        name: "max_redeliveries",
        label: "Redeliveries",
        unit: "",
        ty: int(0, 100),
        help: "Retries of a failed delivery before the message is dead-lettered.",
    },
    FieldInfo {
        name: "redelivery_delay_ms",
        label: "Redelivery delay",
        unit: "ms",
        ty: FieldType::Integer { min: 0.0, max: LIMITS.max_redelivery_delay_ms as f64 },
        help: "How long a failed message waits before it is delivered again (still held by the queue); 0 redelivers at once.",
    },
];

const CACHE_FIELDS: &[FieldInfo] = &[
    FieldInfo {
        name: "capacity",
        label: "Capacity",
        unit: "entries",
        ty: int(1, LIMITS.max_cache_entries),
        help: "Keys it holds; filling one more evicts an entry.",
    },
    FieldInfo {
        name: "eviction",
        label: "Eviction",
        unit: "",
        ty: FieldType::Choice(&["lru", "lfu", "fifo", "random"]),
        help: "Which entry a full cache drops: least recently used, least used, oldest, or any.",
    },
    FieldInfo {
        name: "ttl_ms",
        label: "TTL",
        unit: "ms",
        ty: FieldType::OptionalInteger { min: 1.0, max: LIMITS.max_duration_ms as f64 },
        help: "How long an entry lives after its fill (hits do not extend it); empty: until evicted.",
    },
    FieldInfo {
        name: "lookup_time",
        label: "Lookup time",
        unit: "ms",
        ty: FieldType::Distribution,
        help: "Time to look a key up, hit or miss; a miss then waits for the backing store.",
    },
    FieldInfo {
        name: "coalesce",
        label: "Coalesce misses",
        unit: "",
        ty: FieldType::Flag,
        help: "Single-flight: misses on a key already being fetched wait for that fetch (no stampede).",
    },
    FieldInfo {
        name: "write",
        label: "Writes",
        unit: "",
        ty: FieldType::Choice(&["invalidate", "update", "write_through", "write_behind"]),
        help: "What a write does: delete the key then write the database, write then set it, write through in version order, or keep it and flush later.",
    },
    FieldInfo {
        name: "flush_interval_ms",
        label: "Flush interval",
        unit: "ms",
        ty: FieldType::Number { min: 1.0, max: 60_000.0 },
        help: "Write-behind: how often dirty keys are written to the database; a crash loses the writes not yet flushed.",
    },
    FieldInfo {
        name: "lease",
        label: "Leases",
        unit: "",
        ty: FieldType::Flag,
        help: "A miss takes a lease that a write's delete revokes; a fill under a revoked lease is dropped (no stale refill).",
    },
    FieldInfo {
        name: "ttl_jitter",
        label: "TTL jitter",
        unit: "",
        ty: FieldType::Number { min: 0.0, max: 0.99 },
        help: "Spread of each fill's TTL (0.1: from 0.9 to 1.1 times it), so keys filled together do not expire together.",
    },
    FieldInfo {
        name: "early_refresh_beta",
        label: "Early refresh",
        unit: "beta",
        ty: FieldType::Number { min: 0.0, max: 100.0 },
        help: "XFetch: a hit refreshes a key early, more likely near its expiry and for slow fills (1 is optimal; 0: off).",
    },
    FieldInfo {
        name: "negative_ttl_ms",
        label: "Negative TTL",
        unit: "ms",
        ty: FieldType::OptionalInteger { min: 1.0, max: LIMITS.max_duration_ms as f64 },
        help: "Keep the database's \"not found\" answers this long and answer them from the cache; empty: not kept.",
    },
];

const STORE_FIELDS: &[FieldInfo] = &[
    FieldInfo {
        name: "replicas",
        label: "Replicas",
        unit: "",
        ty: int(1, crate::scenario::MAX_STORE_REPLICAS),
        help: "Copies of every key (N); each replica <id>/<i> can be crashed or partitioned on its own.",
    },
    FieldInfo {
        name: "mode",
        label: "Mode",
        unit: "",
        ty: FieldType::Choice(&["ap", "cp"]),
        help: "AP: any reachable replica answers, partial quorums, last writer wins. CP: one leader, majority commit; the minority side of a partition is unavailable.",
    },
    FieldInfo {
        name: "read_quorum",
        label: "Read quorum (R)",
        unit: "replicas",
        ty: int(1, crate::scenario::MAX_STORE_REPLICAS),
        help: "AP: replicas a read asks and waits for; R + W > N makes reads see the latest acknowledged write.",
    },
    FieldInfo {
        name: "write_quorum",
        label: "Write quorum (W)",
        unit: "replicas",
        ty: int(1, crate::scenario::MAX_STORE_REPLICAS),
        help: "AP: replicas that must store a write before it is acknowledged; the rest get it asynchronously.",
    },
    FieldInfo {
        name: "regions",
        label: "Regions",
        unit: "",
        ty: FieldType::List,
        help: "Where the replicas live, replica i in regions[i % len], e.g. [\"us\", \"eu\", \"apac\"]; empty: the node's region.",
    },
    FieldInfo {
        name: "read_consistency",
        label: "Read consistency",
        unit: "",
        ty: FieldType::Choice(&["one", "quorum", "all"]),
        help: "AP: a Cassandra-style level for reads instead of R (quorum = N/2 + 1).",
    },
    FieldInfo {
        name: "write_consistency",
        label: "Write consistency",
        unit: "",
        ty: FieldType::Choice(&["one", "quorum", "all"]),
        help: "AP: a Cassandra-style level for writes instead of W.",
    },
    FieldInfo {
        name: "op_consistency",
        label: "Per-operation levels",
        unit: "",
        ty: FieldType::List,
        help: "AP: levels for single operations, e.g. [{\"op\": \"checkout\", \"level\": \"all\"}]; the others use R and W.",
    },
    FieldInfo {
        name: "quorum_choice",
        label: "Quorum choice",
        unit: "",
        ty: FieldType::Choice(&["nearest", "random"]),
        help: "AP: ask the coordinator and its region first, or replicas at random (the PBS model).",
    },
    FieldInfo {
        name: "replica_latency",
        label: "Replica latency",
        unit: "ms",
        ty: FieldType::Distribution,
        help: "One-way latency between replicas in the same region.",
    },
    FieldInfo {
        name: "cross_region_latency_ms",
        label: "Cross-region latency",
        unit: "ms",
        ty: FieldType::Number { min: 0.0, max: LIMITS.max_latency_ms },
        help: "Added to every message between regions, and each way for a client served from another region.",
    },
    FieldInfo {
        name: "replication_lag",
        label: "Replication lag",
        unit: "ms",
        ty: FieldType::Distribution,
        help: "AP: extra delay of the asynchronous copies (to the replicas past the first W).",
    },
    FieldInfo {
        name: "read_repair",
        label: "Read repair",
        unit: "",
        ty: FieldType::Flag,
        help: "AP: after a read, send the newest version to the replicas that answered with an older one.",
    },
    FieldInfo {
        name: "anti_entropy_interval_ms",
        label: "Anti-entropy every",
        unit: "ms",
        ty: FieldType::OptionalInteger { min: 10.0, max: 3_600_000.0 },
        help: "AP: each replica syncs with a random reachable peer this often; empty: never.",
    },
    FieldInfo {
        name: "request_timeout_ms",
        label: "Request timeout",
        unit: "ms",
        ty: FieldType::Integer { min: 1.0, max: 3_600_000.0 },
        help: "The store fails a request it could not complete in this time (counted unavailable).",
    },
    FieldInfo {
        name: "election_timeout_min_ms",
        label: "Election timeout min",
        unit: "ms",
        ty: FieldType::Integer { min: 10.0, max: 60_000.0 },
        help: "CP: a follower hearing no leader for a random time between min and max stands for election.",
    },
    FieldInfo {
        name: "election_timeout_max_ms",
        label: "Election timeout max",
        unit: "ms",
        ty: FieldType::Integer { min: 10.0, max: 60_000.0 },
        help: "CP: the upper end of the randomized election timeout.",
    },
    FieldInfo {
        name: "heartbeat_interval_ms",
        label: "Heartbeat",
        unit: "ms",
        ty: FieldType::Integer { min: 1.0, max: 59_999.0 },
        help: "CP: how often the leader sends heartbeats; below the minimum election timeout.",
    },
    FieldInfo {
        name: "read_mode",
        label: "Reads",
        unit: "",
        ty: FieldType::Choice(&["read_index", "lease", "follower"]),
        help: "CP: confirm leadership with a heartbeat round, trust a lease, or read any replica (fast, may be stale).",
    },
    FieldInfo {
        name: "sloppy_quorum",
        label: "Sloppy quorum",
        unit: "",
        ty: FieldType::Flag,
        help: "AP: a write whose replica is unreachable leaves a hint for it at the coordinator, counted toward W, and handed over when the replica is back (Dynamo's sloppy quorum, Cassandra's hinted handoff).",
    },
    FieldInfo {
        name: "conflict",
        label: "Conflicts",
        unit: "",
        ty: FieldType::Choice(&["lww", "siblings"]),
        help: "AP: last writer wins by the coordinator's clock (a skewed clock silently drops writes), or keep concurrent writes as siblings (version vectors) for the next write to merge.",
    },
    FieldInfo {
        name: "stale_read_cost",
        label: "Cost per stale read",
        unit: "",
        ty: FieldType::Number { min: 0.0, max: 1e12 },
        help: "Money lost per stale read (say, a price difference); the report gives stale reads x this.",
    },
];

const LOG_MS: FieldType = FieldType::Integer { min: 0.0, max: crate::scenario::MAX_LOG_MS as f64 };

const LOG_FIELDS: &[FieldInfo] = &[
    FieldInfo {
        name: "partitions",
        label: "Partitions",
        unit: "",
        ty: int(1, crate::scenario::MAX_LOG_PARTITIONS),
        help: "An event's key picks its partition by hash; order holds within a partition only.",
    },
    FieldInfo {
        name: "acks",
        label: "Acks",
        unit: "",
        ty: FieldType::Choice(&["0", "1", "all"]),
        help: "When an event counts as sent: at once (never retried, may be lost), on the leader's append, on every replica's.",
    },
    FieldInfo {
        name: "retries",
        label: "Retries",
        unit: "",
        ty: int(0, crate::scenario::MAX_LOG_RETRIES),
        help: "Times a failed produce request is sent again (unbounded when idempotent).",
    },
    FieldInfo {
        name: "max_in_flight",
        label: "Max in flight",
        unit: "requests",
        ty: int(1, crate::scenario::MAX_LOG_IN_FLIGHT),
        help: "Produce requests out at once per partition; above 1 with retries, a retry can land after a later event.",
    },
    FieldInfo {
        name: "idempotent",
        label: "Idempotent producer",
        unit: "",
        ty: FieldType::Flag,
        help: "The broker appends by producer sequence number: retries keep order and never duplicate (needs acks all, at most 5 in flight).",
    },
    FieldInfo {
        name: "produce_time",
        label: "Produce time",
        unit: "ms",
        ty: FieldType::Distribution,
        help: "Time of one produce request, send to answer.",
    },
    FieldInfo {
        name: "produce_error_rate",
        label: "Produce errors",
        unit: "",
        ty: FieldType::Number { min: 0.0, max: 0.99 },
        help: "Share of produce requests that fail before the append (then retried).",
    },
    FieldInfo {
        name: "ack_loss_rate",
        label: "Lost acks",
        unit: "",
        ty: FieldType::Number { min: 0.0, max: 0.99 },
        help: "Share of appended requests whose answer is lost: the retry duplicates the event unless idempotent.",
    },
    FieldInfo {
        name: "retry_backoff_ms",
        label: "Retry backoff",
        unit: "ms",
        ty: LOG_MS,
        help: "Wait before a failed produce request or delivery is retried.",
    },
    FieldInfo {
        name: "consumers",
        label: "Consumer instances",
        unit: "",
        ty: int(1, crate::scenario::MAX_LOG_CONSUMERS),
        help: "Instances of the consuming service in the group; partitions are shared out among them.",
    },
    FieldInfo {
        name: "commit",
        label: "Commit",
        unit: "",
        ty: FieldType::Choice(&["auto", "after_processing"]),
        help: "Commit offsets on a timer (auto) or after each record; a rebalance replays what is not committed.",
    },
    FieldInfo {
        name: "auto_commit_interval_ms",
        label: "Auto-commit every",
        unit: "ms",
        ty: FieldType::Integer { min: 1.0, max: crate::scenario::MAX_LOG_MS as f64 },
        help: "Time between auto-commits (Kafka: 5 s).",
    },
    FieldInfo {
        name: "session_timeout_ms",
        label: "Session timeout",
        unit: "ms",
        ty: FieldType::Integer { min: 3.0, max: crate::scenario::MAX_LOG_MS as f64 },
        help: "How long the consumer may be unreachable (down or paused) before the group drops it and rebalances.",
    },
    FieldInfo {
        name: "rebalance_ms",
        label: "Rebalance pause",
        unit: "ms",
        ty: LOG_MS,
        help: "How long a rebalance stops consumption.",
    },
    FieldInfo {
        name: "consumer",
        label: "Consumer",
        unit: "",
        ty: FieldType::Choice(&["plain", "idempotent"]),
        help: "Plain processes a redelivered event again; idempotent skips ids in its processed-event store.",
    },
    FieldInfo {
        name: "dedup_capacity",
        label: "Dedup store",
        unit: "ids",
        ty: int(1, crate::scenario::MAX_LOG_DEDUP),
        help: "Processed-event ids an idempotent consumer remembers (oldest forgotten first).",
    },
    FieldInfo {
        name: "hold_timeout_ms",
        label: "Reorder hold",
        unit: "ms",
        ty: FieldType::OptionalInteger { min: 1.0, max: crate::scenario::MAX_LOG_MS as f64 },
        help: "Reorder buffer: an event ahead of its entity's next sequence number waits this long; empty: no buffer.",
    },
    FieldInfo {
        name: "on_hold_timeout",
        label: "After the hold",
        unit: "",
        ty: FieldType::Choice(&["process", "dead_letter"]),
        help: "An event held past the timeout is processed anyway (out of order) or dead-lettered.",
    },
    FieldInfo {
        name: "max_redeliveries",
        label: "Redeliveries",
        unit: "",
        ty: int(0, crate::scenario::MAX_LOG_RETRIES),
        help: "Failed deliveries of an event before it is dead-lettered (a consumer that is down does not count).",
    },
    FieldInfo {
        name: "replicas",
        label: "Replicas",
        unit: "",
        ty: int(1, crate::scenario::MAX_LOG_REPLICAS),
        help: "Copies of each partition; above 1 a crash is a leader failover that drops what was not replicated yet.",
    },
    FieldInfo {
        name: "min_insync_replicas",
        label: "Min in-sync replicas",
        unit: "",
        ty: int(1, crate::scenario::MAX_LOG_REPLICAS),
        help: "Replicas that must have an event before acks all acknowledges it.",
    },
    FieldInfo {
        name: "replication_ms",
        label: "Replication lag",
        unit: "ms",
        ty: LOG_MS,
        help: "Time for the followers to copy a record; consumers see it only then.",
    },
    FieldInfo {
        name: "source",
        label: "Write source",
        unit: "",
        ty: FieldType::List,
        help: "The events record a database's writes, as {\"database\": \"orders-db\", \"outbox\": false, \"relay_interval_ms\": 500}. Outbox off: a dual write (the service commits, then publishes; a crash between loses the event). On: the event commits with the write and a relay publishes it every interval. Empty: none.",
    },
];

/// Every node kind the engine has, in palette order.
pub const KINDS: &[KindInfo] = &[
    KindInfo {
        kind: "client",
        label: "Clients",
        group: Group::Traffic,
        help: "Users sending requests, as described by the scenario's workloads.",
        fields: &[],
    },
    KindInfo {
        kind: "load_balancer",
        label: "Load balancer",
        group: Group::Traffic,
        help: "Spreads calls over its backends and takes unhealthy ones out.",
        fields: BALANCER_FIELDS,
    },
    KindInfo {
        kind: "service",
        label: "Service",
        group: Group::Compute,
        help: "An application service: workers in front of a bounded queue.",
        fields: SERVICE_FIELDS,
    },
    KindInfo {
        kind: "database",
        label: "Database",
        group: Group::Data,
        help: "A database primary with a connection limit.",
        fields: DATABASE_FIELDS,
    },
    KindInfo {
        kind: "cache",
        label: "Cache",
        group: Group::Data,
        help: "A read-through cache in front of a database: hits answer at once, misses are fetched and filled; writes follow its write policy, and hits on overwritten values count as stale reads.",
        fields: CACHE_FIELDS,
    },
    KindInfo {
        kind: "store",
        label: "Replicated store",
        group: Group::Data,
        help: "A key-value store with replicas across regions, AP (quorums, last writer wins) or CP (leader, majority commit): stale reads and unavailability under partitions.",
        fields: STORE_FIELDS,
    },
    KindInfo {
        kind: "queue",
        label: "Queue",
        group: Group::Messaging,
        help: "A message queue between a producer and a consumer. Durable: a crash pauses deliveries and keeps every message, redelivering those it had handed out.",
        fields: QUEUE_FIELDS,
    },
    KindInfo {
        kind: "pooler",
        label: "Connection pooler",
        group: Group::Data,
        help: "A PgBouncer-like pooler in front of a database: many client connections share a few server connections.",
        fields: POOLER_FIELDS,
    },
    KindInfo {
        kind: "log",
        label: "Event log",
        group: Group::Messaging,
        help: "A Kafka-like partitioned log: ordered per partition only; its consumer group rebalances and replays what it had not committed.",
        fields: LOG_FIELDS,
    },
];

/// Settings of an edge, for the inspector.
pub const EDGE_FIELDS: &[FieldInfo] = &[
    FieldInfo {
        name: "latency",
        label: "Latency",
        unit: "ms",
        ty: FieldType::Distribution,
        help: "One-way network latency; request and response each draw once.",
    },
    FieldInfo {
        name: "loss",
        label: "Loss",
        unit: "",
        ty: FieldType::Number { min: 0.0, max: 1.0 },
        help: "Probability that a message is lost; the caller then times out.",
    },
    FieldInfo {
        name: "timeout_ms",
        label: "Timeout",
        unit: "ms",
        ty: FieldType::Number { min: 0.001, max: LIMITS.max_latency_ms },
        help: "How long the caller waits per call; empty waits forever.",
    },
    FieldInfo {
        name: "retry",
        label: "Retries",
        unit: "",
        ty: FieldType::Retry,
        help: "Retries with backoff and jitter for timeouts, 429 and 503; idempotent methods only. Outermost of the policies (retry, then breaker, timeout, bulkhead, as resilience4j orders them): each retry goes through the breaker and the bulkhead again.",
    },
    FieldInfo {
        name: "breaker",
        label: "Circuit breaker",
        unit: "",
        ty: FieldType::Breaker,
        help: "Fail fast while the callee keeps failing; probe it again after a wait. With a count window, minimum calls above the window size count as the size (as in resilience4j).",
    },
    FieldInfo {
        name: "fallback",
        label: "Fallback",
        unit: "",
        ty: FieldType::Choice(&["cache", "default", "database"]),
        help: "Answer a failed call from a cache or a default (a degraded success), or send a failed read through a cache to its database.",
    },
];

const POOLER_FIELDS: &[FieldInfo] = &[
    FieldInfo {
        name: "pool_mode",
        label: "Pool mode",
        unit: "",
        ty: FieldType::Choice(&["session", "transaction"]),
        help:
            "Session: a server connection per client connection. Transaction: clients share them, one query at a time.",
    },
    FieldInfo {
        name: "default_pool_size",
        label: "Server connections",
        unit: "",
        ty: int(1, 100_000),
        help: "Connections it opens to the database (PgBouncer's default_pool_size).",
    },
    FieldInfo {
        name: "max_client_conn",
        label: "Client connections",
        unit: "",
        ty: int(1, 1_000_000),
        help: "Connections it accepts from applications; one more is refused (max_client_conn).",
    },
    FieldInfo {
        name: "query_wait_timeout_ms",
        label: "Query wait timeout",
        unit: "ms",
        ty: FieldType::Integer { min: 1.0, max: 86_400_000.0 },
        help: "A query waiting longer for a server connection fails (query_wait_timeout).",
    },
];

/// The catalogue entry of a kind.
pub fn kind_info(kind: &str) -> Option<&'static KindInfo> {
    KINDS.iter().find(|k| k.kind == kind)
}

/// A node kind with every setting at its default.
pub fn default_kind(kind: &str) -> Option<NodeKind> {
    Some(match kind {
        "client" => NodeKind::Client(ClientConfig {}),
        "load_balancer" => NodeKind::LoadBalancer(LoadBalancerConfig::default()),
        "service" => NodeKind::Service(ServiceConfig::default()),
        "database" => NodeKind::Database(DatabaseConfig::default()),
        "queue" => NodeKind::Queue(QueueConfig::default()),
        "cache" => NodeKind::Cache(CacheConfig::default()),
        "pooler" => NodeKind::Pooler(crate::scenario::PoolerConfig::default()),
        "store" => NodeKind::Store(StoreConfig::default()),
        "log" => NodeKind::Log(crate::scenario::LogConfig::default()),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{slice_scenario, Edge, Node};

    #[test]
    fn kinds_are_found_by_name() {
        assert_eq!(kind_info("queue").map(|k| k.group), Some(Group::Messaging));
        assert!(kind_info("teapot").is_none() && default_kind("teapot").is_none());
    }

    #[test]
    fn every_field_of_every_kind_is_described_and_nothing_else() {
        for k in KINDS {
            let default = default_kind(k.kind).expect("a default for every catalogued kind");
            assert_eq!(default.name(), k.kind);
            let json = serde_json::to_value(&default).unwrap();
            // Every serialised field is described, and every described field
            // is accepted by the document (optional ones are omitted when off).
            let keys: Vec<&str> =
                json.as_object().unwrap().keys().map(String::as_str).filter(|&x| x != "type").collect();
            let names: Vec<&str> = k.fields.iter().map(|f| f.name).collect();
            for key in &keys {
                assert!(names.contains(key), "{}.{key} is not in the catalogue", k.kind);
            }
            for f in k.fields {
                if !keys.contains(&f.name) {
                    let mut probe = json.clone();
                    probe[f.name] = match f.ty {
                        FieldType::Bulkheads | FieldType::List | FieldType::Directory => serde_json::json!([]),
                        FieldType::Number { min, .. } => serde_json::json!(min),
                        FieldType::Integer { min, .. } => serde_json::json!(min as u64),
                        FieldType::Choice(c) => serde_json::json!(c[0]),
                        FieldType::Flag => serde_json::json!(true),
                        FieldType::Distribution => serde_json::json!({ "type": "constant", "ms": 1.0 }),
                        _ => serde_json::Value::Null,
                    };
                    assert!(serde_json::from_value::<NodeKind>(probe).is_ok(), "{}.{} is not a field", k.kind, f.name);
                }
            }
        }
        let edge = serde_json::to_value(Edge::new("a", "b")).unwrap();
        for f in EDGE_FIELDS {
            let mut probe = edge.clone();
            if probe.get(f.name).is_none() {
                probe[f.name] = serde_json::Value::Null;
            }
            assert!(serde_json::from_value::<Edge>(probe).is_ok(), "edge field {}", f.name);
        }
    }

    /// A scenario with one node of `kind` (configured by `json`) wired in.
    fn with_node(json: serde_json::Value) -> crate::Scenario {
        let mut s = slice_scenario();
        let kind: NodeKind = serde_json::from_value(json).unwrap();
        s.nodes.push(Node { id: "x".into(), name: String::new(), region: None, zone: None, x: 0.0, y: 0.0, kind });
        if matches!(
            s.nodes.last().unwrap().kind,
            NodeKind::Service(_)
                | NodeKind::LoadBalancer(_)
                | NodeKind::Queue(_)
                | NodeKind::Cache(_)
                | NodeKind::Pooler(_)
                | NodeKind::Log(_)
        ) {
            s.nodes.push(Node {
                id: "sink".into(),
                name: String::new(),
                region: None,
                zone: None,
                x: 0.0,
                y: 0.0,
                kind: default_kind("database").unwrap(),
            });
            s.edges.push(Edge::new("x", "sink"));
        }
        s
    }

    #[test]
    fn integer_limits_agree_with_validation() {
        for k in KINDS {
            for f in k.fields {
                let FieldType::Integer { min, max } = f.ty else {
                    continue;
                };
                let mut json = serde_json::to_value(default_kind(k.kind).unwrap()).unwrap();
                if k.kind == "store" {
                    // A store's quorums are bounded by its replicas, the
                    // election timeouts by each other: widen the others.
                    for (other, v) in
                        [("replicas", 15), ("election_timeout_min_ms", 60_000), ("election_timeout_max_ms", 60_000)]
                    {
                        if other != f.name {
                            json[other] = serde_json::json!(v);
                        }
                    }
                }
                json[f.name] = serde_json::json!(max as u64);
                assert!(with_node(json.clone()).validate().is_ok(), "{}.{} = max", k.kind, f.name);
                json[f.name] = serde_json::json!(max as u64 + 1);
                assert!(with_node(json.clone()).validate().is_err(), "{}.{} = max + 1", k.kind, f.name);
                if min >= 1.0 {
                    json[f.name] = serde_json::json!(min as u64 - 1);
                    assert!(with_node(json).validate().is_err(), "{}.{} = min - 1", k.kind, f.name);
                }
            }
        }
    }
}
