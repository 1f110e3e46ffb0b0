"""The graph of agreements and disagreements: /graph, /agreement, /compare and graph exports."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("graph", __name__)
