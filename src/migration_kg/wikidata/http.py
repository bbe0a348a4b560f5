"""The one place where the Wikidata client talks HTTP: one request in, status, headers and body out.

Everything the client sends (SPARQL POSTs to the query service, GETs to the search API) goes through
:func:`send`, so that limits on redirects, credentials and deadlines can be enforced here alone. Transport
failures become the typed errors of :mod:`migration_kg.errors`; HTTP statuses are returned for the caller to judge.
"""

from __future__ import annotations

import os
import sys
import urllib.parse

from migration_kg import __version__, net
from migration_kg.errors import (
    UsageError,
    WikidataMalformedAnswerError,
    WikidataTimeoutError,
    WikidataUnreachableError,
)

#: The environment variable naming how the service's operators can reach whoever runs migration-kg.
CONTACT_VARIABLE = "MIGRATION_KG_CONTACT"
PROJECT_PAGE = "https://w3id.org/migration-kg"
#: Hosts run by the Wikimedia Foundation, whose User-Agent policy asks for a way to reach the operator.
WIKIMEDIA_HOSTS = ("wikidata.org", "wikimedia.org", "wikipedia.org")
#: The largest answer read from the service (the batched questions ask for far less).
MAX_ANSWER_BYTES = 256 << 20


#: An HTTP answer: status, headers, body, and whether the body arrived whole (see :mod:`migration_kg.net`).
Response = net.Response


def is_wikimedia(url: str) -> bool:
    """True if ``url`` points at a Wikimedia service (the real query service or search API)."""
    host = (urllib.parse.urlsplit(url).hostname or "").lower()
    return any(host == name or host.endswith("." + name) for name in WIKIMEDIA_HOSTS)


def contact_from_environment() -> str | None:
    """The operator's contact from ``MIGRATION_KG_CONTACT``, or None if unset or empty."""
    value = os.environ.get(CONTACT_VARIABLE, "").strip()
    return value or None


def check_contact(contact: str | None, url: str) -> None:
    """Refuse to call a Wikimedia service without a contact that can really reach the operator."""
    if not is_wikimedia(url):
        return
    if not contact:
        raise UsageError(f"{url} is a Wikimedia service: set {CONTACT_VARIABLE} to an e-mail address or web page "
                         "where its operators can reach you (it goes into the User-Agent, as their policy asks)")
    lowered = contact.lower()
    if "noreply" in lowered or "no-reply" in lowered or not ("@" in contact or lowered.startswith("http")):
        raise UsageError(f"{CONTACT_VARIABLE}={contact!r} cannot reach you: give an e-mail address or a web page "
                         "that someone reads")


def user_agent(contact: str | None) -> str:
    """The User-Agent every request carries: tool, version, project page and the operator's contact."""
    who = f"{PROJECT_PAGE}; {contact}" if contact else PROJECT_PAGE
    return f"migration-kg/{__version__} ({who}) Python-urllib/{sys.version_info.major}.{sys.version_info.minor}"


def send(url: str, *, agent: str, accept: str, timeout: float, form: dict[str, str] | None = None,
         query: dict[str, str] | None = None) -> Response:
    """One request: a form-encoded POST when ``form`` is given, else a GET with ``query`` in the URL.

    It goes through :mod:`migration_kg.net`: http(s) only, one deadline for the whole answer (a trickled body
    cannot stretch it), redirects never carrying credentials to another origin.
    """
    if query:
        url += ("&" if "?" in url else "?") + urllib.parse.urlencode(query)
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    headers = {"User-Agent": agent, "Accept": accept}
    if data is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    endpoint = net.public_url(url.split("?", 1)[0])
    try:
        return net.request(url, method="POST" if data is not None else "GET", data=data, headers=headers,
                           timeout=timeout, max_bytes=MAX_ANSWER_BYTES)
    except net.UnsupportedURL as error:
        raise UsageError(str(error)) from None
    except net.DeadlineExceeded:
        raise _timeout(endpoint, timeout) from None
    except net.TooLarge:
        raise WikidataMalformedAnswerError(f"the answer is larger than {MAX_ANSWER_BYTES:,} bytes; ask for less",
                                           endpoint) from None
    except net.Unreachable as error:
        raise WikidataUnreachableError(f"cannot reach the endpoint ({error.reason})", endpoint) from None
    except net.NetError as error:
        raise WikidataUnreachableError(str(error), endpoint) from None


def _timeout(endpoint: str, seconds: float) -> WikidataTimeoutError:
    return WikidataTimeoutError(f"no answer within the {seconds:g} s timeout (the client's own limit)", endpoint)
