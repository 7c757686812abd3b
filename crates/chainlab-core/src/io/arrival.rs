//! How a chain arrives from outside: a link, a file, the browser's storage, an
//! import. Whatever the source, the chain gets the same care here, so that no source
//! forgets a step of it.

use crate::editor::{gallery, layout};
use crate::io::import::{self, Format, GuessedKind, ImportError, Imported, Note};
use crate::model::{Chain, LatencyModel, StepId};
use crate::{Mode, Plan};

/// A chain that came in, ready for the canvas.
#[derive(Clone, Debug, PartialEq)]
pub struct Arrival {
    pub chain: Chain,
    /// The gallery chain it is, unchanged, if it is one (the chain picker shows it).
    pub gallery_key: Option<&'static str>,
}

/// Makes a chain read from outside ready for the canvas: one written by hand or by
/// a program may give its steps no places, so it is laid out in "runs together"
/// columns; a gallery chain is recognised as such.
pub fn arrive(mut chain: Chain) -> Arrival {
    layout::arrange_if_stacked(&mut chain);
    let gallery_key = gallery::EXAMPLES
        .iter()
        .find(|e| (e.chain)() == chain)
        .map(|e| e.key);
    Arrival { chain, gallery_key }
}

/// What the page tells the person about a chain that came in as text (pasted or from
/// a file), beside the chain: where it came from, what was guessed or assumed, and for
/// a trace what it took as it ran.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportReport {
    pub format: Format,
    /// The imported chain's name, which says where it came from (the file, the
    /// Mermaid title, the service and trace id).
    pub name: String,
    /// The notes in the order the importer gave them.
    pub notes: Vec<Note>,
    /// Steps whose kind was guessed from the name, with the kind guessed.
    pub guessed: Vec<(StepId, GuessedKind)>,
    /// The latencies assumed for each kind, when the source gave none (a graph).
    pub assumed: Option<Assumed>,
    /// A trace: how long it took and how long its chain takes replayed as it ran.
    pub replay: Option<Replay>,
}

/// The assumed latency of every model and every HTTP step of an imported graph.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Assumed {
    pub llm: LatencyModel,
    pub http: LatencyModel,
}

/// A trace next to the chain it became.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Replay {
    /// From the trace's first start to its last end (the root span, when it has one).
    pub trace_ms: u64,
    /// The chain's eager makespan: each step waits for the steps that ended before it
    /// started in the trace, and for nothing else, so an eager run starts each step
    /// when the trace did, less the time between spans that no step holds.
    pub as_it_ran_ms: u64,
}

impl Replay {
    /// The mode whose lane replays the trace as it ran, on the chain as imported.
    pub const MODE: Mode = Mode::Eager;

    /// The replay in words, for the page: what a trace can say and what it cannot.
    pub fn words(&self) -> String {
        let gap = self.trace_ms.saturating_sub(self.as_it_ran_ms);
        let mut words = format!(
            "A trace records what ran, not which step needed which, so every step here \
             waits for all the steps that ended before it started. As it ran: {} ms, the \
             {} lane of this chain (the trace took {} ms",
            self.as_it_ran_ms,
            Self::MODE.name(),
            self.trace_ms
        );
        if gap > 0 {
            words.push_str(&format!(", {gap} ms of it between spans, in no step"));
        }
        words.push_str(
            "). Remove the dependencies that are not real on the canvas (select an edge, \
             press Delete), then race: staged and eager show what the run would have taken.",
        );
        words
    }
}

impl ImportReport {
    fn of(imported: &Imported) -> Self {
        let mut guessed = Vec::new();
        let mut assumed = None;
        let mut trace_ms = None;
        for note in &imported.notes {
            match note {
                Note::KindsGuessed { http, llm } => {
                    guessed.extend(http.iter().map(|id| (id.clone(), GuessedKind::Http)));
                    guessed.extend(llm.iter().map(|id| (id.clone(), GuessedKind::Llm)));
                }
                Note::LatenciesAssumed { llm, http } => {
                    assumed = Some(Assumed {
                        llm: *llm,
                        http: *http,
                    });
                }
                Note::TimeBetweenSpans { trace_ms: ms, .. } => trace_ms = Some(*ms),
                _ => {}
            }
        }
        let replay = matches!(imported.format, Format::OtlpJson | Format::ChromeTrace).then(|| {
            let as_it_ran_ms = Plan::new(imported.chain.clone())
                .map(|plan| plan.predicted_makespan(Replay::MODE))
                .unwrap_or(0);
            Replay {
                trace_ms: trace_ms.unwrap_or(as_it_ran_ms),
                as_it_ran_ms,
            }
        });
        Self {
            format: imported.format,
            name: imported.chain.name.clone(),
            notes: imported.notes.clone(),
            guessed,
            assumed,
            replay,
        }
    }
}

/// A pasted text or a file's text, in any format [`import::import`] reads (it tells
/// them apart by the text, not the file name), ready for the canvas. ChainLab's own
/// chain files come with no report, since nothing about them was guessed.
pub fn arrive_text(
    text: &str,
    file_name: Option<&str>,
) -> Result<(Arrival, Option<ImportReport>), ImportError> {
    let imported = import::import(text, file_name)?;
    let report = (imported.format != Format::ChainLab).then(|| ImportReport::of(&imported));
    Ok((arrive(imported.chain), report))
}

/// Gives every model step `llm` and every HTTP step `http`, as the import report's
/// "assumed latencies, for all steps at once" asks. Returns how many steps changed.
pub fn set_assumed(chain: &mut Chain, assumed: Assumed) -> usize {
    import::set_latency(chain, GuessedKind::Llm, assumed.llm)
        + import::set_latency(chain, GuessedKind::Http, assumed.http)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Position;

    #[test]
    fn a_gallery_chain_is_recognised_and_a_stacked_one_laid_out() {
        let research = gallery::research_assistant();
        assert_eq!(
            arrive(research.clone()).gallery_key,
            Some("research-assistant")
        );
        let mut stacked = research;
        stacked.name = "Mine".into();
        stacked
            .steps
            .iter_mut()
            .for_each(|s| s.position = Position::default());
        let arrived = arrive(stacked);
        assert_eq!(arrived.gallery_key, None);
        assert!(arrived
            .chain
            .steps
            .iter()
            .any(|s| s.position != Position::default()));
    }

    #[test]
    fn a_graph_arrives_with_its_guesses_and_assumed_latencies() {
        let text = "graph TD\n  web_search --> answer\n  web_search -.-> check\n";
        let (arrival, report) = arrive_text(text, Some("pipeline.mmd")).expect("imports");
        let report = report.expect("a graph is reported");
        assert_eq!(arrival.chain.name, "pipeline");
        assert_eq!(report.format, Format::Mermaid);
        assert!(report
            .guessed
            .contains(&(StepId::new("web_search"), GuessedKind::Http)));
        assert!(report
            .guessed
            .contains(&(StepId::new("answer"), GuessedKind::Llm)));
        assert!(report
            .notes
            .iter()
            .any(|n| matches!(n, Note::ConditionalEdges { count: 1 })));
        assert_eq!(report.replay, None);
        let assumed = report.assumed.expect("latencies are assumed");

        let mut chain = arrival.chain;
        let fixed = Assumed {
            llm: LatencyModel::Fixed { ms: 50 },
            http: LatencyModel::Fixed { ms: 20 },
        };
        assert_eq!(set_assumed(&mut chain, fixed), 3);
        assert_eq!(set_assumed(&mut chain, fixed), 0);
        assert_ne!(assumed, fixed);
        let plan = Plan::new(chain).expect("valid");
        assert_eq!(plan.predicted_makespan(Mode::Eager), 70);
    }

    #[test]
    fn a_trace_arrives_with_its_replay_named_after_the_service() {
        let span = |id: &str, parent: &str, name: &str, start: u64, end: u64| {
            format!(
                r#"{{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"{id}","parentSpanId":"{parent}","name":"{name}","startTimeUnixNano":"{}","endTimeUnixNano":"{}"}}"#,
                start * 1_000_000,
                end * 1_000_000
            )
        };
        let spans = [
            span("01", "", "run", 0, 130),
            span("02", "01", "search_a", 0, 60),
            span("03", "01", "search_b", 1, 40),
            span("04", "01", "write", 62, 130),
        ];
        let text = format!(
            r#"{{"resourceSpans":[{{"resource":{{"attributes":[{{"key":"service.name","value":{{"stringValue":"agent"}}}}]}},"scopeSpans":[{{"spans":[{}]}}]}}]}}"#,
            spans.join(",")
        );
        let (arrival, report) = arrive_text(&text, None).expect("imports");
        let report = report.expect("a trace is reported");
        assert_eq!(arrival.chain.name, "agent · trace 5b8efff7");
        assert_eq!(report.format, Format::OtlpJson);
        assert_eq!(
            report.replay,
            Some(Replay {
                trace_ms: 130,
                as_it_ran_ms: 128
            })
        );
        assert!(report.replay.expect("replay").words().contains(
            "As it ran: 128 ms, the eager lane of this chain (the trace took 130 ms, 2 ms of it \
             between spans, in no step)"
        ));
        assert_eq!(report.assumed, None);
        // A trace's dependencies are its order only: removing one keeps a valid chain.
        let mut chain = arrival.chain;
        assert!(crate::editor::edit::disconnect(
            &mut chain,
            &StepId::new("search_a"),
            &StepId::new("write")
        ));
        assert!(Plan::new(chain).is_ok());
    }

    #[test]
    fn a_chainlab_file_arrives_without_a_report_and_bad_text_is_refused() {
        let file = crate::io::share::to_file(&gallery::research_assistant());
        let (arrival, report) = arrive_text(&file, Some("x.json")).expect("imports");
        assert_eq!(arrival.gallery_key, Some("research-assistant"));
        assert_eq!(report, None);
        assert!(arrive_text("graph TD\n  a --> b\n  b --> a\n", None).is_err());
    }
}
