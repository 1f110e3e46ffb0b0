"""/export/graph.json reads with a plain `nx.node_link_graph(data)` on the lowest networkx kb
supports (pyproject.toml: networkx>=3.2), which looks for "links", as well as on the networkx the
suite runs with, which looks for "edges". tools/test-all installs networkx 3.2 beside the venv
(.venv/extra/networkx-3.2) for this test."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import networkx as nx

LOWEST = Path(__file__).resolve().parents[1] / ".venv" / "extra" / "networkx-3.2"
READ = (
    "import json, sys, networkx as nx; "
    "g = nx.node_link_graph(json.load(open(sys.argv[1], encoding='utf-8'))); "
    "print(nx.__version__, g.number_of_nodes(), g.number_of_edges())"
)


def test_the_node_link_export_reads_on_the_lowest_and_the_current_networkx(
    seeded_client, tmp_path
) -> None:
    assert LOWEST.is_dir(), (
        f"networkx 3.2 is not at {LOWEST}: run bash tools/test-all once, or "
        f".venv/bin/pip install --target {LOWEST} --no-deps networkx==3.2"
    )
    path = tmp_path / "graph.json"
    path.write_bytes(seeded_client.get("/export/graph.json").data)
    current = nx.node_link_graph(json.loads(path.read_text(encoding="utf-8")))
    assert current.number_of_edges() > current.number_of_nodes() > 0
    env = {**os.environ, "PYTHONPATH": str(LOWEST)}
    done = subprocess.run(
        [sys.executable, "-c", READ, str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    version, nodes, edges = done.stdout.split()
    assert version == "3.2"
    assert (int(nodes), int(edges)) == (current.number_of_nodes(), current.number_of_edges())
