"""``query --endpoint`` against hostile servers (issue 15, cases 1, 9 and 10): credentials stay with the endpoint
they were set for, a trickled answer still times out, echoed secrets are masked, odd answers are one-line errors."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hostile import answer, answer_rows, echo_credentials, redirect_to, scripted, trickle

from migration_kg import net
from migration_kg.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
SECRET = "s3cr3t-Token-value"
CREDENTIALS = {
    "bearer": {"MIGRATION_KG_SPARQL_TOKEN": SECRET},
    "basic": {"MIGRATION_KG_SPARQL_USER": "me", "MIGRATION_KG_SPARQL_PASSWORD": SECRET},
}


def run(runner, *args: str, env: dict[str, str] | None = None):
    return runner.invoke(main, ["query", "--project", str(ROOT), "council-funders", *args], env=env,
                         catch_exceptions=False)


def no_secret(text: str) -> None:
    for secret in (SECRET, net.basic_token("me", SECRET)):
        assert secret not in text


@pytest.mark.parametrize("scheme", sorted(CREDENTIALS))
def test_credentials_never_follow_a_redirect_to_another_host(runner, scheme: str) -> None:
    """Case 1: 127.0.0.1:A answering 302 to localhost:B used to get B the credentials and print B's rows."""
    with scripted(answer_rows, host="localhost") as elsewhere, scripted(redirect_to(elsewhere.url)) as endpoint:
        result = run(runner, "--endpoint", endpoint.url + "/sparql", env=CREDENTIALS[scheme])
        assert elsewhere.requests == []
    assert endpoint.header_values("Authorization")  # the endpoint itself got them
    assert result.exit_code == 5, result.output
    assert "another origin" in result.stderr and f"localhost:{elsewhere.port}" in result.stderr
    assert "from elsewhere" not in result.stdout
    no_secret(result.output)


@pytest.mark.parametrize("scheme", sorted(CREDENTIALS))
def test_an_echoed_authorization_header_is_masked(runner, scheme: str) -> None:
    """Case 9: Basic credentials echoed in an error body were printed (base64 is not masking)."""
    with scripted(echo_credentials()) as endpoint:
        result = run(runner, "--endpoint", endpoint.url, env=CREDENTIALS[scheme])
    assert result.exit_code == 5
    assert "Authorization: " in result.stderr and net.MASK in result.stderr
    no_secret(result.output)


def test_a_trickled_answer_times_out_at_the_deadline(runner) -> None:
    with scripted(trickle("body")) as endpoint:
        started = time.monotonic()
        result = run(runner, "--endpoint", endpoint.url, "--timeout", "1")
    assert result.exit_code == 4 and "within 1 s" in result.stderr
    assert time.monotonic() - started < 4


@pytest.mark.parametrize("body", [
    b'{"head": {"vars": "x"}, "results": {"bindings": {}}}',
    b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": "not a term"}]}}',
    b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "triple"}}]}}',
    b"[1, 2, 3]",
    b'{"boolean": "yes"}',
    b"null",
])
def test_well_formed_json_of_the_wrong_shape_is_one_line(runner, body: bytes) -> None:
    """Case 10: JSON of the wrong shape ended in a traceback."""
    with scripted(answer(body)) as endpoint:
        result = run(runner, "--endpoint", endpoint.url)
    assert result.exit_code == 6, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in result.output


def test_only_http_endpoints(runner) -> None:
    result = run(runner, "--endpoint", "file:///etc/passwd")
    assert result.exit_code == 2 and "http:// or https://" in result.stderr
