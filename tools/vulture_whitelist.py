"""Names in kb/ that vulture cannot see used, because a framework or library calls them.

vulture reads this file with kb/ ([tool.vulture] in pyproject.toml; tests/test_dead_code.py):
each line below counts as a use of the name. Only a name whose caller is outside kb/ belongs
here, under the caller that uses it; code nothing calls is deleted, not listed. The lines are in
the form `vulture kb --make-whitelist` prints ("_." stands for an attribute of any object).
"""

# ruff: noqa: B018, F821  (a list of bare names, as vulture's whitelists are)

# click: commands registered by their @<group>.command decorators (kb db ..., kb users ...)
db_upgrade  # unused function (kb/cli/schema.py:28)
db_downgrade  # unused function (kb/cli/schema.py:40)
db_current  # unused function (kb/cli/schema.py:70)
list_users  # unused function (kb/cli/users.py:62)
disable  # unused function (kb/cli/users.py:110)
set_role  # unused function (kb/cli/users.py:127)
rebuild_command  # unused function (kb/cli/graph.py:21)

# gunicorn: BaseApplication calls load_config when it starts and load for the WSGI app
_.load_config  # unused method (kb/cli/serving.py:90)

# Jinja: the Environment reads its bytecode_cache when it compiles a template
_.bytecode_cache  # unused attribute (kb/web/__init__.py:44)

# SQLAlchemy: engine event listeners (@event.listens_for) and a declared_attr mapper directive
_before_open  # unused function (kb/db.py:141)
_on_checkout  # unused function (kb/db.py:146)
_on_error  # unused function (kb/db.py:153)
__mapper_args__  # unused function (kb/models.py:97)

# Alembic: filters that migrations/env.py (outside kb/) passes to context.configure
include_object  # unused function (kb/migrate.py:92)
include_name  # unused function (kb/migrate.py:102)

# kb.load.importer: the check of each entity, found by name (getattr(self, f"_check_{entity}"))
_._check_people  # unused method (kb/load/importer.py:567)
_._check_topics  # unused method (kb/load/importer.py:582)
_._check_sources  # unused method (kb/load/importer.py:590)
_._check_claims  # unused method (kb/load/importer.py:619)
_._check_quotes  # unused method (kb/load/importer.py:653)
_._check_stances  # unused method (kb/load/importer.py:716)
_._check_claim_relations  # unused method (kb/load/importer.py:787)
_._check_statements  # unused method (kb/load/statement_checks.py)
_._check_signatures  # unused method (kb/load/statement_checks.py)
_._check_replies  # unused method (kb/load/reply_checks.py)
_._check_reports  # unused method (kb/load/report_checks.py)
_._check_verifications  # unused method (kb/load/verification_checks.py)
_._check_affiliations  # unused method (kb/load/affiliation_checks.py)

# Jinja: read by templates only (w.adjective, url_with(...))
adjective  # unused variable (kb/vocabulary.py:25)
url_with  # unused function (kb/web/browse.py:97)
cite_this  # unused function (kb/web/cite.py: the box in templates/_cite.html)

# Flask: views, hooks, error handlers and a context processor registered by their decorators
_admin_context  # unused function (kb/web/admin/__init__.py:156)
apply  # unused function (kb/web/admin/transfer.py:260)
openapi  # unused function (kb/web/api.py:202)
_favicon  # unused function (kb/web/browse.py:120)
bad_parameter  # unused function (kb/web/error_pages.py:32)
database_error  # unused function (kb/web/error_pages.py:38)
estimate_list  # unused function (kb/web/estimates.py:20)
changes_feed  # unused function (kb/web/feeds.py)
person_feed  # unused function (kb/web/feeds.py)
claim_feed  # unused function (kb/web/feeds.py)
topic_feed  # unused function (kb/web/feeds.py)
kb_jsonld  # unused function (kb/web/export.py:75)
kb_aif  # unused function (kb/web/export.py:80)
kb_ttl  # unused function (kb/web/export.py: a route)
kb_nt  # unused function (kb/web/export.py: a route)
kb_xaif  # unused function (kb/web/export.py:86): a route, reached by url_for
kb_arguebuf  # unused function (kb/web/export.py): a route, reached by url_for
graph_json  # unused function (kb/web/graph.py:262)
agreement_json  # unused function (kb/web/graph.py:360)
choose  # unused function (kb/web/graph.py:492)
choose_json  # unused function (kb/web/graph.py:498)
compare_json  # unused function (kb/web/graph.py:519)
export_graphml  # unused function (kb/web/graph.py:533)
export_yed_graphml  # a Flask view (kb/web/graph/exports.py)
export_gexf  # unused function (kb/web/graph.py:540)
export_json  # unused function (kb/web/graph.py:546)
_globals  # unused function (kb/web/cite.py: @bp.record_once)
person_csl  # unused function (kb/web/cite.py)
claim_csl  # unused function (kb/web/cite.py)
source_csl  # unused function (kb/web/cite.py)
quote_csl  # unused function (kb/web/cite.py)
schema_gate  # unused function (kb/web/health.py:29)
healthz  # unused function (kb/web/health.py:53)
_headers  # unused function (kb/web/security.py:150)

# Flask: settings read from the app, its session interface, request, response and g
_.get_cookie_secure  # unused method (kb/web/security.py:82)
_.session_interface  # unused attribute (kb/web/security.py:127)
_.max_content_length  # unused attribute (kb/web/admin/transfer.py:197)
_.namespace_manager  # unused attribute (kb/formats/rdf.py: rdflib reads it when serializing)
_.last_modified  # unused attribute (kb/web/caching.py:195)
_.kb_validators  # unused attribute (kb/web/caching.py:155)

# Flask-Login: the user's id, the user loader, the unauthorized handler and two settings
_.get_id  # unused method (kb/web/auth.py:92)
_load  # unused function (kb/web/security.py:138)
_unauthorized  # unused function (kb/web/security.py:144)
_.login_view  # unused attribute (kb/web/security.py:135)
_.session_protection  # unused attribute (kb/web/security.py:136)

# WTForms: field hooks and declared fields (rendered by the templates, read back as form.data)
widget  # unused variable (kb/web/admin/fields.py:73)
_.process_formdata  # unused method (kb/web/admin/fields.py:81)
_.process_data  # unused method (kb/web/admin/fields.py:102)
_.pre_validate  # unused method (kb/web/admin/fields.py:110)
_.choices  # unused attribute (kb/web/admin/pickers.py:77)
new_quote_text  # unused variable (kb/web/admin/forms.py:271)
new_quote_locator  # unused variable (kb/web/admin/forms.py:272)
new_quote_attribution  # unused variable (kb/web/admin/forms.py:274)
new_quote_checked  # unused variable (kb/web/admin/forms.py:277)
new_quote_said  # unused variable (kb/web/admin/forms.py:285)
new_quote_check_note  # unused variable (kb/web/admin/forms.py:280)
replied  # unused variable (kb/web/admin/forms.py: the reply form's date, read back as form.data)
new_quote_source  # unused variable (kb/web/admin/forms.py:281)
new_source_title  # unused variable (kb/web/admin/forms.py:287)
new_source_slug  # unused variable (kb/web/admin/forms.py:288)
new_source_kind  # unused variable (kb/web/admin/forms.py:289)
new_source_url  # unused variable (kb/web/admin/forms.py:290)
new_source_publisher  # unused variable (kb/web/admin/forms.py:291)
new_source_published  # unused variable (kb/web/admin/forms.py:292)
new_source_date_note  # unused variable (kb/web/admin/forms.py:295)

# Python and the standard library: help()'s __doc__; zipfile and psycopg read what is set here
_.__doc__  # unused attribute (kb/queries/export.py:244)
_.compress_type  # unused attribute (kb/formats/bundle.py:72)
_.external_attr  # unused attribute (kb/formats/bundle.py:73)
_.wait  # unused attribute (kb/cli/serving.py:136)

# pytest: interface the tests exercise that kb itself does not call (test oracles and helpers)
csv_cells  # unused function (kb/formats/kb1.py:142)
_.pairs_of  # unused method (kb/graph/agreement.py:157)
fts5_query  # unused function (kb/queries/search.py:72)
none  # unused variable (kb/vocabulary.py:44)

# /stand and /stand.json (kb/web/stand.py): Flask routes
stand_page  # unused function
stand_json  # unused function

# html.parser.HTMLParser calls these on kb.verify.matching's page reader
_.handle_starttag  # unused method (kb/verify/matching.py)
_.handle_endtag  # unused method (kb/verify/matching.py)
_.handle_data  # unused method (kb/verify/matching.py)
contested_pool  # a field of kb.queries.overview.Overview, a TypedDict read by pydantic
claims_in_scope  # a field of kb.web.home_matrix.HomeMatrix, a TypedDict read by pydantic
