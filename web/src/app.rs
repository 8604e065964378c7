//! The root component: owns the engine, wires the controls to it and hands
//! its view to the components that draw it.

use crate::components::graph::edge_line;
use crate::components::{Controls, FaultBar, Graph, Injection, Summary};
use crate::particles::Particles;
use crate::runner::Runner;
use crate::state::{Action, PlayState, Selection};
use faultline_sim::scenario::Fault;
use faultline_sim::{slice_scenario, Sim, SimView};
use std::rc::Rc;
use yew::prelude::*;

/// Query parameter that makes the app panic on purpose, so the end-to-end
/// tests can prove a panic reaches the console and the error banner.
pub const PANIC_TEST_PARAM: &str = "panic-test";

#[component]
pub fn App() -> Html {
    let scenario = use_memo((), |_| slice_scenario());
    let sim = {
        let scenario = Rc::clone(&scenario);
        use_mut_ref(move || Sim::new(&scenario).expect("the built-in scenario is valid"))
    };
    let state = {
        let sim = Rc::clone(&sim);
        use_reducer(move || PlayState::new(sim.borrow().view()))
    };

    let particles = use_mut_ref(Particles::default);
    {
        let sim = Rc::clone(&sim);
        let particles = Rc::clone(&particles);
        let scenario = Rc::clone(&scenario);
        let dispatcher = state.dispatcher();
        let speed = state.speed;
        use_effect_with((state.playing, speed.to_bits()), move |&(playing, _)| {
            let runner = playing.then(|| {
                let on_frame = {
                    let d = dispatcher.clone();
                    let sim = Rc::clone(&sim);
                    Callback::from(move |(view, wall_ms): (SimView, f64)| {
                        let mut p = particles.borrow_mut();
                        p.update(&sim.borrow(), wall_ms, scenario.edges.len());
                        let paths = p.paths(wall_ms, |i| edge_line(&scenario, i));
                        d.dispatch(Action::Tick(view, paths));
                    })
                };
                let on_finish = Callback::from(move |v| dispatcher.dispatch(Action::Finished(v)));
                Runner::start(sim, speed, on_frame, on_finish)
            });
            move || {
                if let Some(r) = runner {
                    r.stop();
                }
            }
        });
    }

    use_effect_with((), |_| {
        let search = gloo::utils::window().location().search().unwrap_or_default();
        if search.contains(PANIC_TEST_PARAM) {
            panic!("deliberate panic requested by ?{PANIC_TEST_PARAM}");
        }
    });

    let on_play = {
        let d = state.dispatcher();
        Callback::from(move |_| d.dispatch(Action::Play))
    };
    let on_pause = {
        let d = state.dispatcher();
        Callback::from(move |_| d.dispatch(Action::Pause))
    };
    let on_reset = {
        let d = state.dispatcher();
        let sim = Rc::clone(&sim);
        let particles = Rc::clone(&particles);
        Callback::from(move |_| {
            particles.borrow_mut().clear();
            // Rebuilt from the run's own scenario: faults injected so far replay.
            let replay = sim.borrow().scenario().clone();
            let fresh = Sim::new(&replay).expect("a scenario the engine already ran is valid");
            let view = fresh.view();
            *sim.borrow_mut() = fresh;
            d.dispatch(Action::Reset(view));
        })
    };
    let on_step = {
        let d = state.dispatcher();
        let sim = Rc::clone(&sim);
        Callback::from(move |_| {
            let mut s = sim.borrow_mut();
            let next = s.now().plus(100_000);
            s.step_until(next);
            let view = s.view();
            let finished = s.is_finished();
            drop(s);
            d.dispatch(if finished { Action::Finished(view) } else { Action::Frame(view) });
        })
    };
    let on_seed = {
        let d = state.dispatcher();
        let sim = Rc::clone(&sim);
        let particles = Rc::clone(&particles);
        Callback::from(move |seed: Option<u64>| {
            let seed = seed.unwrap_or_else(random_seed);
            let mut next = sim.borrow().scenario().clone();
            next.seed = seed;
            match Sim::new(&next) {
                Ok(fresh) => {
                    particles.borrow_mut().clear();
                    let view = fresh.view();
                    *sim.borrow_mut() = fresh;
                    d.dispatch(Action::Reset(view));
                    d.dispatch(Action::Message(None));
                }
                Err(e) => d.dispatch(Action::Message(Some(format!("Seed refused: {e}")))),
            }
        })
    };
    let on_speed = {
        let d = state.dispatcher();
        Callback::from(move |speed| d.dispatch(Action::SetSpeed(speed)))
    };
    let on_select = {
        let d = state.dispatcher();
        Callback::from(move |selection| d.dispatch(Action::Select(selection)))
    };
    let on_inject = {
        let d = state.dispatcher();
        let sim = Rc::clone(&sim);
        Callback::from(move |inj: Injection| {
            let mut s = sim.borrow_mut();
            let at_ms = s.now().micros().div_ceil(1_000);
            let result = s.inject(Fault { at_ms, duration_ms: inj.duration_ms, action: inj.action });
            // Apply it now (its time is the current millisecond, rounded up),
            // so the page shows its effect even while paused.
            s.step_until(faultline_sim::SimTime::from_millis(at_ms));
            let view = s.view();
            drop(s);
            d.dispatch(Action::Message(result.err().map(|e| format!("Fault refused: {e}"))));
            d.dispatch(Action::Frame(view));
        })
    };
    let selected_down = match state.selected {
        Some(Selection::Node(i)) => state.view.nodes.get(i).is_some_and(|n| n.down),
        Some(Selection::Edge(i)) => state.view.cut.get(i).copied().unwrap_or(false),
        None => false,
    };

    html! {
        <div class="shell">
            <header class="topbar">
                <div class="brand"><span class="logo">{ "⚡" }</span>{ "Faultline" }</div>
                <div class="scenario-name">{ scenario.name.clone() }</div>
                <Controls playing={state.playing} finished={state.finished()} now_ms={state.view.now_ms}
                    end_ms={state.view.end_ms} {on_play} {on_pause} {on_reset} speed={state.speed} {on_speed}
                    {on_step} seed={sim.borrow().scenario().seed} {on_seed} />
            </header>
            <FaultBar scenario={Rc::clone(&scenario)} selected={state.selected} down={selected_down} {on_inject} />
            if let Some(message) = &state.message {
                <div class="message" role="status" data-testid="message">{ message.clone() }</div>
            }
            <main class="stage">
                <Graph scenario={Rc::clone(&scenario)} view={Rc::clone(&state.view)} selected={state.selected}
                    {on_select} particles={Rc::clone(&state.particles)} />
            </main>
            <Summary view={Rc::clone(&state.view)} />
        </div>
    }
}

/// A fresh seed from the browser's random source (the engine itself never
/// needs OS randomness: everything in a run derives from its seed).
fn random_seed() -> u64 {
    let mut bytes = [0u8; 8];
    match getrandom::fill(&mut bytes) {
        Ok(()) => u64::from_le_bytes(bytes) >> 12, // keep it readable: < 2^52
        Err(_) => clock_seed(),
    }
}

/// Without a random source, the clock will do for a seed.
fn clock_seed() -> u64 {
    (web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now()) * 1_000.0) as u64
}
