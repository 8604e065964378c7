//! The search: Wing & Gong's backtracking over a list of call and return
//! entries, with Lowe's memoization.
//!
//! Wing and Gong ("Testing and verifying concurrent objects", JPDC 1993) walk
//! the history's entries in order. At a call they try to linearize that
//! operation now: if the model allows it, they lift its call and return out of
//! the list and start again from the front; at a return they have met an
//! operation that had to be linearized already and was not, so they undo the
//! last choice and try the next call after it. Lowe ("Testing for
//! linearizability", CCPE 2017) added a cache of the configurations already
//! explored, (set of linearized operations, model state): reaching one again
//! cannot succeed where it failed before, so the search prunes it. Porcupine
//! and Knossos's linear checker are built the same way.
//!
//! Indeterminate operations return "never": their return entries sit after
//! every other entry, so the search succeeds as soon as every completed
//! operation is linearized, whichever indeterminate ones were.
//!
//! One pruning of our own: indeterminate operations with the same function
//! and value (Jepsen's etcd test times out many a `write 0`) are
//! interchangeable, since neither ever returns: a linearization using the
//! later-invoked one can use the earlier instead. So they are taken in invoke
//! order only, which turns 2^k subsets of k twins into k + 1.
//!
//! The list is doubly linked through index arrays (lifting and unlifting are
//! the dancing-links moves), the linearized set is a bitset whose full
//! leading words the memo counts rather than stores, and the cache is an
//! open-addressing table over one arena of words: no allocation per step
//! beyond the arena's growth.

use super::model::{step, RegisterState};
use super::ops::{Operation, Status};
use super::Limits;
use crate::history::Function;

const NONE: u32 = u32::MAX;
const HEAD: u32 = 0;

/// What one key's search found.
pub(crate) enum Found {
    Linearizable,
    /// Indices (into the key's operations) of the longest linearized prefix
    /// seen, the operation that then could not be placed, and the state the
    /// prefix left.
    Not {
        prefix: Vec<u32>,
        unplaced: u32,
        state: RegisterState,
    },
    Unknown(String),
}

pub(crate) struct Outcome {
    pub found: Found,
    pub steps: u64,
}

/// The entry list: node 0 is the head; call and return nodes follow in
/// history order.
struct Entries {
    next: Vec<u32>,
    prev: Vec<u32>,
    /// Node -> operation; the top bit marks a call.
    op_of: Vec<u32>,
    call: Vec<u32>,
    ret: Vec<u32>,
}

const CALL_BIT: u32 = 1 << 31;

impl Entries {
    fn new(ops: &[Operation]) -> Entries {
        let n = ops.len() as u32;
        // (position, is return, op): calls and returns in history order;
        // indeterminate returns after everything.
        let mut order: Vec<(u64, bool, u32)> = Vec::with_capacity(2 * ops.len());
        for (i, o) in ops.iter().enumerate() {
            order.push((o.invoke_index, false, i as u32));
            order.push((o.return_index.unwrap_or(u64::MAX), true, i as u32));
        }
        order.sort_unstable();
        let len = order.len() as u32 + 1;
        let mut e = Entries {
            next: (1..=len).map(|i| if i == len { NONE } else { i }).collect(),
            prev: (0..len).map(|i| if i == 0 { NONE } else { i - 1 }).collect(),
            op_of: vec![0; len as usize],
            call: vec![0; n as usize],
            ret: vec![0; n as usize],
        };
        for (k, &(_, is_return, op)) in order.iter().enumerate() {
            let node = k as u32 + 1;
            if is_return {
                e.op_of[node as usize] = op;
                e.ret[op as usize] = node;
            } else {
                e.op_of[node as usize] = op | CALL_BIT;
                e.call[op as usize] = node;
            }
        }
        e
    }

    fn unlink(&mut self, node: u32) {
        let (p, n) = (self.prev[node as usize], self.next[node as usize]);
        self.next[p as usize] = n;
        if n != NONE {
            self.prev[n as usize] = p;
        }
    }

    fn relink(&mut self, node: u32) {
        let (p, n) = (self.prev[node as usize], self.next[node as usize]);
        self.next[p as usize] = node;
        if n != NONE {
            self.prev[n as usize] = node;
        }
    }

    fn lift(&mut self, op: u32) {
        self.unlink(self.call[op as usize]);
        self.unlink(self.ret[op as usize]);
    }

    fn unlift(&mut self, op: u32) {
        self.relink(self.ret[op as usize]);
        self.relink(self.call[op as usize]);
    }
}

/// The set of linearized operations: a bitset that knows how many of its
/// first words are full, so the memo stores only what follows them. In a long
/// history nearly everything before the current point is linearized, and a
/// whole bitset per configuration (as Lowe's and Porcupine's memo keep) would
/// cost n / 8 bytes per step.
struct Linearized {
    words: Vec<u64>,
    /// `words[..full]` are all ones.
    full: usize,
    /// `words[top..]` are all zero.
    top: usize,
}

impl Linearized {
    fn new(n: usize) -> Linearized {
        Linearized { words: vec![0; n.div_ceil(64).max(1)], full: 0, top: 0 }
    }

    fn has(&self, i: u32) -> bool {
        self.words[i as usize / 64] & (1 << (i % 64)) != 0
    }

    fn set(&mut self, i: u32) {
        let w = i as usize / 64;
        self.words[w] |= 1 << (i % 64);
        self.top = self.top.max(w + 1);
        while self.full < self.words.len() && self.words[self.full] == u64::MAX {
            self.full += 1;
        }
    }

    fn clear(&mut self, i: u32) {
        let w = i as usize / 64;
        self.words[w] &= !(1 << (i % 64));
        self.full = self.full.min(w);
    }

    /// (number of full leading words, the words after them up to the last
    /// non-zero one): equal sets give equal keys.
    fn key(&mut self) -> (u64, &[u64]) {
        while self.top > self.full && self.words[self.top - 1] == 0 {
            self.top -= 1;
        }
        let top = self.top.max(self.full);
        (self.full as u64, &self.words[self.full..top])
    }
}

/// The configurations already explored: (linearized set, state), stored one
/// after another in an arena as [full words, state, state, tail length,
/// tail...], found through an open-addressing table of entry numbers.
struct Memo {
    arena: Vec<u64>,
    starts: Vec<usize>,
    slots: Vec<u32>,
}

impl Memo {
    fn new() -> Memo {
        Memo { arena: Vec::new(), starts: Vec::new(), slots: vec![NONE; 1024] }
    }

    fn bytes(&self) -> u64 {
        (self.arena.capacity() * 8 + self.starts.capacity() * 8 + self.slots.capacity() * 4) as u64
    }

    fn hash(header: &[u64], tail: &[u64]) -> u64 {
        let mut h = 0xcbf2_9ce4_8422_2325u64;
        for &w in header.iter().chain(tail) {
            h = (h ^ w).wrapping_mul(0x0000_0100_0000_01b3).rotate_left(29);
        }
        h ^ (h >> 31)
    }

    /// Adds the configuration; false if it was there already.
    fn insert(&mut self, set: &mut Linearized, state: RegisterState) -> bool {
        let (full, tail) = set.key();
        let [s0, s1] = state.words();
        let header = [full, s0, s1, tail.len() as u64];
        let mask = self.slots.len() - 1;
        let mut i = Memo::hash(&header, tail) as usize & mask;
        loop {
            let slot = self.slots[i];
            if slot == NONE {
                break;
            }
            let at = self.starts[slot as usize];
            if self.arena[at..at + 4] == header && self.arena[at + 4..at + 4 + tail.len()] == *tail {
                return false;
            }
            i = (i + 1) & mask;
        }
        self.slots[i] = self.starts.len() as u32;
        self.starts.push(self.arena.len());
        self.arena.extend_from_slice(&header);
        self.arena.extend_from_slice(tail);
        if self.starts.len() * 2 > self.slots.len() {
            self.grow();
        }
        true
    }

    fn grow(&mut self) {
        let size = self.slots.len() * 2;
        self.slots = vec![NONE; size];
        for (k, &at) in self.starts.iter().enumerate() {
            let len = self.arena[at + 3] as usize;
            let h = Memo::hash(&self.arena[at..at + 4], &self.arena[at + 4..at + 4 + len]);
            let mut i = h as usize & (size - 1);
            while self.slots[i] != NONE {
                i = (i + 1) & (size - 1);
            }
            self.slots[i] = k as u32;
        }
    }
}

/// Searches for a linearization of one key's operations from `start`.
pub(crate) fn search(ops: &[Operation], start: RegisterState, ghosts: &[i64], limits: &Limits) -> Outcome {
    let mut list = Entries::new(ops);
    let twin = earlier_twins(ops);
    let mut bits = Linearized::new(ops.len());
    let mut memo = Memo::new();
    // (operation, state before it, forced): a forced step had no
    // alternative worth trying (see `takes_no_choice`).
    let mut stack: Vec<(u32, RegisterState, bool)> = Vec::new();
    let mut remaining_ok = ops.iter().filter(|o| o.status == Status::Ok).count();
    let mut state = start;
    let mut entry = list.next[HEAD as usize];
    let mut steps = 0u64;
    let mut best: Option<(Vec<u32>, u32, RegisterState)> = None;
    loop {
        if remaining_ok == 0 {
            return Outcome { found: Found::Linearizable, steps };
        }
        if steps >= limits.max_steps_per_key {
            let reason = format!("gave up after {steps} steps (the limit per key)");
            return Outcome { found: Found::Unknown(reason), steps };
        }
        if memo.bytes() > limits.max_memo_bytes {
            let reason = format!("gave up after {steps} steps: the memo table passed {} bytes", limits.max_memo_bytes);
            return Outcome { found: Found::Unknown(reason), steps };
        }
        steps += 1;
        // While a completed operation remains, its return is still in the
        // list, so the walk meets it before running off the end.
        let tagged = list.op_of[entry as usize];
        let op = tagged & !CALL_BIT;
        let is_call = tagged & CALL_BIT != 0;
        let t = twin[op as usize];
        if is_call && t != NONE && !bits.has(t) {
            // Its earlier twin goes first.
            entry = list.next[entry as usize];
            continue;
        }
        if is_call {
            let mut dead_end = false;
            if let Some(after) = step(state, &ops[op as usize], ghosts) {
                let forced = takes_no_choice(&ops[op as usize], state, after);
                bits.set(op);
                if memo.insert(&mut bits, after) {
                    stack.push((op, state, forced));
                    state = after;
                    list.lift(op);
                    if ops[op as usize].status == Status::Ok {
                        remaining_ok -= 1;
                    }
                    entry = list.next[HEAD as usize];
                    continue;
                }
                bits.clear(op);
                // Explored before and failed: so does this configuration,
                // which is no better off than that one.
                dead_end = forced;
            }
            if !dead_end {
                entry = list.next[entry as usize];
                continue;
            }
        } else if best.as_ref().is_none_or(|b| stack.len() > b.0.len()) {
            best = Some((stack.iter().map(|&(o, _, _)| o).collect(), op, state));
        }
        // Backtrack: undo the latest choice and try the next call after it;
        // forced steps are undone on the way, having had no alternative.
        loop {
            let Some((undo, before, forced)) = stack.pop() else {
                let (prefix, unplaced, state) = best.unwrap_or((Vec::new(), op, state));
                return Outcome { found: Found::Not { prefix, unplaced, state }, steps };
            };
            state = before;
            bits.clear(undo);
            list.unlift(undo);
            if ops[undo as usize].status == Status::Ok {
                remaining_ok += 1;
            }
            if !forced {
                entry = list.next[list.call[undo as usize] as usize];
                break;
            }
        }
    }
}

/// Whether linearizing `op` now, in `state`, leaves nothing to try instead:
/// true of a read that sees the register's value (it changes nothing). Any
/// linearization of the rest could move such a read to the front (the walk
/// reached its call, so nothing still open returned before it was invoked,
/// and it leaves the state as it found it), so if taking it now fails, not
/// taking it fails too. Without this, k concurrent reads of one value were
/// explored in 2^k subsets: the blowup a partition's heal caused, where
/// hundreds of reads overlap one write.
fn takes_no_choice(op: &Operation, state: RegisterState, after: RegisterState) -> bool {
    op.f == Function::Read && after == state
}

/// For each indeterminate operation, the latest one invoked before it with
/// the same function and value (`NONE` if none, or if it completed).
fn earlier_twins(ops: &[Operation]) -> Vec<u32> {
    let mut order: Vec<u32> = (0..ops.len() as u32).filter(|&i| ops[i as usize].status == Status::Info).collect();
    // The key ends in the (unique) invoke index: unstable orders as stable.
    order.sort_unstable_by_key(|&i| {
        let o = &ops[i as usize];
        (o.f as u8, o.value_key(), o.invoke_index)
    });
    let mut twin = vec![NONE; ops.len()];
    for pair in order.windows(2) {
        let (a, b) = (&ops[pair[0] as usize], &ops[pair[1] as usize]);
        if a.f == b.f && a.value == b.value {
            twin[pair[1] as usize] = pair[0];
        }
    }
    twin
}
