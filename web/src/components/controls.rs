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
    pub speed: f64,
    /// The speed actually achieved while playing (the engine's frame budget
    /// holds heavy topologies back).
    pub achieved: f64,
    pub on_speed: Callback<f64>,
    pub on_step: Callback<()>,
    pub seed: u64,
    /// A new seed: `Some(n)` typed by the user, `None` for a random one.
    pub on_seed: Callback<Option<u64>>,
    /// Says why something typed was not taken.
    pub on_message: Callback<Option<String>>,
}

#[component]
pub fn Controls(props: &ControlsProps) -> Html {
    let play = props.on_play.reform(|_: MouseEvent| ());
    let pause = props.on_pause.reform(|_: MouseEvent| ());
    let reset = props.on_reset.reform(|_: MouseEvent| ());
    let step = props.on_step.reform(|_: MouseEvent| ());
    let seed_typed = {
        let (on_seed, on_message, seed) = (props.on_seed.clone(), props.on_message.clone(), props.seed);
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            match parse_seed(&input.value()) {
                Ok(n) => on_seed.emit(Some(n)),
                Err(why) => {
                    // The run keeps its seed, and the box shows it again.
                    input.set_value(&seed.to_string());
                    on_message.emit(Some(format!("{why} The seed stays {seed}.")));
                }
            }
        })
    };
    let seed_random = props.on_seed.reform(|_: MouseEvent| None);
    // The seed box is written only when the seed changes: the controls redraw
    // ten times a second while running, and a `value` attribute would wipe
    // what the user is typing at each redraw.
    let seed_box = use_node_ref();
    {
        let seed_box = seed_box.clone();
        use_effect_with(props.seed, move |seed| {
            if let Some(input) = seed_box.cast::<web_sys::HtmlInputElement>() {
                input.set_value(&seed.to_string());
            }
        });
    }
    let speed = props.on_speed.reform(|e: InputEvent| {
        let input: web_sys::HtmlInputElement = e.target_unchecked_into();
        // The slider is logarithmic: -1..3 is 0.1x..1000x.
        10f64.powf(input.value().parse::<f64>().unwrap_or(0.0))
    });
    html! {
        <div class="controls" role="toolbar" aria-label="Run controls">
            <button data-testid="play" class="btn primary" onclick={play}
                disabled={props.playing || props.finished} aria-label="Play">{ "▶ Play" }</button>
            <button data-testid="pause" class="btn" onclick={pause}
                disabled={!props.playing} aria-label="Pause"><span aria-hidden="true">{ "❚❚" }</span><span class="btn-word">{ " Pause" }</span></button>
            <button data-testid="step" class="btn" onclick={step} disabled={props.playing || props.finished}
                aria-label="Step 100 ms" title="Advance 100 ms of simulated time">{ "Step" }</button>
            <button data-testid="reset" class="btn" onclick={reset} aria-label="Reset"><span aria-hidden="true">{ "↺" }</span><span class="btn-word">{ " Reset" }</span></button>
            <label class="seed" title="Same seed, same run">
                <span class="seed-word">{ "seed" }</span>
                <input type="number" data-testid="seed" aria-label="Seed" min="0" ref={seed_box}
                    onchange={seed_typed} />
                <button class="btn small" data-testid="new-seed" onclick={seed_random} aria-label="New random seed"
                    title="New random seed">{ "New" }</button>
            </label>
            <label class="speed" title="Simulated seconds per second">
                <input type="range" data-testid="speed" aria-label="Speed" min="-1" max="3" step="0.1"
                    value={props.speed.log10().to_string()} data-value={props.speed.to_string()} oninput={speed}
                    aria-valuetext={format!("{}x", format::speed(props.speed))} />
                // The speed asked for, and under it the speed the engine really achieves
                // when the design is too heavy for it (a fixed-width column: nothing jumps).
                <span class="speed-readout">
                    <span class="speed-value">{ format!("{}×", format::speed(props.speed)) }</span>
                    if props.playing && props.achieved < 0.9 * props.speed {
                        <span class="speed-achieved" data-testid="speed-achieved" data-value={props.achieved.to_string()}
                            title="This design is too heavy to simulate at the chosen speed in this browser: the engine runs it as fast as one core allows.">
                            { format!("runs at {}×", format::speed(props.achieved)) }
                        </span>
                    }
                </span>
            </label>
            <span class="clock" data-testid="sim-time" data-value={props.now_ms.to_string()}
                title="Simulated time">
                { format::clock(props.now_ms) }
                <span class="clock-end">{ format!(" / {}", format::clock(props.end_ms)) }</span>
            </span>
        </div>
    }
}

/// A seed typed in the box. A number input hands over "" for text that is
/// not a number at all.
fn parse_seed(typed: &str) -> Result<u64, String> {
    let typed = typed.trim();
    typed.parse::<u64>().map_err(|_| {
        let what =
            if typed.is_empty() { "That is not a number.".to_string() } else { format!("{typed} is not a seed.") };
        format!("{what} A seed is a whole number from 0 to {}.", u64::MAX)
    })
}

#[cfg(test)]
mod tests {
    use super::parse_seed;

    #[test]
    fn a_seed_is_a_whole_number_that_fits_in_64_bits() {
        assert_eq!(parse_seed(" 42 "), Ok(42));
        assert_eq!(parse_seed("18446744073709551615"), Ok(u64::MAX));
        for bad in ["", "-1", "1.5", "1e3", "18446744073709551616"] {
            let why = parse_seed(bad).unwrap_err();
            assert!(why.contains("whole number from 0 to 18446744073709551615"), "{bad}: {why}");
        }
        assert!(parse_seed("").unwrap_err().starts_with("That is not a number."));
        assert!(parse_seed("-1").unwrap_err().starts_with("-1 is not a seed."));
    }
}
