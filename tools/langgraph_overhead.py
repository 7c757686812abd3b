"""LangGraph's own time per node on a zero-latency fan-out, for the scheduler bench.

Usage: python tools/langgraph_overhead.py N [N ...]

For each N it builds the chain the bench gives ChainLab (one source, N - 2 parallel
nodes that each read it, one sink that reads them all), with nodes that do nothing, and
prints one line per N: "N <median µs per node>" over several invokes (after one
warm-up). LangGraph runs the fan-out as supersteps: the staged mode's rule.
"""

import operator
import statistics
import sys
import time
from typing import Annotated, TypedDict

from langgraph.graph import END, START, StateGraph


class State(TypedDict):
    done: Annotated[list, operator.add]


def node(name):
    def run(_state):
        return {"done": [name]}

    return run


def graph(n):
    builder = StateGraph(State)
    builder.add_node("src", node("src"))
    middle = [f"m{i}" for i in range(n - 2)]
    for name in middle:
        builder.add_node(name, node(name))
        builder.add_edge("src", name)
    builder.add_node("sink", node("sink"))
    builder.add_edge(middle, "sink")
    builder.add_edge(START, "src")
    builder.add_edge("sink", END)
    return builder.compile()


def micros_per_node(n):
    compiled = graph(n)
    compiled.invoke({"done": []})
    runs = max(3, 3000 // n)
    samples = []
    for _ in range(min(runs, 15)):
        start = time.perf_counter()
        compiled.invoke({"done": []})
        samples.append((time.perf_counter() - start) * 1e6 / n)
    return statistics.median(samples)


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        print(arg, f"{micros_per_node(int(arg)):.1f}", flush=True)
