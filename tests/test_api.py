"""The OpenAPI document describes every JSON endpoint, whoever added it."""

from __future__ import annotations

import functools
import re
from pathlib import Path

from click.testing import CliRunner
from flask import Blueprint, jsonify

from kb.__main__ import cli
from kb.web.api import documented, openapi_document


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def test_every_json_rule_is_described(seeded_client) -> None:
    doc = seeded_client.get("/api/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1")
    app = seeded_client.application
    json_rules = [r for r in app.url_map.iter_rules() if r.rule.endswith(".json")]
    assert len(json_rules) >= 11
    for rule in json_rules:
        path = _openapi_path(rule.rule)
        assert path in doc["paths"], f"{rule.rule} is not described"
        op = doc["paths"][path]["get"]
        assert op["summary"] and op["responses"]["200"]
        for name in rule.arguments - set(rule.defaults or {}):
            assert any(p["name"] == name and p["in"] == "path" for p in op["parameters"])


def test_query_parameters_come_from_the_views(seeded_client) -> None:
    doc = seeded_client.get("/api/openapi.json").get_json()
    claims = doc["paths"]["/claims.json"]["get"]
    params = {p["name"]: p for p in claims["parameters"]}
    assert {"page", "per_page", "topic", "person", "position", "sort"} <= set(params)
    assert params["position"]["schema"]["enum"] == ["supports", "opposes", "mixed"]
    assert doc["paths"]["/people/{slug}.json"]["get"]["summary"].startswith("A person")
    assert "q" in {p["name"] for p in doc["paths"]["/search.json"]["get"]["parameters"]}
    choose = doc["paths"]["/compare.json"]["get"]
    assert {"a", "b", "as_of"} <= {p["name"] for p in choose["parameters"]}


def test_a_json_endpoint_added_later_appears_by_itself(app) -> None:
    extra = Blueprint("extra_for_test", __name__)

    @documented(("colour", ["red", "blue"], "only widgets of this colour"))
    @extra.get("/widgets.json")
    def widgets():
        """Widgets, for the test. More words."""
        return jsonify([])

    app.register_blueprint(extra)
    doc = openapi_document(app)
    op = doc["paths"]["/widgets.json"]["get"]
    assert op["summary"] == "Widgets, for the test"
    assert op["parameters"][0]["schema"]["enum"] == ["red", "blue"]


def test_a_declaration_reaches_the_document_through_a_wrapper(app) -> None:
    """@documented may sit below a decorator that wraps the view (functools.wraps)."""
    extra = Blueprint("wrapped_for_test", __name__)

    def wrapped(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            return view(*args, **kwargs)

        return wrapper

    @extra.get("/gadgets.json")
    @wrapped
    @documented(("size", "integer", "only gadgets this big"), media_type="application/x-gadget")
    def gadgets():
        """Gadgets, for the test."""
        return jsonify([])

    app.register_blueprint(extra)
    op = openapi_document(app)["paths"]["/gadgets.json"]["get"]
    assert [p["name"] for p in op["parameters"]] == ["size"]
    assert list(op["responses"]["200"]["content"]) == ["application/x-gadget"]


def test_the_documented_responses_are_what_the_endpoints_send(seeded_client) -> None:
    # every described path without path parameters answers 200 with JSON
    doc = seeded_client.get("/api/openapi.json").get_json()
    for path in doc["paths"]:
        if "{" in path or not path.startswith(
            ("/people", "/claims", "/sources", "/topics", "/search", "/index")
        ):
            continue
        response = seeded_client.get(path)
        assert response.status_code == 200, path
        assert response.mimetype == "application/json"


def test_every_kb_command_in_the_readme_runs_after_the_setup(database_url, tmp_path) -> None:
    """The README's setup installs kb into .venv without putting it on the PATH; it says
    once, right after, to activate the virtualenv, and every `kb ...` it shows exists."""
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    setup = ".venv/bin/pip install -e . && .venv/bin/kb serve\n```\n"
    after_setup = readme.split(setup, 1)[1]
    assert ". .venv/bin/activate" in after_setup.split("```", 1)[0]
    shown = re.findall(r"`(kb [^`\n]+)`", readme) + re.findall(r"^ {4}(kb .+)$", readme, re.M)
    named = (re.match(r"kb ([a-z][a-z-]*(?: [a-z][a-z-]*)?)", c) for c in shown)
    commands = {" ".join(m.groups()) for m in named if m}  # `kb --version` is an option
    assert {"serve", "db upgrade", "users create", "backup"} <= commands | {
        c.split()[0] for c in commands
    }
    env = {"KB_DATABASE_URL": database_url, "KB_INSTANCE_PATH": str(tmp_path)}
    for command in sorted(commands):
        result = CliRunner().invoke(cli, [*command.split(), "--help"], env=env)
        assert result.exit_code == 0, (command, result.output)
