"""The hardened HTTP layer (migration_kg.net), against real local servers that misbehave on purpose."""

from __future__ import annotations

import time

import pytest
from hostile import answer, answer_rows, redirect_to, scripted, send, trickle

from migration_kg import net

SECRET = "s3cr3t-Token-value"


def test_only_http_and_https() -> None:
    for url in ("file:///etc/passwd", "ftp://127.0.0.1/x", "gopher://127.0.0.1/", "javascript:alert(1)", "/relative"):
        with pytest.raises(net.UnsupportedURL, match="http:// or https://"):
            net.request(url)
    with pytest.raises(net.UnsupportedURL, match="credentials written into it") as caught:
        net.check_url("http://me:pw@127.0.0.1/")
    assert "pw" not in str(caught.value)


def test_cross_origin_redirect_with_credentials_is_refused_and_sends_nothing() -> None:
    with scripted(answer_rows, host="localhost") as elsewhere, \
            scripted(redirect_to(elsewhere.url)) as first:
        with pytest.raises(net.RedirectRefused, match="another origin") as caught:
            net.request(first.url + "/sparql", headers={"Authorization": f"Bearer {SECRET}"}, timeout=5)
        assert elsewhere.requests == []
    assert SECRET not in str(caught.value)
    assert f"http://localhost:{elsewhere.port}" in str(caught.value)


def test_credentials_from_a_handler_count_too() -> None:
    with scripted(answer_rows, host="localhost") as elsewhere, scripted(redirect_to(elsewhere.url)) as first:
        with pytest.raises(net.RedirectRefused):
            net.request(first.url, credentialed=True, timeout=5)
        assert elsewhere.requests == []


def test_without_credentials_a_redirect_is_followed_without_cookies() -> None:
    with scripted(answer_rows, host="localhost") as elsewhere, scripted(redirect_to(elsewhere.url)) as first:
        response = net.request(first.url + "/x", headers={"X-Keep": "1"}, timeout=5)
        assert response.status == 200 and b"from elsewhere" in response.body
        assert response.url.startswith(elsewhere.url)
        assert elsewhere.header_values("X-Keep") == ["1"]


def test_same_origin_redirect_keeps_the_credentials() -> None:
    def respond(handler, seen):
        if handler.path == "/old":
            send(handler, 301, b"moved", "text/plain", {"Location": "/new"})
            return
        answer_rows(handler, seen)

    with scripted(respond) as server:
        response = net.request(server.url + "/old", headers={"Authorization": f"Bearer {SECRET}"}, timeout=5)
        assert response.status == 200
        assert server.header_values("Authorization") == [f"Bearer {SECRET}"] * 2


def test_redirect_to_another_scheme_is_refused() -> None:
    with scripted(redirect_to("file:///etc")) as server, pytest.raises(net.RedirectRefused, match="not http"):
        net.request(server.url + "/passwd", timeout=5)


@pytest.mark.parametrize("what", ["body", "headers"])
def test_a_trickled_answer_cannot_stretch_the_deadline(what: str) -> None:
    """A byte every 0.2 s beats any per-read timeout; the whole exchange still ends at its deadline."""
    with scripted(trickle(what)) as server:
        started = time.monotonic()
        with pytest.raises(net.DeadlineExceeded, match="within 1 s"):
            net.request(server.url, timeout=1)
        assert time.monotonic() - started < 3


def test_answers_are_read_up_to_a_limit() -> None:
    with scripted(answer(b"x" * 100_000, "text/plain")) as server:
        with pytest.raises(net.TooLarge, match="more than 1,000 bytes"):
            net.request(server.url, max_bytes=1_000, timeout=5)
        assert len(net.request(server.url, timeout=5).body) == 100_000


@pytest.mark.parametrize("text", [
    "Authorization: Basic bWU6czNjcjN0LVRva2VuLXZhbHVl",
    "authorization=Bearer abcdefghijkl",
    "got header Basic bWU6czNjcjN0LVRva2VuLXZhbHVl from you",
    "see http://me:pw-secret@example.org/",
    "password=hunter2222&user=me",
])
def test_scrub_masks_what_looks_like_a_credential(text: str) -> None:
    scrubbed = net.scrub(text)
    for secret in ("bWU6czNjcjN0LVRva2VuLXZhbHVl", "abcdefghijkl", "pw-secret", "hunter2222"):
        assert secret not in scrubbed
    assert net.MASK in scrubbed


def test_scrub_masks_the_given_secrets_and_their_basic_form() -> None:
    token = net.basic_token("me", SECRET)
    text = f"you sent {SECRET} and {token} and me:{SECRET}"
    assert SECRET not in net.scrub(text, [SECRET, token]) and token not in net.scrub(text, [SECRET, token])
