//! Load balancers' health checks, as probes over the network.
//!
//! A check used to read each backend's up/down flag, so a backend behind a
//! 99%-lossy link, a slowed one or one answering errors always passed. Now
//! every `health_check_interval_ms` the balancer sends each backend a probe
//! over their edge, and the probe passes only if its answer comes back, with
//! a success, within the check's timeout (`health_check_timeout_ms`, by
//! default the interval). Thresholds are counted as before
//! (`BalancerRt::observe`).
//!
//! The model of a probe, a lightweight request (a `/health` endpoint):
//! - both legs cross the edge like any message: its latency (and any added
//!   by a fault), its loss and partitions apply each way;
//! - a crashed backend refuses it (the refusal travels back: a failure known
//!   one round trip later); a paused one holds it until it resumes, too late;
//! - a backend answers after one draw of its own work time (a service's
//!   service time, a database's query time at its current contention) scaled
//!   by a slow-node fault; balancers and queues answer at once;
//! - it fails with the backend's 5xx rate (its configured rate combined with
//!   an error fault's, as for requests);
//! - it takes no worker and waits in no queue, like a health endpoint served
//!   beside the request pool: an overloaded but working backend still passes
//!   (the shallow health check most balancers do);
//! - it is not user traffic: no node, edge or run metrics count it.
//!
//! Every random draw a probe makes goes through `probe_rng`, one place to
//! point at a stream of its own.

use super::{EdgeRt, Sim};
use crate::event::Event;
use crate::nodes::{BalancerRt, Behaviour};
use crate::rng::{unit_open, SimRng};

/// The random stream for a probe's draws over `edge` (its network legs, the
/// backend's work time and error): the edge's probe stream, so health checks
/// leave the latencies, losses and work times of user traffic as they were.
fn probe_rng(e: &mut EdgeRt) -> &mut SimRng {
    &mut e.probe_rng
}

/// One leg of a probe over an edge: its latency, or `None` when it is lost
/// or the edge is cut by a partition.
fn leg(e: &mut EdgeRt) -> Option<u64> {
    if e.blocked > 0 {
        return None;
    }
    let (loss, extra) = (e.loss, e.extra_latency_us);
    let latency = e.latency.clone(); // a few numbers: cheap, and it frees `e` for the stream
    let rng = probe_rng(e);
    if loss > 0.0 && unit_open(rng) < loss {
        return None;
    }
    Some(latency.sample(rng) + extra)
}

impl Sim {
    fn balancer_mut(&mut self, node: usize) -> Option<&mut BalancerRt> {
        match &mut self.nodes[node].behaviour {
            Behaviour::Balancer(lb) => Some(lb),
            _ => None,
        }
    }

    /// A load balancer's check is due: it probes every backend (unless it is
    /// down itself) and schedules the next check.
    pub(super) fn on_health_check(&mut self, node: u32) {
        let lb_node = node as usize;
        let down = self.nodes[lb_node].down;
        let Some(lb) = self.balancer_mut(lb_node) else { return };
        let (interval, timeout) = (lb.check_interval_us, lb.probe_timeout_us);
        if !down {
            for b in 0..lb.backends.len() {
                let lb = self.balancer_mut(lb_node).expect("a balancer");
                // A probe still unanswered when the next is due has failed
                // (rare: the timeout is at most the interval and fires first).
                if lb.health[b].probing {
                    lb.observe(b, false);
                }
                let h = &mut lb.health[b];
                h.probe_seq = h.probe_seq.wrapping_add(1);
                h.probing = true;
                let (edge, seq) = (lb.backends[b], h.probe_seq);
                self.queue.schedule(self.now.plus(timeout), Event::ProbeTimeout { edge, seq });
                if let Some(lat) = leg(&mut self.edges[edge as usize]) {
                    self.queue.schedule(self.now.plus(lat), Event::ProbeDeliver { edge, seq });
                }
            }
        }
        self.queue.schedule(self.now.plus(interval), Event::HealthCheck { node });
    }

    /// A probe reaches its backend: refused if it is down, otherwise
    /// answered after one draw of its work time.
    pub(super) fn on_probe_deliver(&mut self, edge: u32, seq: u32) {
        let target = self.edges[edge as usize].to as usize;
        let n = &self.nodes[target];
        if n.down {
            return self.probe_reply(edge, seq, false);
        }
        let rng = probe_rng(&mut self.edges[edge as usize]);
        let work = n.behaviour.work_time(rng, n.slow, 0, false);
        self.queue.schedule(self.now.plus(work), Event::ProbeAnswer { edge, seq });
    }

    /// The backend answers a probe: a failure if it crashed meanwhile (the
    /// connection is reset) or draws a 5xx.
    pub(super) fn on_probe_answer(&mut self, edge: u32, seq: u32) {
        let target = self.edges[edge as usize].to as usize;
        let n = &self.nodes[target];
        let (own_5xx, _) = n.behaviour.error_rates();
        let p_5xx = 1.0 - (1.0 - own_5xx) * (1.0 - n.error_rate);
        let down = n.down;
        let rng = probe_rng(&mut self.edges[edge as usize]);
        let failed_5xx = p_5xx > 0.0 && unit_open(rng) < p_5xx;
        let passed = !down && !failed_5xx;
        self.probe_reply(edge, seq, passed);
    }

    /// The answer to a probe travels back over the edge.
    fn probe_reply(&mut self, edge: u32, seq: u32, passed: bool) {
        if let Some(lat) = leg(&mut self.edges[edge as usize]) {
            self.queue.schedule(self.now.plus(lat), Event::ProbeReply { edge, seq, passed });
        }
    }

    /// A probe's answer came back, or its timeout fired (`passed` false):
    /// if it is the backend's latest probe and still open, the check is
    /// decided. A balancer that is down records nothing.
    pub(super) fn on_probe_result(&mut self, edge: u32, seq: u32, passed: bool) {
        let lb_node = self.edges[edge as usize].from as usize;
        let down = self.nodes[lb_node].down;
        let Some(lb) = self.balancer_mut(lb_node) else { return };
        // Backends are the balancer's outgoing edges in scenario order: sorted.
        let Ok(b) = lb.backends.binary_search(&edge) else { return };
        let h = &mut lb.health[b];
        if !h.probing || h.probe_seq != seq {
            return; // answered already, or timed out: this one is stale
        }
        h.probing = false;
        if !down {
            lb.observe(b, passed);
        }
    }
}
