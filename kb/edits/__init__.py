"""Writes from the admin forms: checks that need the database, version checks, deletes with
their dependents. Nothing here commits: the view owns the transaction, and on any refusal it
rolls back, so a submission is saved whole or not at all.

Per-field checks (required, lengths, formats, enumerations) are the forms' job
(kb.web.admin.forms); the checks here are the ones a form cannot make alone: unique slugs
(naming the record that has the slug), references to other records, a relation to itself, a
duplicate stance, and the version the editor started from. The database's constraints stay the
last line: an IntegrityError at flush becomes a message on the field it concerns. The record
rules themselves (slugs, years, dates, probabilities) are kb.rules'.

Nothing here knows a URL: a refusal names the record it collides with (outcomes.RecordRef) and
the web layer makes the link.

    outcomes   what a write answers: FieldError (+ RecordRef), Invalid, Conflict, Blocked
    cleaning   form values made ready to save: stripped text, slugs from names, slug lists
    lookups    the records a form names: by slug or name, unique slugs, people, topics
    writing    the steps every save shares: version check, assigning, flushing
    records    the saver of each simple kind: person, source, quote, topic, claim, relation
    stances    the stance saver, with the new quote and source it may bring along
    savers     every kind's saver by table name, and save()
    deleting   what a delete takes with it or is blocked by, and the delete itself
"""
