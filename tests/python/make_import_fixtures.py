"""Writes graphs and traces with the real tools, for ChainLab's import tests.

    python tests/python/make_import_fixtures.py <directory>

LangGraph draws each graph as Mermaid (`get_graph().draw_mermaid()`) and as JSON
(`get_graph().to_json()`); the OpenTelemetry SDK records traces of a small chain run
with real sleeps, sequential and partly concurrent, encoded as OTLP/JSON the way the
Collector's file exporter writes it (one ExportTraceServiceRequest per line). A
manifest (`manifest.json`) says what each file must import as: the steps and edges
taken from LangGraph's own graph model, and for traces the spans' measured durations
and the root span's duration. `crates/chainlab-core/tests/import_real.rs` reads it.
"""

import json
import operator
import sys
import threading
import time
from pathlib import Path
from typing import Annotated, TypedDict

from google.protobuf import json_format
from langgraph.graph import END, START, StateGraph
from opentelemetry import context, trace
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

SERVICE = "research-agent"


class State(TypedDict):
    notes: Annotated[list, operator.add]


def node(name):
    return lambda state: {"notes": [name]}


def graph_of(nodes, edges, conditional=None):
    """A compiled LangGraph graph. `edges` are (source, target) pairs, where a list as
    source is a join (`add_edge([...], node)`)."""
    g = StateGraph(State)
    for name in nodes:
        g.add_node(name, node(name))
    for source, target in edges:
        g.add_edge(source, target)
    for source, route in conditional or []:
        g.add_conditional_edges(source, lambda state: next(iter(route)), route)
    return g.compile()


GRAPHS = {
    "fan_out_fan_in": graph_of(
        ["plan", "search_web", "search_news", "fetch_docs", "synthesize"],
        [
            (START, "plan"),
            ("plan", "search_web"),
            ("plan", "search_news"),
            ("plan", "fetch_docs"),
            ("search_web", "synthesize"),
            ("search_news", "synthesize"),
            ("fetch_docs", "synthesize"),
            ("synthesize", END),
        ],
    ),
    "join": graph_of(
        ["search_a", "search_b", "search_c", "combine", "write"],
        [
            (START, "search_a"),
            (START, "search_b"),
            (START, "search_c"),
            (["search_a", "search_b", "search_c"], "combine"),
            ("combine", "write"),
            ("write", END),
        ],
    ),
    "conditional": graph_of(
        ["classify", "web_search", "answer"],
        [(START, "classify"), ("web_search", "answer"), ("answer", END)],
        conditional=[("classify", {"web": "web_search", "direct": "answer"})],
    ),
    "linear": graph_of(
        ["draft", "review", "polish"],
        [(START, "draft"), ("draft", "review"), ("review", "polish"), ("polish", END)],
    ),
}


def write_graphs(out):
    entries = []
    for name, compiled in GRAPHS.items():
        drawable = compiled.get_graph()
        (out / f"{name}.mmd").write_text(drawable.draw_mermaid())
        (out / f"{name}.graph.json").write_text(json.dumps(drawable.to_json(), indent=2))
        markers = {START, END}
        entries.append(
            {
                "name": name,
                "mermaid": f"{name}.mmd",
                "json": f"{name}.graph.json",
                "steps": [n for n in drawable.nodes if n not in markers],
                "edges": sorted(
                    [e.source, e.target]
                    for e in drawable.edges
                    if e.source not in markers and e.target not in markers
                ),
                "conditional": sum(
                    1
                    for e in drawable.edges
                    if e.conditional and e.source not in markers and e.target not in markers
                ),
            }
        )
    return entries


def hex_ids(request):
    """MessageToJson writes bytes fields in base64, as proto3's JSON mapping says;
    OTLP/JSON differs on purpose and wants trace and span ids in hex."""
    import base64

    for resource_spans in request["resourceSpans"]:
        for scope_spans in resource_spans.get("scopeSpans", []):
            for span in scope_spans.get("spans", []):
                for field in ("traceId", "spanId", "parentSpanId"):
                    if field in span:
                        span[field] = base64.b64decode(span[field]).hex()
    return request


def otlp_json_lines(spans, batches):
    """The spans as the Collector's file exporter writes them: one OTLP/JSON request
    per line. 64-bit times come out as decimal strings, enums as integers."""
    size = -(-len(spans) // batches)
    lines = []
    for at in range(0, len(spans), size):
        message = encode_spans(spans[at : at + size])
        request = json.loads(
            json_format.MessageToJson(message, use_integers_for_enums=True, indent=None)
        )
        lines.append(json.dumps(hex_ids(request), separators=(",", ":")))
    return "\n".join(lines) + "\n"


def record(run):
    exporter = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": SERVICE}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    run(provider.get_tracer("chainlab.fixtures"))
    provider.shutdown()
    return list(exporter.get_finished_spans())


def step(tracer, name, seconds, llm=False):
    with tracer.start_as_current_span(name) as span:
        if llm:
            span.set_attribute("gen_ai.operation.name", "chat")
            span.set_attribute("gen_ai.request.model", "gpt-4o-mini")
        time.sleep(seconds)


def sequential(tracer):
    with tracer.start_as_current_span("research"):
        step(tracer, "search_web", 0.030)
        step(tracer, "summarize_web", 0.050, llm=True)
        step(tracer, "fetch_docs", 0.020)
        step(tracer, "answer", 0.040, llm=True)


def concurrent(tracer):
    """plan, then two searches at once under a `gather` span, then synthesize."""
    with tracer.start_as_current_span("research"):
        step(tracer, "plan", 0.020, llm=True)
        with tracer.start_as_current_span("gather"):
            parent = context.get_current()

            def branch(name, seconds):
                token = context.attach(parent)
                try:
                    step(tracer, name, seconds)
                finally:
                    context.detach(token)

            threads = [
                threading.Thread(target=branch, args=("search_web", 0.060)),
                threading.Thread(target=branch, args=("search_news", 0.035)),
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        step(tracer, "synthesize", 0.045, llm=True)


TRACES = {
    "sequential": (
        sequential,
        [["search_web", "summarize_web"], ["summarize_web", "fetch_docs"], ["fetch_docs", "answer"]],
    ),
    "concurrent": (
        concurrent,
        [
            ["plan", "search_news"],
            ["plan", "search_web"],
            ["search_news", "synthesize"],
            ["search_web", "synthesize"],
        ],
    ),
}


def write_traces(out):
    entries = []
    for name, (run, edges) in TRACES.items():
        spans = record(run)
        parents = {s.parent.span_id for s in spans if s.parent is not None}
        root = next(s for s in spans if s.parent is None)
        leaves = sorted(
            (s for s in spans if s.context.span_id not in parents), key=lambda s: s.start_time
        )
        (out / f"{name}.otlp.json").write_text(otlp_json_lines(spans, batches=2))
        entries.append(
            {
                "name": name,
                "file": f"{name}.otlp.json",
                "service": SERVICE,
                "trace_id": format(root.context.trace_id, "032x"),
                "steps": [
                    {"id": s.name, "duration_ms": (s.end_time - s.start_time) / 1e6}
                    for s in leaves
                ],
                "llm_steps": [s.name for s in leaves if s.attributes.get("gen_ai.operation.name")],
                "edges": sorted(edges),
                "root_ms": (root.end_time - root.start_time) / 1e6,
            }
        )
    return entries


def main():
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    manifest = {"graphs": write_graphs(out), "traces": write_traces(out)}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2))
    print(f"import fixtures: {len(manifest['graphs'])} graphs, {len(manifest['traces'])} traces in {out}")


if __name__ == "__main__":
    main()
