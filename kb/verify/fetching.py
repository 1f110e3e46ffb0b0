"""Fetching pages politely, for `kb verify`: robots.txt respected (urllib.robotparser, read
with the same limits as the pages), one request at a time with a delay between two requests
to the same host, a timeout on every request and on the whole body, a cap on its size, and a
User-Agent naming kb. The standard library's urllib does the HTTP (it follows redirects);
nothing here raises for what a server does: every outcome is a Fetched.
"""

from __future__ import annotations

import http.client
import importlib.metadata
import time
import urllib.error
import urllib.request
import urllib.robotparser
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message
from typing import IO
from urllib.parse import urlsplit

from kb import rules


def _version() -> str:
    try:
        return importlib.metadata.version("kb")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - running from a tree
        return "unknown"


VERSION = _version()
USER_AGENT = (
    f"kb-verify/{VERSION} (kb {VERSION}, a knowledge base of viewpoints on AI risk;"
    " checks that its quotes are on their sources' pages)"
)
# The token robots.txt rules name kb by (a User-agent line matches a prefix of it).
ROBOT_NAME = "kb-verify"
TEXT_TYPES = ("text/html", "text/plain", "application/xhtml+xml")
_CHUNK = 64 * 1024

OK, UNREACHABLE, BLOCKED = "ok", "unreachable", "blocked"


@dataclass(frozen=True)
class Fetched:
    """What fetching one URL gave: status "ok" with the body's text, else "unreachable" or
    "blocked" with the reason in `detail`."""

    url: str
    status: str
    detail: str = ""
    text: str = ""
    content_type: str = ""
    final_url: str = ""


class _TooBig(Exception):
    pass


class _Blocked(Exception):
    """A redirect to a URL robots.txt keeps kb from (or whose site cannot be asked)."""

    def __init__(self, blocked: bool, detail: str) -> None:
        super().__init__(detail)
        self.blocked, self.detail = blocked, detail


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only where robots.txt lets kb go, after the delay for that host."""

    def __init__(self, fetcher: Fetcher) -> None:
        self.fetcher = fetcher

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: http.client.HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        refused = (
            (False, "not a web address")
            if not rules.is_web_url(newurl)
            else self.fetcher.refusal(newurl)
        )
        if refused:
            fp.close()
            raise _Blocked(refused[0], f"redirected to {newurl}: {refused[1]}")
        self.fetcher.wait_for(urlsplit(newurl).netloc.lower())
        return super().redirect_request(req, fp, code, msg, headers, newurl)


@dataclass
class Fetcher:
    timeout: float = 10.0  # seconds, per request (connecting, and reading the whole body)
    delay: float = 1.0  # seconds between two requests to the same host
    max_bytes: int = 5 * 1024 * 1024
    user_agent: str = USER_AGENT
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    _last: dict[str, float] = field(default_factory=dict)
    _robots: dict[str, urllib.robotparser.RobotFileParser | str] = field(default_factory=dict)

    def get(self, url: str, robots: bool = True, any_type: bool = False) -> Fetched:
        """The page at `url`, after asking its site's robots.txt (unless `robots` is False);
        a body that is not text or HTML is refused unless `any_type` (an API's JSON)."""
        if not rules.is_web_url(url):
            return Fetched(url, UNREACHABLE, "not a web address (http or https)")
        if robots:
            refused = self.refusal(url)
            if refused:
                return Fetched(url, BLOCKED if refused[0] else UNREACHABLE, refused[1])
        return self._fetch(url, any_type, robots)

    # -- robots.txt ------------------------------------------------------------------------

    def refusal(self, url: str) -> tuple[bool, str] | None:
        """(blocked?, why) when robots.txt keeps kb from `url`; None when it may be fetched."""
        parts = urlsplit(url)
        site = f"{parts.scheme}://{parts.netloc}"
        if site not in self._robots:
            self._robots[site] = self._read_robots(site)
        parser = self._robots[site]
        if isinstance(parser, str):  # robots.txt could not be read
            return False, parser
        if not parser.can_fetch(ROBOT_NAME, url):
            return True, f"{site}/robots.txt disallows it for {ROBOT_NAME}"
        return None

    def _read_robots(self, site: str) -> urllib.robotparser.RobotFileParser | str:
        """The site's robots.txt (RFC 9309): a missing one (4xx) allows everything, a server
        error disallows everything, one that cannot be fetched means the site is unreachable."""
        parser = urllib.robotparser.RobotFileParser(site + "/robots.txt")
        got = self._fetch(site + "/robots.txt", any_type=True)
        if got.status == OK:
            parser.parse(got.text.splitlines())
        elif got.detail.startswith("HTTP 4"):
            parser.parse([])  # no rules: everything is allowed
        elif got.detail.startswith("HTTP 5"):
            parser.parse(["User-agent: *", "Disallow: /"])
        else:
            return f"robots.txt could not be read: {got.detail}"
        return parser

    # -- HTTP ------------------------------------------------------------------------------

    def wait_for(self, host: str) -> None:
        last = self._last.get(host)
        if last is not None:
            pause = last + self.delay - self.clock()
            if pause > 0:
                self.sleep(pause)
        self._last[host] = self.clock()

    def _fetch(self, url: str, any_type: bool = False, robots: bool = False) -> Fetched:
        """One GET (redirects followed, asking robots.txt for each when `robots`)."""
        self.wait_for(urlsplit(url).netloc.lower())
        request = urllib.request.Request(url, headers={"User-Agent": self.user_agent})
        opener = urllib.request.build_opener(*([_Redirects(self)] if robots else []))
        try:
            with opener.open(request, timeout=self.timeout) as response:
                kind = response.headers.get_content_type()
                if not any_type and kind not in TEXT_TYPES:
                    return Fetched(url, UNREACHABLE, f"not a text page ({kind})")
                body = self._read(response)
                text = body.decode(_charset(response.headers), errors="replace")
                return Fetched(url, OK, f"HTTP {response.status}", text, kind, response.url)
        except urllib.error.HTTPError as exc:
            return Fetched(url, UNREACHABLE, f"HTTP {exc.code} {exc.reason}")
        except _Blocked as exc:
            return Fetched(url, BLOCKED if exc.blocked else UNREACHABLE, exc.detail)
        except _TooBig:
            return Fetched(url, UNREACHABLE, f"the page is larger than {self.max_bytes} bytes")
        except TimeoutError:
            return Fetched(url, UNREACHABLE, f"no answer within {self.timeout:g} s")
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, TimeoutError):
                return Fetched(url, UNREACHABLE, f"no answer within {self.timeout:g} s")
            return Fetched(url, UNREACHABLE, f"could not connect: {_short(reason)}")
        except http.client.HTTPException as exc:
            return Fetched(url, UNREACHABLE, f"the answer is not HTTP ({type(exc).__name__})")
        except (OSError, ValueError) as exc:  # a reset connection, a malformed address
            return Fetched(url, UNREACHABLE, f"the connection failed: {_short(exc)}")

    def _read(self, response: http.client.HTTPResponse) -> bytes:
        """The body, refused once past max_bytes or past the timeout (a server trickling
        bytes would keep each read under the socket's timeout)."""
        length = response.headers.get("Content-Length")
        if length and length.isdigit() and int(length) > self.max_bytes:
            raise _TooBig
        deadline = self.clock() + self.timeout
        chunks, size = [], 0
        while chunk := response.read(_CHUNK):
            size += len(chunk)
            if size > self.max_bytes:
                raise _TooBig
            if self.clock() > deadline:
                raise TimeoutError
            chunks.append(chunk)
        return b"".join(chunks)


def _charset(headers: Message) -> str:
    charset = headers.get_content_charset() or "utf-8"
    try:
        "".encode(charset)
    except LookupError:
        return "utf-8"
    return charset


def _short(reason: object) -> str:
    """An exception's words on one line, at most 200 characters (a note, not a dump)."""
    return " ".join(str(reason).split())[:200]
