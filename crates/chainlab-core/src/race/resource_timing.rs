//! When a request really left the browser. Over HTTP/1.1 a browser opens at most six
//! connections per origin and holds further requests back, out of the page's sight;
//! the browser's Resource Timing entries (`requestStart`) tell afterwards how long each
//! one waited. This module pairs the page's own records of its requests with those
//! entries and marks the wait on the trace's spans.

use crate::engine::trace::Trace;
use crate::model::StepId;
use crate::model::Time;

/// One request as the page sent it, on the page's clock (`performance.now()`).
#[derive(Clone, Debug, PartialEq)]
pub struct SentRequest {
    pub step: StepId,
    pub attempt: u32,
    /// The URL as the browser resolved it, which is the entry's name.
    pub url: String,
    /// When `fetch` was called.
    pub fetched: Time,
    /// When the page had read the whole answer.
    pub read: Time,
}

/// What the browser recorded for one request (a `PerformanceResourceTiming`).
#[derive(Clone, Debug, PartialEq)]
pub struct TimingEntry {
    pub url: String,
    pub start: Time,
    /// 0 when the server does not allow the page to see it (no `Timing-Allow-Origin`).
    pub request_start: Time,
    pub response_end: Time,
}

/// How far an entry's times may lie outside the request's own window (`fetched` to
/// `read`) and still be its entry: the two clocks are coarsened differently.
const CLOCK_SLACK_MS: Time = 5.0;

/// Whether the request may have made the entry: the browser starts a request after the
/// page called `fetch` and finishes it before the page has read the answer. On a busy
/// machine the page may read it hundreds of milliseconds later, so only the window is
/// required, not closeness.
fn within(request: &SentRequest, entry: &TimingEntry) -> bool {
    entry.url == request.url
        && entry.start >= request.fetched - CLOCK_SLACK_MS
        && entry.response_end <= request.read + CLOCK_SLACK_MS
}

/// Whether every request has an entry of its own that the browser has already
/// delivered (readable or not). The browser adds an entry in a task of its own, which on
/// a busy machine may come after the page has read the answer.
pub fn all_delivered(requests: &[SentRequest], entries: &[TimingEntry]) -> bool {
    pair(requests, entries, false).iter().flatten().count() == requests.len()
}

/// Sets `sent` on every span whose request has a readable timing entry; returns how
/// many spans were marked. Requests to the same URL are told apart by when `fetch` was
/// called: the browser stamps the entry's start in that call, while the page may read
/// the answers late and in any order. Each entry is used once, and as many requests as
/// possible get one: a request whose nearest entry another already holds moves that
/// other to its next one (augmenting paths), so no greedy first choice can leave a
/// later request with nothing in its window.
pub fn mark_sent(trace: &mut Trace, requests: &[SentRequest], entries: &[TimingEntry]) -> usize {
    let holder = pair(requests, entries, true);
    let mut marked = 0;
    for (entry, r) in entries.iter().zip(holder) {
        let Some(request) = r.map(|r| &requests[r]) else {
            continue;
        };
        let span = trace
            .spans
            .iter_mut()
            .find(|s| s.step == request.step && s.attempt == request.attempt);
        if let Some(span) = span {
            // The page's clock and the entry's share an origin; the request cannot
            // leave before the step started or after it ended.
            let started = span.started.unwrap_or(request.fetched);
            let sent = entry.request_start.max(started);
            span.sent = Some(span.ended.map_or(sent, |e| sent.min(e)));
            marked += 1;
        }
    }
    marked
}

/// For each entry, the request it is paired with (only readable entries when
/// `readable`), as many requests as possible paired, each with the entry nearest its
/// `fetch` that is left.
fn pair(requests: &[SentRequest], entries: &[TimingEntry], readable: bool) -> Vec<Option<usize>> {
    let candidates: Vec<Vec<usize>> = requests
        .iter()
        .map(|r| {
            let mut near: Vec<usize> = (0..entries.len())
                .filter(|&i| {
                    (!readable || entries[i].request_start > 0.0) && within(r, &entries[i])
                })
                .collect();
            near.sort_by(|&a, &b| {
                let gap = |i: usize| (entries[i].start - r.fetched).abs();
                gap(a).total_cmp(&gap(b))
            });
            near
        })
        .collect();
    let mut order: Vec<usize> = (0..requests.len()).collect();
    order.sort_by(|&a, &b| requests[a].fetched.total_cmp(&requests[b].fetched));
    let mut holder = vec![None; entries.len()];
    for r in order {
        claim(r, &candidates, &mut holder, &mut vec![false; entries.len()]);
    }
    holder
}

/// Gives request `r` an entry, moving the entry's holder to another of its own if it
/// has one; `tried` keeps one search from visiting an entry twice.
fn claim(
    r: usize,
    candidates: &[Vec<usize>],
    holder: &mut [Option<usize>],
    tried: &mut [bool],
) -> bool {
    for &i in &candidates[r] {
        if std::mem::replace(&mut tried[i], true) {
            continue;
        }
        if holder[i].is_none_or(|other| claim(other, candidates, holder, tried)) {
            holder[i] = Some(r);
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::trace::{Outcome, Span};
    use crate::Mode;

    fn span(step: &str, attempt: u32, started: Time, ended: Time) -> Span {
        Span {
            step: StepId::new(step),
            index: 0,
            attempt,
            ready: started,
            queued: started,
            started: Some(started),
            sent: None,
            first_byte: None,
            ended: Some(ended),
            outcome: Outcome::Done,
            output: None,
        }
    }

    fn request(step: &str, fetched: Time, read: Time) -> SentRequest {
        SentRequest {
            step: StepId::new(step),
            attempt: 0,
            url: "http://m/v1/chat/completions".into(),
            fetched,
            read,
        }
    }

    fn entry(start: Time, request_start: Time, response_end: Time) -> TimingEntry {
        TimingEntry {
            url: "http://m/v1/chat/completions".into(),
            start,
            request_start,
            response_end,
        }
    }

    #[test]
    fn requests_to_one_url_are_told_apart_by_when_they_ended() {
        // Two requests fetched together; the second waited 300 ms for a connection.
        let mut trace = Trace {
            mode: Mode::Eager,
            origin: 0.0,
            spans: vec![span("a", 0, 10.0, 311.0), span("b", 0, 10.0, 612.0)],
        };
        let requests = [request("a", 10.5, 310.5), request("b", 10.6, 611.0)];
        let entries = [entry(10.4, 300.2, 610.9), entry(10.4, 11.0, 310.2)];
        assert_eq!(mark_sent(&mut trace, &requests, &entries), 2);
        assert_eq!(trace.spans[0].sent, Some(11.0));
        assert_eq!(trace.spans[1].sent, Some(300.2));
        assert!((trace.spans[1].browser_wait() - 290.2).abs() < 1e-9);
    }

    #[test]
    fn a_page_that_reads_the_answer_late_still_finds_its_entry() {
        // A busy machine: the browser had the whole answer at 310 ms, the page read it at
        // 480 ms. The entry is still this request's (seen in CI: one of six waits lost).
        let mut trace = Trace {
            mode: Mode::Eager,
            origin: 0.0,
            spans: vec![span("a", 0, 10.0, 481.0)],
        };
        let requests = [request("a", 10.5, 480.0)];
        let entries = [entry(12.0, 250.0, 310.2)];
        assert_eq!(mark_sent(&mut trace, &requests, &entries), 1);
        assert_eq!(trace.spans[0].sent, Some(250.0));
    }

    #[test]
    fn hidden_or_unrelated_entries_mark_nothing() {
        let mut trace = Trace {
            mode: Mode::Eager,
            origin: 0.0,
            spans: vec![span("a", 0, 10.0, 311.0)],
        };
        let requests = [request("a", 10.5, 310.5)];
        // No Timing-Allow-Origin: requestStart is 0. Another request: far in time.
        let entries = [entry(10.4, 0.0, 310.2), entry(900.0, 901.0, 1200.0)];
        assert_eq!(mark_sent(&mut trace, &requests, &entries), 0);
        assert_eq!(trace.spans[0].sent, None);
    }

    #[test]
    fn requests_read_late_and_out_of_order_all_find_their_entries() {
        // Seen on a loaded machine (twelve branches, six connections): the page called
        // `fetch` over 44 ms and read the answers 20-40 ms late, in another order. Paired
        // by closeness of the read, b8 took b12's entry, b9 b11's, and so on, until b12
        // was left with only b7's, which began before b12 was fetched: one browser wait
        // of six unmarked. The fetch order tells them apart.
        let fetched_read = [
            ("b4", 12.5, 457.9),
            ("b6", 13.4, 472.2),
            ("b3", 12.1, 473.3),
            ("b5", 12.9, 480.5),
            ("b2", 11.4, 482.6),
            ("b1", 0.0, 484.2),
            ("b8", 39.7, 884.5),
            ("b9", 40.4, 890.5),
            ("b7", 37.9, 893.6),
            ("b10", 41.4, 897.0),
            ("b11", 42.0, 900.0),
            ("b12", 44.1, 921.0),
        ];
        let entries = [
            entry(0.5, 11.4, 453.5),
            entry(11.8, 12.3, 453.8),
            entry(12.4, 12.8, 457.1),
            entry(12.8, 13.1, 451.0),
            entry(13.2, 13.7, 453.9),
            entry(13.8, 14.5, 457.4),
            entry(39.0, 451.4, 865.1),
            entry(40.0, 456.6, 870.5),
            entry(40.9, 457.6, 869.9),
            entry(41.6, 461.7, 873.6),
            entry(42.7, 465.4, 878.7),
            entry(44.5, 470.6, 880.8),
        ];
        let mut trace = Trace {
            mode: Mode::Eager,
            origin: 0.0,
            spans: fetched_read
                .iter()
                .map(|&(step, fetched, read)| span(step, 0, fetched, read + 1.0))
                .collect(),
        };
        let requests: Vec<SentRequest> = fetched_read
            .iter()
            .map(|&(step, fetched, read)| request(step, fetched, read))
            .collect();
        assert!(all_delivered(&requests, &entries));
        assert_eq!(mark_sent(&mut trace, &requests, &entries), 12);
        let sent = |step: &str| {
            let span = trace.spans.iter().find(|s| s.step.as_str() == step);
            span.and_then(|s| s.sent).expect("marked")
        };
        // Each request has the entry that began just after its own `fetch`.
        assert_eq!(sent("b1"), 11.4);
        assert_eq!(sent("b7"), 451.4);
        assert_eq!(sent("b12"), 470.6);
        let waited = trace.spans.iter().filter(|s| s.browser_wait() >= 100.0);
        assert_eq!(waited.count(), 6);
    }

    #[test]
    fn a_request_whose_nearest_entry_is_taken_moves_the_holder_on() {
        // Both fetched at 10; "a" first in line. Its nearest entry is also the only one
        // that fits "b" (which was read early), so "a" must move to the other.
        let mut trace = Trace {
            mode: Mode::Eager,
            origin: 0.0,
            spans: vec![span("a", 0, 10.0, 901.0), span("b", 0, 10.0, 411.0)],
        };
        let requests = [request("a", 10.0, 900.0), request("b", 10.1, 410.0)];
        let entries = [entry(10.2, 11.0, 400.0), entry(10.3, 405.0, 890.0)];
        assert_eq!(mark_sent(&mut trace, &requests, &entries), 2);
        assert_eq!(trace.spans[0].sent, Some(405.0));
        assert_eq!(trace.spans[1].sent, Some(11.0));
    }

    #[test]
    fn an_entry_the_browser_has_not_delivered_yet_is_waited_for() {
        let requests = [request("a", 10.0, 310.0), request("b", 10.0, 612.0)];
        let first = [entry(10.2, 11.0, 309.0)];
        assert!(!all_delivered(&requests, &first));
        // An entry the server hides (no Timing-Allow-Origin) has been delivered too.
        let both = [entry(10.2, 11.0, 309.0), entry(10.3, 0.0, 611.0)];
        assert!(all_delivered(&requests, &both));
    }
}
