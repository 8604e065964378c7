//! Run controls: play, pause, reset and the simulated clock.

use crate::format;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ControlsProps {
    pub playing: bool,
    pub finished: bool,
    pub now_ms: f64,
    pub end_ms: f64,
    pub on_play: Callback<()>,
    pub on_pause: Callback<()>,
    pub on_reset: Callback<()>,
}

#[component]
pub fn Controls(props: &ControlsProps) -> Html {
    let play = props.on_play.reform(|_: MouseEvent| ());
    let pause = props.on_pause.reform(|_: MouseEvent| ());
    let reset = props.on_reset.reform(|_: MouseEvent| ());
    html! {
        <div class="controls" role="toolbar" aria-label="Run controls">
            <button data-testid="play" class="btn primary" onclick={play}
                disabled={props.playing || props.finished} aria-label="Play">{ "▶ Play" }</button>
            <button data-testid="pause" class="btn" onclick={pause}
                disabled={!props.playing} aria-label="Pause">{ "❚❚ Pause" }</button>
            <button data-testid="reset" class="btn" onclick={reset} aria-label="Reset">{ "↺ Reset" }</button>
            <span class="clock" data-testid="sim-time" data-value={props.now_ms.to_string()}
                title="Simulated time">
                { format::clock(props.now_ms) }
                <span class="clock-end">{ format!(" / {}", format::clock(props.end_ms)) }</span>
            </span>
        </div>
    }
}
