"""``load`` against hostile stores (issue 15, cases 1, 9 and 10): credentials stay with the configured store,
echoed secrets are masked, a trickled answer still times out, and answers of the wrong shape are one-line errors."""

from __future__ import annotations

import time

import pytest
from hostile import answer, answer_rows, echo_credentials, redirect_to, scripted, trickle

from migration_kg import net
from migration_kg.cli.main import main

SECRET = "s3cr3t-Token-value"
CREDENTIALS = {
    "bearer": {"MIGRATION_KG_STORE_TOKEN": SECRET},
    "basic": {"MIGRATION_KG_STORE_USER": "me", "MIGRATION_KG_STORE_PASSWORD": SECRET},
}


def load(runner, dist_dir, endpoint: str, *args: str, env: dict[str, str] | None = None):
    return runner.invoke(main, ["load", "--dist", str(dist_dir), "--store", "oxigraph", "--endpoint", endpoint,
                                *args], env=env, catch_exceptions=False)


def no_secret(text: str) -> None:
    for secret in (SECRET, net.basic_token("me", SECRET)):
        assert secret not in text


@pytest.mark.parametrize("scheme", sorted(CREDENTIALS))
def test_credentials_never_follow_a_redirect_to_another_host(runner, dist_dir, scheme: str) -> None:
    """Case 1: a store answering 302 to localhost:B used to send B the credentials."""
    with scripted(answer_rows, host="localhost") as elsewhere, scripted(redirect_to(elsewhere.url)) as store:
        result = load(runner, dist_dir, store.url, env=CREDENTIALS[scheme])
        assert elsewhere.requests == []
    assert store.header_values("Authorization")
    assert result.exit_code == 22, result.output
    assert "another origin" in result.stderr and "nothing was sent there" in result.stderr
    no_secret(result.output)


def test_digest_credentials_never_follow_a_redirect_either(runner, dist_dir) -> None:
    env = {**CREDENTIALS["basic"], "MIGRATION_KG_STORE_AUTH": "digest"}
    with scripted(answer_rows, host="localhost") as elsewhere, scripted(redirect_to(elsewhere.url)) as store:
        result = load(runner, dist_dir, store.url, env=env)
        assert elsewhere.requests == []
    assert result.exit_code == 22 and "another origin" in result.stderr


@pytest.mark.parametrize("scheme", sorted(CREDENTIALS))
def test_an_echoed_authorization_header_is_masked(runner, dist_dir, scheme: str) -> None:
    """Case 9: Basic credentials in an error body were printed; only tokens were masked."""
    with scripted(echo_credentials(400)) as store:
        result = load(runner, dist_dir, store.url, env=CREDENTIALS[scheme])
    assert result.exit_code == 22
    assert "Authorization: " in result.stderr and net.MASK in result.stderr
    no_secret(result.output)


@pytest.mark.parametrize("body", [
    b'{"results": {"bindings": "seven"}}',
    b'{"results": {"bindings": [{"n": "7"}]}}',
    b'{"results": {"bindings": ["n"]}}',
    b'{"results": {"bindings": [{"n": {"value": "seven"}}]}}',
    b'{"results": {"bindings": [{"n": {"value": [7]}}]}}',
    b"[]",
])
def test_well_formed_json_of_the_wrong_shape_is_one_line(runner, dist_dir, body: bytes) -> None:
    """Case 10: a count answered in the wrong shape ended in a traceback."""
    with scripted(answer(body)) as store:
        result = load(runner, dist_dir, store.url)
    assert result.exit_code == 22, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in result.output


def test_a_trickled_answer_times_out_at_the_deadline(runner, dist_dir) -> None:
    with scripted(trickle("headers")) as store:
        started = time.monotonic()
        result = load(runner, dist_dir, store.url, "--timeout", "1")
    assert result.exit_code == 20 and "within 1 s" in result.stderr
    assert time.monotonic() - started < 4


@pytest.mark.parametrize("endpoint", ["file:///etc", "ftp://127.0.0.1/"])
def test_only_http_stores(runner, dist_dir, endpoint: str) -> None:
    result = load(runner, dist_dir, endpoint)
    assert result.exit_code == 2 and "http:// or https://" in result.stderr
