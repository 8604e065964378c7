//! The root component: owns the engine, wires the controls to it and hands
//! its view to the components that draw it.

use crate::components::{Controls, Graph, Summary};
use crate::runner::Runner;
use crate::state::{Action, PlayState};
use faultline_sim::{slice_scenario, Scenario, Sim};
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

    {
        let sim = Rc::clone(&sim);
        let dispatcher = state.dispatcher();
        let speed = state.speed;
        use_effect_with(state.playing, move |&playing| {
            let runner = playing.then(|| {
                let on_frame = {
                    let d = dispatcher.clone();
                    Callback::from(move |v| d.dispatch(Action::Frame(v)))
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
        let scenario: Rc<Scenario> = Rc::clone(&scenario);
        Callback::from(move |_| {
            let fresh = Sim::new(&scenario).expect("the built-in scenario is valid");
            let view = fresh.view();
            *sim.borrow_mut() = fresh;
            d.dispatch(Action::Reset(view));
        })
    };

    html! {
        <div class="shell">
            <header class="topbar">
                <div class="brand"><span class="logo">{ "⚡" }</span>{ "Faultline" }</div>
                <div class="scenario-name">{ scenario.name.clone() }</div>
                <Controls playing={state.playing} finished={state.finished()} now_ms={state.view.now_ms}
                    end_ms={state.view.end_ms} {on_play} {on_pause} {on_reset} />
            </header>
            <main class="stage">
                <Graph scenario={Rc::clone(&scenario)} view={Rc::clone(&state.view)} />
            </main>
            <Summary view={Rc::clone(&state.view)} />
        </div>
    }
}
