//! Ready-made chains, one per kind of parallel work a class should see, plus one
//! where parallelism cannot help. Each runs on the simulator with no key, and each
//! comes laid out in columns by dependency level, as auto-layout would put it.

use crate::editor::layout;
use crate::model::{Chain, LatencyModel, Step, TransformOp};

/// A gallery entry: the chain (its `description` is what a teacher can say about it).
pub struct Example {
    pub key: &'static str,
    pub chain: fn() -> Chain,
}

pub const EXAMPLES: &[Example] = &[
    Example {
        key: "research-assistant",
        chain: research_assistant,
    },
    Example {
        key: "information-gathering",
        chain: information_gathering,
    },
    Example {
        key: "data-processing",
        chain: data_processing,
    },
    Example {
        key: "travel-planning",
        chain: travel_planning,
    },
    Example {
        key: "content-generation",
        chain: content_generation,
    },
    Example {
        key: "validation",
        chain: validation,
    },
    Example {
        key: "multi-modal",
        chain: multi_modal,
    },
    Example {
        key: "ab-options",
        chain: ab_options,
    },
    Example {
        key: "uneven-branches",
        chain: uneven_branches,
    },
    Example {
        key: "sequential-only",
        chain: sequential_only,
    },
    Example {
        key: "slowest-branch",
        chain: slowest_branch,
    },
];

pub fn example(key: &str) -> Option<Chain> {
    EXAMPLES.iter().find(|e| e.key == key).map(|e| (e.chain)())
}

/// Search two sources, summarize each, synthesize.
pub fn research_assistant() -> Chain {
    laid_out(Chain {
        name: "Research assistant".into(),
        description: "Two searches do not need each other, and neither do the two summaries: \
            run them side by side and only the synthesis waits for both. Sequentially the \
            five calls queue up one behind the other."
            .into(),
        seed: 7,
        steps: vec![
            input("question", "Question", "How do heat pumps perform in cold climates?"),
            http(
                "search_a",
                "Search A (papers)",
                &["question"],
                "https://api.example.org/papers?q={{question}}",
                300,
                "Papers on: {{question}} — field trials in Norway and Canada.",
            ),
            http(
                "search_b",
                "Search B (news)",
                &["question"],
                "https://api.example.org/news?q={{question}}",
                400,
                "News on: {{question}} — adoption is rising in Nordic countries.",
            ),
            llm(
                "summarize_a",
                "Summarize A",
                &["search_a"],
                "Summarize these papers in three bullet points:\n{{search_a}}",
                600,
                "Summary of papers: efficient down to -25 °C. ({{search_a}})",
            ),
            llm(
                "summarize_b",
                "Summarize B",
                &["search_b"],
                "Summarize these articles in three bullet points:\n{{search_b}}",
                500,
                "Summary of news: sales doubled since 2020. ({{search_b}})",
            ),
            llm(
                "synthesize",
                "Synthesize",
                &["summarize_a", "summarize_b"],
                "Write a short answer from:\n{{summarize_a}}\n{{summarize_b}}",
                700,
                "Answer: heat pumps work well in cold climates. Based on: {{summarize_a}} / {{summarize_b}}",
            ),
            output("answer", "Answer", &["synthesize"]),
        ],
    })
}

/// News, social media and a database at once, then a briefing.
pub fn information_gathering() -> Chain {
    laid_out(Chain {
        name: "Information gathering".into(),
        description: "News, social media and an internal database are three separate \
            lookups, so they can all be asked at the same moment. The briefing waits only \
            for the slowest of them, not for their sum."
            .into(),
        seed: 21,
        steps: vec![
            input("topic", "Topic", "The city's new bike lanes"),
            http(
                "news",
                "News search",
                &["topic"],
                "https://api.example.org/news?q={{topic}}",
                450,
                "News: council approves 12 km of new lanes ({{topic}}).",
            ),
            http(
                "social",
                "Social media",
                &["topic"],
                "https://api.example.org/social?q={{topic}}",
                350,
                "Social: 70% of posts positive, parking is the main worry.",
            ),
            http(
                "database",
                "Traffic database",
                &["topic"],
                "https://db.example.org/traffic?area=centre",
                250,
                "Database: cycling trips up 18% since the lanes opened.",
            ),
            llm(
                "briefing",
                "Write briefing",
                &["news", "social", "database"],
                "Write a five-line briefing from:\n{{news}}\n{{social}}\n{{database}}",
                800,
                "Briefing: {{news}} {{social}} {{database}}",
            ),
            output("report", "Briefing", &["briefing"]),
        ],
    })
}

/// Sentiment, keywords and categories of one text, then a report.
pub fn data_processing() -> Chain {
    laid_out(Chain {
        name: "Data processing".into(),
        description: "Sentiment, keywords and category are three questions about the same \
            text, and none needs another's answer. Asked together they cost as much time as \
            the slowest one; the report then combines them."
            .into(),
        seed: 33,
        steps: vec![
            input(
                "review",
                "Customer review",
                "The blender is powerful and quiet, but the lid cracked after a month.",
            ),
            llm(
                "sentiment",
                "Sentiment",
                &["review"],
                "Is this review positive, negative or mixed?\n{{review}}",
                400,
                "mixed",
            ),
            llm(
                "keywords",
                "Keywords",
                &["review"],
                "List the five most important keywords of:\n{{review}}",
                300,
                "powerful, quiet, lid, cracked, durability",
            ),
            llm(
                "category",
                "Category",
                &["review"],
                "Which product category is this review about?\n{{review}}",
                350,
                "kitchen appliances",
            ),
            llm(
                "report",
                "Write report",
                &["sentiment", "keywords", "category"],
                "Report on one review. Sentiment: {{sentiment}}. Keywords: {{keywords}}. Category: {{category}}.",
                600,
                "Report: {{sentiment}} review in {{category}}; watch for: {{keywords}}.",
            ),
            output("result", "Report", &["report"]),
        ],
    })
}

/// Flights, hotels, weather and events from four APIs, then an itinerary.
pub fn travel_planning() -> Chain {
    laid_out(Chain {
        name: "Travel planning".into(),
        description: "Flights, hotels, weather and events come from four different APIs \
            that know nothing of each other, so a travel agent can call them all at once. \
            Only the itinerary needs every answer."
            .into(),
        seed: 44,
        steps: vec![
            input("trip", "Trip", "Lisbon, 12-14 June, two people"),
            http(
                "flights",
                "Flights API",
                &["trip"],
                "https://flights.example.org/search?q={{trip}}",
                700,
                "Flight TP1351, 09:40, 2 × 120 €",
            ),
            http(
                "hotels",
                "Hotels API",
                &["trip"],
                "https://hotels.example.org/search?q={{trip}}",
                500,
                "Hotel Alfama View, 2 nights, 240 €",
            ),
            http(
                "weather",
                "Weather API",
                &["trip"],
                "https://weather.example.org/forecast?q={{trip}}",
                200,
                "Sunny, 27 °C",
            ),
            http(
                "events",
                "Events API",
                &["trip"],
                "https://events.example.org/search?q={{trip}}",
                400,
                "Santo António festival on 13 June",
            ),
            llm(
                "itinerary",
                "Plan itinerary",
                &["flights", "hotels", "weather", "events"],
                "Plan the trip from:\n{{flights}}\n{{hotels}}\n{{weather}}\n{{events}}",
                900,
                "Itinerary: fly {{flights}}; stay at {{hotels}}; expect {{weather}}; don't miss {{events}}.",
            ),
            output("plan", "Itinerary", &["itinerary"]),
        ],
    })
}

/// Subject line, body and call to action of a marketing email, then assembly.
pub fn content_generation() -> Chain {
    laid_out(Chain {
        name: "Content generation".into(),
        description: "A marketing email has parts that can be written independently from \
            the same brief: a subject line, a body and a call to action. Three model calls \
            write them at once; a local template assembles the email in no time."
            .into(),
        seed: 55,
        steps: vec![
            input(
                "brief",
                "Brief",
                "Spring sale: 20% off all hiking boots until Sunday",
            ),
            llm(
                "subject",
                "Subject line",
                &["brief"],
                "Write a subject line (max 8 words) for: {{brief}}",
                300,
                "Your next trail starts 20% cheaper",
            ),
            llm(
                "body",
                "Email body",
                &["brief"],
                "Write a friendly 80-word email body for: {{brief}}",
                900,
                "Spring is here and the trails are calling. Until Sunday every pair of hiking boots is 20% off.",
            ),
            llm(
                "cta",
                "Call to action",
                &["brief"],
                "Write a short call to action button text for: {{brief}}",
                250,
                "Find your boots",
            ),
            transform(
                "assemble",
                "Assemble email",
                &["subject", "body", "cta"],
                TransformOp::Template,
                "Subject: {{subject}}\n\n{{body}}\n\n[{{cta}}]",
            ),
            output("email", "Email", &["assemble"]),
        ],
    })
}

/// Several checks of one input at once, then a verdict.
pub fn validation() -> Chain {
    laid_out(Chain {
        name: "Validation and verification".into(),
        description: "Before accepting a sign-up, four checks look at the same form: format, \
            spam, content policy and a database of known addresses. None depends on another, \
            so all four run together and the verdict waits for the last one."
            .into(),
        seed: 66,
        steps: vec![
            input(
                "form",
                "Sign-up form",
                "name: Ada Lovelace, email: ada@example.org, bio: I write about engines",
            ),
            transform(
                "format",
                "Format check",
                &["form"],
                TransformOp::Template,
                "format ok: {{form}}",
            ),
            llm(
                "spam",
                "Spam check",
                &["form"],
                "Is this sign-up spam? Answer pass or fail.\n{{form}}",
                450,
                "pass",
            ),
            llm(
                "policy",
                "Policy check",
                &["form"],
                "Does this bio break the content policy? Answer pass or fail.\n{{form}}",
                550,
                "pass",
            ),
            http(
                "known",
                "Address lookup",
                &["form"],
                "https://db.example.org/blocked?q={{form}}",
                300,
                "pass",
            ),
            transform(
                "verdict",
                "Verdict",
                &["format", "spam", "policy", "known"],
                TransformOp::Template,
                "Verdict: accept. Spam {{spam}}, policy {{policy}}, address {{known}}; {{format}}",
            ),
            output("decision", "Decision", &["verdict"]),
        ],
    })
}

/// Text, image and audio analysed together, then one insight.
pub fn multi_modal() -> Chain {
    laid_out(Chain {
        name: "Multi-modal analysis".into(),
        description: "A recorded lecture has notes, slide images and audio. A text model, a \
            vision model and a speech-to-text service can each work on their own part at the \
            same time; the slow transcript sets the pace, and the insight combines all three."
            .into(),
        seed: 77,
        steps: vec![
            input("lecture", "Lecture files", "Lecture 4: photosynthesis (notes, slides, audio)"),
            llm(
                "text",
                "Analyse notes",
                &["lecture"],
                "Summarize the notes of {{lecture}}",
                500,
                "Notes: light reactions, Calvin cycle.",
            ),
            llm(
                "image",
                "Describe slides",
                &["lecture"],
                "Describe the diagrams on the slides of {{lecture}}",
                900,
                "Slides: a chloroplast diagram and a graph of light intensity.",
            ),
            http(
                "audio",
                "Transcribe audio",
                &["lecture"],
                "https://speech.example.org/transcribe?file={{lecture}}",
                1200,
                "Transcript: the lecturer stresses that the Calvin cycle needs no light directly.",
            ),
            llm(
                "insight",
                "Integrated insight",
                &["text", "image", "audio"],
                "Combine into study advice:\n{{text}}\n{{image}}\n{{audio}}",
                700,
                "Insight: study the chloroplast diagram with the Calvin cycle. ({{text}} {{image}} {{audio}})",
            ),
            output("advice", "Study advice", &["insight"]),
        ],
    })
}

/// Several variants at once, then the best is picked.
pub fn ab_options() -> Chain {
    laid_out(Chain {
        name: "A/B options".into(),
        description: "Three versions of a product tagline are written at once by separate \
            calls, as if three writers worked in parallel. A simple rule then picks one (here \
            the most detailed); a judging model could do the same."
            .into(),
        seed: 88,
        steps: vec![
            input("product", "Product", "A solar phone charger for hikers"),
            llm(
                "variant_a",
                "Variant A (short)",
                &["product"],
                "Write a very short tagline for: {{product}}",
                500,
                "Sun in, power out.",
            ),
            llm(
                "variant_b",
                "Variant B (detailed)",
                &["product"],
                "Write a detailed tagline for: {{product}}",
                800,
                "Charge your phone from sunlight anywhere on the trail, no socket needed.",
            ),
            llm(
                "variant_c",
                "Variant C (playful)",
                &["product"],
                "Write a playful tagline for: {{product}}",
                650,
                "Your phone's favourite hiking buddy.",
            ),
            transform(
                "pick",
                "Pick the best",
                &["variant_a", "variant_b", "variant_c"],
                TransformOp::PickLongest,
                "",
            ),
            output("tagline", "Chosen tagline", &["pick"]),
        ],
    })
}

/// The chain where staged and eager differ: B is slow, C then D are quick, and a
/// barrier makes D wait for B although D does not need B.
pub fn uneven_branches() -> Chain {
    laid_out(Chain {
        name: "Uneven branches".into(),
        description: "B takes 500 ms; C and D take 200 ms each, one after the other. Staged \
            runs make D wait for the whole level (B and C), so they take 700 ms; eager runs \
            start D as soon as C is done and finish in 500 ms, the critical path."
            .into(),
        seed: 11,
        steps: vec![
            input("a", "A: question", "Plan a weekend in Lisbon"),
            llm(
                "b",
                "B: long analysis",
                &["a"],
                "Analyse in depth: {{a}}",
                500,
                "Deep analysis of {{a}}",
            ),
            http(
                "c",
                "C: quick lookup",
                &["a"],
                "https://api.example.org/lookup?q={{a}}",
                200,
                "Lookup for {{a}}",
            ),
            llm(
                "d",
                "D: refine lookup",
                &["c"],
                "Refine: {{c}}",
                200,
                "Refined {{c}}",
            ),
            transform(
                "e",
                "E: combine",
                &["b", "d"],
                TransformOp::Template,
                "{{b}}\n{{d}}",
            ),
        ],
    })
}

/// Every step needs the one before: no mode can do better than the sum.
pub fn sequential_only() -> Chain {
    laid_out(Chain {
        name: "Deliberately sequential".into(),
        description: "Outline, draft, revise, translate: every step needs the previous \
            step's text, so there is never anything to run side by side. All three modes take \
            the same time, which shows that parallelism only pays when steps are independent."
            .into(),
        seed: 99,
        steps: vec![
            input("topic", "Topic", "Why the sky is blue"),
            llm(
                "outline",
                "Outline",
                &["topic"],
                "Outline a short article on: {{topic}}",
                400,
                "Outline of {{topic}}: sunlight, scattering, our eyes.",
            ),
            llm(
                "draft",
                "Draft",
                &["outline"],
                "Write the article from this outline:\n{{outline}}",
                800,
                "Draft following {{outline}}",
            ),
            llm(
                "revise",
                "Revise",
                &["draft"],
                "Make this clearer for 12-year-olds:\n{{draft}}",
                600,
                "Revised: {{draft}}",
            ),
            llm(
                "translate",
                "Translate",
                &["revise"],
                "Translate into French:\n{{revise}}",
                500,
                "Traduction : {{revise}}",
            ),
            output("article", "Article", &["translate"]),
        ],
    })
}

/// Eight long-tailed searches, then a synthesis: the lesson is the tail. The median of
/// the slowest of eight log-normal(200 ms, σ 0.5) calls is 200·e^(0.5·1.386) ≈ 400 ms.
pub fn slowest_branch() -> Chain {
    let sources = [
        ("web", "Web"),
        ("news", "News"),
        ("papers", "Papers"),
        ("forums", "Forums"),
        ("patents", "Patents"),
        ("docs", "Docs"),
        ("videos", "Videos"),
        ("datasets", "Datasets"),
    ];
    let mut steps = vec![input(
        "question",
        "Question",
        "Which battery chemistry suits home storage best?",
    )];
    for (source, name) in sources {
        let step = http(
            &format!("search_{source}"),
            &format!("Search {name}"),
            &["question"],
            &format!("https://api.example.org/{source}?q={{{{question}}}}"),
            200,
            &format!("{name} results on: {{{{question}}}}"),
        );
        steps.push(long_tailed(step, 0.5));
    }
    let searches: Vec<String> = sources.iter().map(|(s, _)| format!("search_{s}")).collect();
    let names: Vec<&str> = searches.iter().map(String::as_str).collect();
    let refs: Vec<String> = searches.iter().map(|s| format!("{{{{{s}}}}}")).collect();
    steps.push(llm(
        "synthesize",
        "Synthesize",
        &names,
        &format!(
            "Answer the question from these results:\n{}",
            refs.join("\n")
        ),
        500,
        "Answer: lithium iron phosphate, for its life and safety.",
    ));
    steps.push(output("answer", "Answer", &["synthesize"]));
    laid_out(Chain {
        name: "The slowest branch".into(),
        description: "Eight searches run side by side, each taking 200 ms at the median but \
            sometimes much longer (log-normal latencies). A fan-out waits for its slowest \
            branch, so the synthesis starts after about 400 ms in a typical run, not 200: open \
            the distribution to see the tail."
            .into(),
        seed: 8,
        steps,
    })
}

/// Places the chain's steps by auto-layout; gallery chains have no cycles.
fn laid_out(mut chain: Chain) -> Chain {
    if let Err(cycle) = layout::arrange(&mut chain) {
        debug_assert!(false, "gallery chain {} has a cycle: {cycle}", chain.name);
    }
    chain
}

/// The step's simulated latency becomes log-normal around its fixed time (the median),
/// like a real call: usually close, sometimes far slower.
fn long_tailed(mut step: Step, sigma: f64) -> Step {
    if let LatencyModel::Fixed { ms } = step.sim.latency {
        step.sim.latency = LatencyModel::LogNormal {
            median_ms: ms,
            sigma,
        };
    }
    step
}

// The gallery's shorthand over the step builders (`editor::builders`): every chain
// here is a few dozen of these lines.

fn input(id: &str, label: &str, text: &str) -> Step {
    Step::input(id, text).labelled(label)
}

fn llm(id: &str, label: &str, inputs: &[&str], prompt: &str, ms: u32, output: &str) -> Step {
    Step::llm(id, prompt)
        .labelled(label)
        .after(inputs)
        .taking_ms(ms)
        .simulating(output)
}

fn http(id: &str, label: &str, inputs: &[&str], url: &str, ms: u32, output: &str) -> Step {
    Step::http(id, url)
        .labelled(label)
        .after(inputs)
        .taking_ms(ms)
        .simulating(output)
}

/// Local steps take no simulated time: they are computed, not called.
fn transform(id: &str, label: &str, inputs: &[&str], op: TransformOp, template: &str) -> Step {
    Step::transform(id, op, template)
        .labelled(label)
        .after(inputs)
}

fn output(id: &str, label: &str, inputs: &[&str]) -> Step {
    Step::output(id).labelled(label).after(inputs)
}
