//! AP mode: Dynamo-style partial quorums (DeCandia et al., SOSP 2007).
//!
//! The member a client entered at coordinates. A write is stamped with a
//! version (the coordinator's clock, then the write id) and sent to all N
//! replicas: the first W in the quorum order at once, the rest after the
//! `replication_lag` too (asynchronous propagation); it is acknowledged as
//! soon as W replicas have it. A read asks the first R replicas and returns
//! the newest version among their answers. Replicas keep the newest version
//! of each key (last writer wins). Optionally, a read sends the newest
//! version back to the replicas that answered with an older one (read
//! repair), and every replica periodically exchanges its data with a random
//! reachable peer (anti-entropy, modelled as one message after which both
//! hold the newest of every key).
//!
//! The coordinator's clock is its own: a `clock_skew` fault moves it, and
//! with last-writer-wins a write stamped behind an earlier one is dropped
//! everywhere it meets it, after being acknowledged (a lost write).
//!
//! With `conflict: siblings` a version carries a version vector instead
//! (`vclock.rs`). The coordinator takes the key's versions it holds as the
//! write's context (a read-modify-write at the coordinator, the way a cart
//! update reads the cart and writes it back): the new vector is their join
//! with the coordinator's own entry advanced, so the write merges every
//! sibling its coordinator has seen, and the coordinator stores it first.
//! Replicas keep concurrent versions side by side; a read returns them all
//! (merged over the R answers), read repair and anti-entropy spread them.
//! Two sides of a partition writing one key leave two siblings at heal, and
//! the next write through a replica holding both merges them: nothing
//! acknowledged is dropped.
//!
//! Sloppy quorums with hinted handoff (`sloppy_quorum`): when a replica a
//! write is meant for is down or cut off, the coordinator keeps a hint for
//! it (the write and its intended replica) and counts the hint toward W, as
//! Dynamo's stand-in node does; when the replica is reachable again
//! (a partition heals, it or the coordinator restarts) the coordinator
//! hands the write over. Dynamo's stand-in is the next healthy node on the
//! ring; a store here has no nodes beyond its N replicas, so the stand-in
//! is the coordinator itself, where Cassandra keeps its hints (Cassandra
//! counts a hint toward the level only at ANY; this follows Dynamo). The
//! cost is honest: W = 2 met on a minority of one is one copy, and a read
//! quorum elsewhere does not see it until the handoff.
//!
//! Quorum order (`quorum_choice`): `nearest` puts the coordinator first, then
//! the other members of its region, then the rest; `random` draws a uniform
//! permutation per request (the coordinator only routes), which is the
//! model behind Probabilistically Bounded Staleness (Bailis et al., VLDB
//! 2012). Either way, members the coordinator can reach and that are up
//! come before the others: a coordinator does not wait on a replica its
//! failure detector says is gone.

use super::vclock::{merge_into, Sib, VClock};
use super::{Body as StoreBody, Env, Op, StoreRt, TimerKind, Version, Versioned};
use crate::rng::below;
use crate::scenario::QuorumChoice;

/// A write kept by `holder` for replica `target` that could not be reached.
#[derive(Clone, Debug)]
pub struct Hint {
    holder: u16,
    target: u16,
    key: u64,
    item: Item,
}

/// A version as the store's resolution keeps it.
#[derive(Clone, Copy, Debug)]
pub enum Item {
    Lww(Versioned),
    Sib(Sib),
}

#[derive(Clone, Debug)]
pub enum Body {
    /// A hint handed over to the replica it was kept for.
    Hint {
        key: u64,
        item: Item,
    },
    /// Store this version; acknowledge it if it belongs to an operation.
    Write {
        op: Option<(u32, u32)>,
        key: u64,
        item: Versioned,
        first: bool,
    },
    Ack {
        op: u32,
        gen: u32,
    },
    Read {
        op: u32,
        gen: u32,
        key: u64,
    },
    ReadReply {
        op: u32,
        gen: u32,
        item: Option<Versioned>,
    },
    /// Anti-entropy: the two members merge their data.
    Sync,
    /// Siblings: store this version (merge it into the key's set).
    WriteSib {
        op: Option<(u32, u32)>,
        key: u64,
        sib: Sib,
    },
    /// Siblings: a read's answer, every version the replica holds.
    ReadSibs {
        op: u32,
        gen: u32,
        sibs: Vec<Sib>,
    },
}

impl StoreRt {
    /// The order in which the coordinator `c` addresses the replicas.
    fn quorum_order(&mut self, c: usize) -> Vec<u16> {
        let n = self.n();
        let ok = |s: &StoreRt, m: usize| s.up(m) && s.reaches(c, m);
        let mut order: Vec<u16> = match self.choice {
            QuorumChoice::Nearest => {
                let region = self.members[c].region;
                let mut v: Vec<u16> = vec![c as u16];
                v.extend((0..n).filter(|&m| m != c && self.members[m].region == region).map(|m| m as u16));
                v.extend((0..n).filter(|&m| self.members[m].region != region).map(|m| m as u16));
                v
            }
            QuorumChoice::Random => {
                let mut v: Vec<u16> = (0..n as u16).collect();
                for i in (1..n).rev() {
                    let j = below(&mut self.choice_rng, i as u32 + 1) as usize;
                    v.swap(i, j);
                }
                v
            }
        };
        // Reachable and up first, each group in the order above: a stable
        // partition in place (a stable sort by the flag gave the same, at
        // ~7 KB of the browser engine's wasm for its own copy of the sort).
        let mut first = 0;
        for i in 0..order.len() {
            if ok(self, usize::from(order[i])) {
                order[first..=i].rotate_right(1);
                first += 1;
            }
        }
        order
    }

    pub(super) fn ap_start(&mut self, env: &mut Env, op: u32) {
        let o = &self.ops[op as usize];
        let (c, gen, key, write) = (o.entry, o.gen, o.key, o.write);
        // The operation's own level, if it has one, else the store's R or W.
        let need = |default: u32| if o.need > 0 { o.need } else { default };
        let (w, r) = (need(self.w), need(self.r));
        let order = self.quorum_order(usize::from(c));
        let local = self.choice == QuorumChoice::Nearest;
        match write {
            Some(value) if self.siblings => {
                let stamp = Version { a: self.clock(usize::from(c), env.now), b: value as u64 };
                let ci = usize::from(c);
                let mut clock = self.members[ci]
                    .sibs
                    .get(&key)
                    .into_iter()
                    .flatten()
                    .fold(VClock::default(), |a, s| a.join(&s.clock));
                let seq = self.members[ci].seq.max(clock.c[ci]) + 1;
                self.members[ci].seq = seq;
                clock.c[ci] = seq;
                let sib = Sib { clock, value, stamp };
                let o = &mut self.ops[op as usize];
                (o.need, o.stamp, o.clock) = (w, Some(stamp), Some(clock));
                // The coordinator stores it first: its next write descends from it.
                self.apply_sib(ci, key, sib);
                for (k, &m) in order.iter().enumerate() {
                    let lag = if (k as u32) < w { 0 } else { self.lag.sample(&mut self.net_rng) };
                    if m == c {
                        if lag == 0 {
                            self.ap_ack(env, op, gen);
                        }
                    } else if self.hint_for(c, m, key, Item::Sib(sib)) {
                        self.ap_ack(env, op, gen);
                    } else {
                        let body = Body::WriteSib { op: Some((op, gen)), key, sib };
                        self.send(env, c, m, lag, StoreBody::Ap(body));
                    }
                }
            }
            Some(value) => {
                let stamp = Version { a: self.clock(usize::from(c), env.now), b: value as u64 };
                let item = Versioned { v: stamp, value };
                self.ops[op as usize].stamp = Some(stamp);
                self.ops[op as usize].need = w;
                for (k, &m) in order.iter().enumerate() {
                    let lag = if (k as u32) < w { 0 } else { self.lag.sample(&mut self.net_rng) };
                    if local && m == c && lag == 0 {
                        self.apply(usize::from(m), key, item, true);
                        self.ap_ack(env, op, gen);
                    } else if m != c && self.hint_for(c, m, key, Item::Lww(item)) {
                        self.ap_ack(env, op, gen);
                    } else {
                        let body = Body::Write { op: Some((op, gen)), key, item, first: true };
                        self.send(env, c, m, lag, StoreBody::Ap(body));
                    }
                }
            }
            None => {
                self.ops[op as usize].need = r;
                for &m in order.iter().take(r as usize) {
                    if local && m == c && self.siblings {
                        let sibs = self.members[usize::from(m)].sibs.get(&key).cloned().unwrap_or_default();
                        self.ap_reply_sibs(env, op, gen, m, sibs);
                    } else if local && m == c {
                        let item = self.members[usize::from(m)].data.get(&key).copied();
                        self.ap_reply(env, op, gen, m, item);
                    } else {
                        self.send(env, c, m, 0, StoreBody::Ap(Body::Read { op, gen, key }));
                    }
                }
            }
        }
    }

    /// Member `m` stores `item` if it is newer than what it holds. A
    /// write's own copy (`first`) arriving after a newer one is a conflict
    /// resolved by last-writer-wins.
    fn apply(&mut self, m: usize, key: u64, item: Versioned, first: bool) {
        let data = &mut self.members[m].data;
        match data.get(&key) {
            Some(have) if have.v >= item.v => {
                if first && have.v > item.v {
                    self.books.stats.conflicts += 1;
                }
            }
            _ => {
                data.insert(key, item);
            }
        }
    }

    /// With a sloppy quorum, a write for replica `m` that coordinator `c`
    /// cannot reach becomes a hint kept at `c` (true: it counts as an
    /// acknowledgement).
    fn hint_for(&mut self, c: u16, m: u16, key: u64, item: Item) -> bool {
        let (ci, mi) = (usize::from(c), usize::from(m));
        if !self.sloppy || (self.up(mi) && self.reaches(ci, mi)) {
            return false;
        }
        self.hints.push(Hint { holder: c, target: m, key, item });
        self.books.stats.hints_stored += 1;
        true
    }

    /// Hands over every hint whose holder is up and reaches its replica.
    pub(super) fn hand_off(&mut self, env: &mut Env) {
        if self.hints.is_empty() {
            return;
        }
        let (ready, kept): (Vec<Hint>, Vec<Hint>) = std::mem::take(&mut self.hints).into_iter().partition(|h| {
            let (a, b) = (usize::from(h.holder), usize::from(h.target));
            self.up(a) && self.up(b) && self.reaches(a, b)
        });
        self.hints = kept;
        for h in ready {
            self.send(env, h.holder, h.target, 0, StoreBody::Ap(Body::Hint { key: h.key, item: h.item }));
        }
    }

    /// Member `m` merges version `sib` into its set for `key`; a write kept
    /// beside a concurrent version is a conflict (counted once per write).
    fn apply_sib(&mut self, m: usize, key: u64, sib: Sib) {
        let set = self.members[m].sibs.entry(key).or_default();
        if merge_into(set, sib) {
            self.conflicted.extend(set.iter().map(|s| s.value));
        }
    }

    /// A replica's versions reach a read's coordinator: merged into the
    /// read's set; with R answers in, the read returns them all (the value
    /// in the history is the one stamped latest), and read repair sends
    /// the merged set to the replicas that lacked some of it.
    fn ap_reply_sibs(&mut self, env: &mut Env, op: u32, gen: u32, from: u16, sibs: Vec<Sib>) {
        if !self.live_op(op, gen) || self.ops[op as usize].decided {
            return;
        }
        let o: &mut Op = &mut self.ops[op as usize];
        for s in &sibs {
            merge_into(&mut o.sibs, *s);
        }
        o.replies.push((from, None));
        o.sib_replies.push((from, sibs));
        if o.replies.len() as u32 != o.need {
            return;
        }
        let (key, c) = (o.key, o.entry);
        let merged = std::mem::take(&mut o.sibs);
        let answers = std::mem::take(&mut o.sib_replies);
        let best = merged.iter().max_by_key(|s| s.stamp).map(|s| Versioned { v: s.stamp, value: s.value });
        if self.read_repair {
            for (m, had) in answers {
                for s in merged.iter().filter(|s| !had.contains(s)) {
                    let body = Body::WriteSib { op: None, key, sib: *s };
                    self.send(env, c, m, 0, StoreBody::Ap(body));
                }
            }
        }
        self.decide(env, op, Ok(best));
    }

    fn ap_ack(&mut self, env: &mut Env, op: u32, gen: u32) {
        if !self.live_op(op, gen) {
            return;
        }
        let o = &mut self.ops[op as usize];
        o.acks += 1;
        if o.acks == o.need {
            self.decide(env, op, Ok(None));
        }
    }

    fn ap_reply(&mut self, env: &mut Env, op: u32, gen: u32, from: u16, item: Option<Versioned>) {
        if !self.live_op(op, gen) || self.ops[op as usize].decided {
            return;
        }
        let o: &mut Op = &mut self.ops[op as usize];
        o.replies.push((from, item));
        if o.replies.len() as u32 != o.need {
            return;
        }
        let best = o.replies.iter().filter_map(|r| r.1).max_by_key(|x| x.v);
        let (key, c) = (o.key, o.entry);
        if self.read_repair {
            if let Some(best) = best {
                let stale: Vec<u16> =
                    o.replies.iter().filter(|r| r.1.is_none_or(|x| x.v < best.v)).map(|r| r.0).collect();
                for m in stale {
                    let body = Body::Write { op: None, key, item: best, first: false };
                    self.send(env, c, m, 0, StoreBody::Ap(body));
                }
            }
        }
        self.decide(env, op, Ok(best));
    }

    pub(super) fn ap_receive(&mut self, env: &mut Env, from: u16, to: u16, body: Body) {
        match body {
            Body::Write { op, key, item, first } => {
                self.apply(usize::from(to), key, item, first);
                if let Some((op, gen)) = op {
                    self.send(env, to, from, 0, StoreBody::Ap(Body::Ack { op, gen }));
                }
            }
            Body::Ack { op, gen } => self.ap_ack(env, op, gen),
            Body::Read { op, gen, key } if self.siblings => {
                let sibs = self.members[usize::from(to)].sibs.get(&key).cloned().unwrap_or_default();
                self.send(env, to, from, 0, StoreBody::Ap(Body::ReadSibs { op, gen, sibs }));
            }
            Body::Read { op, gen, key } => {
                let item = self.members[usize::from(to)].data.get(&key).copied();
                self.send(env, to, from, 0, StoreBody::Ap(Body::ReadReply { op, gen, item }));
            }
            Body::ReadReply { op, gen, item } => self.ap_reply(env, op, gen, from, item),
            Body::Hint { key, item } => {
                self.books.stats.hints_delivered += 1;
                match item {
                    Item::Lww(v) => self.apply(usize::from(to), key, v, false),
                    Item::Sib(s) => self.apply_sib(usize::from(to), key, s),
                }
            }
            Body::WriteSib { op, key, sib } => {
                self.apply_sib(usize::from(to), key, sib);
                if let Some((op, gen)) = op {
                    self.send(env, to, from, 0, StoreBody::Ap(Body::Ack { op, gen }));
                }
            }
            Body::ReadSibs { op, gen, sibs } => self.ap_reply_sibs(env, op, gen, from, sibs),
            Body::Sync if self.siblings => {
                let (a, b) = (usize::from(from), usize::from(to));
                for (x, y) in [(a, b), (b, a)] {
                    let theirs: Vec<(u64, Sib)> =
                        self.members[x].sibs.iter().flat_map(|(k, set)| set.iter().map(|s| (*k, *s))).collect();
                    for (k, s) in theirs {
                        self.apply_sib(y, k, s);
                    }
                }
            }
            Body::Sync => {
                let (a, b) = (usize::from(from), usize::from(to));
                let theirs: Vec<(u64, Versioned)> = self.members[a].data.iter().map(|(k, v)| (*k, *v)).collect();
                for (k, v) in theirs {
                    self.apply(b, k, v, false);
                }
                let ours: Vec<(u64, Versioned)> = self.members[b].data.iter().map(|(k, v)| (*k, *v)).collect();
                for (k, v) in ours {
                    self.apply(a, k, v, false);
                }
            }
        }
    }

    /// Anti-entropy round of member `m`: sync with a random reachable peer.
    pub(super) fn ap_anti_entropy(&mut self, env: &mut Env, m: u16) {
        let i = usize::from(m);
        let peers: Vec<u16> =
            (0..self.n()).filter(|&p| p != i && self.up(p) && self.reaches(i, p)).map(|p| p as u16).collect();
        if !peers.is_empty() {
            let p = peers[below(&mut self.members[i].rng, peers.len() as u32) as usize];
            self.send(env, m, p, 0, StoreBody::Ap(Body::Sync));
        }
        self.arm_timer(env, m, TimerKind::AntiEntropy);
    }
}
