"""kb.web.present.urls, the one builder of record URLs: the paths README documents, under the
script root when kb is mounted below one."""

from __future__ import annotations

from types import SimpleNamespace

from kb.web.present import urls


def test_record_urls_are_the_documented_paths_under_the_script_root(app) -> None:
    with app.test_request_context("/", base_url="http://kb.example/kb"):
        assert urls.person("ada-l") == "/kb/people/ada-l"
        assert urls.claim("c-1", fmt="json") == "/kb/claims/c-1.json"
        assert urls.source("s") == "/kb/sources/s"
        assert urls.topic("t") == "/kb/topics/t"
        assert urls.quote("ada-l") == "/kb/people/ada-l"  # a quote is read on its speaker's page
        assert urls.edit("stance", 7) == "/kb/admin/stance/7/edit"
        assert urls.public("topic", SimpleNamespace(slug="t")) == "/kb/topics/t"
        assert urls.public("quote", SimpleNamespace(id=3)) is None


def test_templates_link_records_through_the_builder(app) -> None:
    with app.app_context():
        assert app.jinja_env.globals["urls"] is urls
