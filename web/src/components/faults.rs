//! Fault injection for the selected node or edge. Each button asks the app
//! to add a fault to the run's timeline at the current simulated time, so a
//! reset (or a shared scenario) replays it exactly.

use crate::same::Same;
use crate::state::Selection;
use faultline_sim::scenario::{FaultAction, NodeKind, StoreMode};
use faultline_sim::Scenario;
use yew::prelude::*;

/// Faults to inject together (now, or at the time picked on the timeline),
/// each for `duration_ms` (or until undone).
#[derive(Clone, Debug, PartialEq)]
pub struct Injection {
    pub actions: Vec<FaultAction>,
    pub duration_ms: Option<u64>,
}

#[derive(Properties, PartialEq)]
pub struct FaultBarProps {
    /// By address: compared field by field, a thousand-node document cost
    /// more on every readout than the bar's render.
    pub scenario: Same<Scenario>,
    pub selected: Option<Selection>,
    /// Whether the selected node is down / the selected edge is cut.
    pub down: bool,
    /// When the faults will start: `None` is now.
    pub at_ms: Option<u64>,
    pub on_inject: Callback<Injection>,
}

fn button(testid: &str, label: &str, help: &str, on_inject: &Callback<Injection>, inj: Injection) -> Html {
    let cb = on_inject.reform(move |_: MouseEvent| inj.clone());
    html! {
        // The visible label is the accessible name (voice control says what it
        // sees); the help is the description.
        <button class="btn fault" data-testid={testid.to_string()} title={help.to_string()} onclick={cb}>{ label }</button>
    }
}

/// Parses a positive number the user typed; `None` when empty or not one.
fn positive(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|v| v.is_finite() && *v > 0.0)
}

#[component]
pub fn FaultBar(props: &FaultBarProps) -> Html {
    // How strong (×N) and how long (s) the next fault is; empty means the
    // fault's own default (and "until undone" for the duration).
    let factor = use_state(String::new);
    let duration = use_state(String::new);
    let sc = &props.scenario;
    let strength = |default: f64| positive(&factor).unwrap_or(default);
    let lasting = |default: Option<f64>| positive(&duration).or(default).map(|s| (s * 1_000.0).round() as u64);
    let now = |action| Injection { actions: vec![action], duration_ms: lasting(None) };
    let on = &props.on_inject;
    let (title, buttons) = match props.selected {
        Some(Selection::Node(i)) if i < sc.nodes.len() => {
            let n = &sc.nodes[i];
            let id = n.id.clone();
            let buttons = match &n.kind {
                NodeKind::Client(_) => sc
                    .workloads
                    .iter()
                    .filter(|w| w.client == n.id)
                    .map(|w| {
                        let (f, d) = (strength(3.0), lasting(Some(10.0)));
                        let action = FaultAction::Spike { workload: w.id.clone(), factor: f };
                        let secs = d.map_or("until undone".to_string(), |d| format!("for {} s", d as f64 / 1e3));
                        button(
                            "fault-spike",
                            &format!("Load ×{f} {secs}"),
                            "Multiply this client's load (×N) for a while (for T s)",
                            on,
                            Injection { actions: vec![action], duration_ms: d },
                        )
                    })
                    .collect::<Html>(),
                _ if props.down => button(
                    "fault-restart",
                    "Restart",
                    "Bring the node back up",
                    on,
                    now(FaultAction::Restart { node: id }),
                ),
                _ => html! {
                    <>
                        { button("fault-crash", "Crash", "Kill the node: in-flight work fails, connections are refused", on,
                            now(FaultAction::Crash { node: id.clone() })) }
                        { button("fault-pause", &format!("Pause {} s", lasting(Some(5.0)).unwrap_or(5_000) as f64 / 1e3),
                            "Freeze the node (a long GC pause): work waits, nothing is lost", on,
                            Injection { actions: vec![FaultAction::Pause { node: id.clone() }], duration_ms: lasting(Some(5.0)) }) }
                        { button("fault-slow", &format!("Slow ×{}", strength(10.0)), "Make the node's work take N times as long", on,
                            now(FaultAction::SlowNode { node: id.clone(), factor: strength(10.0) })) }
                        { button("fault-errors", "Errors 50%", "Answer half of the calls with a 5xx", on,
                            now(FaultAction::NodeErrors { node: id, rate: 0.5 })) }
                    </>
                },
            };
            let region = n.region.as_ref().map(|r| region_buttons(sc, r, on)).unwrap_or_default();
            let (shards, deploys, replicas) = if props.down {
                (html! {}, html! {}, html! {})
            } else {
                (
                    html! { <>{ shard_buttons(sc, n, on) }{ cache_buttons(n, on) }{ database_replica_buttons(n, on, lasting(Some(10.0)), 500.0) }</> },
                    deploy_buttons(n, on),
                    replica_buttons(n, on, lasting(Some(5.0)), lasting(Some(10.0))),
                )
            };
            (
                format!("{} ({})", n.display_name(), n.kind.name()),
                html! { <>{ buttons }{ shards }{ deploys }{ replicas }{ region }</> },
            )
        }
        Some(Selection::Edge(i)) if i < sc.edges.len() => {
            let e = &sc.edges[i];
            let id = format!("{}->{}", e.from, e.to);
            let buttons = if props.down {
                button(
                    "fault-heal",
                    "Heal",
                    "Heal every partition (this link may be cut by a partition of its own, of a region or of its nodes)",
                    on,
                    now(FaultAction::Heal { id: None }),
                )
            } else {
                html! {
                    <>
                        { button("fault-partition", "Partition", "Cut the link: messages vanish, callers time out", on,
                            now(FaultAction::Partition { id: Some(id.clone()), a: vec![e.from.clone()], b: vec![e.to.clone()] })) }
                        { button("fault-latency", "+100 ms", "Add 100 ms to every message on this link", on,
                            now(FaultAction::EdgeLatency { from: e.from.clone(), to: e.to.clone(), add_ms: 100.0 })) }
                        { button("fault-loss", "10% loss", "Lose one message in ten on this link", on,
                            now(FaultAction::EdgeLoss { from: e.from.clone(), to: e.to.clone(), loss: 0.1 })) }
                    </>
                }
            };
            (format!("{} → {}", e.from, e.to), buttons)
        }
        _ => (String::new(), html! {}),
    };
    html! {
        <div class="fault-bar" data-testid="fault-menu" role="toolbar" aria-label="Inject a fault">
            if title.is_empty() {
                <span class="hint">{ "Select a node or a link to break it." }</span>
            } else {
                <span class="selection">{ title }</span>
                { buttons }
                <label class="fault-param" title="Strength of slow-downs and load spikes">{ "×" }
                    <input type="text" inputmode="decimal" data-testid="fault-factor" placeholder="N" value={(*factor).clone()}
                        aria-label="Fault strength (times)" oninput={
                            let factor = factor.clone();
                            Callback::from(move |e: InputEvent| factor.set(e.target_unchecked_into::<web_sys::HtmlInputElement>().value()))
                        } />
                </label>
                <label class="fault-param" title="How long the fault lasts; empty: until undone (pause: 5 s, spike: 10 s)">{ "for" }
                    <input type="text" inputmode="decimal" data-testid="fault-duration" placeholder="—" value={(*duration).clone()}
                        aria-label="Fault duration in seconds" oninput={
                            let duration = duration.clone();
                            Callback::from(move |e: InputEvent| duration.set(e.target_unchecked_into::<web_sys::HtmlInputElement>().value()))
                        } />{ "s" }
                </label>
                <span class="when" data-testid="fault-when">{
                    match props.at_ms {
                        Some(t) => format!("at {}", crate::format::clock(t as f64)),
                        None => "now".to_string(),
                    }
                }</span>
            }
        </div>
    }
}

/// Faults for a whole region: cut it off from everything else, or fail it.
fn region_buttons(sc: &Scenario, region: &str, on: &Callback<Injection>) -> Html {
    let within = |n: &&faultline_sim::scenario::Node| n.region.as_deref() == Some(region);
    // Clients cannot crash (they stand for the users); everything else in the region fails.
    let inside: Vec<String> = sc
        .nodes
        .iter()
        .filter(within)
        .filter(|n| !matches!(n.kind, NodeKind::Client(_)))
        .map(|n| n.id.clone())
        .collect();
    // The other side is every node outside the region, with or without a region of its own.
    let others: Vec<String> = sc.nodes.iter().filter(|n| !within(n)).map(|n| n.id.clone()).collect();
    let partition = (!others.is_empty()).then(|| {
        let action =
            FaultAction::Partition { id: Some(format!("region-{region}")), a: vec![region.to_string()], b: others };
        button(
            "fault-region-partition",
            &format!("Isolate {region}"),
            "Partition this region from the rest of the system",
            on,
            Injection { actions: vec![action], duration_ms: None },
        )
    });
    let fail = (!inside.is_empty()).then(|| {
        button(
            "fault-region-fail",
            &format!("Fail {region}"),
            "Crash every node in this region (its clients keep sending)",
            on,
            Injection {
                actions: inside.into_iter().map(|node| FaultAction::Crash { node }).collect(),
                duration_ms: None,
            },
        )
    });
    html! { <span class="region-faults">{ partition.unwrap_or_default() }{ fail.unwrap_or_default() }</span> }
}

/// Roll out a new version of a service (a Kubernetes rolling update, 25%
/// surge and unavailable), or a bad one that crashes as it starts.
fn deploy_buttons(n: &faultline_sim::scenario::Node, on: &Callback<Injection>) -> Html {
    if !matches!(n.kind, NodeKind::Service(_)) {
        return html! {};
    }
    let deploy = |bad: Option<faultline_sim::scenario::BadVersion>| Injection {
        actions: vec![FaultAction::Deploy {
            node: n.id.clone(),
            max_surge: None,
            max_unavailable: None,
            readiness_delay_ms: None,
            bad,
        }],
        duration_ms: None,
    };
    let crashing = faultline_sim::scenario::BadVersion { crash_at_start: true, ..Default::default() };
    html! {
        <span class="deploy-faults">
            { button("fault-deploy", "Deploy", "Roll out a new version: new instances start and open their pools, old ones drain", on, deploy(None)) }
            { button("fault-bad-deploy", "Bad deploy", "Roll out a version that crashes as it starts: it crash-loops and the rollout stalls", on, deploy(Some(crashing))) }
        </span>
    }
}

/// A database's shard count once the reshards on the timeline so far have run.
fn shard_count(sc: &Scenario, n: &faultline_sim::scenario::Node) -> Option<u16> {
    let NodeKind::Database(db) = &n.kind else { return None };
    let mut reshards: Vec<(u64, u16)> = sc
        .faults
        .iter()
        .filter_map(|f| match &f.action {
            FaultAction::Reshard { node, shards } if *node == n.id => Some((f.at_ms, *shards)),
            _ => None,
        })
        .collect();
    reshards.sort_by_key(|&(at, _)| at);
    Some(reshards.last().map_or(db.shards, |&(_, s)| s))
}

/// Add or remove a shard of a database (a reshard: some keys move).
/// A replicated store's own faults: crash one replica (`<store>/<i>`) for a
/// while, or cut one of its regions off from the others.
fn replica_buttons(
    n: &faultline_sim::scenario::Node,
    on: &Callback<Injection>,
    crash_ms: Option<u64>,
    isolate_ms: Option<u64>,
) -> Html {
    let NodeKind::Store(cfg) = &n.kind else { return html! {} };
    let region = |i: u32| cfg.region_of(i, n.region.as_deref());
    let crash = (0..cfg.replicas).map(|i| {
        let r = region(i);
        let label = if r.is_empty() { format!("Crash replica {i}") } else { format!("Crash replica {i} ({r})") };
        let inj =
            Injection { actions: vec![FaultAction::Crash { node: format!("{}/{i}", n.id) }], duration_ms: crash_ms };
        button(&format!("fault-crash-replica-{i}"), &label, "Crash this replica alone; the others carry on", on, inj)
    });
    let mut regions: Vec<String> = Vec::new();
    for i in 0..cfg.replicas {
        let r = region(i);
        if !r.is_empty() && !regions.contains(&r) {
            regions.push(r);
        }
    }
    let isolate = regions.iter().filter(|_| regions.len() > 1).map(|r| {
        let others: Vec<String> = regions.iter().filter(|o| *o != r).cloned().collect();
        let inj = Injection {
            actions: vec![FaultAction::Partition { id: None, a: vec![r.clone()], b: others }],
            duration_ms: isolate_ms,
        };
        button(
            &format!("fault-isolate-{r}"),
            &format!("Isolate {r}"),
            "Partition this region's replicas and clients from the other regions",
            on,
            inj,
        )
    });
    // An AP store stamps writes with its coordinator's clock: a replica
    // whose clock runs behind makes last-writer-wins drop the writes it
    // coordinates (counted as lost writes). A CP store orders by its log.
    let skew = (cfg.mode == StoreMode::Ap).then(|| {
        let inj = Injection {
            actions: vec![FaultAction::ClockSkew { node: format!("{}/0", n.id), skew_ms: -CLOCK_SKEW_MS }],
            duration_ms: crash_ms,
        };
        button(
            "fault-skew-replica-0",
            &format!("Clock -{CLOCK_SKEW_MS:.0} ms (replica 0)"),
            "Replica 0's clock runs behind: under last-writer-wins the writes it coordinates lose to earlier ones \
             stamped later, acknowledged and then silently dropped (counted as lost writes)",
            on,
            inj,
        )
    });
    html! { <span class="replica-faults">{ for crash }{ for isolate }{ for skew }</span> }
}

/// How far behind the fault bar sets a store replica's clock.
const CLOCK_SKEW_MS: f64 = 500.0;

fn shard_buttons(sc: &Scenario, n: &faultline_sim::scenario::Node, on: &Callback<Injection>) -> Html {
    let Some(count) = shard_count(sc, n) else { return html! {} };
    let reshard = |shards: u16| Injection {
        actions: vec![FaultAction::Reshard { node: n.id.clone(), shards }],
        duration_ms: None,
    };
    let add = (count < faultline_sim::scenario::MAX_SHARDS).then(|| {
        button(
            "fault-add-shard",
            &format!("Add a shard ({})", count + 1),
            "Reshard to one more shard: the keys that move pay the migration penalty for a while",
            on,
            reshard(count + 1),
        )
    });
    let remove = (count > 1).then(|| {
        button(
            "fault-remove-shard",
            &format!("Remove a shard ({})", count - 1),
            "Reshard to one shard fewer: its keys move to the others",
            on,
            reshard(count - 1),
        )
    });
    html! { <span class="shard-faults">{ add.unwrap_or_default() }{ remove.unwrap_or_default() }</span> }
}

/// A database with replicas: kill its primary (a failover follows; the old
/// primary rejoins as a replica when the fault ends), or stall replication.
fn database_replica_buttons(
    n: &faultline_sim::scenario::Node,
    on: &Callback<Injection>,
    lasting_ms: Option<u64>,
    add_ms: f64,
) -> Html {
    let NodeKind::Database(db) = &n.kind else { return html! {} };
    if db.replicas == 0 {
        return html! {};
    }
    let secs = lasting_ms.map_or("until undone".to_string(), |d| format!("for {} s", d as f64 / 1e3));
    let fail = Injection { actions: vec![FaultAction::FailPrimary { node: n.id.clone() }], duration_ms: lasting_ms };
    let lag =
        Injection { actions: vec![FaultAction::ReplicaLag { node: n.id.clone(), add_ms }], duration_ms: lasting_ms };
    html! {
        <span class="db-replica-faults">
            { button("fault-fail-primary", "Fail over primary",
                "Kill the primary: writes fail until a replica is promoted (detection + promotion); writes it lacked are lost", on, fail) }
            { button("fault-replica-lag", &format!("Replica lag +{add_ms} ms {secs}"),
                "Writes reach the replicas this much later for a while (a stalled replay)", on, lag) }
        </span>
    }
}

/// Empty a cache, or expire its hottest keys at once (keys are ranks, 0 the
/// most popular), beside the reshard buttons.
fn cache_buttons(n: &faultline_sim::scenario::Node, on: &Callback<Injection>) -> Html {
    if !matches!(n.kind, NodeKind::Cache(_)) {
        return html! {};
    }
    let once = |action| Injection { actions: vec![action], duration_ms: None };
    html! {
        <span class="cache-faults">
            { button("fault-flush-cache", "Flush", "Empty the cache (FLUSHALL): every read misses until it refills", on,
                once(FaultAction::FlushCache { node: n.id.clone() })) }
            { button("fault-expire-keys", "Expire hot keys", "Expire the 100 most popular keys at once: they all miss together", on,
                once(FaultAction::ExpireKeys { node: n.id.clone(), from: 0, to: 99 })) }
        </span>
    }
}
