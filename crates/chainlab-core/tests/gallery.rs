use chainlab_core::{gallery, simulate, Mode, Plan, RunOptions, StepId};

fn makespans(key: &str) -> [f64; 3] {
    let chain = gallery::example(key).expect("gallery chain exists");
    let plan = Plan::new(chain).expect("gallery chain is valid");
    Mode::ALL.map(|mode| simulate(&plan, RunOptions::unlimited(mode)).makespan())
}

#[test]
fn uneven_branches_match_the_design_figures() {
    assert_eq!(makespans("uneven-branches"), [900.0, 700.0, 500.0]);
}

#[test]
fn research_assistant_runs_faster_concurrently() {
    assert_eq!(makespans("research-assistant"), [2500.0, 1700.0, 1600.0]);
}

#[test]
fn every_gallery_chain_is_valid_and_predicted_exactly() {
    for example in gallery::EXAMPLES {
        let plan = Plan::new((example.chain)()).expect("gallery chain is valid");
        for mode in Mode::ALL {
            let trace = simulate(&plan, RunOptions::unlimited(mode));
            assert_eq!(
                trace.makespan(),
                plan.predicted_makespan(mode) as f64,
                "{} in {} mode",
                example.key,
                mode.name()
            );
        }
    }
}

#[test]
fn outputs_flow_into_later_templates() {
    let plan = Plan::new(gallery::research_assistant()).expect("valid");
    let trace = simulate(&plan, RunOptions::unlimited(Mode::Eager));
    let answer = trace
        .output_of(&StepId::new("answer"))
        .expect("the answer step finished");
    assert!(answer.contains("sales doubled"), "{answer}");
    assert!(answer.contains("How do heat pumps perform"), "{answer}");
}

#[test]
fn staged_barrier_wait_is_visible_in_the_trace() {
    let plan = Plan::new(gallery::uneven_branches()).expect("valid");
    let staged = simulate(&plan, RunOptions::unlimited(Mode::Staged));
    let eager = simulate(&plan, RunOptions::unlimited(Mode::Eager));
    // D is ready at 200 ms but its level starts at 500 ms.
    assert_eq!(staged.barrier_wait(), 300.0);
    assert_eq!(eager.barrier_wait(), 0.0);
}
