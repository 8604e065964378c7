//! CP mode: one leader, majority commit, in the manner of Raft (Ongaro and
//! Ousterhout, USENIX ATC 2014), simplified but honest about what matters
//! under partitions:
//!
//! - a follower that hears no leader for a random election timeout becomes
//!   a candidate for the next term; a majority of votes (each member votes
//!   once per term, only for a log at least as up to date as its own) makes
//!   it leader, which first appends a no-op entry of its term;
//! - a follower that heard from a leader within the minimum election
//!   timeout ignores candidates (leader stickiness, Ongaro's thesis §4.2.3),
//!   which is also what makes lease reads safe;
//! - the leader appends each write to its log and replicates it with
//!   AppendEntries; an entry of the current term is committed once a
//!   majority stores it, and every entry before it with it; followers
//!   truncate entries that conflict with the leader's (a deposed leader's
//!   uncommitted writes are discarded when it hears from the new one);
//! - reads go through the leader: `read_index` confirms leadership with a
//!   heartbeat round acknowledged by a majority, `lease` skips the round
//!   while a majority acknowledged it within the minimum election timeout,
//!   `follower` answers from the entry member's own copy (may be stale);
//! - a member whose election timeout runs out first asks whether a majority
//!   would vote for it in the next term (pre-vote, Ongaro's thesis §9.6) and
//!   stands only if they would, so a member cut off from the majority does
//!   not inflate the term and depose a healthy leader when it comes back.
//!
//! Left out: log compaction, membership changes, batching limits beyond
//! `MAX_BATCH`. Clients talk to the member they entered at, which
//! forwards to the leader it knows; with no leader known the operation
//! waits and is routed again every `RETRY_US`, until the store's timeout.

use super::{Body as StoreBody, Env, Msg, StoreRt, TimerKind, Version, Versioned};

/// Log entries per AppendEntries message.
const MAX_BATCH: usize = 64;
/// How often operations waiting for a leader are routed again.
const RETRY_US: u64 = 20_000;
/// Times an operation may be forwarded between members.
const MAX_HOPS: u8 = 4;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Follower,
    Candidate,
    Leader,
}

/// One log entry: a write (key, value) or a leader's no-op.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    pub term: u64,
    pub cmd: Option<(u64, i64)>,
}

/// A member's Raft state. `term`, `voted_for` and `log` are durable; the
/// rest is lost in a crash (`forget`).
#[derive(Clone, Debug)]
pub struct Raft {
    pub term: u64,
    voted_for: Option<u16>,
    pub log: Vec<Entry>,
    pub commit: u64,
    /// Entries applied to the data (durable with it).
    pub applied: u64,
    pub role: Role,
    pub leader: Option<u16>,
    votes: u64,
    pre_votes: u64,
    /// Leader: per member, the next entry to send and the highest known stored.
    next_index: Vec<u64>,
    match_index: Vec<u64>,
    /// Leader: per member, the latest heartbeat round acknowledged and the
    /// send time of the latest acknowledged AppendEntries.
    acked_round: Vec<u64>,
    acked_sent_us: Vec<u64>,
    round: u64,
    /// Leader: writes waiting for their entry to commit (log index, op).
    pending_writes: Vec<(u64, u32, u32)>,
    /// Leader: reads waiting for confirmation: (read index, round, op);
    /// round 0 until the leader has committed an entry of its term.
    pending_reads: Vec<(u64, u64, u32, u32)>,
    /// When this member last heard from a leader of its term.
    heard_us: u64,
    /// Invalidate timers: `epoch` changes with the role, `timer_epoch` with
    /// each reset of the election timer.
    pub epoch: u32,
    pub timer_epoch: u32,
}

#[derive(Clone, Debug)]
pub enum Body {
    /// Pre-vote (Ongaro's thesis §9.6): would you vote for me in `term`?
    /// Nothing changes at the receiver, so a member cut off in a minority
    /// cannot inflate its term and depose the leader when it comes back.
    PreVote {
        term: u64,
        last_index: u64,
        last_term: u64,
    },
    PreVoteReply {
        term: u64,
        granted: bool,
    },
    Vote {
        term: u64,
        last_index: u64,
        last_term: u64,
    },
    VoteReply {
        term: u64,
        granted: bool,
    },
    Append {
        term: u64,
        prev_index: u64,
        prev_term: u64,
        entries: Vec<Entry>,
        commit: u64,
        round: u64,
        sent_us: u64,
    },
    AppendReply {
        term: u64,
        success: bool,
        match_index: u64,
        round: u64,
        sent_us: u64,
    },
    /// A client operation forwarded to the member believed to lead.
    Forward {
        op: u32,
        gen: u32,
    },
    /// The leader's answer, back to the entry member.
    Done {
        op: u32,
        gen: u32,
        item: Option<Versioned>,
    },
}

impl Raft {
    pub fn new(n: u32) -> Raft {
        let n = n as usize;
        Raft {
            term: 0,
            voted_for: None,
            log: Vec::new(),
            commit: 0,
            applied: 0,
            role: Role::Follower,
            leader: None,
            votes: 0,
            pre_votes: 0,
            next_index: vec![1; n],
            match_index: vec![0; n],
            acked_round: vec![0; n],
            acked_sent_us: vec![0; n],
            round: 0,
            pending_writes: Vec::new(),
            pending_reads: Vec::new(),
            heard_us: 0,
            epoch: 0,
            timer_epoch: 0,
        }
    }

    pub fn is_leader(&self) -> bool {
        self.role == Role::Leader
    }

    fn last_index(&self) -> u64 {
        self.log.len() as u64
    }

    fn term_at(&self, index: u64) -> u64 {
        if index == 0 {
            0
        } else {
            self.log.get(index as usize - 1).map_or(0, |e| e.term)
        }
    }

    /// A crash: the volatile state goes (the operations it was serving time
    /// out at their clients).
    pub fn forget(&mut self) {
        self.role = Role::Follower;
        self.leader = None;
        self.votes = 0;
        self.pending_writes.clear();
        self.pending_reads.clear();
        self.heard_us = 0;
        self.epoch += 1;
        self.timer_epoch += 1;
    }

    fn committed_in_term(&self) -> bool {
        self.commit > 0 && self.term_at(self.commit) == self.term
    }
}

impl StoreRt {
    /// Routes an operation from its entry member: served there (follower
    /// reads, or the entry leads), forwarded to the leader it knows, or
    /// parked until a leader is known.
    pub(super) fn cp_route(&mut self, env: &mut Env, op: u32) {
        let o = &self.ops[op as usize];
        let (e, gen, read) = (o.entry, o.gen, o.write.is_none());
        let ei = usize::from(e);
        if !self.up(ei) {
            return self.park(env, op, gen);
        }
        if read && self.read_mode == crate::scenario::ReadMode::Follower {
            let item = self.members[ei].data.get(&o.key).copied();
            return self.decide(env, op, Ok(item));
        }
        let raft = &self.members[ei].raft;
        if raft.is_leader() {
            return self.lead(env, e, op, gen);
        }
        match raft.leader {
            Some(l) => {
                self.ops[op as usize].hops += 1;
                self.send(env, e, l, 0, StoreBody::Cp(Body::Forward { op, gen }));
            }
            None => self.park(env, op, gen),
        }
    }

    fn park(&mut self, env: &mut Env, op: u32, gen: u32) {
        self.waiting.push((op, gen));
        if !self.retry_armed {
            self.retry_armed = true;
            self.schedule(env, env.now + RETRY_US, Msg::Retry);
        }
    }

    /// The leader `l` takes an operation.
    fn lead(&mut self, env: &mut Env, l: u16, op: u32, gen: u32) {
        let li = usize::from(l);
        let (write, key) = (self.ops[op as usize].write, self.ops[op as usize].key);
        match write {
            Some(value) => {
                let raft = &mut self.members[li].raft;
                raft.log.push(Entry { term: raft.term, cmd: Some((key, value)) });
                let index = raft.last_index();
                raft.match_index[li] = index;
                raft.pending_writes.push((index, op, gen));
                self.broadcast(env, l);
                self.advance_commit(env, l);
            }
            None => {
                let lease_us = self.election_us.0;
                let majority = self.majority();
                let raft = &mut self.members[li].raft;
                let fresh = (0..raft.acked_sent_us.len())
                    .filter(|&j| j == li || raft.acked_sent_us[j] + lease_us > env.now)
                    .count();
                if self.read_mode == crate::scenario::ReadMode::Lease && raft.committed_in_term() && fresh >= majority {
                    let item = self.members[li].data.get(&key).copied();
                    return self.answer(env, l, op, gen, item);
                }
                if raft.committed_in_term() {
                    raft.round += 1;
                    let (commit, round) = (raft.commit, raft.round);
                    raft.pending_reads.push((commit, round, op, gen));
                    self.broadcast(env, l);
                } else {
                    raft.pending_reads.push((0, 0, op, gen));
                }
                self.serve_reads(env, l);
            }
        }
    }

    /// The leader's answer goes back to the operation's entry member.
    fn answer(&mut self, env: &mut Env, l: u16, op: u32, gen: u32, item: Option<Versioned>) {
        if !self.live_op(op, gen) {
            return;
        }
        let e = self.ops[op as usize].entry;
        if e == l {
            self.decide(env, op, Ok(item));
        } else {
            self.send(env, l, e, 0, StoreBody::Cp(Body::Done { op, gen, item }));
        }
    }

    /// Sends AppendEntries from leader `l` to every other member, stamped
    /// with its current heartbeat round (reads wait for acknowledgements of
    /// a round started after them).
    fn broadcast(&mut self, env: &mut Env, l: u16) {
        let li = usize::from(l);
        for j in 0..self.n() {
            if j != li {
                self.append_to(env, l, j as u16);
            }
        }
    }

    fn append_to(&mut self, env: &mut Env, l: u16, j: u16) {
        let raft = &self.members[usize::from(l)].raft;
        let next = raft.next_index[usize::from(j)].max(1);
        let prev_index = next - 1;
        let from = prev_index as usize;
        let to = (from + MAX_BATCH).min(raft.log.len());
        let body = Body::Append {
            term: raft.term,
            prev_index,
            prev_term: raft.term_at(prev_index),
            entries: raft.log[from.min(to)..to].to_vec(),
            commit: raft.commit,
            round: raft.round,
            sent_us: env.now,
        };
        self.send(env, l, j, 0, StoreBody::Cp(body));
    }

    /// The leader's heartbeat: a new round to every member.
    pub(super) fn cp_heartbeat(&mut self, env: &mut Env, l: u16) {
        let raft = &mut self.members[usize::from(l)].raft;
        if !raft.is_leader() {
            return;
        }
        raft.round += 1;
        self.broadcast(env, l);
        self.arm_timer(env, l, TimerKind::Heartbeat);
    }

    /// Member `m`'s election timeout ran out: it asks whether it could
    /// win the next term (pre-vote), and stands only if a majority says so.
    pub(super) fn cp_election(&mut self, env: &mut Env, m: u16) {
        let mi = usize::from(m);
        let raft = &mut self.members[mi].raft;
        if raft.is_leader() {
            return;
        }
        raft.leader = None;
        raft.pre_votes = 1 << mi;
        let (term, last_index, last_term) = (raft.term + 1, raft.last_index(), raft.term_at(raft.last_index()));
        self.arm_timer(env, m, TimerKind::Election);
        if self.majority() == 1 {
            return self.stand(env, m);
        }
        for j in 0..self.n() {
            if j != mi {
                self.send(env, m, j as u16, 0, StoreBody::Cp(Body::PreVote { term, last_index, last_term }));
            }
        }
    }

    /// A majority would vote for `m`: it stands for the next term.
    fn stand(&mut self, env: &mut Env, m: u16) {
        let mi = usize::from(m);
        let raft = &mut self.members[mi].raft;
        raft.term += 1;
        raft.role = Role::Candidate;
        raft.voted_for = Some(m);
        raft.votes = 1 << mi;
        raft.leader = None;
        raft.epoch += 1;
        let (term, last_index, last_term) = (raft.term, raft.last_index(), raft.term_at(raft.last_index()));
        self.books.stats.elections += 1;
        self.arm_timer(env, m, TimerKind::Election);
        if self.majority() == 1 {
            return self.become_leader(env, m);
        }
        for j in 0..self.n() {
            if j != mi {
                self.send(env, m, j as u16, 0, StoreBody::Cp(Body::Vote { term, last_index, last_term }));
            }
        }
    }

    fn become_leader(&mut self, env: &mut Env, m: u16) {
        let mi = usize::from(m);
        let n = self.n();
        let raft = &mut self.members[mi].raft;
        raft.role = Role::Leader;
        raft.leader = Some(m);
        raft.epoch += 1;
        raft.log.push(Entry { term: raft.term, cmd: None });
        let last = raft.last_index();
        raft.next_index = vec![last; n];
        raft.match_index = vec![0; n];
        raft.match_index[mi] = last;
        raft.acked_round = vec![0; n];
        raft.acked_sent_us = vec![0; n];
        raft.round += 1;
        self.broadcast(env, m);
        self.arm_timer(env, m, TimerKind::Heartbeat);
        self.advance_commit(env, m);
    }

    /// Member `m` learns of a higher term (or a leader of its own term):
    /// it follows.
    fn step_down(&mut self, env: &mut Env, m: u16, term: u64) {
        let raft = &mut self.members[usize::from(m)].raft;
        let was = raft.role;
        if term > raft.term {
            raft.term = term;
            raft.voted_for = None;
            raft.leader = None;
        }
        if was != Role::Follower {
            raft.role = Role::Follower;
            raft.epoch += 1;
            raft.pending_writes.clear();
            raft.pending_reads.clear();
            if was == Role::Leader {
                self.arm_timer(env, m, TimerKind::Election);
            }
        }
    }

    pub(super) fn cp_receive(&mut self, env: &mut Env, from: u16, to: u16, body: Body) {
        let ti = usize::from(to);
        match body {
            Body::PreVote { term, last_index, last_term } => {
                let lease_us = self.election_us.0;
                let raft = &self.members[ti].raft;
                let in_touch = raft.is_leader() || (raft.leader.is_some() && raft.heard_us + lease_us > env.now);
                let up_to_date = last_term > raft.term_at(raft.last_index())
                    || (last_term == raft.term_at(raft.last_index()) && last_index >= raft.last_index());
                let granted = term > raft.term && up_to_date && !in_touch;
                self.send(env, to, from, 0, StoreBody::Cp(Body::PreVoteReply { term, granted }));
            }
            Body::PreVoteReply { term, granted } => {
                let raft = &mut self.members[ti].raft;
                if granted && raft.role != Role::Leader && term == raft.term + 1 {
                    raft.pre_votes |= 1 << usize::from(from);
                    if raft.pre_votes.count_ones() as usize == self.majority() {
                        self.stand(env, to);
                    }
                }
            }
            Body::Vote { term, last_index, last_term } => {
                let lease_us = self.election_us.0;
                let raft = &self.members[ti].raft;
                // Leader stickiness: a member in touch with a leader ignores candidates.
                if raft.leader.is_some() && raft.heard_us + lease_us > env.now && term > raft.term {
                    return;
                }
                if term > raft.term {
                    self.step_down(env, to, term);
                }
                let raft = &mut self.members[ti].raft;
                let up_to_date = last_term > raft.term_at(raft.last_index())
                    || (last_term == raft.term_at(raft.last_index()) && last_index >= raft.last_index());
                let granted = term == raft.term && raft.voted_for.is_none_or(|v| v == from) && up_to_date;
                if granted {
                    raft.voted_for = Some(from);
                    self.arm_timer(env, to, TimerKind::Election);
                }
                let term = self.members[ti].raft.term;
                self.send(env, to, from, 0, StoreBody::Cp(Body::VoteReply { term, granted }));
            }
            Body::VoteReply { term, granted } => {
                let raft = &mut self.members[ti].raft;
                if term > raft.term {
                    return self.step_down(env, to, term);
                }
                if raft.role == Role::Candidate && term == raft.term && granted {
                    raft.votes |= 1 << usize::from(from);
                    if raft.votes.count_ones() as usize >= self.majority() {
                        self.become_leader(env, to);
                    }
                }
            }
            Body::Append { term, prev_index, prev_term, entries, commit, round, sent_us } => {
                let my_term = self.members[ti].raft.term;
                if term < my_term {
                    let reply = Body::AppendReply { term: my_term, success: false, match_index: 0, round, sent_us };
                    return self.send(env, to, from, 0, StoreBody::Cp(reply));
                }
                self.step_down(env, to, term);
                let raft = &mut self.members[ti].raft;
                raft.leader = Some(from);
                raft.heard_us = env.now;
                self.arm_timer(env, to, TimerKind::Election);
                let raft = &mut self.members[ti].raft;
                let ok = prev_index <= raft.last_index() && raft.term_at(prev_index) == prev_term;
                let match_index;
                if ok {
                    for (k, e) in entries.iter().enumerate() {
                        let index = prev_index + 1 + k as u64;
                        if index <= raft.last_index() {
                            if raft.term_at(index) == e.term {
                                continue;
                            }
                            let dropped = raft.last_index() - index + 1;
                            raft.log.truncate(index as usize - 1);
                            self.books.stats.discarded_entries += dropped;
                        }
                        raft.log.push(*e);
                    }
                    match_index = prev_index + entries.len() as u64;
                    if commit > raft.commit {
                        raft.commit = commit.min(match_index).max(raft.commit);
                    }
                    self.apply_committed(to);
                } else {
                    // A hint: where the logs may agree.
                    match_index = raft.last_index().min(prev_index.saturating_sub(1));
                }
                let term = self.members[ti].raft.term;
                let reply = Body::AppendReply { term, success: ok, match_index, round, sent_us };
                self.send(env, to, from, 0, StoreBody::Cp(reply));
            }
            Body::AppendReply { term, success, match_index, round, sent_us } => {
                let raft = &mut self.members[ti].raft;
                if term > raft.term {
                    return self.step_down(env, to, term);
                }
                if !raft.is_leader() || term != raft.term {
                    return;
                }
                let fi = usize::from(from);
                raft.acked_round[fi] = raft.acked_round[fi].max(round);
                raft.acked_sent_us[fi] = raft.acked_sent_us[fi].max(sent_us);
                if success {
                    raft.match_index[fi] = raft.match_index[fi].max(match_index);
                    raft.next_index[fi] = raft.match_index[fi] + 1;
                    self.advance_commit(env, to);
                    if self.members[ti].raft.next_index[fi] <= self.members[ti].raft.last_index() {
                        self.append_to(env, to, from);
                    }
                } else {
                    raft.next_index[fi] = (match_index + 1).min(raft.next_index[fi].saturating_sub(1)).max(1);
                    self.append_to(env, to, from);
                }
                self.serve_reads(env, to);
            }
            Body::Forward { op, gen } => {
                if !self.live_op(op, gen) {
                    return;
                }
                let raft = &self.members[ti].raft;
                if raft.is_leader() {
                    self.lead(env, to, op, gen);
                } else if let (Some(l), true) = (raft.leader, self.ops[op as usize].hops < MAX_HOPS) {
                    self.ops[op as usize].hops += 1;
                    self.send(env, to, l, 0, StoreBody::Cp(Body::Forward { op, gen }));
                }
                // Otherwise it is lost here: the client times out.
            }
            Body::Done { op, gen, item } => {
                if self.live_op(op, gen) {
                    self.decide(env, op, Ok(item));
                }
            }
        }
    }

    /// The leader `l` commits what a majority stores (entries of its term
    /// only, and everything before them), applies it and answers writes.
    fn advance_commit(&mut self, env: &mut Env, l: u16) {
        let li = usize::from(l);
        let majority = self.majority();
        let raft = &mut self.members[li].raft;
        let mut commit = raft.commit;
        for index in (raft.commit + 1..=raft.last_index()).rev() {
            if raft.term_at(index) != raft.term {
                break;
            }
            if raft.match_index.iter().filter(|&&m| m >= index).count() >= majority {
                commit = index;
                break;
            }
        }
        if commit == raft.commit {
            return;
        }
        raft.commit = commit;
        self.apply_committed(l);
        let raft = &mut self.members[li].raft;
        let done: Vec<(u64, u32, u32)> = raft.pending_writes.iter().copied().filter(|w| w.0 <= commit).collect();
        raft.pending_writes.retain(|w| w.0 > commit);
        for (_, op, gen) in done {
            self.answer(env, l, op, gen, None);
        }
        self.serve_reads(env, l);
    }

    /// Applies member `m`'s committed entries to its data.
    fn apply_committed(&mut self, m: u16) {
        let member = &mut self.members[usize::from(m)];
        let commit = member.raft.commit.min(member.raft.last_index());
        for index in member.raft.applied + 1..=commit {
            if let Some(Some((key, value))) = member.raft.log.get(index as usize - 1).map(|e| e.cmd) {
                member.data.insert(key, Versioned { v: Version { a: index, b: 0 }, value });
            }
        }
        member.raft.applied = member.raft.applied.max(commit);
    }

    /// The leader `l` answers the reads whose round a majority acknowledged
    /// and whose read index it has applied.
    fn serve_reads(&mut self, env: &mut Env, l: u16) {
        let li = usize::from(l);
        let majority = self.majority();
        let raft = &mut self.members[li].raft;
        if !raft.is_leader() || raft.pending_reads.is_empty() {
            return;
        }
        // Reads that came before the leader committed in its term get their
        // read index and round now.
        if raft.committed_in_term() && raft.pending_reads.iter().any(|r| r.1 == 0) {
            raft.round += 1;
            let (commit, round) = (raft.commit, raft.round);
            for r in raft.pending_reads.iter_mut().filter(|r| r.1 == 0) {
                r.0 = commit;
                r.1 = round;
            }
            self.broadcast(env, l);
        }
        let raft = &mut self.members[li].raft;
        let confirmed = |raft: &Raft, round: u64| {
            (0..raft.acked_round.len()).filter(|&j| j == li || raft.acked_round[j] >= round).count() >= majority
        };
        let is_ready: Vec<bool> =
            raft.pending_reads.iter().map(|r| r.1 > 0 && confirmed(raft, r.1) && r.0 <= raft.applied).collect();
        let mut ready = Vec::new();
        let mut k = 0;
        raft.pending_reads.retain(|r| {
            k += 1;
            if is_ready[k - 1] {
                ready.push(*r);
            }
            !is_ready[k - 1]
        });
        for (_, _, op, gen) in ready {
            let key = self.ops[op as usize].key;
            let item = self.members[li].data.get(&key).copied();
            self.answer(env, l, op, gen, item);
        }
    }
}
