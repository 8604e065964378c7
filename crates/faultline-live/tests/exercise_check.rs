//! Checking an exercise through the worker's messages: the same verdict the
//! CLI gives (`faultline_sim::exercise::check`), across the JSON boundary,
//! with the live run left where it was.

use faultline_live::{Command, Live, Report};
use faultline_sim::exercise::{self, registry};
use faultline_sim::slice_scenario;

fn text(id: &str) -> String {
    registry::BUILTIN.iter().find(|(i, _)| *i == id).unwrap().1.to_string()
}

fn send(live: &mut Live, cmd: Command) -> Vec<Report> {
    let cmd = Command::from_json(&cmd.to_json()).unwrap();
    live.handle(cmd, 0.0).into_iter().map(|r| Report::from_json(&r.to_json()).unwrap()).collect()
}

#[test]
fn a_check_in_the_worker_is_the_cli_verdict_and_leaves_the_live_run_alone() {
    let ex = registry::load("url-shortener").unwrap();
    let mut live = Live::new();
    send(&mut live, Command::Load { rev: 1, doc: Box::new(slice_scenario()) });
    send(&mut live, Command::Step { ms: 500 });
    let before = live.sim().now();
    for (design, stars) in [(&ex.starter, 0), (&ex.reference, 3)] {
        let r = send(
            &mut live,
            Command::CheckExercise { id: ex.id.clone(), exercise: text(&ex.id), design: Box::new(design.clone()) },
        );
        let [Report::Checked { id, result: Ok(got) }] = &r[..] else { panic!("{r:?}") };
        assert_eq!(id, &ex.id);
        assert_eq!(**got, exercise::check(&ex, design).unwrap(), "the same verdict as the CLI's");
        assert_eq!(got.stars, stars);
        assert_eq!(got.pass, stars > 0);
    }
    assert_eq!(live.sim().now(), before, "the live run did not move");
}

#[test]
fn a_broken_exercise_or_an_uncheckable_design_is_an_error_not_a_panic() {
    let mut live = Live::new();
    let design = Box::new(slice_scenario());
    let r = send(&mut live, Command::CheckExercise { id: "x".into(), exercise: "{".into(), design: design.clone() });
    assert!(matches!(&r[..], [Report::Checked { result: Err(e), .. }] if e.contains("not a valid exercise")), "{r:?}");
    let mut broken: serde_json::Value = serde_json::from_str(&text("url-shortener")).unwrap();
    broken["version"] = 99.into();
    let exercise = broken.to_string();
    let r = send(&mut live, Command::CheckExercise { id: "x".into(), exercise, design: design.clone() });
    assert!(matches!(&r[..], [Report::Checked { result: Err(e), .. }] if e.contains("version")), "{r:?}");
    let exercise = text("url-shortener");
    let r = send(&mut live, Command::CheckExercise { id: "url-shortener".into(), exercise, design });
    assert!(matches!(&r[..], [Report::Checked { result: Err(_), .. }]), "{r:?}");
}
