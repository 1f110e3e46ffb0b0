"""History: every write from the UI, the CLI or an import leaves a revision with field-level
before and after; the history pages show them; a revert undoes one and is recorded itself."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select

from kb import models as m
from kb.edits import deleting
from kb.load.importer import apply_document
from kb.store import history
from kb.web.database import session_scope
from tests.factories import make_claim, make_person, make_quote, make_source, make_stance
from tests.helpers import submit


def revisions(app, **where) -> list[dict]:
    with app.app_context(), session_scope() as s:
        return [
            {
                "id": r.id,
                "actor": r.actor,
                "user_id": r.user_id,
                "action": r.action,
                "entity": r.entity,
                "entity_id": r.entity_id,
                "label": r.label,
                "changes": r.changes,
                "reverts_id": r.reverts_id,
            }
            for r in s.scalars(select(m.Revision).filter_by(**where).order_by(m.Revision.id))
        ]


def test_ui_create_update_delete_are_recorded_with_who_and_what(app, admin_client) -> None:
    submit(admin_client, "/admin/person/new", {"name": "Ada Lovelace", "affiliation": "Analytical"})
    (created,) = revisions(app, entity="person")
    assert created["action"] == "create" and created["actor"] == "ada" and created["user_id"]
    assert created["label"] == "Ada Lovelace"
    assert created["changes"]["name"] == [None, "Ada Lovelace"]
    assert created["changes"]["slug"] == [None, "ada-lovelace"]
    assert "version" not in created["changes"] and "updated_at" not in created["changes"]
    pid = created["entity_id"]

    submit(
        admin_client,
        f"/admin/person/{pid}/edit",
        {"name": "Ada King", "slug": "ada-lovelace", "affiliation": "Analytical"},
    )
    update = revisions(app, entity="person")[-1]
    assert update["action"] == "update"
    assert update["changes"] == {"name": ["Ada Lovelace", "Ada King"]}

    submit(admin_client, f"/admin/person/{pid}/delete", {})
    deleted = revisions(app, entity="person")[-1]
    assert deleted["action"] == "delete"
    assert deleted["changes"]["name"] == ["Ada King", None]
    assert deleted["changes"]["affiliation"] == ["Analytical", None]


def test_many_to_many_changes_are_recorded_by_natural_key(app) -> None:
    with app.app_context(), session_scope() as s:
        s.info["actor"] = "cli"
        p1, p2 = make_person(s, slug="p1"), make_person(s, slug="p2")
        src = make_source(s, slug="src", authors=[p1])
        t1, t2 = m.Topic(slug="t1", name="T1"), m.Topic(slug="t2", name="T2")
        claim = make_claim(s, slug="c", topics=[t1])
        q1, q2 = make_quote(s, p1), make_quote(s, p1)
        stance = make_stance(s, p1, claim, evidence=[q1])
        s.commit()
        src.authors = [p1, p2]
        claim.topics = [t2]
        stance.evidence.append(q2)
        s.flush()
        ids = {"source": src.id, "claim": claim.id, "stance": stance.id, "q1": q1.id, "q2": q2.id}
    [src_rev] = revisions(app, entity="source", action="update")
    assert src_rev["changes"] == {"authors": [["p1"], ["p1", "p2"]]}
    [claim_rev] = revisions(app, entity="claim", action="update")
    assert claim_rev["changes"] == {"topics": [["t1"], ["t2"]]}
    [stance_rev] = revisions(app, entity="stance", action="update")
    assert stance_rev["changes"] == {"evidence": [[ids["q1"]], sorted([ids["q1"], ids["q2"]])]}
    created = revisions(app, entity="stance", action="create")[0]
    assert created["changes"]["evidence"] == [None, [ids["q1"]]]
    # Adding evidence touches the quote's side of the link too; that is not a quote edit.
    assert revisions(app, entity="quote", action="update") == []
    assert all(r["actor"] == "cli" for r in revisions(app))


def test_cli_writes_are_recorded(app, runner) -> None:
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    revs = revisions(app)
    assert revs and {r["actor"] for r in revs} == {"cli"}
    assert {r["entity"] for r in revs} >= {"person", "source", "quote", "claim", "stance"}
    with app.app_context(), session_scope() as s:
        assert len(revs) == sum(
            s.scalar(select(__import__("sqlalchemy").func.count()).select_from(model))
            for model in m.EDITABLE_MODELS
        )


def test_import_writes_are_recorded(app) -> None:
    doc = {
        "format": "kb/1",
        "people": [{"slug": "imp", "name": "Imported Person"}],
        "topics": [{"slug": "t", "name": "T"}],
    }
    with app.app_context(), session_scope() as s:
        s.info["actor"] = "import"
        apply_document(s, doc)
    with app.app_context(), session_scope() as s:
        s.info["actor"] = "import"
        apply_document(s, {**doc, "people": [{"slug": "imp", "name": "Renamed Person"}]})
    revs = revisions(app, entity="person")
    assert [(r["action"], r["actor"]) for r in revs] == [("create", "import"), ("update", "import")]
    assert revs[1]["changes"] == {"name": ["Imported Person", "Renamed Person"]}


def test_record_bulk_for_core_writes(app) -> None:
    with app.app_context(), session_scope() as s:
        s.info["actor"] = "import"
        n = history.record_bulk(
            s,
            (
                {
                    "action": "create",
                    "entity": "person",
                    "entity_id": i,
                    "label": f"P{i}",
                    "changes": {"name": [None, f"P{i}"]},
                }
                for i in range(1, 1502)
            ),
        )
    assert n == 1501
    revs = revisions(app, entity="person")
    assert len(revs) == 1501 and revs[0]["actor"] == "import"
    assert revs[-1]["changes"] == {"name": [None, "P1501"]}
    with app.app_context(), session_scope() as s:
        try:
            history.record_bulk(s, [{"action": "rename", "entity": "person", "entity_id": 1}])
        except ValueError as exc:
            assert "rename" in str(exc)
        else:
            raise AssertionError("an unknown action was accepted")


def test_a_rolled_back_write_leaves_no_revision(app) -> None:
    with app.app_context():
        s = app.extensions["kb.sessionmaker"]()
        make_person(s, slug="gone")
        s.rollback()
        s.close()
    assert revisions(app) == []


# -- revert ------------------------------------------------------------------------------------


def _revert(client, rev_id: int, record: str):
    return submit(client, f"/admin/revisions/{rev_id}/revert", {}, page=record)


def test_revert_an_update_restores_the_fields_and_is_recorded(app, admin_client) -> None:
    submit(admin_client, "/admin/person/new", {"name": "Ada", "affiliation": "A"})
    pid = revisions(app)[0]["entity_id"]
    submit(
        admin_client,
        f"/admin/person/{pid}/edit",
        {"name": "Ada B", "slug": "ada", "affiliation": "B"},
    )
    update = revisions(app)[-1]
    page = f"/admin/person/{pid}/history"
    r = _revert(admin_client, update["id"], page)
    assert r.status_code == 302 and r.headers["Location"].endswith(page)
    with app.app_context(), session_scope() as s:
        person = s.get(m.Person, pid)
        assert (person.name, person.affiliation, person.version) == ("Ada", "A", 3)
    last = revisions(app)[-1]
    assert last["action"] == "revert" and last["reverts_id"] == update["id"]
    assert last["changes"] == {"name": ["Ada B", "Ada"], "affiliation": ["B", "A"]}
    assert last["actor"] == "ada"
    # A revert can itself be reverted.
    assert _revert(admin_client, last["id"], page).status_code == 302
    with app.app_context(), session_scope() as s:
        assert s.get(m.Person, pid).name == "Ada B"


def test_revert_a_delete_recreates_the_record_with_its_id_and_links(app, admin_client) -> None:
    with app.app_context(), session_scope() as s:
        p = make_person(s, slug="p", name="Pat")
        c = make_claim(s, slug="c")
        q = make_quote(s, p)
        stance = make_stance(s, p, c, as_of=dt.date(2020, 5, 6), evidence=[q], probability=0.25)
        stance_id, quote_id = stance.id, q.id
    submit(admin_client, f"/admin/stance/{stance_id}/delete", {})
    with app.app_context(), session_scope() as s:
        assert s.get(m.Stance, stance_id) is None
    deleted = revisions(app, entity="stance", action="delete")[0]
    r = _revert(admin_client, deleted["id"], f"/admin/stance/{stance_id}/history")
    assert r.status_code == 302, r.text
    with app.app_context(), session_scope() as s:
        restored = s.get(m.Stance, stance_id)
        assert restored.as_of == dt.date(2020, 5, 6) and restored.probability == 0.25
        assert [e.id for e in restored.evidence] == [quote_id]
    last = revisions(app)[-1]
    assert last["action"] == "revert" and history_op(app, last["id"]) == "create"
    # The restored record gets new ids from the database afterwards without a clash.
    with app.app_context(), session_scope() as s:
        assert make_person(s).id > 0


def history_op(app, rev_id: int) -> str:
    with app.app_context(), session_scope() as s:
        return history.operation(s.get(m.Revision, rev_id))


def test_revert_a_create_deletes_the_record_unless_others_depend_on_it(app, admin_client) -> None:
    submit(admin_client, "/admin/topic/new", {"name": "Lonely"})
    topic_create = revisions(app, entity="topic")[0]
    assert _revert(admin_client, topic_create["id"], "/admin/changes").status_code == 302
    with app.app_context(), session_scope() as s:
        assert s.get(m.Topic, topic_create["entity_id"]) is None
    assert revisions(app)[-1]["action"] == "revert"
    assert history_op(app, revisions(app)[-1]["id"]) == "delete"

    submit(admin_client, "/admin/person/new", {"name": "Speaker"})
    person_create = revisions(app, entity="person")[0]
    with app.app_context(), session_scope() as s:
        make_quote(
            s, s.get(m.Person, person_create["entity_id"]), text="Synthetic dependent words."
        )
    before = len(revisions(app))
    r = _revert(admin_client, person_create["id"], "/admin/changes")
    assert r.status_code == 409
    assert "depend on it" in r.text and "Synthetic dependent words." in r.text
    assert len(revisions(app)) == before
    with app.app_context(), session_scope() as s:
        assert s.get(m.Person, person_create["entity_id"]) is not None


def test_revert_refuses_when_the_record_is_gone_or_a_reference_vanished(app, admin_client) -> None:
    submit(admin_client, "/admin/topic/new", {"name": "T"})
    tid = revisions(app)[0]["entity_id"]
    submit(admin_client, f"/admin/topic/{tid}/edit", {"name": "T2", "slug": "t"})
    update = revisions(app)[-1]
    submit(admin_client, f"/admin/topic/{tid}/delete", {})
    r = _revert(admin_client, update["id"], "/admin/changes")
    assert r.status_code == 409 and "deleted since" in r.text
    # Restoring a quote whose speaker no longer exists is refused, naming the speaker.
    with app.app_context(), session_scope() as s:
        p = make_person(s, slug="p")
        q = make_quote(s, p)
        qid, pid = q.id, p.id
    submit(admin_client, f"/admin/quote/{qid}/delete", {})
    submit(admin_client, f"/admin/person/{pid}/delete", {})
    quote_delete = revisions(app, entity="quote", action="delete")[0]
    r = _revert(admin_client, quote_delete["id"], "/admin/changes")
    assert r.status_code == 409 and "speaker_id" in r.text


def test_revert_needs_a_login_and_the_token(app, admin_client) -> None:
    submit(admin_client, "/admin/topic/new", {"name": "T"})
    rev = revisions(app)[0]
    anonymous = app.test_client()
    assert anonymous.post(f"/admin/revisions/{rev['id']}/revert").status_code in (400, 401)
    assert admin_client.post(f"/admin/revisions/{rev['id']}/revert").status_code == 400
    assert len(revisions(app)) == 1


# -- pages -------------------------------------------------------------------------------------


def test_record_history_and_recent_changes_pages(app, admin_client) -> None:
    submit(admin_client, "/admin/person/new", {"name": "Ada", "affiliation": "Old <b>lab</b>"})
    pid = revisions(app)[0]["entity_id"]
    submit(
        admin_client,
        f"/admin/person/{pid}/edit",
        {"name": "Ada", "slug": "ada", "affiliation": "New lab"},
    )
    page = admin_client.get(f"/admin/person/{pid}/history")
    assert page.status_code == 200
    assert page.text.count('class="revision"') == 2
    assert "Old &lt;b&gt;lab&lt;/b&gt;" in page.text and "New lab" in page.text
    assert "Revert revision" in page.text
    changes = admin_client.get("/admin/changes")
    assert changes.status_code == 200 and "Ada" in changes.text
    assert admin_client.get("/admin/changes?entity=person").status_code == 200
    assert admin_client.get("/admin/changes?entity=nonsense").status_code == 400
    assert admin_client.get("/admin/changes?page=-1").status_code == 400
    assert admin_client.get("/admin/person/424242/history").status_code == 404
    # A deleted record keeps its history page.
    submit(admin_client, f"/admin/person/{pid}/delete", {})
    gone = admin_client.get(f"/admin/person/{pid}/history")
    assert (
        gone.status_code == 200
        and "deleted" in gone.text
        and gone.text.count('class="revision"') == 3
    )


def test_history_names_referenced_records(app, admin_client) -> None:
    with app.app_context(), session_scope() as s:
        s.info["actor"] = "cli"
        p = make_person(s, slug="speaker-slug")
        q = make_quote(s, p)
        qid = q.id
    page = admin_client.get(f"/admin/quote/{qid}/history").text
    assert "speaker-slug" in page


def test_changes_are_json_ready(app) -> None:
    """Dates are stored as ISO text so that revisions survive any database's JSON type."""
    with app.app_context(), session_scope() as s:
        src = make_source(s, published_on=dt.date(2017, 2, 1), date_precision="month")
        sid = src.id
    [rev] = revisions(app, entity="source")
    assert rev["changes"]["published_on"] == [None, "2017-02-01"]
    json.dumps(rev["changes"])
    assert sid


def test_edits_dependents_lists_what_blocks_a_revert(app) -> None:
    with app.app_context(), session_scope() as s:
        p = make_person(s, name="Pat")
        make_quote(s, p, text="Synthetic words.")
        deps = deleting.dependents(s, p)
    assert [(e, label) for e, _i, label in deps] == [("quote", "Pat: “Synthetic words.”")]
