"""A burst of admin saves, for test_faults to kill with SIGKILL at a random moment.

Run as `python -m tests.reliability.edit_burst USERNAME PASSWORD TAG SHARED_TOPIC_ID` with
KB_DATABASE_URL, KB_INSTANCE_PATH and KB_SECRET_KEY set. It builds the real app in this process
(so the process that dies is the one holding the database connection), logs in through /login
and saves through the admin forms with their CSRF tokens. After each save the server
acknowledged (302), it prints one line and flushes, so the test knows exactly which saves were
promised to the editor:

    ready
    create topic <id> <name>
    update topic <id> <description>

It never stops by itself; the test kills it.
"""

from __future__ import annotations

import re
import sys

from kb import create_app
from tests.conftest import hidden_fields

EDIT_LOCATION = re.compile(r"/admin/topic/(\d+)/edit$")


def _post(client, path: str, data: dict[str, str]):
    page = client.get(path).text
    fields = {k: v for k, v in hidden_fields(page).items() if k in ("csrf_token", "version")}
    return client.post(path, data={**fields, **data})


def main(username: str, password: str, tag: str, shared_id: int) -> None:
    app = create_app()
    client = app.test_client()
    response = _post(client, "/login", {"username": username, "password": password})
    if response.status_code != 302:
        sys.exit(f"login failed: {response.status_code}")
    print("ready", flush=True)
    shared_path = f"/admin/topic/{shared_id}/edit"
    i = 0
    while True:
        i += 1
        if i % 3:
            name = f"Synthetic burst topic {tag}-{i}"
            response = _post(client, "/admin/topic/new", {"name": name})
            if response.status_code == 302:
                record_id = EDIT_LOCATION.search(response.headers["Location"]).group(1)
                print(f"create topic {record_id} {name}", flush=True)
        else:
            description = f"burst {tag} save {i}"
            response = _post(
                client,
                shared_path,
                {
                    "name": "Synthetic burst shared topic",
                    "slug": "synthetic-burst-shared",
                    "description": description,
                },
            )
            if response.status_code == 302:
                print(f"update topic {shared_id} {description}", flush=True)
        if response.status_code >= 500:
            sys.exit(f"save answered {response.status_code}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))
