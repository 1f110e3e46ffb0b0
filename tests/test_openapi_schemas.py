"""/api/openapi.json describes what kb really answers, in a form third-party tools accept.

The document passes openapi-spec-validator; every JSON endpoint declares a body schema with
its fields (not a bare object), built from kb/1's definitions where the record is the same;
every documented endpoint, fetched on the seed, answers a body its schema accepts (the issue's
"checks every documented example against its schema"); the parameters declare the bounds kb
enforces; errors on the .json paths (400, 404, 405, 503) are the documented JSON body; and
openapi-python-client generates a client whose models parse kb's real answers.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import make_app
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from kb.formats import kb1
from kb.pagination import MAX_PAGE
from kb.queries.listing import FACET_MAX
from kb.web.graph.agreement_matrix import AGREEMENT_PEOPLE_MAX, AGREEMENT_PEOPLE_MIN
from kb.web.graph.viewpoint_map import GRAPH_NODES_MAX
from kb.web.openapi_pages import BODIES


def _document(client) -> dict[str, Any]:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def _validator(doc: dict[str, Any], schema: dict[str, Any]) -> Draft202012Validator:
    """A validator for `schema`, resolving its references into the document's components."""
    return Draft202012Validator({**schema, "components": doc["components"]})


def _body_schema(doc: dict[str, Any], path: str) -> dict[str, Any]:
    content = doc["paths"][path]["get"]["responses"]["200"]["content"]
    return next(iter(content.values()))["schema"]


def _examples(client) -> dict[str, list[str]]:
    """Real addresses on the seed for every documented path (a few with query strings)."""
    person, other = (r["slug"] for r in client.get("/people.json").get_json()["rows"][:2])
    claim = client.get("/claims.json?sort=contested").get_json()["rows"][0]["slug"]
    source = client.get("/sources.json").get_json()["rows"][0]["slug"]
    quote = client.get(f"/sources/{source}.json").get_json()["quotes"][0]["id"]
    topic = client.get("/topics.json").get_json()["rows"][0]["slug"]
    statement = client.get("/statements.json").get_json()["rows"][0]["slug"]
    organisation = client.get("/people.json").get_json()["facets"]["organisation"][0]["value"]
    year = client.get("/sources.json").get_json()["facets"]["year"][0]["value"]
    return {
        "/index.json": ["/index.json"],
        "/.json": ["/index.json"],  # a 308 to /index.json
        "/people.json": [
            "/people.json",
            "/people.json?sort=stances&per_page=3&page=2",
            f"/people.json?organisation={organisation}&organisation_q=a",
        ],
        "/people/{slug}.json": [
            f"/people/{person}.json",
            f"/people/{person}.json?position=opposes",
        ],
        "/claims.json": [
            "/claims.json",
            f"/claims.json?person={person}&position=supports&topic={topic}&person_q=a",
        ],
        "/claims/{slug}.json": [f"/claims/{claim}.json", f"/claims/{claim}.json?position=mixed"],
        "/sources.json": ["/sources.json", f"/sources.json?sort=title&kind=paper&year={year}"],
        "/sources/{slug}.json": [f"/sources/{source}.json"],
        "/topics.json": ["/topics.json"],
        "/topics/{slug}.json": [f"/topics/{topic}.json"],
        "/search.json": [
            "/search.json",
            *(f"/search.json?q=ai&kind={kind}" for kind in ("person", "claim", "quote", "source")),
        ],
        "/statements.json": ["/statements.json"],
        "/statements/{slug}.json": [f"/statements/{statement}.json"],
        "/estimates.json": ["/estimates.json", "/estimates.json?sort=date"],
        "/graph.json": ["/graph.json", "/graph.json?camp=1&view=stances"],
        "/agreement.json": ["/agreement.json", f"/agreement.json?limit={AGREEMENT_PEOPLE_MIN}"],
        "/compare.json": [
            "/compare.json",
            f"/compare.json?a={person}&b={other}",
            "/compare.json?a=e",
        ],
        "/compare/{slug_a}/{slug_b}.json": [f"/compare/{person}/{other}.json"],
        "/people/{slug}.csl.json": [f"/people/{person}.csl.json"],
        "/claims/{slug}.csl.json": [f"/claims/{claim}.csl.json"],
        "/sources/{slug}.csl.json": [f"/sources/{source}.csl.json"],
        "/quotes/{quote_id}.csl.json": [f"/quotes/{quote}.csl.json"],
        "/export/kb.json": ["/export/kb.json"],
        "/export/schema.json": ["/export/schema.json"],
        "/export/graph.json": ["/export/graph.json"],
        "/export/kb.aif.json": ["/export/kb.aif.json"],
        "/export/kb.xaif.json": ["/export/kb.xaif.json"],
        "/export/kb.arguebuf.json": ["/export/kb.arguebuf.json"],
        "/changes.json": ["/changes.json", "/changes.json?since=2020-01-01"],
        "/stand.json": [
            "/stand.json",
            "/stand.json?a=ai-existential-risk,ai-biggest-existential-threat&d=ai-doom-is-fantasy",
        ],
        "/api/openapi.json": ["/api/openapi.json"],
    }


def test_the_document_is_valid_openapi_3_1(seeded_client) -> None:
    validate(_document(seeded_client))  # raises on any fault


def test_every_json_endpoint_declares_the_fields_of_its_body(seeded_client) -> None:
    doc = _document(seeded_client)
    schemas = doc["components"]["schemas"]
    for path in doc["paths"]:
        schema = _body_schema(doc, path)
        assert "$ref" in schema, f"{path} answers a bare {schema}"
        name = schema["$ref"].rsplit("/", 1)[1]
        assert name in schemas, f"{path}: {name} is not a component"
    # and no schema is kept for an endpoint that no longer exists
    endpoints = {rule.endpoint for rule in seeded_client.application.url_map.iter_rules()}
    assert set(BODIES) <= endpoints, set(BODIES) - endpoints
    # a page's records have their fields, each typed, and say which are always sent
    person = schemas["Person"]
    assert set(person["required"]) == {
        "slug",
        "name",
        "description",
        "affiliation",
        "birth_year",
        "death_year",
        "url",
    }
    assert schemas["PeoplePage"]["properties"]["rows"]["items"]["properties"]["claims"] == {
        "type": "integer",
        "minimum": 0,
    }


def test_records_take_their_fields_from_kb1s_schema(seeded_client) -> None:
    """One definition of a field for the export and the API: a person's name, a source's
    kinds, a quote's attribution are kb/1's, references and all."""
    schemas = _document(seeded_client)["components"]["schemas"]
    defs = kb1.schema()["$defs"]
    assert schemas["Person"]["properties"]["name"] == defs["person"]["properties"]["name"]
    assert schemas["Source"]["properties"]["kind"] == defs["source"]["properties"]["kind"]
    assert (
        schemas["Quote"]["properties"]["attribution"] == defs["quote"]["properties"]["attribution"]
    )
    assert schemas["Person"]["properties"]["slug"] == {"$ref": "#/components/schemas/kb1_slug"}
    assert schemas["kb1_slug"] == defs["slug"]
    # /export/kb.json answers the kb/1 document itself
    assert schemas["KB1"] == {"$ref": "#/components/schemas/kb1_document"}
    assert schemas["kb1_document"]["required"] == ["format"]


def test_every_documented_endpoint_answers_what_its_schema_says(seeded_client) -> None:
    doc = _document(seeded_client)
    examples = _examples(seeded_client)
    assert set(examples) == set(doc["paths"]), "an endpoint without an example to check"
    checked = 0
    for path, urls in examples.items():
        validator = _validator(doc, _body_schema(doc, path))
        for url in urls:
            response = seeded_client.get(url, follow_redirects=True)
            assert response.status_code == 200, url
            errors = [
                f"{list(e.absolute_path)}: {e.message}"
                for e in validator.iter_errors(response.get_json())
            ]
            assert not errors, (url, errors[:3])
            checked += 1
    assert checked >= 40


def test_the_schemas_refuse_what_kb_never_sends(seeded_client) -> None:
    """The check above could fail: a wrong type or an unknown position is caught."""
    doc = _document(seeded_client)
    slug = seeded_client.get("/claims.json?sort=contested").get_json()["rows"][0]["slug"]
    body = seeded_client.get(f"/claims/{slug}.json").get_json()
    validator = _validator(doc, _body_schema(doc, "/claims/{slug}.json"))
    assert validator.is_valid(body)
    stance = next(s for side in body["sides"].values() for s in side)
    stance["position"] = "undecided"
    body["counts"]["total"] = "many"
    del body["claim"]["text"]
    messages = sorted(e.message for e in validator.iter_errors(body))
    assert len(messages) == 3, messages


def _param(doc: dict[str, Any], path: str, name: str) -> dict[str, Any]:
    params = doc["paths"][path]["get"]["parameters"]
    return next(p["schema"] for p in params if p["name"] == name)


def test_parameters_declare_the_bounds_kb_enforces(seeded_client) -> None:
    doc = _document(seeded_client)
    most = seeded_client.application.config["MAX_PAGE_SIZE"]
    assert _param(doc, "/claims.json", "page") == {
        "type": "integer",
        "minimum": 1,
        "maximum": MAX_PAGE,
    }
    assert _param(doc, "/claims.json", "per_page") == {
        "type": "integer",
        "minimum": 1,
        "maximum": most,
    }
    assert _param(doc, "/people.json", "facet_limit")["maximum"] == FACET_MAX
    assert _param(doc, "/sources.json", "year") == {
        "type": "integer",
        "minimum": 1000,
        "maximum": 9999,
    }
    assert _param(doc, "/graph.json", "limit") == {
        "type": "integer",
        "minimum": 10,
        "maximum": GRAPH_NODES_MAX,
    }
    assert _param(doc, "/graph.json", "view")["enum"] == ["map", "stances"]
    assert _param(doc, "/agreement.json", "limit") == {
        "type": "integer",
        "minimum": AGREEMENT_PEOPLE_MIN,
        "maximum": AGREEMENT_PEOPLE_MAX,
    }
    # the edges are where kb's answer changes
    for url, status in [
        ("/claims.json?page=0", 400),
        ("/claims.json?page=1", 200),
        (f"/claims.json?per_page={most}", 200),
        (f"/claims.json?per_page={most + 1}", 400),
        (f"/people.json?facet_limit={FACET_MAX}", 200),
        (f"/people.json?facet_limit={FACET_MAX + 1}", 400),
        ("/sources.json?year=999", 400),
        ("/sources.json?year=1000", 200),
        (f"/agreement.json?limit={AGREEMENT_PEOPLE_MAX}", 200),
        (f"/agreement.json?limit={AGREEMENT_PEOPLE_MAX + 1}", 400),
        ("/graph.json?limit=9", 400),
        ("/graph.json?limit=10", 200),
    ]:
        assert seeded_client.get(url).status_code == status, url


def test_the_server_is_the_configured_base_url_else_relative_to_the_document(app, tmp_path) -> None:
    """Without KB_BASE_URL the server is "/", which OpenAPI resolves against the address the
    document was fetched from: the host the client asked, never a Host header repeated."""
    for host in ("http://kb.test:8080/", "http://evil.test/"):
        response = app.test_client().get("/api/openapi.json", base_url=host)
        assert response.get_json()["servers"] == [{"url": "/"}]
    mounted = app.test_client().get("/api/openapi.json", environ_overrides={"SCRIPT_NAME": "/kb"})
    assert mounted.get_json()["servers"] == [{"url": "/kb"}]
    configured = make_app(
        app.config["DATABASE_URL"], tmp_path / "i2", BASE_URL="https://kb.example.org"
    )
    forged = configured.test_client().get("/api/openapi.json", base_url="http://evil.test/")
    assert forged.get_json()["servers"] == [{"url": "https://kb.example.org"}]
    configured.extensions["kb.engine"].dispose()


def test_errors_on_json_paths_are_the_documented_body(seeded_client) -> None:
    doc = _document(seeded_client)
    error = _validator(doc, {"$ref": "#/components/schemas/Error"})
    for url, status in [
        ("/claims.json?page=0", 400),
        ("/claims/no-such-claim.json", 404),
        ("/people/no-such-person.csl.json", 404),
        ("/nowhere.json", 404),
    ]:
        response = seeded_client.get(url)
        assert response.status_code == status and response.mimetype == "application/json", url
        assert error.is_valid(response.get_json()), url
        assert response.get_json()["error"]["status"] == status


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_a_method_a_path_does_not_answer_is_405_with_allow(seeded_client, method) -> None:
    doc = _document(seeded_client)
    for path in ("/people.json", "/api/openapi.json", "/export/kb.json", "/claims/x.json"):
        response = seeded_client.open(path, method=method)
        assert response.status_code == 405, path
        assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
        assert _validator(doc, {"$ref": "#/components/schemas/Error"}).is_valid(response.get_json())
    page = seeded_client.open("/people", method=method)
    assert page.status_code == 405 and page.mimetype == "text/html"
    assert "GET" in page.headers["Allow"]
    allow = doc["components"]["responses"]["MethodNotAllowed"]["headers"]
    assert "Allow" in allow


def test_an_unavailable_database_is_a_json_503_on_json_paths(tmp_path) -> None:
    app = make_app(
        "sqlite:////nonexistent-kb-folder/kb.sqlite3", tmp_path, PROPAGATE_EXCEPTIONS=False
    )
    try:
        response = app.test_client().get("/people.json")
        assert response.status_code == 503 and response.mimetype == "application/json"
        assert response.headers["Retry-After"].isdigit()
        body = response.get_json()["error"]
        assert body["status"] == 503 and "cannot be reached" in body["message"]
        assert app.test_client().get("/people").mimetype == "text/html"  # pages keep the page
    finally:
        app.extensions["kb.engine"].dispose()


def test_a_generated_client_parses_kbs_answers(seeded_client, tmp_path: Path) -> None:
    """openapi-python-client (offline) writes a client from the document; its models read
    the seed's real answers, called through the client itself over WSGI."""
    spec = tmp_path / "openapi.json"
    spec.write_bytes(seeded_client.get("/api/openapi.json").data)
    bin_dir = Path(sys.executable).parent
    result = subprocess.run(
        [str(bin_dir / "openapi-python-client"), "generate", "--path", str(spec), "--meta", "none"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": str(bin_dir), "HOME": str(tmp_path)},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warning" not in result.stdout, result.stdout
    sys.path.insert(0, str(tmp_path))
    try:
        package = importlib.import_module("kb_client")
        models = importlib.import_module("kb_client.models")
        person_api = importlib.import_module("kb_client.api.browse.browse_person_json")
        claims_api = importlib.import_module("kb_client.api.browse.browse_claims_json")
        transport = httpx.WSGITransport(app=seeded_client.application)
        client = package.Client("http://localhost", httpx_args={"transport": transport})
        slug = seeded_client.get("/people.json").get_json()["rows"][0]["slug"]
        page = person_api.sync(slug=slug, client=client)
        assert isinstance(page, models.PersonPage)
        assert page.person.slug == slug and page.counts.total >= 1
        claims = claims_api.sync(client=client, per_page=2)
        assert isinstance(claims, models.ClaimsPage) and len(claims.rows) == 2
        refused = person_api.sync(slug="no-such-person", client=client)
        assert isinstance(refused, models.Error) and refused.error.status == 404
    finally:
        sys.path.remove(str(tmp_path))
        for name in [n for n in sys.modules if n == "kb_client" or n.startswith("kb_client.")]:
            del sys.modules[name]
