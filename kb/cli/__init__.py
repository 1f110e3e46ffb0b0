"""The `kb` subcommands, one module per area (commands.py lists them and adds them to the app),
and gunicorn for `kb serve`. The `kb` group itself, the console script over create_app, is
kb/__main__.py: it sits above create_app, which adds these commands to every app."""
