"""The generated hosting rules, run for real on 127.0.0.1: Debian's nginx with site/nginx.conf, and Debian's
Apache with site/.htaccess (mod_rewrite, mod_headers, mod_mime), each serving a site written by
`migration-kg publish` as it is (no chmod), from workers running as an unprivileged user (www-data for nginx,
nobody for Apache), as on a production host."""

from __future__ import annotations

import http.client
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from servers import apache_server

pytestmark = pytest.mark.server


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


WORKER_USER = "www-data"  # Debian's nginx runs its workers as www-data
MASTERS: dict[str, int] = {}  # server name -> process id of the master process started by the fixture


@pytest.fixture(scope="module")
def hosted_site(dist_dir: Path) -> Iterator[Path]:
    """A site written by `migration-kg publish` (umask 022) under a directory that anyone may enter, like
    /srv/migration-kg: nothing in it is chmod-ed by the test."""
    host_dir = Path(tempfile.mkdtemp(prefix="mkg-host-"))
    host_dir.chmod(0o755)  # the host's own folder (mkdtemp makes it 0700); site/ inside is the command's work
    try:
        result = subprocess.run(
            [sys.executable, "-m", "migration_kg", "-q", "publish", "--dist", str(dist_dir), "--out",
             str(host_dir / "site"), "--issued", "2026-11-26"], capture_output=True, text=True, timeout=300,
            preexec_fn=lambda: os.umask(0o022), check=False)
        assert result.returncode == 0, result.stderr
        yield host_dir / "site"
    finally:
        shutil.rmtree(host_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def nginx(hosted_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """nginx with the generated map and server block, its root and port pointed at the published site; when
    started as root, its workers run as www-data, as Debian's packaged nginx does."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    assert Path(binary).is_file(), "nginx is missing: run scripts/install-system-packages"
    prefix = tmp_path_factory.mktemp("nginx")
    port = _free_port()
    snippet = (hosted_site / "nginx.conf").read_text(encoding="utf-8")
    snippet = snippet.replace("listen 8080;", f"listen 127.0.0.1:{port};")
    snippet = snippet.replace("root /srv/migration-kg/site;", f"root {hosted_site};")
    temp = "\n".join(f"    {name}_temp_path {prefix}/{name};" for name in
                     ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    if os.geteuid() == 0:
        shutil.chown(prefix, WORKER_USER)  # nginx's own temporary files, written by its workers
    user = f"user {WORKER_USER};\n" if os.geteuid() == 0 else ""
    (prefix / "nginx.conf").write_text(
        f"{user}daemon off;\nworker_processes 1;\npid {prefix}/nginx.pid;\nerror_log {prefix}/error.log;\n"
        f"events {{}}\nhttp {{\n    access_log off;\n{temp}\n{snippet}\n}}\n", encoding="utf-8")
    process = subprocess.Popen([binary, "-p", str(prefix), "-c", str(prefix / "nginx.conf")],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    _wait(process, port, "nginx")
    MASTERS["nginx"] = process.pid
    yield "127.0.0.1", port
    process.terminate()
    process.wait(timeout=10)


def _wait(process: subprocess.Popen, port: int, name: str) -> None:
    deadline = time.monotonic() + 15
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                output = process.communicate(timeout=5)[0].decode("utf-8", "replace")
                pytest.fail(f"{name} did not start: {output}")
            time.sleep(0.1)


@pytest.fixture(scope="module")
def apache(hosted_site: Path) -> Iterator[tuple[str, int]]:
    """Apache httpd in the foreground (User nobody) with AllowOverride All on the published site as it is."""
    work = Path(tempfile.mkdtemp(prefix="mkg-apache-"))
    try:
        with apache_server(hosted_site, work) as port:
            yield "127.0.0.1", port
    finally:
        shutil.rmtree(work, ignore_errors=True)


def get(server: tuple[str, int], path: str, accept: str | None = None) -> tuple[int, dict, bytes]:
    connection = http.client.HTTPConnection(*server, timeout=10)
    try:
        connection.request("GET", path, headers={"Accept": accept} if accept else {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


@pytest.fixture(params=["nginx", "apache"])
def host(request) -> tuple[str, int]:
    return request.getfixturevalue(request.param)


@pytest.mark.parametrize(("accept", "suffix", "media_type"), [
    ("text/html,application/xhtml+xml,*/*;q=0.8", ".html", "text/html"),
    ("text/turtle", ".ttl", "text/turtle"),
    ("application/ld+json", ".jsonld", "application/ld+json"),
    ("application/n-triples", ".nt", "application/n-triples"),
    (None, ".html", "text/html"),
])
def test_rules_answer_303_to_the_right_document(host, accept, suffix, media_type) -> None:
    status, headers, _ = get(host, "/id/city/montreal", accept)
    assert status == 303
    assert headers["location"].endswith(f"/id/city/montreal{suffix}")
    assert "Accept" in headers["vary"]
    location = headers["location"].removeprefix(f"http://{host[0]}:{host[1]}")
    status, headers, body = get(host, location)
    assert status == 200
    assert headers["content-type"].startswith(media_type)
    assert "montreal" in body.decode("utf-8").lower()


def test_rules_negotiate_the_ontology_and_404_unknown_entities(host) -> None:
    assert get(host, "/ontology", "text/turtle")[1]["location"].endswith("/ontology.ttl")
    assert get(host, "/id/city/atlantis", "text/turtle")[0] == 404
    assert get(host, "/")[0] == 200


# ---------------------------------------------------------------- Accept-Language

def _get(host, path: str, accept: str | None = None, language: str | None = None):
    connection = http.client.HTTPConnection(*host, timeout=10)
    try:
        headers = {**({"Accept": accept} if accept else {}), **({"Accept-Language": language} if language else {})}
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


@pytest.mark.parametrize(("language", "status", "location"), [
    ("fr-CA,fr;q=0.9,en;q=0.8", 302, "/fr/"),
    ("en-GB,en;q=0.9,fr;q=0.8", 200, None),
    (None, 200, None),
])
def test_web_servers_send_home_to_the_readers_language(host, language, status, location) -> None:
    got, headers, body = _get(host, "/", language=language)
    assert got == status
    assert "accept-language" in headers["vary"].lower()
    if location:
        assert headers["location"].removeprefix(f"http://{host[0]}:{host[1]}") == location
    else:
        assert b'<html lang="en">' in body


@pytest.mark.parametrize(("accept", "language", "suffix"), [
    ("text/html,*/*;q=0.8", "fr-FR,fr;q=0.9", "fr/id/city/montreal.html"),
    ("text/html,*/*;q=0.8", "en", "id/city/montreal.html"),
    ("text/turtle", "fr", "id/city/montreal.ttl"),
])
def test_web_servers_send_an_entity_to_the_readers_language(host, accept, language, suffix) -> None:
    status, headers, _ = _get(host, "/id/city/montreal", accept, language)
    assert status == 303
    assert headers["location"].endswith("/" + suffix)
    status, headers, body = _get(host, "/" + suffix)
    assert status == 200
    if suffix.startswith("fr/"):
        assert b'<html lang="fr">' in body


def test_web_servers_serve_the_favicon(host) -> None:
    status, headers, body = _get(host, "/favicon.ico")
    assert status == 200 and headers["content-type"] == "image/x-icon" and body[:4] == b"\0\0\1\0"


def _process_users(parent: int) -> set[str]:
    """The user names of the children of process ``parent`` (nginx's workers)."""
    users = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == parent:
                    users.add(pwd.getpwuid(entry.stat().st_uid).pw_name)
            except (OSError, IndexError, ValueError):
                continue
    return users


def test_nginx_workers_are_unprivileged_and_read_the_site_as_published(nginx, hosted_site) -> None:
    expected = WORKER_USER if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
    assert _process_users(MASTERS["nginx"]) == {expected}
    assert get(nginx, "/id/city/montreal.ttl")[0] == 200
    # What a site written with mkdtemp's 0700 gave before: workers cannot enter it. The test notices.
    if os.geteuid() == 0:
        hosted_site.chmod(0o700)
        try:
            assert get(nginx, "/id/city/montreal.ttl")[0] in (403, 404)  # try_files finds nothing it may read
        finally:
            hosted_site.chmod(0o755)


# ---------------------------------------------------------------- the project's fixed addresses (issue 12)

@pytest.mark.parametrize(("path", "accept", "target"), [
    ("/dataset", "text/turtle", "/dataset.ttl"),
    ("/dataset", "text/html", "/dataset.html"),
    ("/ontology", "application/rdf+xml", "/ontology.rdf"),
    ("/ontology/0.1.0", "text/turtle", "/ontology/0.1.0.ttl"),
    ("/ontology/0.1.0", "application/rdf+xml", "/ontology/0.1.0.rdf"),
    ("/ontology/0.1.0", None, "/ontology/0.1.0.html"),
    ("/ontology", 'application/ld+json;profile="http://www.w3.org/ns/json-ld#context", application/ld+json',
     "/ns/context.jsonld"),
    ("/ontology", "application/ld+json", "/ontology.jsonld"),
])
def test_rules_resolve_the_dataset_the_ontology_versions_and_the_context(host, path, accept, target) -> None:
    status, headers, _ = get(host, path, accept)
    assert status == 303
    assert headers["location"].removeprefix(f"http://{host[0]}:{host[1]}") == target
    assert headers["access-control-allow-origin"] == "*"
    status, headers, body = get(host, target)
    assert status == 200 and body
    assert headers["access-control-allow-origin"] == "*"


def test_rules_serve_the_context_to_any_origin(host) -> None:
    status, headers, body = get(host, "/ns/context.jsonld")
    assert status == 200
    assert headers["content-type"].startswith("application/ld+json")
    assert headers["access-control-allow-origin"] == "*"
    assert b'"@vocab"' in body


def test_the_owl_api_loads_the_ontology_from_its_iri(request, site_server) -> None:
    """The OWL API (what Protégé uses) dereferences the ontology IRI and the version IRI, following the 303
    with its own Accept header, from `serve`, nginx and Apache alike: one JVM for all six."""
    from owl_tools import owlapi_load

    bases = [site_server.url] + [f"http://{h}:{p}" for h, p in (request.getfixturevalue(name)
                                                                for name in ("nginx", "apache"))]
    documents = [base + path for base in bases for path in ("/ontology", "/ontology/0.1.0")]
    loaded = owlapi_load(documents)
    for document in documents:
        result = loaded[document]
        assert result.error == "", (document, result.error)
        assert result.ontology_iri == "https://w3id.org/migration-kg/ontology"
        assert result.version_iri == "https://w3id.org/migration-kg/ontology/0.1.0"
        assert result.in_dl and result.axioms > 300, document
