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
//! Quorum order (`quorum_choice`): `nearest` puts the coordinator first, then
//! the other members of its region, then the rest; `random` draws a uniform
//! permutation per request (the coordinator only routes), which is the
//! model behind Probabilistically Bounded Staleness (Bailis et al., VLDB
//! 2012). Either way, members the coordinator can reach and that are up
//! come before the others: a coordinator does not wait on a replica its
//! failure detector says is gone.

use super::{Body as StoreBody, Env, Op, StoreRt, TimerKind, Version, Versioned};
use crate::rng::below;
use crate::scenario::QuorumChoice;

#[derive(Clone, Debug)]
pub enum Body {
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
        // Stable: reachable and up first, each group in the order above.
        order.sort_by_key(|&m| !ok(self, usize::from(m)));
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
            Some(value) => {
                let item = Versioned { v: Version { a: env.now, b: value as u64 }, value };
                self.ops[op as usize].need = w;
                for (k, &m) in order.iter().enumerate() {
                    let lag = if (k as u32) < w { 0 } else { self.lag.sample(&mut self.net_rng) };
                    if local && m == c && lag == 0 {
                        self.apply(usize::from(m), key, item, true);
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
                    if local && m == c {
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
            Body::Read { op, gen, key } => {
                let item = self.members[usize::from(to)].data.get(&key).copied();
                self.send(env, to, from, 0, StoreBody::Ap(Body::ReadReply { op, gen, item }));
            }
            Body::ReadReply { op, gen, item } => self.ap_reply(env, op, gen, from, item),
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
