//! Recording a check's run on a 100 ms grid, for criteria over windows.
//!
//! The engine's own series are per second and per node, with a p50 and a
//! p99 only; a criterion needs any quantile over any window, failures by
//! cause, and queue depths. So the run is stepped to every grid point and
//! the cumulative counters of the scopes the criteria measure are copied
//! (a few words each); a window's count is the difference of its ends. The
//! latency histograms (kilobytes each) are copied only where a latency
//! criterion needs them: at its window's ends and at every whole second in
//! it (for the first second that breached), and a window's quantile is read
//! off the difference of two, exactly what a histogram of that window's
//! calls would give.

use super::format::GRID_MS;
use crate::calls::FailReason;
use crate::metrics::Metrics;
use crate::nodes::Behaviour;
use crate::sim::Sim;
use crate::time::SimTime;
use crate::view::NodeView;
use hdrhistogram::Histogram;
use std::collections::BTreeMap;

/// Where a scope's numbers come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    /// Every user request.
    Overall,
    Node(usize),
    Edge(usize),
    /// One operation's requests (by the engine's operation index).
    Op(usize),
}

/// Cumulative counters of one source at one grid point.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub arrivals: u64,
    pub ok: u64,
    pub degraded: u64,
    pub failed: [u64; FailReason::COUNT],
    /// A queue's dropped and dead-lettered messages (an event log's lost
    /// and dead-lettered events).
    pub lost: u64,
    /// A service's instances that failed to start (their minimum pool could
    /// not be opened, or the version crashed at start).
    pub failed_starts: u64,
    /// A store's reads that returned a version older than the newest write
    /// acknowledged before they began.
    pub stale_reads: u64,
    /// A database's reads that missed their client's own earlier write
    /// (read from a replica that had not received it).
    pub ryw_violations: u64,
    /// An event log's side effects applied before the event they require
    /// (inventory taken for an unpaid order), and applied twice.
    pub phantom_deductions: u64,
    pub duplicates_processed: u64,
    /// A service's POSTs applied again for the same request without an
    /// idempotency key (`ServiceRt::duplicates`).
    pub duplicate_side_effects: u64,
}

impl Counts {
    pub fn failed_total(&self) -> u64 {
        self.failed.iter().sum()
    }

    /// `self - earlier`, counter by counter.
    pub fn since(&self, earlier: &Counts) -> Counts {
        let mut failed = [0; FailReason::COUNT];
        for (i, f) in failed.iter_mut().enumerate() {
            *f = self.failed[i].saturating_sub(earlier.failed[i]);
        }
        Counts {
            arrivals: self.arrivals.saturating_sub(earlier.arrivals),
            ok: self.ok.saturating_sub(earlier.ok),
            degraded: self.degraded.saturating_sub(earlier.degraded),
            failed,
            lost: self.lost.saturating_sub(earlier.lost),
            failed_starts: self.failed_starts.saturating_sub(earlier.failed_starts),
            stale_reads: self.stale_reads.saturating_sub(earlier.stale_reads),
            ryw_violations: self.ryw_violations.saturating_sub(earlier.ryw_violations),
            phantom_deductions: self.phantom_deductions.saturating_sub(earlier.phantom_deductions),
            duplicates_processed: self.duplicates_processed.saturating_sub(earlier.duplicates_processed),
            duplicate_side_effects: self.duplicate_side_effects.saturating_sub(earlier.duplicate_side_effects),
        }
    }

    pub fn add(&mut self, o: &Counts) {
        self.arrivals += o.arrivals;
        self.ok += o.ok;
        self.degraded += o.degraded;
        for (a, b) in self.failed.iter_mut().zip(o.failed) {
            *a += b;
        }
        self.lost += o.lost;
        self.failed_starts += o.failed_starts;
        self.stale_reads += o.stale_reads;
        self.ryw_violations += o.ryw_violations;
        self.phantom_deductions += o.phantom_deductions;
        self.duplicates_processed += o.duplicates_processed;
        self.duplicate_side_effects += o.duplicate_side_effects;
    }
}

/// What to record: the sources, and where each needs its histogram.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    pub sources: Vec<Source>,
    /// (grid time, source) pairs whose latency histogram is kept.
    pub histograms: std::collections::BTreeSet<(u64, Source)>,
}

impl Plan {
    pub fn source(&mut self, s: Source) {
        if !self.sources.contains(&s) {
            self.sources.push(s);
        }
    }
}

/// The recorded run.
#[derive(Clone, Debug)]
pub struct Recording {
    pub duration_ms: u64,
    /// The run's trace hash at its end (`Sim::trace_hash`).
    pub trace_hash: u64,
    pub sources: Vec<Source>,
    /// `counts[k][j]`: source `j` at `k * GRID_MS`.
    counts: Vec<Vec<Counts>>,
    /// `queues[k][j]`: calls waiting at node source `j` at `k * GRID_MS`.
    queues: Vec<Vec<u32>>,
    histograms: BTreeMap<(u64, Source), Histogram<u64>>,
}

fn metrics_of(sim: &Sim, s: Source) -> &Metrics {
    match s {
        Source::Overall => sim.overall_metrics(),
        Source::Node(i) => sim.node_metrics(i),
        Source::Edge(i) => sim.edge_metrics(i),
        Source::Op(i) => sim.op_latency.get(i).unwrap_or(sim.overall_metrics()),
    }
}

fn counts_of(sim: &Sim, s: Source) -> Counts {
    let m = metrics_of(sim, s);
    let lost = match s {
        Source::Node(i) => match &sim.node(i).behaviour {
            Behaviour::Queue(q) => q.dropped + q.dead_lettered,
            Behaviour::Log(l) => l.books.lost + l.books.dead_lettered,
            _ => 0,
        },
        _ => 0,
    };
    let mut k = Counts::default();
    if let Source::Node(i) = s {
        match &sim.node(i).behaviour {
            Behaviour::Service(svc) => {
                k.failed_starts = svc.fleet.as_ref().map_or(0, |f| f.report().failed_starts);
                k.duplicate_side_effects = svc.duplicates;
            }
            Behaviour::Store(st) => k.stale_reads = st.books.stats.stale_reads,
            Behaviour::Database(d) => {
                if let Some(r) = d.replication.as_deref() {
                    (k.stale_reads, k.ryw_violations) = (r.stale_reads, r.ryw_violations);
                }
            }
            Behaviour::Log(l) => {
                k.phantom_deductions = l.books.phantom_deductions;
                k.duplicates_processed = l.books.duplicates_processed;
            }
            _ => {}
        }
    }
    // An operation's metrics see completions only: its arrivals are those.
    let arrivals = match s {
        Source::Op(_) => m.ok + m.failed_total(),
        _ => m.arrivals,
    };
    Counts { arrivals, ok: m.ok, degraded: m.degraded, failed: m.failed, lost, ..k }
}

fn queue_of(sim: &Sim, s: Source) -> u32 {
    match s {
        Source::Node(i) => {
            let mut v = NodeView::default();
            sim.node(i).behaviour.fill_view(&mut v);
            v.queue_depth
        }
        _ => 0,
    }
}

impl Recording {
    /// Runs `sim` to its end, recording what `plan` asks for at every grid point.
    pub fn run(mut sim: Sim, plan: &Plan) -> Recording {
        let duration_ms = sim.end().0 / 1_000;
        let points = duration_ms / GRID_MS + 1;
        let mut r = Recording {
            duration_ms,
            trace_hash: 0,
            sources: plan.sources.clone(),
            counts: Vec::with_capacity(points as usize),
            queues: Vec::with_capacity(points as usize),
            histograms: BTreeMap::new(),
        };
        for k in 0..points {
            let t = k * GRID_MS;
            sim.step_until(SimTime::from_millis(t));
            r.counts.push(plan.sources.iter().map(|&s| counts_of(&sim, s)).collect());
            r.queues.push(plan.sources.iter().map(|&s| queue_of(&sim, s)).collect());
            for &(_, s) in plan.histograms.range((t, Source::Overall)..=(t, Source::Op(usize::MAX))) {
                r.histograms.insert((t, s), metrics_of(&sim, s).success_histogram());
            }
        }
        r.trace_hash = sim.trace_hash();
        r
    }

    fn index(&self, s: Source) -> Option<usize> {
        self.sources.iter().position(|&x| x == s)
    }

    fn point(t_ms: u64) -> usize {
        (t_ms / GRID_MS) as usize
    }

    /// The counters of `sources` summed, between two grid times.
    pub fn counts(&self, sources: &[Source], from_ms: u64, to_ms: u64) -> Counts {
        let (a, b) = (Self::point(from_ms), Self::point(to_ms));
        let mut total = Counts::default();
        for &s in sources {
            if let (Some(j), Some(ca), Some(cb)) = (self.index(s), self.counts.get(a), self.counts.get(b)) {
                total.add(&cb[j].since(&ca[j]));
            }
        }
        total
    }

    /// The latency histogram of `sources`' successes between two grid times
    /// (both recorded by the plan); `None` if one was not recorded.
    pub fn latency(&self, sources: &[Source], from_ms: u64, to_ms: u64) -> Option<Histogram<u64>> {
        let mut total: Option<Histogram<u64>> = None;
        for &s in sources {
            let end = self.histograms.get(&(to_ms, s))?;
            let start = self.histograms.get(&(from_ms, s))?;
            let mut h = end.clone();
            h.subtract(start).ok()?;
            match &mut total {
                None => total = Some(h),
                Some(t) => t.add(&h).ok()?,
            }
        }
        total
    }

    /// Each grid time in `(from, to]` with the deepest queue of `sources` then.
    pub fn queue_samples(&self, sources: &[Source], from_ms: u64, to_ms: u64) -> Vec<(u64, u32)> {
        let js: Vec<usize> = sources.iter().filter_map(|&s| self.index(s)).collect();
        if js.is_empty() {
            return Vec::new(); // a role with no node: nothing to sample
        }
        (Self::point(from_ms) + 1..=Self::point(to_ms))
            .filter_map(|k| {
                self.queues.get(k).map(|q| (k as u64 * GRID_MS, js.iter().map(|&j| q[j]).max().unwrap_or(0)))
            })
            .collect()
    }
}
