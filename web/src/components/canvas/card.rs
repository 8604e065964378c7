//! One node drawn as a card: name, kind, live numbers, pool and queue bars
//! (a cache's hit-ratio gauge), health tint, and the handle a connection is dragged from.

use super::drag_layer::{use_lifted, Carry, Piece};
use super::health::Health;
use crate::components::breakdown::OpLine;
use crate::editor::layout::{CARD_H, CARD_W};
use crate::format;
use crate::same::Same;
use faultline_sim::scenario::{Node, NodeKind};
use faultline_sim::NodeView;
use yew::prelude::*;

/// Zoom (screen px per design px) below which cards drop their numbers.
pub const DETAIL_SCALE: f64 = 0.45;

/// Zoom below which a card is drawn as its box alone (see [`sketch`]): its
/// 14 px title would be under 4.2 screen pixels high, a smudge, not text.
pub const SKETCH_SCALE: f64 = 0.3;

pub fn icon(kind: &str) -> &'static str {
    match kind {
        "client" => "◉",
        "load_balancer" => "⇶",
        "service" => "⚙",
        "database" => "⛁",
        "queue" => "☰",
        "log" => "≣",
        "cache" => "⚡",
        "pooler" => "⇄",
        "store" => "◈",
        _ => "□",
    }
}

fn queue_capacity(kind: &NodeKind) -> u32 {
    match kind {
        NodeKind::Service(s) => s.queue_capacity,
        NodeKind::Database(d) => d.queue_capacity,
        NodeKind::Queue(q) => q.capacity,
        NodeKind::Pooler(p) => p.max_client_conn,
        _ => 0,
    }
}

/// What a zoomed-out card shows of a node's numbers: only whether it is down
/// or paused (its tint comes separately). Passing this instead of the full
/// view lets the thousand cards of a big design skip redrawing while their
/// numbers move.
pub fn coarse(v: &NodeView) -> NodeView {
    NodeView { down: v.down, paused: v.paused, ..NodeView::default() }
}

/// What happened on card `usize`.
pub enum CardEvent {
    Down(usize, PointerEvent),
    Handle(usize, PointerEvent),
    /// A key pressed while the card has focus (Enter or Space selects it).
    Key(usize, KeyboardEvent),
    Context(usize, MouseEvent),
    /// The card took the keyboard focus (Tab may land on one off screen).
    Focus(usize, FocusEvent),
}

#[derive(Properties, PartialEq)]
pub struct CardProps {
    pub index: usize,
    pub node: Same<Node>,
    pub view: NodeView,
    pub health: Health,
    pub selected: bool,
    pub detailed: bool,
    /// Zoomed out below [`SKETCH_SCALE`]: the card is its box alone.
    #[prop_or_default]
    pub sketch: bool,
    /// A client's results per operation over the run so far (see
    /// `breakdown::client_ops`); empty for other nodes and when zoomed out.
    #[prop_or_default]
    pub ops: Vec<OpLine>,
    /// How far a drag in progress has carried the card, in design pixels
    /// (`None`: where the document has it). Moving a card by a transform
    /// leaves the rest of it as it was drawn.
    #[prop_or_default]
    pub offset: Option<(f64, f64)>,
    /// The canvas's drag, for a card of the canvas (`None`: the drag
    /// layer's copy). While the drag layer carries this card (and shows it,
    /// with its test id) this one stays behind, hidden (see
    /// `drag_layer::use_lifted`: it renders again alone when lifted).
    #[prop_or_default]
    pub carry: Option<Same<Carry>>,
    /// Off screen (see `culling`): drawn as an empty stand-in that keeps the
    /// card's place in the Tab order, its test id and its name.
    #[prop_or_default]
    pub culled: bool,
    /// One callback for every card, the same from render to render, so a card
    /// whose node and numbers did not change is not drawn again.
    pub events: Callback<CardEvent>,
}

/// A card is a component of its own so that redrawing the canvas (ten times
/// a second while running) skips every card whose props are unchanged.
#[component]
pub fn Card(props: &CardProps) -> Html {
    let i = props.index;
    let lifted = use_lifted(props.carry.clone(), Piece::Card(i));
    let ev = CardHandlers {
        onpointerdown: props.events.reform(move |e| CardEvent::Down(i, e)),
        on_handle: props.events.reform(move |e| CardEvent::Handle(i, e)),
        onkeydown: props.events.reform(move |e| CardEvent::Key(i, e)),
        oncontextmenu: props.events.reform(move |e| CardEvent::Context(i, e)),
        onfocus: props.events.reform(move |e: FocusEvent| CardEvent::Focus(i, e)),
    };
    if props.culled {
        return stand_in(props, ev);
    }
    if props.sketch {
        return sketch(props, ev, lifted);
    }
    card(props, ev, lifted)
}

struct CardHandlers {
    onpointerdown: Callback<PointerEvent>,
    on_handle: Callback<PointerEvent>,
    onkeydown: Callback<KeyboardEvent>,
    oncontextmenu: Callback<MouseEvent>,
    onfocus: Callback<FocusEvent>,
}

/// The card's accessible name: "api (service), down".
fn name(n: &Node, kind: &str, v: &NodeView) -> String {
    let state = if v.down {
        ", down"
    } else if v.paused {
        ", paused"
    } else {
        ""
    };
    format!("{} ({}){state}", n.display_name(), kind.replace('_', " "))
}

/// An off-screen card: the same element as the card drawn (so that focus
/// stays on it when it comes on screen and fills in), without its drawing.
fn stand_in(p: &CardProps, ev: CardHandlers) -> Html {
    let (n, kind) = (&p.node, p.node.kind.name());
    html! {
        <g class={classes!("node", "culled", kind, p.selected.then_some("selected"))} data-testid={format!("node-{}", n.id)}
            data-kind={kind} onkeydown={ev.onkeydown} onfocus={ev.onfocus} tabindex="0" role="button"
            aria-pressed={p.selected.to_string()} aria-label={name(n, kind, &p.view)} />
    }
}

/// A card too small to read: its box alone, tinted and outlined as the
/// full card's (health, kind, down, paused, selected), and its name as a
/// tooltip. Why: a thousand cards fitted on one screen are a dozen pixels
/// wide; their icons, titles, shadows and handles were five elements each
/// that no one could read, and that every repaint and style pass paid for.
/// It is still the card for the pointer (drag, select, right-click) and
/// the keyboard.
fn sketch(p: &CardProps, ev: CardHandlers, lifted: bool) -> Html {
    let CardProps { node: n, view: v, health, selected, offset, .. } = p;
    let kind = n.kind.name();
    let tid = (!lifted).then(|| format!("node-{}", n.id));
    html! {
        <g class={classes!("node", "sketch", kind, health.class(), v.down.then_some("down"), v.paused.then_some("paused"),
                selected.then_some("selected"), offset.is_some().then_some("dragged"), lifted.then_some("lifted"))}
            transform={offset.map(|(dx, dy)| format!("translate({dx} {dy})"))}
            data-testid={tid} data-kind={kind} onpointerdown={ev.onpointerdown} onkeydown={ev.onkeydown}
            oncontextmenu={ev.oncontextmenu} onfocus={ev.onfocus} tabindex="0" role="button"
            aria-pressed={selected.to_string()} aria-label={name(n, kind, v)}>
            <rect class="card" x={(n.x - CARD_W / 2.0).to_string()} y={(n.y - CARD_H / 2.0).to_string()}
                width={CARD_W.to_string()} height={CARD_H.to_string()} rx="10" />
            <title>{ n.display_name().to_string() }</title>
        </g>
    }
}

fn card(p: &CardProps, ev: CardHandlers, lifted: bool) -> Html {
    let CardProps { node: n, view: v, health, selected, detailed, offset, ops, .. } = p;
    let (selected, detailed, offset) = (*selected, *detailed, *offset);
    // A lifted card's copy on the drag layer is the one tests find.
    let tid = |id: String| (!lifted).then_some(id);
    let x = n.x - CARD_W / 2.0;
    let y = n.y - CARD_H / 2.0;
    let row = |k: usize, label: &str, metric: &str, raw: f64, text: String| {
        let ty = y + 52.0 + 18.0 * k as f64;
        html! {
            <>
                <text class="metric-label" x={(x + 12.0).to_string()} y={ty.to_string()}>{ label.to_string() }</text>
                <text class="metric-value" x={(x + CARD_W - 12.0).to_string()} y={ty.to_string()} text-anchor="end"
                    data-testid={tid(format!("metric-{metric}-{}", n.id))} data-value={raw.to_string()}>{ text }</text>
            </>
        }
    };
    let bar = |k: f64, class: &'static str, used: u32, total: u32, title: String| {
        let frac = if total == 0 { 0.0 } else { (f64::from(used) / f64::from(total)).min(1.0) };
        let by = y + CARD_H - 20.0 + 7.0 * k;
        html! {
            <g class={classes!("bar", class)}>
                <rect class="bar-track" x={(x + 12.0).to_string()} y={by.to_string()}
                    width={(CARD_W - 24.0).to_string()} height="4" rx="2" />
                <rect class="bar-fill" x={(x + 12.0).to_string()} y={by.to_string()}
                    width={((CARD_W - 24.0) * frac).to_string()} height="4" rx="2" />
                <title>{ title }</title>
            </g>
        }
    };
    let l = &v.live;
    let kind = n.kind.name();
    // The badge at the title's right (a balancer's backends up, a cache's
    // stale reads): the title is cut short of it (see `fit`).
    let badge = detailed
        .then(|| {
            if v.backends > 0 {
                Some(format!("{}/{} up", v.healthy_backends, v.backends))
            } else {
                v.cache_stale_reads.map(|stale| format!("{stale} stale"))
            }
        })
        .flatten();
    let title_room = CARD_W - 34.0 - 12.0 - badge.as_deref().map_or(0.0, |b| super::fit::width(b, 12.0) + 8.0);
    let title = super::fit::fit(n.display_name(), title_room, 14.0);
    // A sharded database's queue bar is every shard's queue together.
    let qcap = queue_capacity(&n.kind).saturating_mul(v.shard_busy.len().max(1) as u32);
    html! {
        <g class={classes!("node", kind, health.class(), v.down.then_some("down"), v.paused.then_some("paused"),
                selected.then_some("selected"), offset.is_some().then_some("dragged"), lifted.then_some("lifted"))}
            transform={offset.map(|(dx, dy)| format!("translate({dx} {dy})"))}
            data-testid={tid(format!("node-{}", n.id))} data-kind={kind} onpointerdown={ev.onpointerdown}
            onkeydown={ev.onkeydown} oncontextmenu={ev.oncontextmenu} onfocus={ev.onfocus} tabindex="0" role="button"
            aria-pressed={selected.to_string()} aria-label={name(n, kind, v)}>
            // A flat offset copy of the card under it stands for a shadow: a
            // blurred one (a filter) is costly to paint on 200 cards.
            <rect class="card-shadow" x={x.to_string()} y={(y + 2.0).to_string()} width={CARD_W.to_string()}
                height={CARD_H.to_string()} rx="10" />
            <rect class="card" x={x.to_string()} y={y.to_string()} width={CARD_W.to_string()}
                height={CARD_H.to_string()} rx="10" />
            <text class="node-icon" x={(x + 14.0).to_string()} y={(y + 26.0).to_string()}>{ icon(kind) }</text>
            <text class="node-title" x={(x + 34.0).to_string()} y={(y + 26.0).to_string()}
                data-testid={tid(format!("title-{}", n.id))}>
                { title.clone() }
                if title != n.display_name() { <title>{ n.display_name().to_string() }</title> }
            </text>
            if detailed && !ops.is_empty() {
                { row(0, "throughput", "throughput", l.throughput_rps, format::rate(l.throughput_rps)) }
                { row(1, "p99", "p99", l.p99_ms, format::ms(l.p99_ms)) }
                { op_rows(ops, x, y, &n.id, lifted) }
            } else if detailed {
                { row(0, "throughput", "throughput", l.throughput_rps, format::rate(l.throughput_rps)) }
                // An event log's rows are its checkers (its lag is the strip below).
                if let Some(lg) = &v.log {
                    { row(1, "phantom", "phantom", lg.phantom_deductions as f64, lg.phantom_deductions.to_string()) }
                    { row(2, "duplicates", "duplicates", lg.duplicates_processed as f64, lg.duplicates_processed.to_string()) }
                } else {
                    // A cache's second row is its hit ratio (a gauge below, too).
                    if let Some(hit) = v.cache_hit_ratio {
                        { row(1, "hit ratio", "hit-ratio", hit, format!("{:.0}%", hit * 100.0)) }
                    } else if let Some(st) = &v.store {
                        { row(1, "stale reads", "stale-reads", st.stale_reads as f64, st.stale_reads.to_string()) }
                    } else if let Some(rp) = &v.replicas {
                        { row(1, "stale reads", "stale-reads", rp.stale_reads as f64, rp.stale_reads.to_string()) }
                    } else {
                        { row(1, "in flight", "in-flight", l.in_flight as f64, l.in_flight.to_string()) }
                    }
                    // An AP store's third row is what its conflict resolution
                    // did: writes kept as siblings (or overwritten by last
                    // writer wins), and acknowledged writes lost.
                    if let Some(st) = v.store.as_ref().filter(|st| st.mode == "ap") {
                        { row(2, "conflicts · lost", "conflicts", (st.conflicts + st.lost_writes) as f64,
                            format!("{} · {}", st.conflicts, st.lost_writes)) }
                    } else if let Some((spilled, placed)) = v.spilled {
                        // A balancer hashing with bounded loads: the share of
                        // its calls so far that its bound sent past their
                        // key's own backend (the count is the test's value).
                        { row(2, "spilled", "spilled", spilled as f64, format::percent(spilled as f64 / placed.max(1) as f64)) }
                    } else {
                        { row(2, "p50", "p50", l.p50_ms, format::ms(l.p50_ms)) }
                    }
                }
                { row(3, "p99", "p99", l.p99_ms, format::ms(l.p99_ms)) }
                if v.capacity > 0 {
                    { bar(0.0, "pool", v.busy, v.capacity, format!("{} of {} workers busy", v.busy, v.capacity)) }
                }
                if qcap > 0 {
                    { bar(1.0, "queue", v.queue_depth, qcap, format!("{} of {qcap} queue slots used", v.queue_depth)) }
                }
                if !v.shard_busy.is_empty() {
                    { shard_strip(x, y, &n.id, &v.shard_busy, tid(format!("shards-{}", n.id))) }
                }
                if !v.instances.is_empty() {
                    { super::pips::instance_pips(x, y, &n.id, &v.instances, tid(format!("instances-{}", n.id))) }
                }
                if let Some(d) = v.desired_instances {
                    { super::pips::scaling_label(x, y, d, &v.instances, tid(format!("scaling-{}", n.id))) }
                }
                if let Some(c) = v.connections {
                    { super::pips::connections_label(x, y, c, tid(format!("connections-{}", n.id))) }
                }
                if let Some(lg) = &v.log {
                    { lag_strip(x, y, &n.id, lg, tid(format!("lag-{}", n.id))) }
                    { group_label(x, y, lg, tid(format!("group-{}", n.id))) }
                }
                if let Some(hit) = v.cache_hit_ratio {
                    { bar(0.0, "hit", (hit * 1000.0).round() as u32, 1000,
                        format!("{:.0}% of reads answered from the cache in the last second", hit * 100.0)) }
                }
                if let Some(st) = &v.store {
                    { store_pips(x, y, &n.id, st, tid(format!("replicas-{}", n.id))) }
                    if let Some(verdict) = &st.verdict {
                        { verdict_label(x, y, verdict, st.violation.is_some().then_some(n.id.as_str()), tid(format!("verdict-{}", n.id))) }
                    }
                }
                if let Some(rp) = &v.replicas {
                    { database_pips(x, y, &n.id, rp, tid(format!("replicas-{}", n.id))) }
                }
                if v.backends > 0 {
                    <text class="metric-label" x={(x + CARD_W - 12.0).to_string()} y={(y + 26.0).to_string()}
                        text-anchor="end" data-testid={tid(format!("backends-{}", n.id))}>{ badge.clone().unwrap_or_default() }</text>
                } else if v.cache_stale_reads.is_some() {
                    // A cache reading a database counts the stale values it served.
                    <text class="metric-label" x={(x + CARD_W - 12.0).to_string()} y={(y + 26.0).to_string()}
                        text-anchor="end" data-testid={tid(format!("stale-{}", n.id))}>
                        { badge.clone().unwrap_or_default() }
                        <title>{ "Reads answered with a value the database had overwritten by then" }</title>
                    </text>
                }
            }
            // Crashed: a solid badge, outside the faded part of the card, so
            // it reads on both themes (the fade alone nearly vanished on dark).
            if v.down {
                <g class="down-badge" data-testid={tid(format!("down-{}", n.id))}>
                    <rect x={(x + CARD_W - 64.0).to_string()} y={(y - 11.0).to_string()} width="56" height="22" rx="11" />
                    <text x={(x + CARD_W - 36.0).to_string()} y={(y + 4.5).to_string()} text-anchor="middle">{ "DOWN" }</text>
                </g>
            }
            if !matches!(n.kind, NodeKind::Database(_) | NodeKind::Store(_)) {
                <circle class="handle" cx={(x + CARD_W).to_string()} cy={n.y.to_string()} r="7"
                    data-testid={tid(format!("handle-{}", n.id))} onpointerdown={ev.on_handle}>
                    <title>{ "Drag to another node to connect" }</title>
                </circle>
            }
        </g>
    }
}

/// The linearizability checker's verdict on a store's history so far, just
/// under its card: the "is it really one copy?" question answered live.
/// With a violation explained, the label opens its history diagram
/// (`components::violation`, which listens for `data-violation`).
fn verdict_label(x: f64, y: f64, verdict: &str, opens: Option<&str>, testid: Option<String>) -> Html {
    let (text, class, why) = match verdict {
        "linearizable" => ("linearizable so far", None, "Every read and write so far fits one copy of the data, in real-time order (the checker's verdict on a window of each key's latest operations)"),
        "not-linearizable" => ("NOT linearizable", Some("conns-full"), "A read saw a value one copy could not have held then: the history fits no single-copy order (final)"),
        _ => ("linearizable? unknown", None, "The checker gave up within its bounds on the latest window"),
    };
    html! {
        <text class={classes!("metric-label", class)} x={(x + CARD_W - 6.0).to_string()}
            y={(y + CARD_H + 13.0).to_string()} text-anchor="end" data-testid={testid} data-verdict={verdict.to_owned()}
            data-violation={opens.map(str::to_owned)} tabindex={opens.map(|_| "0")} role={opens.map(|_| "button")}
            aria-label={opens.map(|_| format!("{text}: show the operations no order fits"))}>
            { text }
            <title>{ why }</title>
        </text>
    }
}

/// A replicated store's members under its title: one pip per replica, green
/// while up, grey when crashed, the leader crowned; the term and the
/// requests it could not serve on the right.
fn store_pips(x: f64, y: f64, id: &str, st: &faultline_sim::view::StoreView, testid: Option<String>) -> Html {
    let pips = st.replicas_up.iter().enumerate().map(|(i, &up)| {
        let cx = x + 18.0 + 14.0 * i as f64;
        let leader = st.leader == Some(i as u16);
        let state = if !up { "down" } else if leader { "leader" } else { "up" };
        html! {
            <g class={classes!("replica", state)}>
                <circle cx={cx.to_string()} cy={(y + 37.0).to_string()} r="4.5"
                    style={match state { "leader" => "fill: #d4a017", "up" => "fill: #2e9d5b", _ => "fill: #9a9a9a" }} />
                if leader {
                    <text class="crown" x={cx.to_string()} y={(y + 39.5).to_string()} text-anchor="middle"
                        font-size="7" style="fill: #fff">{ "♛" }</text>
                }
                <title>{ format!("{id}/{i}: {}", match state { "leader" => "leader", "up" => "up", _ => "crashed" }) }</title>
            </g>
        }
    });
    let label = if st.mode == "cp" {
        format!("term {} · {} unavail.", st.term, st.unavailable)
    } else if st.hints_pending > 0 {
        format!("AP · {} unavail. · {} hints", st.unavailable, st.hints_pending)
    } else {
        format!("{} · {} unavail.", st.mode.to_uppercase(), st.unavailable)
    };
    html! {
        <g class="replica-strip" data-testid={testid} data-replicas={st.replicas_up.len().to_string()}
            data-leader={st.leader.map(|l| l.to_string())} data-term={st.term.to_string()}>
            { for pips }
            <text class="metric-label" x={(x + CARD_W - 12.0).to_string()} y={(y + 40.0).to_string()}
                text-anchor="end">{ label }</text>
        </g>
    }
}

/// A database's primary and replicas under its title: one pip per member,
/// the primary crowned, a replica green (deeper the busier), a failed one
/// grey; the lag p99 and the read-your-writes violations under the card.
fn database_pips(x: f64, y: f64, id: &str, rp: &faultline_sim::view::ReplicasView, testid: Option<String>) -> Html {
    let pips = rp.members.iter().enumerate().map(|(i, m)| {
        let cx = x + 18.0 + 14.0 * i as f64;
        let busy = f64::from(m.busy).clamp(0.0, 1.0);
        let fill = match m.role.as_str() {
            "primary" => "#d4a017".to_string(),
            "replica" => format!("hsl(145, 55%, {:.0}%)", 50.0 - 20.0 * busy),
            _ => "#9a9a9a".to_string(),
        };
        html! {
            <g class={classes!("replica", m.role.clone())}>
                <circle cx={cx.to_string()} cy={(y + 37.0).to_string()} r="4.5" style={format!("fill: {fill}")} />
                if m.role == "primary" {
                    <text class="crown" x={cx.to_string()} y={(y + 39.5).to_string()} text-anchor="middle"
                        font-size="7" style="fill: #fff">{ "♛" }</text>
                }
                <title>{ format!("{id} member {i}: {}, {:.0}% of its connections busy", m.role, busy * 100.0) }</title>
            </g>
        }
    });
    let label = if rp.failing_over {
        "failing over".to_string()
    } else {
        format!("lag p99 {} · {} RYW", format::ms(rp.lag_p99_ms), rp.ryw_violations)
    };
    html! {
        <g class="replica-strip" data-testid={testid} data-replicas={(rp.members.len().saturating_sub(1)).to_string()}
            data-stale={rp.stale_reads.to_string()} data-ryw={rp.ryw_violations.to_string()}
            data-lost={rp.lost_writes.to_string()} data-failing-over={rp.failing_over.to_string()}
            data-primary={rp.members.iter().position(|m| m.role == "primary").map(|p| p.to_string())}>
            { for pips }
            // Under the card, on the left: beside the pips a long lag and a
            // five-digit count ran over them (the right side below is the
            // connections label's).
            <text class="metric-label" x={(x + 6.0).to_string()} y={(y + CARD_H + 13.0).to_string()}>{ label }
                <title>{ format!("Replication lag p99 of the last writes; reads that missed the reader's own write: {}; writes lost at failover: {}",
                    rp.ryw_violations, rp.lost_writes) }</title>
            </text>
        </g>
    }
}

/// A sharded database's heat strip under its title: one cell per shard, the
/// deeper the red the busier its connections, so a hot shard stands out.
fn shard_strip(x: f64, y: f64, id: &str, busy: &[f32], testid: Option<String>) -> Html {
    let width = (CARD_W - 24.0) / busy.len() as f64;
    let cells = busy.iter().enumerate().map(|(i, &u)| {
        let u = f64::from(u).clamp(0.0, 1.0);
        let light = 92.0 - 47.0 * u;
        html! {
            <rect class="shard-cell" x={(x + 12.0 + width * i as f64).to_string()} y={(y + 33.0).to_string()}
                width={(width - 1.0).max(0.5).to_string()} height="5" style={format!("fill: hsl(6, 80%, {light:.0}%)")}>
                <title>{ format!("{id} shard {i}: {:.0}% of its connections busy", u * 100.0) }</title>
            </rect>
        }
    });
    html! {
        <g class="shard-strip" data-testid={testid} data-shards={busy.len().to_string()}>{ for cells }</g>
    }
}

/// An event log's lag strip under its title: one cell per partition, the
/// deeper the blue the further its consumer is behind (relative to the
/// most lagging partition), so a stalled partition stands out. Each cell
/// names the consumer instance the partition is assigned to; the strip
/// carries the group's rebalances and the events lost.
fn lag_strip(x: f64, y: f64, id: &str, lg: &faultline_sim::view::LogView, testid: Option<String>) -> Html {
    let lag = &lg.lag;
    let width = (CARD_W - 24.0) / lag.len().max(1) as f64;
    let most = lag.iter().copied().max().unwrap_or(0).max(1);
    let owner = |i: usize| lg.assignment.get(i).map_or_else(|| "?".to_string(), u32::to_string);
    let cells = lag.iter().enumerate().map(|(i, &n)| {
        let light = 92.0 - 47.0 * f64::from(n) / f64::from(most);
        html! {
            <rect class="lag-cell" x={(x + 12.0 + width * i as f64).to_string()} y={(y + 33.0).to_string()}
                width={(width - 1.0).max(0.5).to_string()} height="5" style={format!("fill: hsl(215, 80%, {light:.0}%)")}>
                <title>{ format!("{id} partition {i} (consumer {}): {n} events behind the last commit", owner(i)) }</title>
            </rect>
        }
    });
    // The group's assignment under the cells: one bar per run of partitions
    // a consumer owns, consumers told apart by shade, so a rebalance shows
    // as the bars moving (or vanishing while the group is stopped).
    let mut runs: Vec<(usize, usize, u32)> = Vec::new();
    for (i, &c) in lg.assignment.iter().enumerate().take(lag.len()) {
        match runs.last_mut() {
            Some((_, end, owner)) if *owner == c && *end + 1 == i => *end = i,
            _ => runs.push((i, i, c)),
        }
    }
    let bars = runs.iter().map(|&(a, b, c)| {
        let parts = if a == b { format!("partition {a}") } else { format!("partitions {a}-{b}") };
        html! {
            <rect class={classes!("group-run", if c % 2 == 0 { "even" } else { "odd" })}
                x={(x + 12.0 + width * a as f64).to_string()} y={(y + 39.5).to_string()}
                width={(width * (b - a + 1) as f64 - 1.0).max(0.5).to_string()} height="2">
                <title>{ format!("consumer {c}: {parts}") }</title>
            </rect>
        }
    });
    let assignment = lg.assignment.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
    html! {
        <g class="lag-strip" data-testid={testid} data-partitions={lag.len().to_string()}
            data-rebalances={lg.rebalances.to_string()} data-rebalancing={lg.rebalancing.to_string()}
            data-lost={lg.lost.to_string()} data-unpublished={lg.unpublished.to_string()} data-assignment={assignment}>
            <title>{ format!("{id}: {} rebalances{}; lost {} ({} never published); order violations {}",
                lg.rebalances, if lg.rebalancing { ", rebalancing now" } else { "" }, lg.lost, lg.unpublished, lg.order_violations) }</title>
            { for cells }
            if !lg.rebalancing {
                { for bars }
            }
        </g>
    }
}

/// "2 consumers · 3 rebalances" under an event log's card, or "rebalancing"
/// (in the warning colour) while the group is stopped: the pause in
/// consumption that replays what was not committed.
fn group_label(x: f64, y: f64, lg: &faultline_sim::view::LogView, testid: Option<String>) -> Html {
    let mut owners = lg.assignment.clone();
    owners.sort_unstable();
    owners.dedup();
    let plural = |n: usize, one: &str| if n == 1 { format!("1 {one}") } else { format!("{n} {one}s") };
    let head = if lg.rebalancing { "rebalancing".to_string() } else { plural(owners.len(), "consumer") };
    html! {
        <text class={classes!("metric-label", lg.rebalancing.then_some("conns-full"))} x={(x + CARD_W - 6.0).to_string()}
            y={(y + CARD_H + 13.0).to_string()} text-anchor="end" data-testid={testid}
            data-rebalances={lg.rebalances.to_string()} data-rebalancing={lg.rebalancing.to_string()}>
            { format!("{head} · {}", plural(lg.rebalances as usize, "rebalance")) }
            <title>{ "The consumer group: instances consuming now (the bars under the lag strip: which partitions each owns) and rebalances so far; during one, consumption stops and resumes from the last committed offset" }</title>
        </text>
    }
}

/// Rows 2 to 4 of a client's card: one per operation ("orders  38.2% · 1.06 s":
/// success rate, p99 of successes), over the run so far; with more than three
/// operations, two and how many more (the run summary lists them all).
fn op_rows(ops: &[OpLine], x: f64, y: f64, id: &str, lifted: bool) -> Html {
    let shown = if ops.len() > 3 { 2 } else { ops.len() };
    let rows = ops.iter().take(shown).enumerate().map(|(k, o)| {
        let ty = (y + 52.0 + 18.0 * (k + 2) as f64).to_string();
        let bad = o.done > 0 && o.success < 0.99;
        let text = if o.done == 0 {
            "–".to_string()
        } else {
            format!("{} · {}", format::share(o.success), format::ms(o.p99_ms))
        };
        html! {
            <g class={classes!("op", bad.then_some("op-bad"))} data-testid={(!lifted).then(|| format!("card-op-{id}-{}", o.name))}
                data-success={o.success.to_string()} data-p99={o.p99_ms.to_string()}>
                <text class="metric-label" x={(x + 12.0).to_string()} y={ty.clone()}>{ o.name.clone() }</text>
                <text class="metric-value" x={(x + CARD_W - 12.0).to_string()} y={ty} text-anchor="end">{ text }</text>
                <title>{ format!("{}: {} (run so far)", o.name, o.text()) }</title>
            </g>
        }
    });
    let more = (ops.len() > shown).then(|| {
        html! {
            <text class="metric-label" x={(x + 12.0).to_string()} y={(y + 52.0 + 18.0 * 4.0).to_string()}>
                { format!("+{} more operations", ops.len() - shown) }</text>
        }
    });
    html! { <>{ for rows }{ for more }</> }
}
