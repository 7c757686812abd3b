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

/// Sets `sent` on every span whose request has a readable timing entry. Requests to
/// the same URL are told apart by when they began and ended; each entry is used once.
/// Returns how many spans were marked.
pub fn mark_sent(trace: &mut Trace, requests: &[SentRequest], entries: &[TimingEntry]) -> usize {
    let mut used = vec![false; entries.len()];
    let mut marked = 0;
    for request in requests {
        let distance = |e: &TimingEntry| {
            (e.start - request.fetched).abs() + (e.response_end - request.read).abs()
        };
        // The browser starts a request after the page called `fetch` and finishes it
        // before the page has read the answer; on a busy machine the page may read it
        // hundreds of milliseconds later, so only the window is required, not closeness.
        let within = |e: &TimingEntry| {
            e.start >= request.fetched - CLOCK_SLACK_MS
                && e.response_end <= request.read + CLOCK_SLACK_MS
        };
        let best = entries
            .iter()
            .enumerate()
            .filter(|&(i, e)| !used[i] && e.url == request.url && e.request_start > 0.0)
            .filter(|(_, e)| within(e))
            .min_by(|(_, a), (_, b)| distance(a).total_cmp(&distance(b)));
        let Some((i, entry)) = best else { continue };
        let span = trace
            .spans
            .iter_mut()
            .find(|s| s.step == request.step && s.attempt == request.attempt);
        if let Some(span) = span {
            used[i] = true;
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
}
