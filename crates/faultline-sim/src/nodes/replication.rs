//! Read replicas of a database: asynchronous replication, read routing,
//! stale reads and failover.
//!
//! A database with `replicas` is a primary and that many replicas, each a
//! pool of its own (`DatabaseRt::pools`, one per member: its connections,
//! wait queue and contention), so reads sent to replicas really leave the
//! primary's connections free. `Call::shard` names the member a query runs
//! on. Writes run on the primary; reads go where `read_routing` says.
//!
//! ## Replication
//!
//! The primary keeps each key's version (`versions.rs`: the write count at
//! its last write). A write committed at time t reaches each replica at
//! t + lag, the lag drawn per write and replica from `replica_lag` and
//! stretched by that replica's contention at the commit, 1 + saturation x
//! utilisation² (the same factor its queries pay: a busy replica applies
//! the primary's log slowly, so lag grows with the read load sent to it),
//! plus whatever `replica_lag` faults add. Writes are applied as they
//! arrive, a newer version of a key never replaced by an older one (so a
//! replica's copy of a key is the newest version that has reached it).
//! With an exponential lag of mean L and an idle replica, a read served t
//! after a write is therefore stale with probability exp(-t/L).
//!
//! A replica remembers only what differs from the primary: the keys whose
//! newest write has not reached it yet (`Member::behind`, with the version
//! it has) and the writes on their way (`Member::pending`, a heap by
//! arrival time, applied lazily before the replica is read or written to).
//! Memory follows the writes in flight, bounded by `PENDING_LIMIT` per
//! replica: past it the oldest write in flight is applied at once
//! (`overflowed` counts them).
//!
//! ## Stale reads and read-your-writes
//!
//! A read is *stale* when the version it returns is older than the
//! primary's at the moment it is served (counted per replica and in all).
//! A *session* is the client that sent the user request (the node at the
//! root of the call's chain of parents; a queue for its deliveries). A read
//! by session s of key k is a *read-your-writes violation* when it returns
//! a version older than s's own last write of k that committed before the
//! read reached the database. Sessions' last writes are remembered like
//! versions: the last `SESSION_MEMORY` writes.
//!
//! Routing: `primary` sends every read to the primary; `any_replica` round
//! robin over the replicas up (no random stream, so a design's other draws
//! stay the same); `read_your_writes` sends a session's read of a key it
//! wrote less than `ryw_window_ms` ago to the primary, other reads to the
//! replicas. The window is a time, not a version check: a lag longer than
//! the window still breaks it (a `replica_lag` fault shows it).
//!
//! ## Failover
//!
//! A `fail_primary` fault kills the primary member: the queries on it fail
//! (connection reset), and writes fail until a replica is promoted, after
//! `failover_detection_ms` + `promotion_ms`. Reads routed to replicas go
//! on (`primary` routing has none, so its reads fail too). Writes still on
//! their way when the primary died never arrive. The replica that had
//! received the most of them (the highest log position, as Patroni and
//! orchestrator pick) becomes the primary; the writes it lacked are lost
//! (`lost_writes`, the failover's RPO) and the keys they wrote go back to
//! the version it has. The other replicas follow the new primary from its
//! state (as after pg_rewind). When the fault ends, or the node is
//! restarted, the old primary rejoins as a replica, caught up; back before
//! the promotion, it has every write and is the one promoted (nothing lost).

mod hooks;

pub(crate) use hooks::{arrive, fail_primary, fill_view, promote, rejoin, report, served, set_extra_lag};

use super::versions::Versions;
use crate::dist::Sampler;
use crate::rng::SimRng;
use crate::scenario::{DatabaseConfig, ReadRouting};
use crate::time::ms_to_micros;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};

/// Writes in flight to one replica before the oldest is applied at once.
pub const PENDING_LIMIT: usize = 1 << 16;
/// Sessions' writes remembered for read-your-writes.
pub const SESSION_MEMORY: usize = 1 << 16;
/// Replication lags kept for the card's and the report's percentiles.
pub const LAG_SAMPLES: usize = 4_096;

/// A write on its way to a replica, ordered by arrival (then by sequence).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Pending {
    arrive_us: u64,
    seq: u64,
    key: u64,
    version: u64,
}

/// A key a replica has not caught up on: the version it has, the primary's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Behind {
    applied: u64,
    latest: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Primary,
    Replica,
    /// Failed (a `fail_primary`), until it rejoins.
    Down,
}

/// One member: the primary or a replica (index = its pool's).
#[derive(Clone, Debug)]
pub struct Member {
    pub role: Role,
    behind: HashMap<u64, Behind>,
    pending: BinaryHeap<Reverse<Pending>>,
    /// Reads it served, and of them stale ones.
    pub reads: u64,
    pub stale_reads: u64,
}

impl Member {
    fn new(role: Role) -> Member {
        Member { role, behind: HashMap::new(), pending: BinaryHeap::new(), reads: 0, stale_reads: 0 }
    }

    /// Applies the writes that have arrived by `now_us`.
    fn catch_up(&mut self, now_us: u64) {
        while let Some(&Reverse(p)) = self.pending.peek() {
            if p.arrive_us > now_us {
                break;
            }
            self.pending.pop();
            self.apply(p);
        }
    }

    fn apply(&mut self, p: Pending) {
        if let Some(b) = self.behind.get_mut(&p.key) {
            b.applied = b.applied.max(p.version);
            if b.applied >= b.latest {
                self.behind.remove(&p.key);
            }
        }
    }

    /// Writes on their way that would still change what it has.
    fn unreplicated(&self) -> u64 {
        self.pending.iter().filter(|Reverse(p)| self.behind.get(&p.key).is_some_and(|b| p.version > b.applied)).count()
            as u64
    }

    /// Forgets every difference from the primary (it is caught up).
    fn resync(&mut self) {
        self.behind.clear();
        self.pending.clear();
    }
}

/// A failover under way.
#[derive(Clone, Debug)]
struct Failover {
    /// Unreplicated writes of each member when the primary died.
    unreplicated: Vec<u64>,
}

/// Sessions' last write of each key: (session, key) -> (version, commit time).
#[derive(Clone, Debug, Default)]
struct Sessions {
    last: HashMap<(u32, u64), (u64, u64)>,
    order: VecDeque<(u32, u64, u64)>,
}

impl Sessions {
    fn wrote(&mut self, session: u32, key: u64, version: u64, at_us: u64) {
        self.last.insert((session, key), (version, at_us));
        self.order.push_back((session, key, version));
        if self.order.len() > SESSION_MEMORY {
            if let Some((s, k, v)) = self.order.pop_front() {
                if self.last.get(&(s, k)).is_some_and(|&(lv, _)| lv == v) {
                    self.last.remove(&(s, k));
                }
            }
        }
    }

    fn get(&self, session: u32, key: u64) -> Option<(u64, u64)> {
        self.last.get(&(session, key)).copied()
    }
}

/// Where a query runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// On this member's pool.
    To(u16),
    /// Nowhere: no primary for a write (or a `primary`-routed read).
    Unavailable,
}

#[derive(Clone, Debug)]
pub struct Replication {
    pub routing: ReadRouting,
    ryw_window_us: u64,
    detection_us: u64,
    promotion_us: u64,
    lag: Sampler,
    rng: SimRng,
    pub members: Vec<Member>,
    /// The primary's index; `None` while a failover is under way.
    pub primary: Option<u16>,
    versions: Versions,
    sessions: Sessions,
    next_replica: u16,
    seq: u64,
    /// Lag added by `replica_lag` faults in force.
    pub extra_lag_us: u64,
    failover: Option<Failover>,
    /// The last `LAG_SAMPLES` lags drawn, in microseconds (a ring).
    lags: Vec<u64>,
    lag_at: usize,
    pub stale_reads: u64,
    pub ryw_violations: u64,
    pub lost_writes: u64,
    pub failovers: u32,
    /// Writes refused for want of a primary.
    pub writes_refused: u64,
    /// Writes applied to a replica early because too many were in flight.
    pub overflowed: u64,
    pub reads_primary: u64,
    pub reads_replicas: u64,
}

impl Replication {
    pub fn new(cfg: &DatabaseConfig, rng: SimRng) -> Replication {
        let n = usize::from(cfg.replicas) + 1;
        Replication {
            routing: cfg.read_routing,
            ryw_window_us: cfg.ryw_window_ms.saturating_mul(1_000),
            detection_us: cfg.failover_detection_ms.saturating_mul(1_000),
            promotion_us: cfg.promotion_ms.saturating_mul(1_000),
            lag: cfg.replica_lag.sampler(),
            rng,
            members: (0..n).map(|i| Member::new(if i == 0 { Role::Primary } else { Role::Replica })).collect(),
            primary: Some(0),
            versions: Versions::new(super::versions::VERSION_MEMORY),
            sessions: Sessions::default(),
            next_replica: 0,
            seq: 0,
            extra_lag_us: 0,
            failover: None,
            lags: Vec::new(),
            lag_at: 0,
            stale_reads: 0,
            ryw_violations: 0,
            lost_writes: 0,
            failovers: 0,
            writes_refused: 0,
            overflowed: 0,
            reads_primary: 0,
            reads_replicas: 0,
        }
    }

    /// Replicas serving reads now.
    pub fn replicas_up(&self) -> usize {
        self.members.iter().filter(|m| m.role == Role::Replica).count()
    }

    /// The next replica up, round robin; `None` if none is.
    fn pick_replica(&mut self) -> Option<u16> {
        let n = self.members.len() as u16;
        for _ in 0..n {
            let i = self.next_replica % n;
            self.next_replica = (i + 1) % n;
            if self.members[usize::from(i)].role == Role::Replica {
                return Some(i);
            }
        }
        None
    }

    /// Where a query goes: a write to the primary; a read by `session`
    /// (computed only when read-your-writes needs it) per the routing.
    pub fn route(&mut self, write: bool, key: u64, now_us: u64, session: impl FnOnce() -> u32) -> Route {
        let to_primary = |r: &mut Replication| match r.primary {
            Some(p) => Route::To(p),
            None => Route::Unavailable,
        };
        if write {
            let route = to_primary(self);
            if route == Route::Unavailable {
                self.writes_refused += 1;
            }
            return route;
        }
        let replica_first = match self.routing {
            ReadRouting::Primary => return to_primary(self),
            ReadRouting::AnyReplica => true,
            ReadRouting::ReadYourWrites => {
                self.sessions.get(session(), key).is_none_or(|(_, at)| now_us >= at.saturating_add(self.ryw_window_us))
            }
        };
        let picked = if replica_first { self.pick_replica().or(self.primary) } else { self.primary };
        // With no primary (a failover), a read the routing would send
        // there goes to a replica instead.
        match picked.or_else(|| self.pick_replica()) {
            Some(m) => Route::To(m),
            None => Route::Unavailable,
        }
    }

    /// A write of `key` by `session` committed on the primary at `now_us`:
    /// its version, and its way to each replica, `contention[i]` being
    /// member i's query-time factor now.
    pub fn write(&mut self, key: u64, session: u32, now_us: u64, contention: impl Fn(usize) -> f64) {
        let prev = self.versions.latest_of(key).unwrap_or(0);
        let version = self.versions.write(key).0;
        self.sessions.wrote(session, key, version, now_us);
        for i in 0..self.members.len() {
            if self.members[i].role != Role::Replica {
                continue;
            }
            let lag = self.lag.sample_scaled(&mut self.rng, contention(i)).saturating_add(self.extra_lag_us);
            if self.lags.len() < LAG_SAMPLES {
                self.lags.push(lag);
            } else {
                self.lags[self.lag_at] = lag;
            }
            self.lag_at = (self.lag_at + 1) % LAG_SAMPLES;
            self.seq += 1;
            let m = &mut self.members[i];
            m.catch_up(now_us);
            m.behind.entry(key).or_insert(Behind { applied: prev, latest: version }).latest = version;
            m.pending.push(Reverse(Pending { arrive_us: now_us.saturating_add(lag), seq: self.seq, key, version }));
            if m.pending.len() > PENDING_LIMIT {
                if let Some(Reverse(p)) = m.pending.pop() {
                    m.apply(p);
                    self.overflowed += 1;
                }
            }
        }
    }

    /// A read of `key` served by `member` at `now_us`, for `session` (asked
    /// only if the read is stale, or after a failover), which reached the
    /// database at `arrived_us`. Returns whether it was stale.
    pub fn read(&mut self, member: u16, key: u64, now_us: u64, arrived_us: u64, session: impl FnOnce() -> u32) -> bool {
        let m = &mut self.members[usize::from(member)];
        m.reads += 1;
        if m.role == Role::Primary {
            self.reads_primary += 1;
            // Only a failover can leave a session's write missing here.
            if self.failovers > 0 {
                let have = self.versions.latest_of(key);
                if let (Some(have), Some((own, at))) = (have, self.sessions.get(session(), key)) {
                    self.ryw_violations += u64::from(own > have && at <= arrived_us);
                }
            }
            return false;
        }
        self.reads_replicas += 1;
        m.catch_up(now_us);
        let Some(b) = m.behind.get(&key).copied() else { return false };
        m.stale_reads += 1;
        self.stale_reads += 1;
        if let Some((own, at)) = self.sessions.get(session(), key) {
            self.ryw_violations += u64::from(own > b.applied && at <= arrived_us);
        }
        true
    }

    /// The primary dies at `now_us`: returns its member, whose queries the
    /// caller fails, and when the promotion is due; `None` if there is no
    /// primary to kill (a failover is already under way).
    pub fn fail_primary(&mut self, now_us: u64) -> Option<(u16, u64)> {
        let p = self.primary.take()?;
        self.members[usize::from(p)].role = Role::Down;
        let mut unreplicated = vec![0; self.members.len()];
        for (i, m) in self.members.iter_mut().enumerate() {
            m.catch_up(now_us);
            if m.role == Role::Replica {
                unreplicated[i] = m.unreplicated();
            }
            // What had not left the primary never will.
            m.pending.clear();
        }
        self.failover = Some(Failover { unreplicated });
        Some((p, now_us.saturating_add(self.detection_us).saturating_add(self.promotion_us)))
    }

    /// The failover's promotion is done: the most caught-up replica (the
    /// lowest index among equals) is the primary. Returns it, if any.
    pub fn promote(&mut self) -> Option<u16> {
        let f = self.failover.take()?;
        let best = (0..self.members.len())
            .filter(|&i| self.members[i].role == Role::Replica)
            .min_by_key(|&i| (f.unreplicated[i], i))?;
        self.lost_writes += f.unreplicated[best];
        self.failovers += 1;
        // The keys it is behind on go back to the version it has (sorted:
        // the versions' memory must not depend on the map's order).
        let mut back: Vec<(u64, u64)> = self.members[best].behind.iter().map(|(&k, b)| (k, b.applied)).collect();
        back.sort_unstable();
        for (key, applied) in back {
            self.versions.roll_back(key, applied);
        }
        for (i, m) in self.members.iter_mut().enumerate() {
            if m.role != Role::Down {
                m.resync();
                m.role = if i == best { Role::Primary } else { Role::Replica };
            }
        }
        self.primary = Some(best as u16);
        Some(best as u16)
    }

    /// Whether a failover is waiting for its promotion.
    pub fn failing_over(&self) -> bool {
        self.failover.is_some()
    }

    /// Failed members come back as replicas, caught up (the primary, if
    /// none was promoted for want of a replica).
    pub fn rejoin(&mut self) {
        for i in 0..self.members.len() {
            if self.members[i].role == Role::Down {
                self.members[i].resync();
                if self.primary.is_none() && self.failover.is_none() {
                    self.members[i].role = Role::Primary;
                    self.primary = Some(i as u16);
                } else {
                    self.members[i].role = Role::Replica;
                }
            }
        }
    }

    /// Percentile `q` (0..1) of the last lags drawn, in milliseconds; 0
    /// before any write.
    pub fn lag_quantile_ms(&self, q: f64) -> f64 {
        if self.lags.is_empty() {
            return 0.0;
        }
        let mut v = self.lags.clone();
        let at = crate::metrics::quantile_rank(q, v.len()) - 1;
        *v.select_nth_unstable(at).1 as f64 / 1_000.0
    }

    /// Mean of the last lags drawn, in milliseconds.
    pub fn lag_mean_ms(&self) -> f64 {
        if self.lags.is_empty() {
            return 0.0;
        }
        self.lags.iter().sum::<u64>() as f64 / self.lags.len() as f64 / 1_000.0
    }
}

/// How far a `replica_lag` fault of `add_ms` delays writes, in microseconds.
pub fn extra_lag_us(add_ms: f64) -> u64 {
    ms_to_micros(add_ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repl(replicas: u16, routing: ReadRouting) -> Replication {
        let cfg = DatabaseConfig {
            replicas,
            read_routing: routing,
            replica_lag: crate::dist::Dist::constant(10.0),
            ryw_window_ms: 100,
            ..Default::default()
        };
        Replication::new(&cfg, crate::rng::stream(1, crate::rng::StreamKind::Node, 0))
    }

    #[test]
    fn a_replica_is_stale_until_the_write_arrives_and_never_goes_back() {
        let mut r = repl(1, ReadRouting::AnyReplica);
        r.write(7, 0, 0, |_| 1.0);
        assert!(r.read(1, 7, 9_999, 0, || 0), "lag 10 ms: not there at 9.999 ms");
        assert!(!r.read(1, 7, 10_000, 0, || 0));
        assert!(!r.read(1, 8, 0, 0, || 0), "a key never written is fresh");
        assert_eq!((r.stale_reads, r.members[1].stale_reads), (1, 1));
    }

    #[test]
    fn a_late_older_write_does_not_replace_a_newer_one() {
        let mut r = repl(1, ReadRouting::AnyReplica);
        r.extra_lag_us = 50_000;
        r.write(7, 0, 0, |_| 1.0); // arrives at 60 ms
        r.extra_lag_us = 0;
        r.write(7, 0, 1_000, |_| 1.0); // arrives at 11 ms
        assert!(!r.read(1, 7, 20_000, 0, || 0), "the newest version arrived");
        assert!(!r.read(1, 7, 70_000, 0, || 0));
    }

    #[test]
    fn routing_round_robin_and_read_your_writes() {
        let mut r = repl(2, ReadRouting::AnyReplica);
        let picks: Vec<Route> = (0..4).map(|_| r.route(false, 1, 0, || 0)).collect();
        assert_eq!(picks, [Route::To(1), Route::To(2), Route::To(1), Route::To(2)]);
        assert_eq!(r.route(true, 1, 0, || 0), Route::To(0));
        let mut r = repl(2, ReadRouting::ReadYourWrites);
        r.write(5, 3, 1_000, |_| 1.0);
        assert_eq!(r.route(false, 5, 50_000, || 3), Route::To(0), "own write 49 ms ago");
        assert_ne!(r.route(false, 5, 50_000, || 4), Route::To(0), "another session");
        assert_ne!(r.route(false, 5, 101_000, || 3), Route::To(0), "window over");
    }

    #[test]
    fn a_violation_is_a_stale_read_of_the_sessions_own_earlier_write() {
        let mut r = repl(1, ReadRouting::AnyReplica);
        r.write(5, 3, 0, |_| 1.0);
        assert!(r.read(1, 5, 1_000, 1_000, || 4), "another session: stale, no violation");
        assert_eq!(r.ryw_violations, 0);
        assert!(r.read(1, 5, 1_000, 1_000, || 3));
        assert_eq!((r.stale_reads, r.ryw_violations), (2, 1));
    }

    #[test]
    fn failover_promotes_the_most_caught_up_and_loses_what_it_lacked() {
        let mut r = repl(2, ReadRouting::AnyReplica);
        r.write(1, 0, 0, |i| if i == 1 { 1.0 } else { 3.0 }); // 10 ms to 1, 30 ms to 2
        r.write(2, 0, 5_000, |i| if i == 1 { 1.0 } else { 3.0 }); // 15 ms, 35 ms
        let (dead, due) = r.fail_primary(12_000).unwrap();
        assert_eq!((dead, due), (0, 12_000 + 12_000_000));
        assert_eq!(r.route(true, 1, 13_000, || 0), Route::Unavailable);
        assert_eq!(r.writes_refused, 1);
        assert_eq!(r.promote(), Some(1), "replica 1 had key 1; replica 2 had nothing");
        assert_eq!(r.lost_writes, 1);
        assert_eq!(r.versions.latest_of(2), Some(0), "key 2 went back to what replica 1 had");
        assert_eq!(r.route(true, 1, 0, || 0), Route::To(1));
        r.rejoin();
        assert_eq!(r.members[0].role, Role::Replica);
        assert_eq!(r.replicas_up(), 2);
    }
}
