"""Every query parameter of every public page (browse, search, graph, agreement, compare, the
exports and their JSON/CSV twins) fuzzed with Hypothesis: never a 5xx, and a malformed value of a
parameter kb reads is a 400 whose message names the parameter.

The routes come from the app's URL map, so a page added later is fuzzed without anyone listing
it here; path parameters get real slugs from the seed or hostile strings.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kb.load.seed import seed_document
from kb.web.api import documentation

from .conftest import examples, tally

SEED = seed_document()
SLUGS = {
    "slug": [r["slug"] for e in ("people", "claims", "sources", "topics") for r in SEED[e]],
    "slug_a": [p["slug"] for p in SEED["people"]],
    "slug_b": [p["slug"] for p in SEED["people"]],
    "entity": ["people", "stances", "nothing"],
}
PARAMS = [
    "page",
    "per_page",
    "q",
    "kind",
    "topic",
    "person",
    "position",
    "sort",
    "as_of",
    "year",
    "affiliation",
    "camp",
    "limit",
    "format",
    "fmt",
    "next",
]
hostile = st.one_of(
    st.text(st.characters(codec="utf-8"), max_size=20),
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "-1",
            "1",
            "2",
            "999999",
            str(10**30),
            "1e3",
            "1.5",
            " 3",
            "٣",
            "²³⁴⁵",
            "2017",
            "2017-07-17",
            "2017-02-30",
            "20170717",
            "2017-W01-1",
            "0001-01-01",
            "9999-12-31",
            "\x00",
            "a\x00",
            "supports",
            "opposes",
            "name",
            "date",
            "text",
            "json",
            "csv",
            "<script>",
            "%00",
            "../../etc/passwd",
            "' OR 1=1 --",
            '"',
            "\\",
            "*",
            ":*",
            "&",
            "|",
            "!",
            "(",
            "a b",
            "x:*",
        ]
    ),
    st.integers(1, 3).map(lambda n: "q" * (150 * n)),
)


def _rules(app) -> list[str]:
    out = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.rule.startswith(("/admin", "/static")):
            continue
        out.append(rule.rule)
    return sorted(set(out))


@st.composite
def request_for(draw: st.DrawFn, rules: list[str]) -> tuple[str, dict[str, str]]:
    rule = draw(st.sampled_from(rules))
    path = rule
    for name in ("slug", "slug_a", "slug_b", "entity"):
        token = f"<{name}>"
        if token in path:
            value = draw(st.sampled_from(SLUGS[name]) | hostile.filter(bool))
            path = path.replace(token, quote(value, safe=""))
    params = draw(
        st.dictionaries(
            st.sampled_from(PARAMS) | st.text(min_size=1, max_size=8), hostile, max_size=4
        )
    )
    return path, params


def test_every_query_parameter_of_every_page(seeded_app) -> None:
    client = seeded_app.test_client()
    rules = _rules(seeded_app)
    assert "/people" in rules and "/graph.json" in rules and "/export/kb.zip" in rules

    @examples(200)
    @given(req=request_for(rules))
    def run(req: tuple[str, dict[str, str]]) -> None:
        tally("query parameters")
        path, params = req
        r = client.get(path, query_string=params)
        r.get_data()  # a streamed body fails while it is being sent, if it fails
        assert r.status_code < 500, (path, params, r.status_code)
        if r.status_code == 400:
            assert r.get_data(as_text=True).strip()

    run()


# The values most likely to break a parser, tried on every parameter every page reads.
SWEEP = ["", "abc", "0", "-1", str(10**30), "1.5", "²³⁴⁵", "\x00", "2017-02-30", "x" * 600]


def _documented_params(app, endpoint: str) -> list[str]:
    """The query parameters a page reads, as its JSON twin documents them in /api/openapi.json
    (the HTML page, its .json and its .csv share one view, or a view named <endpoint>_json)."""
    view = app.view_functions[endpoint]
    twin = app.view_functions.get(endpoint + "_json")
    params = documentation(view).params or (documentation(twin).params if twin else ())
    return [name for name, _kind, _text in params]


def test_sweep_every_documented_parameter_of_every_page(seeded_app) -> None:
    """Each page x each parameter it reads x each value of SWEEP, one at a time: the
    combinations a random search is unlikely to hit. Never a 5xx; a refusal is a 400 that
    names the parameter."""
    client = seeded_app.test_client()
    person, other = SEED["people"][0]["slug"], SEED["people"][1]["slug"]
    swept = 0
    wrong = []
    for rule in seeded_app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.rule.startswith(("/admin", "/static")):
            continue
        names = _documented_params(seeded_app, rule.endpoint)
        if not names:
            continue
        first = {e: SEED[e][0]["slug"] for e in ("people", "claims", "sources", "topics")}
        slug = first.get(rule.rule.strip("/").split("/")[0], person)
        path = rule.rule.replace("<slug_a>", person).replace("<slug_b>", other)
        path = path.replace("<slug>", slug)
        if "<" in path:
            continue
        for name in names:
            for value in SWEEP:
                r = client.get(path, query_string={name: value})
                r.get_data()
                swept += 1
                if r.status_code >= 500 or (
                    r.status_code == 400 and name not in r.get_data(as_text=True)
                ):
                    wrong.append((path, name, value, r.status_code))
    tally("query parameter sweep (requests)", swept)
    assert swept > 500
    assert not wrong, wrong[:20]


LISTS = ["/people", "/claims", "/sources", "/topics", "/search", "/claims/{claim}"]
MALFORMED: list[tuple[str, str]] = [
    ("page", "abc"),
    ("page", "0"),
    ("page", "-3"),
    ("page", "1.5"),
    ("page", str(10**30)),
    ("per_page", "x"),
    ("per_page", "100000"),
    ("sort", "nonsense"),
]


def test_malformed_list_parameters_are_400_naming_them(seeded_client) -> None:
    claim = SEED["claims"][0]["slug"]
    wrong = []
    for path in LISTS:
        for suffix in ("", ".json"):
            for name, value in MALFORMED:
                if name == "sort" and path in ("/search", "/claims/{claim}"):
                    continue  # these take no sort
                url = path.format(claim=claim) + suffix
                r = seeded_client.get(url, query_string={name: value})
                if r.status_code != 400 or name not in r.get_data(as_text=True):
                    wrong.append((url, name, value, r.status_code))
    assert not wrong


@pytest.mark.parametrize(
    ("path", "params", "word"),
    [
        ("/sources", {"year": "²³⁴⁵"}, "year"),
        ("/sources", {"year": "17"}, "year"),
        ("/sources", {"kind": "poem"}, "kind"),
        ("/claims", {"position": "agrees"}, "position"),
        ("/claims", {"topic": "t\x00"}, "topic"),
        ("/search", {"q": "a\x00b"}, "q"),
        ("/people", {"affiliation": "\x00"}, "affiliation"),
        ("/graph", {"as_of": "2017-13-01"}, "as_of"),
        ("/graph.json", {"as_of": "yesterday"}, "as_of"),
        ("/agreement", {"limit": "many"}, "limit"),
        ("/graph", {"camp": "0"}, "camp"),
        ("/graph", {"topic": "\x00"}, "topic"),
        ("/export/graph.graphml", {"as_of": "x"}, "as_of"),
    ],
)
def test_specific_malformed_values(seeded_client, path: str, params: dict[str, Any], word: str):
    r = seeded_client.get(path, query_string=params)
    assert r.status_code == 400, (path, params, r.status_code)
    assert word in r.get_data(as_text=True)
