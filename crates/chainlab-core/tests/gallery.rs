use chainlab_core::editor::gallery;
use chainlab_core::{simulate, Mode, Plan, RunOptions, StepId};

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

#[test]
fn the_gallery_covers_every_use_case_with_a_teachers_explanation() {
    let keys: Vec<&str> = gallery::EXAMPLES.iter().map(|e| e.key).collect();
    assert_eq!(
        keys,
        [
            "research-assistant",
            "information-gathering",
            "data-processing",
            "travel-planning",
            "content-generation",
            "validation",
            "multi-modal",
            "ab-options",
            "uneven-branches",
            "sequential-only",
            "slowest-branch",
        ]
    );
    for example in gallery::EXAMPLES {
        let chain = (example.chain)();
        let sentences = chain.description.matches(". ").count() + 1;
        assert!(
            (2..=3).contains(&sentences) && chain.description.ends_with('.'),
            "{}: {sentences} sentences in {:?}",
            example.key,
            chain.description
        );
    }
}

#[test]
fn parallel_use_cases_win_and_the_sequential_chain_does_not() {
    for example in gallery::EXAMPLES {
        let [sequential, staged, eager] = makespans(example.key);
        assert!(eager <= staged && staged <= sequential, "{}", example.key);
        if example.key == "sequential-only" {
            assert_eq!([sequential, staged, eager], [2300.0; 3]);
        } else {
            assert!(eager < sequential, "{} gains nothing", example.key);
        }
    }
}
