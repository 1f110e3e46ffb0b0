"""Readers and writers of kb's data formats, shared by the views and the CLI."""
