//! A replicated key-value store, CP or AP by configuration.
//!
//! The store is one node on the canvas, but inside it are `replicas`
//! members placed in regions, each holding a copy of the data, talking over
//! an internal network: one-way `replica_latency`, plus
//! `cross_region_latency_ms` between regions. A member is a fault target of
//! its own (`<store>/<i>`: crash, restart, partition side), and a partition
//! naming regions cuts members apart, and clients from members in regions
//! on the other side.
//!
//! A client's request enters at a member it can reach, in its own region if
//! possible (otherwise it pays the cross-region latency each way). What
//! happens next is the mode's (`ap.rs`: Dynamo-style partial quorums and
//! last-writer-wins; `cp.rs`: a leader elected Raft-style, majority
//! commit). Every request ends within `request_timeout_ms`, and is written
//! into the store's history (`books.rs`) for the correctness counters and
//! the linearizability checker.
//!
//! The internal messages and timers are events of the engine's one queue
//! (`Event::Store`), carrying an index into this store's message slab, so a
//! store's run is as deterministic as the rest; scenarios without a store
//! never see one.

mod ap;
mod books;
mod cp;
pub mod vclock;

pub use books::{StoreStats, ACKED_WRITES_LIMIT, HISTORY_LIMIT};

use super::Behaviour;
use crate::calls::{FailReason, Outcome, Phase};
use crate::dist::Sampler;
use crate::event::{Event, EventQueue};
use crate::rng::{below, SimRng};
use crate::scenario::{Conflict, QuorumChoice, ReadMode, StoreConfig, StoreMode};
use crate::sim::Sim;
use crate::time::{ms_to_micros, SimTime};
use std::collections::BTreeMap;

/// A version: AP orders writes by (coordinator's clock, write id), CP by
/// (log index, 0). Larger is newer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    pub a: u64,
    pub b: u64,
}

/// A value with its version. Values are write ids: unique per write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Versioned {
    pub v: Version,
    pub value: i64,
}

/// One member (replica) of the store.
#[derive(Clone, Debug)]
pub struct Member {
    pub region: u16,
    /// Crashed by a fault aimed at this member.
    pub crashed: bool,
    /// The data: AP as written, CP as applied from the committed log.
    pub data: BTreeMap<u64, Versioned>,
    pub raft: cp::Raft,
    /// How far its clock is ahead of true time (`clock_skew` faults), in
    /// microseconds; negative: behind.
    pub skew_us: i64,
    /// AP with siblings: the versions of each key, and how many writes this
    /// member has coordinated (its entry in the version vectors).
    pub sibs: BTreeMap<u64, Vec<vclock::Sib>>,
    seq: u32,
    /// Election timeouts and anti-entropy peers.
    rng: SimRng,
}

/// What an event of the store carries.
#[derive(Clone, Debug)]
enum Msg {
    /// A client operation reaches the member it entered at (after crossing regions).
    Begin { op: u32, gen: u32 },
    /// Its answer reaches the client (after crossing regions back).
    Reply { op: u32, gen: u32 },
    /// The store gives up on it.
    Deadline { op: u32, gen: u32 },
    /// A synthetic read after an acknowledged write (`Sim::store_probe`).
    Probe { key: u64, value: i64, entry: u16 },
    /// CP: operations waiting for a leader are routed again.
    Retry,
    /// A member's timer: `epoch` says whether it is still wanted.
    Timer { member: u16, epoch: u32, kind: TimerKind },
    /// A message between two members.
    Net { from: u16, to: u16, body: Body },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TimerKind {
    Election,
    Heartbeat,
    AntiEntropy,
}

#[derive(Clone, Debug)]
enum Body {
    Ap(ap::Body),
    Cp(cp::Body),
}

/// A client operation (or a probe) in progress.
#[derive(Clone, Debug, Default)]
struct Op {
    gen: u32,
    open: bool,
    /// Decided, its answer on the way back to the client.
    decided: bool,
    call: u32,
    call_gen: u32,
    probe: bool,
    write: Option<i64>,
    key: u64,
    process: u64,
    invoke_us: u64,
    required: Option<u64>,
    recorded: bool,
    /// The member the client talks to, and whether that crosses regions.
    entry: u16,
    remote: bool,
    /// AP: acknowledgements or answers needed (0 until the mode sets it, or
    /// the operation's own level), and answers so far.
    need: u32,
    acks: u32,
    replies: Vec<(u16, Option<Versioned>)>,
    result: Option<Result<Option<Versioned>, bool>>,
    /// CP: forwards so far (bounded, so a confused pair cannot ping-pong).
    hops: u8,
    /// A probe: the write it looks for.
    expect: i64,
    /// AP: the write's timestamp (the coordinator's clock, then its id),
    /// and with siblings its version vector; a read's siblings so far.
    stamp: Option<Version>,
    clock: Option<vclock::VClock>,
    sibs: Vec<vclock::Sib>,
    sib_replies: Vec<(u16, Vec<vclock::Sib>)>,
}

/// The store's runtime state.
#[derive(Clone, Debug)]
pub struct StoreRt {
    pub mode: StoreMode,
    pub members: Vec<Member>,
    pub regions: Vec<String>,
    member_ids: Vec<String>,
    r: u32,
    w: u32,
    /// AP: replicas an operation waits for, by operation index, where its
    /// level is set by name (`op_consistency`).
    op_need: Vec<Option<u32>>,
    choice: QuorumChoice,
    read_mode: ReadMode,
    read_repair: bool,
    anti_entropy_us: Option<u64>,
    timeout_us: u64,
    election_us: (u64, u64),
    heartbeat_us: u64,
    cross_us: u64,
    replica_latency: Sampler,
    lag: Sampler,
    stale_read_cost: f64,
    /// AP: keep concurrent versions as siblings instead of last-writer-wins.
    siblings: bool,
    /// AP: sloppy quorums, and the hints coordinators keep (durable, like
    /// the data): (coordinator, target replica, key, version).
    sloppy: bool,
    hints: Vec<ap::Hint>,
    /// With siblings: the write ids ever kept beside a concurrent version
    /// (the conflicts), and the acknowledged writes' keys and vectors (the
    /// lost-write oracle: one is lost if no surviving version descends from it).
    conflicted: std::collections::BTreeSet<i64>,
    sib_acked: Vec<(u64, vclock::VClock)>,
    /// Member-to-member cuts by partitions in force (n x n), and the
    /// partitions' sides, for clients.
    cut: Vec<bool>,
    partitions: Vec<(Vec<String>, Vec<String>)>,
    msgs: Vec<Option<Msg>>,
    free_msgs: Vec<u32>,
    ops: Vec<Op>,
    free_ops: Vec<u32>,
    /// CP: operations waiting for a leader, and whether a retry is due.
    waiting: Vec<(u32, u32)>,
    retry_armed: bool,
    net_rng: SimRng,
    choice_rng: SimRng,
    pub books: books::Books,
    next_value: i64,
    next_process: u64,
    probe_after_us: Option<u64>,
    /// Calls answered by the last action, for the hook to finish.
    finished: Vec<(u32, u32, Outcome)>,
}

/// The engine's queue and clock, lent to the store for one action.
struct Env<'a> {
    q: &'a mut EventQueue,
    now: u64,
    node: u32,
}

impl StoreRt {
    /// `node_region`: the store node's own region (replicas' region when
    /// the config lists none). `rng(name, purpose_index)` gives owned streams.
    /// `op_names`: the run's operations by index.
    pub fn new(
        cfg: &StoreConfig,
        id: &str,
        node_region: Option<&str>,
        op_names: &[&str],
        mut stream: impl FnMut(&str, bool) -> SimRng,
    ) -> StoreRt {
        let n = cfg.replicas.max(1);
        let mut regions: Vec<String> = Vec::new();
        let members = (0..n)
            .map(|i| {
                let r = cfg.region_of(i, node_region);
                let region = regions.iter().position(|x| *x == r).unwrap_or_else(|| {
                    regions.push(r);
                    regions.len() - 1
                }) as u16;
                Member {
                    region,
                    crashed: false,
                    data: BTreeMap::new(),
                    raft: cp::Raft::new(n),
                    skew_us: 0,
                    sibs: BTreeMap::new(),
                    seq: 0,
                    rng: stream(&format!("{id}/{i}"), false),
                }
            })
            .collect();
        StoreRt {
            mode: cfg.mode,
            members,
            regions,
            member_ids: (0..n).map(|i| format!("{id}/{i}")).collect(),
            r: cfg.r().clamp(1, n),
            w: cfg.w().clamp(1, n),
            op_need: op_names
                .iter()
                .map(|name| cfg.op_consistency.iter().find(|o| o.op == *name).map(|o| o.level.count(n)))
                .collect(),
            choice: cfg.quorum_choice,
            read_mode: cfg.read_mode,
            read_repair: cfg.read_repair,
            anti_entropy_us: cfg.anti_entropy_interval_ms.map(|ms| ms * 1_000),
            timeout_us: cfg.request_timeout_ms * 1_000,
            election_us: (cfg.election_timeout_min_ms * 1_000, cfg.election_timeout_max_ms * 1_000),
            heartbeat_us: cfg.heartbeat_interval_ms * 1_000,
            cross_us: ms_to_micros(cfg.cross_region_latency_ms),
            replica_latency: cfg.replica_latency.sampler(),
            lag: cfg.replication_lag.sampler(),
            stale_read_cost: cfg.stale_read_cost,
            siblings: cfg.mode == StoreMode::Ap && cfg.conflict == Conflict::Siblings,
            sloppy: cfg.mode == StoreMode::Ap && cfg.sloppy_quorum,
            hints: Vec::new(),
            conflicted: std::collections::BTreeSet::new(),
            sib_acked: Vec::new(),
            cut: vec![false; (n * n) as usize],
            partitions: Vec::new(),
            msgs: Vec::new(),
            free_msgs: Vec::new(),
            ops: Vec::new(),
            free_ops: Vec::new(),
            waiting: Vec::new(),
            retry_armed: false,
            net_rng: stream(id, true),
            choice_rng: stream(&format!("{id}/choice"), true),
            books: books::Books::default(),
            next_value: 1,
            next_process: 0,
            probe_after_us: None,
            finished: Vec::new(),
        }
    }

    fn n(&self) -> usize {
        self.members.len()
    }

    /// Majority of the members.
    fn majority(&self) -> usize {
        self.n() / 2 + 1
    }

    pub fn stats(&self) -> StoreStats {
        self.books.stats
    }

    /// The current leader as the members see it: an up member that leads,
    /// the highest term's if several think so.
    pub fn leader(&self, node_down: bool) -> Option<u16> {
        if self.mode != StoreMode::Cp || node_down {
            return None;
        }
        (0..self.n())
            .filter(|&i| !self.members[i].crashed && self.members[i].raft.is_leader())
            .max_by_key(|&i| (self.members[i].raft.term, std::cmp::Reverse(i)))
            .map(|i| i as u16)
    }

    pub fn term(&self) -> u64 {
        self.members.iter().map(|m| m.raft.term).max().unwrap_or(0)
    }

    /// Member `m`'s clock reading at true time `now` (skewed by faults).
    fn clock(&self, m: usize, now: u64) -> u64 {
        now.saturating_add_signed(self.members[m].skew_us)
    }

    fn up(&self, m: usize) -> bool {
        !self.members[m].crashed
    }

    /// Whether a message from member `a` can reach member `b` now.
    fn reaches(&self, a: usize, b: usize) -> bool {
        a == b || !self.cut[a * self.n() + b]
    }

    fn names(&self, m: usize) -> [&str; 2] {
        [self.member_ids[m].as_str(), self.regions[usize::from(self.members[m].region)].as_str()]
    }

    /// Whether a partition in force separates `x` from `y` (each a list of
    /// the names it answers to: id and region).
    fn separated(&self, x: &[&str], y: &[&str]) -> bool {
        let hit = |side: &[String], names: &[&str]| side.iter().any(|s| names.contains(&s.as_str()));
        self.partitions.iter().any(|(a, b)| (hit(a, x) && hit(b, y)) || (hit(b, x) && hit(a, y)))
    }

    /// The partitions in force changed: recompute who reaches whom.
    pub fn set_partitions(&mut self, partitions: Vec<(Vec<String>, Vec<String>)>) {
        self.partitions = partitions;
        let n = self.n();
        for a in 0..n {
            for b in 0..n {
                self.cut[a * n + b] = a != b && self.separated(&self.names(a), &self.names(b));
            }
        }
    }

    /// One-way latency of a message between two members.
    fn latency(&mut self, a: usize, b: usize) -> u64 {
        let base = self.replica_latency.sample(&mut self.net_rng);
        if self.members[a].region == self.members[b].region {
            base
        } else {
            base + self.cross_us
        }
    }

    fn schedule(&mut self, env: &mut Env, at: u64, msg: Msg) {
        let slot = match self.free_msgs.pop() {
            Some(s) => {
                self.msgs[s as usize] = Some(msg);
                s
            }
            None => {
                self.msgs.push(Some(msg));
                self.msgs.len() as u32 - 1
            }
        };
        env.q.schedule(SimTime(at), Event::Store { node: env.node, msg: slot });
    }

    /// Sends `body` from member `from` to member `to`, `extra_us` later than
    /// the network alone would take; dropped when a partition cuts them.
    fn send(&mut self, env: &mut Env, from: u16, to: u16, extra_us: u64, body: Body) {
        let (a, b) = (usize::from(from), usize::from(to));
        if !self.reaches(a, b) || !self.up(a) {
            return;
        }
        let at = env.now + self.latency(a, b) + extra_us;
        self.schedule(env, at, Msg::Net { from, to, body });
    }

    fn arm_timer(&mut self, env: &mut Env, member: u16, kind: TimerKind) {
        self.arm_timer_in(env, member, kind, None);
    }

    /// Arms a timer `delay` from now (`None`: the kind's usual delay).
    fn arm_timer_in(&mut self, env: &mut Env, member: u16, kind: TimerKind, delay: Option<u64>) {
        let m = usize::from(member);
        let delay = delay.unwrap_or_else(|| match kind {
            TimerKind::Election => {
                let (lo, hi) = self.election_us;
                let span = (hi - lo).min(u64::from(u32::MAX - 1)) as u32;
                lo + u64::from(below(&mut self.members[m].rng, span + 1))
            }
            TimerKind::Heartbeat => self.heartbeat_us,
            TimerKind::AntiEntropy => self.anti_entropy_us.unwrap_or(u64::MAX / 4),
        });
        let epoch = match kind {
            TimerKind::Election => {
                self.members[m].raft.timer_epoch += 1;
                self.members[m].raft.timer_epoch
            }
            _ => self.members[m].raft.epoch,
        };
        self.schedule(env, env.now + delay, Msg::Timer { member, epoch, kind });
    }

    /// Starts every member's timers (at time zero, or when the whole store
    /// comes back): elections for CP, anti-entropy for AP.
    fn start_timers(&mut self, env: &mut Env) {
        for m in 0..self.n() {
            self.members[m].raft.epoch += 1;
            if self.up(m) {
                self.start_member(env, m as u16);
            }
        }
    }

    fn start_member(&mut self, env: &mut Env, m: u16) {
        match self.mode {
            StoreMode::Cp => {
                self.arm_timer(env, m, TimerKind::Election);
                // A leader coming back from a pause keeps leading.
                if self.members[usize::from(m)].raft.is_leader() {
                    self.arm_timer(env, m, TimerKind::Heartbeat);
                }
            }
            StoreMode::Ap => {
                // The first round at a random point of the interval: the
                // members' rounds are not in step.
                if let Some(every) = self.anti_entropy_us {
                    let span = every.min(u64::from(u32::MAX)) as u32;
                    let first = u64::from(below(&mut self.members[usize::from(m)].rng, span)) + 1;
                    self.arm_timer_in(env, m, TimerKind::AntiEntropy, Some(first));
                }
            }
        }
    }

    fn new_op(&mut self, op: Op) -> (u32, u32) {
        let idx = match self.free_ops.pop() {
            Some(i) => i,
            None => {
                self.ops.push(Op::default());
                self.ops.len() as u32 - 1
            }
        };
        let gen = self.ops[idx as usize].gen.wrapping_add(1);
        self.ops[idx as usize] = Op { gen, open: true, ..op };
        (idx, gen)
    }

    fn live_op(&self, op: u32, gen: u32) -> bool {
        self.ops.get(op as usize).is_some_and(|o| o.open && o.gen == gen)
    }

    /// The member a client (its names) enters at: an up member it can
    /// reach, in its region if there is one (at random among them), else
    /// anywhere; `None` when it reaches none.
    fn entry_for(&mut self, client: &[&str], client_region: Option<&str>) -> Option<(u16, bool)> {
        let reach: Vec<usize> =
            (0..self.n()).filter(|&m| self.up(m) && !self.separated(client, &self.names(m))).collect();
        let local: Vec<usize> = reach
            .iter()
            .copied()
            .filter(|&m| client_region == Some(self.regions[usize::from(self.members[m].region)].as_str()))
            .collect();
        let (pool, remote) = if local.is_empty() { (reach, true) } else { (local, false) };
        if pool.is_empty() {
            return None;
        }
        let pick = pool[below(&mut self.choice_rng, pool.len() as u32) as usize];
        // One region only, and the client in none: nothing to cross.
        let remote = remote && client_region.is_some() && self.regions.len() > 1;
        Some((pick as u16, remote))
    }

    /// A client's operation (operation index `op_index`) arrived at the store.
    #[allow(clippy::too_many_arguments)]
    fn client_op(
        &mut self,
        env: &mut Env,
        call: u32,
        call_gen: u32,
        op_index: u16,
        write: bool,
        key: u64,
        client: &[&str],
        client_region: Option<&str>,
    ) {
        let write = write.then(|| {
            self.next_value += 1;
            self.next_value - 1
        });
        let process = self.next_process;
        self.next_process += 1;
        let (required, recorded) = self.books.invoke(process, write, key, env.now);
        let entry = self.entry_for(client, client_region);
        let op = Op {
            call,
            call_gen,
            write,
            key,
            process,
            invoke_us: env.now,
            required,
            recorded,
            entry: entry.map_or(0, |e| e.0),
            remote: entry.is_some_and(|e| e.1),
            need: self.op_need.get(usize::from(op_index)).copied().flatten().unwrap_or(0),
            ..Op::default()
        };
        let (idx, gen) = self.new_op(op);
        let Some((_, remote)) = entry else {
            // No replica reachable: certain not to have happened.
            return self.decide(env, idx, Err(true));
        };
        self.schedule(env, env.now + self.timeout_us, Msg::Deadline { op: idx, gen });
        if remote {
            self.schedule(env, env.now + self.cross_us, Msg::Begin { op: idx, gen });
        } else {
            self.begin(env, idx);
        }
    }

    /// The operation is at its entry member: the mode takes it from here.
    fn begin(&mut self, env: &mut Env, op: u32) {
        let entry = self.ops[op as usize].entry;
        if !self.up(usize::from(entry)) {
            return; // it times out
        }
        match self.mode {
            StoreMode::Ap => self.ap_start(env, op),
            StoreMode::Cp => self.cp_route(env, op),
        }
    }

    /// The operation's outcome is known at its entry member: `Ok(read)`, or
    /// `Err(certain)`. The answer travels back to the client.
    fn decide(&mut self, env: &mut Env, op: u32, result: Result<Option<Versioned>, bool>) {
        let o = &mut self.ops[op as usize];
        if !o.open || o.decided {
            return;
        }
        o.decided = true;
        o.result = Some(result);
        let gen = o.gen;
        if o.remote && result.is_ok() {
            self.schedule(env, env.now + self.cross_us, Msg::Reply { op, gen });
        } else {
            self.conclude(env, op);
        }
    }

    /// The client has its answer: the books record it and the call ends.
    fn conclude(&mut self, env: &mut Env, op: u32) {
        let o = std::mem::take(&mut self.ops[op as usize]);
        self.ops[op as usize].gen = o.gen;
        self.free_ops.push(op);
        let result = o.result.unwrap_or(Err(false));
        if o.probe {
            self.books.stats.probes += 1;
            let seen = matches!(result, Ok(Some(r)) if r.value >= o.expect);
            if !seen {
                self.books.stats.probe_stale += 1;
            }
            return;
        }
        let stamp = if self.siblings { None } else { o.stamp };
        self.books.complete(o.process, o.write, o.key, o.invoke_us, o.required, result, stamp, o.recorded, env.now);
        if let (Ok(_), Some(clock)) = (result, o.clock) {
            if self.sib_acked.len() < ACKED_WRITES_LIMIT {
                self.sib_acked.push((o.key, clock));
            }
        }
        if let (Ok(_), Some(value), Some(after)) = (result, o.write, self.probe_after_us) {
            self.schedule(env, env.now + after, Msg::Probe { key: o.key, value, entry: o.entry });
        }
        let outcome = match result {
            Ok(_) => Outcome::Ok,
            Err(true) => Outcome::Failed(FailReason::Rejected),
            Err(false) => Outcome::Failed(FailReason::Timeout),
        };
        self.finished.push((o.call, o.call_gen, outcome));
    }

    fn on_msg(&mut self, env: &mut Env, msg: Msg) {
        match msg {
            Msg::Begin { op, gen } if self.live_op(op, gen) => self.begin(env, op),
            Msg::Reply { op, gen } if self.live_op(op, gen) => self.conclude(env, op),
            Msg::Deadline { op, gen } if self.live_op(op, gen) && !self.ops[op as usize].decided => {
                self.decide(env, op, Err(false))
            }
            Msg::Probe { key, value, entry } => {
                let op = Op { probe: true, key, expect: value, entry, ..Op::default() };
                let (idx, gen) = self.new_op(op);
                self.schedule(env, env.now + self.timeout_us, Msg::Deadline { op: idx, gen });
                self.begin(env, idx);
            }
            Msg::Retry => {
                self.retry_armed = false;
                for (op, gen) in std::mem::take(&mut self.waiting) {
                    if self.live_op(op, gen) && !self.ops[op as usize].decided {
                        self.cp_route(env, op);
                    }
                }
            }
            Msg::Timer { member, epoch, kind } => {
                let m = usize::from(member);
                if !self.up(m) {
                    return;
                }
                match kind {
                    TimerKind::Election if epoch == self.members[m].raft.timer_epoch => self.cp_election(env, member),
                    TimerKind::Heartbeat if epoch == self.members[m].raft.epoch => self.cp_heartbeat(env, member),
                    TimerKind::AntiEntropy if epoch == self.members[m].raft.epoch => self.ap_anti_entropy(env, member),
                    _ => {}
                }
            }
            Msg::Net { from, to, body } => {
                if !self.up(usize::from(to)) {
                    return;
                }
                match body {
                    Body::Ap(b) => self.ap_receive(env, from, to, b),
                    Body::Cp(b) => self.cp_receive(env, from, to, b),
                }
            }
            _ => {}
        }
    }

    /// A member crashed (or the whole store did): what it held in memory is
    /// gone (its role, its pending work); its data and log are durable.
    /// Operations it was serving time out at their clients.
    fn lose_memory(&mut self, m: usize) {
        self.members[m].raft.forget();
    }

    /// Probe fraction that did not see the write (t-visibility), 0 before any.
    pub fn probe_stale_share(&self) -> f64 {
        let s = self.books.stats;
        if s.probes == 0 {
            0.0
        } else {
            s.probe_stale as f64 / s.probes as f64
        }
    }

    /// What survives of `key` at the end: AP the newest version on any
    /// member, CP the value applied on the member furthest committed.
    fn surviving(&self, key: u64) -> Option<Versioned> {
        match self.mode {
            StoreMode::Ap => self.members.iter().filter_map(|m| m.data.get(&key)).max_by_key(|x| x.v).copied(),
            StoreMode::Cp => self.members.iter().max_by_key(|m| m.raft.commit).and_then(|m| m.data.get(&key)).copied(),
        }
    }

    /// Acknowledged writes undone by the end. CP keeps every write in its
    /// log: an acknowledged write is lost when the committed log of the
    /// member furthest committed lacks it. AP keeps only the newest version
    /// of a key: one is lost when the surviving value was acknowledged
    /// before it was invoked (see `Books::lost_writes`).
    ///
    /// AP with last-writer-wins adds the writes a skewed clock made lose
    /// (`StoreStats::lww_lost`), which include every write the rule above
    /// finds (a survivor acknowledged before a write began and still newer
    /// than it must carry the later stamp); with siblings a write is lost
    /// when no version left on any member descends from its vector.
    pub fn lost_writes(&self) -> u64 {
        match self.mode {
            StoreMode::Ap if self.siblings => self.sibling_lost_writes(),
            StoreMode::Ap => self.books.lost_writes(|k| self.surviving(k)).max(self.books.stats.lww_lost),
            StoreMode::Cp => {
                let Some(m) = self.members.iter().max_by_key(|m| m.raft.commit) else { return 0 };
                let committed: std::collections::BTreeSet<i64> =
                    m.raft.log[..m.raft.commit as usize].iter().filter_map(|e| e.cmd.map(|c| c.1)).collect();
                self.books.acked_values().filter(|v| !committed.contains(v)).count() as u64
            }
        }
    }

    fn sibling_lost_writes(&self) -> u64 {
        let kept = |key: u64, clock: &vclock::VClock| {
            self.members.iter().any(|m| m.sibs.get(&key).is_some_and(|set| set.iter().any(|s| s.clock.descends(clock))))
        };
        self.sib_acked.iter().filter(|(k, c)| !kept(*k, c)).count() as u64
    }

    /// Conflicts: with siblings, the writes ever kept beside a concurrent
    /// version; with last-writer-wins, writes discarded at a replica that
    /// held a newer version.
    pub fn conflicts(&self) -> u64 {
        if self.siblings {
            self.conflicted.len() as u64
        } else {
            self.books.stats.conflicts
        }
    }

    /// The most versions any member holds of `key` (siblings; 1 or 0 otherwise).
    pub fn versions_of(&self, key: u64) -> usize {
        self.members
            .iter()
            .map(|m| {
                if self.siblings {
                    m.sibs.get(&key).map_or(0, Vec::len)
                } else {
                    usize::from(m.data.contains_key(&key))
                }
            })
            .max()
            .unwrap_or(0)
    }

    /// Whether the configuration promises fresh reads: CP reading through
    /// the leader, or AP with strict quorums (R + W > N).
    fn promises_fresh_reads(&self) -> bool {
        match self.mode {
            StoreMode::Cp => self.read_mode != ReadMode::Follower,
            StoreMode::Ap => (self.r + self.w) as usize > self.n(),
        }
    }

    pub fn fill_view(&self, v: &mut crate::view::NodeView) {
        let s = self.books.stats;
        v.store = Some(crate::view::StoreView {
            mode: if self.mode == StoreMode::Cp { "cp" } else { "ap" }.into(),
            replicas_up: self.members.iter().map(|m| !m.crashed).collect(),
            leader: self.leader(v.down),
            term: self.term(),
            stale_reads: s.stale_reads,
            unavailable: s.unavailable,
            conflicts: if self.mode == StoreMode::Ap { self.conflicts() } else { 0 },
            // Cheap as the run goes: the count kept at acknowledgement (the
            // report adds the end-of-run rule, which it includes).
            lost_writes: match self.mode {
                StoreMode::Ap if self.siblings => self.sibling_lost_writes(),
                StoreMode::Ap => s.lww_lost,
                StoreMode::Cp => 0,
            },
            hints_pending: self.hints.len() as u64,
            verdict: None,
            violation: None,
        });
    }

    pub fn fill_report(&self, r: &mut crate::report::NodeReport) {
        let s = self.books.stats;
        let lost = self.lost_writes();
        let violations = if self.promises_fresh_reads() { s.stale_reads + lost } else { 0 };
        let (linearizable, linearizability) = self.linearizability();
        r.store = Some(crate::report::StoreReport {
            mode: if self.mode == StoreMode::Cp { "cp" } else { "ap" },
            replicas: self.n() as u32,
            replicas_up: self.members.iter().filter(|m| !m.crashed).count() as u32,
            read_quorum: self.r,
            write_quorum: self.w,
            reads: s.reads,
            writes: s.writes,
            stale_reads: s.stale_reads,
            unavailable: s.unavailable,
            conflicts: self.conflicts(),
            hints_stored: s.hints_stored,
            hints_delivered: s.hints_delivered,
            lost_writes: lost,
            violations,
            money_lost: s.stale_reads as f64 * self.stale_read_cost,
            leader: self.leader(false),
            term: self.term(),
            elections: s.elections,
            discarded_entries: s.discarded_entries,
            history_events: self.books.history().len() as u64,
            history_truncated: self.books.history_truncated,
            linearizable,
            linearizability,
        });
    }

    /// Runs the linearizability checker on the store's history: the judge of
    /// whether the store kept the promise of a single copy, independent of the
    /// stale-read and lost-write counters (which the store keeps itself).
    fn linearizability(&self) -> (Option<bool>, String) {
        use crate::check::{check_history, Model, Verdict};
        match check_history(self.books.history(), Model::CasRegister, &REPORT_CHECK_LIMITS) {
            Ok(report) => {
                let verdict = match &report.verdict {
                    Verdict::Linearizable => Some(true),
                    Verdict::NotLinearizable(_) => Some(false),
                    Verdict::Unknown { .. } => None,
                };
                (verdict, report.verdict.to_string())
            }
            // The store writes its own history: a malformed one is a bug, said
            // in the report rather than a panic in the middle of a run.
            Err(e) => (None, format!("the history could not be read: {e:?}")),
        }
    }
}

/// The checker's limits for the report's verdict: a run's history is at
/// most `HISTORY_LIMIT` events, so a key's search gets a bounded budget and
/// answers "unknown" past it instead of holding up the report.
pub const REPORT_CHECK_LIMITS: crate::check::Limits =
    crate::check::Limits { max_steps_per_key: 200_000, max_memo_bytes: 64 << 20 };

fn store_mut(sim: &mut Sim, node: usize) -> (&mut StoreRt, Env<'_>) {
    let now = sim.now.0;
    let Behaviour::Store(st) = &mut sim.nodes[node].behaviour else { unreachable!("node {node} is not a store") };
    (st, Env { q: &mut sim.queue, now, node: node as u32 })
}

/// Ends the calls the store's last action answered.
fn settle(sim: &mut Sim, node: usize) {
    let Behaviour::Store(st) = &mut sim.nodes[node].behaviour else { return };
    if st.finished.is_empty() {
        return;
    }
    for (idx, gen, outcome) in std::mem::take(&mut st.finished) {
        if sim.calls.get(idx, gen).is_some_and(|c| c.phase == Phase::Working) {
            sim.finish(node, idx, outcome);
        }
    }
}

/// A client's call arrives: it becomes an operation of the store.
pub(crate) fn arrive(sim: &mut Sim, node: usize, idx: u32) {
    sim.nodes[node].add_in_flight(1);
    let call = sim.calls.at_mut(idx);
    call.phase = Phase::Working;
    let (gen, key, op, edge) = (call.gen, call.key, call.op, call.edge);
    let write = sim.is_write(op);
    let caller = &sim.scenario.nodes[sim.edges[edge as usize].from as usize];
    let (id, region) = (caller.id.clone(), caller.region.clone());
    let names: Vec<&str> = std::iter::once(id.as_str()).chain(region.as_deref()).collect();
    let (st, mut env) = store_mut(sim, node);
    st.client_op(&mut env, idx, gen, op, write, key, &names, region.as_deref());
    settle(sim, node);
}

/// One of the store's events is due.
pub(crate) fn on_event(sim: &mut Sim, node: usize, msg: u32) {
    let down = sim.nodes[node].down;
    let (st, mut env) = store_mut(sim, node);
    let Some(m) = st.msgs.get_mut(msg as usize).and_then(Option::take) else { return };
    st.free_msgs.push(msg);
    if down {
        return;
    }
    st.on_msg(&mut env, m);
    settle(sim, node);
}

/// Arms the first timers, at time zero.
pub(crate) fn start(st: &mut StoreRt, q: &mut EventQueue, node: u32) {
    st.start_timers(&mut Env { q, now: 0, node });
}

/// The whole store node crashed: every member forgets what it held in
/// memory, and the operations in progress end with it (the core has
/// refused their calls).
pub(crate) fn crash(sim: &mut Sim, node: usize) {
    let (st, env) = store_mut(sim, node);
    for m in 0..st.n() {
        st.lose_memory(m);
    }
    st.waiting.clear();
    // Its retry event is dropped while the store is down: arm a new one later.
    st.retry_armed = false;
    for i in 0..st.ops.len() {
        if st.ops[i].open {
            let o = &st.ops[i];
            if !o.probe {
                let (w, k, inv, req, rec) = (o.write, o.key, o.invoke_us, o.required, o.recorded);
                st.books.complete(o.process, w, k, inv, req, Err(false), None, rec, env.now);
            }
            let gen = o.gen;
            st.ops[i] = Op { gen, ..Op::default() };
            st.free_ops.push(i as u32);
        }
    }
    st.finished.clear();
}

/// The store node is running again: its members start their timers afresh.
pub(crate) fn resumed(sim: &mut Sim, node: usize) {
    let (st, mut env) = store_mut(sim, node);
    st.start_timers(&mut env);
    settle(sim, node);
}

/// A fault crashed (`down`) or restarted member `member` of the store at `node`.
pub(crate) fn member_fault(sim: &mut Sim, node: usize, member: u32, down: bool) {
    let (st, mut env) = store_mut(sim, node);
    let m = member as usize;
    if st.members[m].crashed == down {
        return;
    }
    st.members[m].crashed = down;
    st.lose_memory(m);
    st.members[m].raft.epoch += 1;
    if !down {
        st.start_member(&mut env, member as u16);
    }
    st.hand_off(&mut env);
    settle(sim, node);
}

/// The partitions in force changed: hints whose replica is reachable again
/// are handed over.
pub(crate) fn partitions_changed(sim: &mut Sim, node: usize) {
    let (st, mut env) = store_mut(sim, node);
    st.hand_off(&mut env);
}

/// `clock_skew` faults in force set member `member`'s clock `skew_ms` off.
pub(crate) fn set_clock_skew(sim: &mut Sim, node: usize, member: u32, skew_ms: f64) {
    let (st, _) = store_mut(sim, node);
    st.members[member as usize].skew_us = (skew_ms * 1_000.0).round() as i64;
}

impl Sim {
    /// The history of the operations clients made on the store at `node`
    /// (invoke, then ok / fail / info), in order; `None` if it is no store.
    pub fn store_history(&self, node: usize) -> Option<&[crate::history::Event]> {
        match &self.nodes.get(node)?.behaviour {
            Behaviour::Store(st) => Some(st.books.history()),
            _ => None,
        }
    }

    /// The store at `node`, for tests and views.
    pub fn store(&self, node: usize) -> Option<&StoreRt> {
        match &self.nodes.get(node)?.behaviour {
            Behaviour::Store(st) => Some(st),
            _ => None,
        }
    }

    /// Makes the store at `node` read every key `after_ms` after each write
    /// to it is acknowledged, the way a client would, and count the reads
    /// that do not see the write (`StoreStats::probes`, `probe_stale`): the
    /// t-visibility of Probabilistically Bounded Staleness (Bailis et al.,
    /// VLDB 2012). `None` stops it.
    pub fn store_probe(&mut self, node: usize, after_ms: Option<f64>) {
        if let Some(Behaviour::Store(st)) = self.nodes.get_mut(node).map(|n| &mut n.behaviour) {
            st.probe_after_us = after_ms.map(ms_to_micros);
        }
    }
}
