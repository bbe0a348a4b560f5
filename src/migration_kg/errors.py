"""The error hierarchy; each error names the file, line, IRI or endpoint at fault."""

from __future__ import annotations

from pathlib import Path

#: Exit codes shared by every command. 1 is always a verdict (does not conform, a wrong link, ASK false); a
#: failure of the program itself or of the machine has its own code, as in BSD's sysexits.h.
EXIT_OK = 0
EXIT_NOT_CONFORMING = 1
EXIT_INPUT = 2
EXIT_INTERNAL = 70  # EX_SOFTWARE: a bug or an unexpected state (the traceback is shown with -v)
EXIT_IO = 74  # EX_IOERR: reading or writing failed (disk full, read-only output, a closed pipe)
EXIT_INTERRUPTED = 130  # 128 + SIGINT: stopped with Ctrl-C


class MigrationKGError(Exception):
    """Base class: a failure the CLI reports in one line, with an exit code."""

    exit_code = EXIT_INPUT


class InputError(MigrationKGError):
    """A source that cannot be read or parsed."""

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None,
                 column: int | None = None) -> None:
        self.path = str(path) if path is not None else None
        self.line = line
        self.column = column
        where = ""
        if self.path:
            where = self.path
            if line is not None:
                where += f":{line}"
                if column is not None:
                    where += f":{column}"
            where += ": "
        super().__init__(f"{where}{message}")


class UsageError(MigrationKGError):
    """A command called with arguments that do not fit."""


class OutputError(MigrationKGError):
    """An output could not be written (disk full, read-only or missing directory); nothing half-written is left."""

    exit_code = EXIT_IO

    def __init__(self, target: Path | str, error: OSError) -> None:
        self.target = str(target)
        reason = error.strerror or str(error)
        culprit = str(error.filename) if error.filename is not None else None
        # Our own temporary names (.NAME.new-..., .NAME.xyz) mean nothing to the user: the target is what failed.
        if culprit in (None, str(target)) or any(part.startswith(f".{Path(target).name}.")
                                                 for part in Path(culprit).parts):
            culprit = None
        super().__init__(f"cannot write {target}: {reason}" + (f" ({culprit})" if culprit else ""))


class NotConformingError(MigrationKGError):
    """The data does not conform to the shapes or fails a quality-control query."""

    exit_code = EXIT_NOT_CONFORMING


#: Exit codes of failures talking to Wikidata (or any SPARQL endpoint used for linking), one per cause.
EXIT_WIKIDATA_UNREACHABLE = 10
EXIT_WIKIDATA_TIMEOUT = 11
EXIT_WIKIDATA_HTTP = 12
EXIT_WIKIDATA_MALFORMED = 13
EXIT_WIKIDATA_RATE_LIMITED = 14
EXIT_WIKIDATA_UNAVAILABLE = 15
EXIT_WIKIDATA_BANNED = 16


class WikidataError(MigrationKGError):
    """A SPARQL request to Wikidata (or the endpoint given instead) failed; the message names the endpoint."""

    def __init__(self, message: str, endpoint: str) -> None:
        self.endpoint = endpoint
        super().__init__(f"{endpoint}: {message}")


class WikidataUnreachableError(WikidataError):
    """The endpoint could not be reached (refused connection, unknown host, network down)."""

    exit_code = EXIT_WIKIDATA_UNREACHABLE


class WikidataTimeoutError(WikidataError):
    """The endpoint did not answer within the timeout."""

    exit_code = EXIT_WIKIDATA_TIMEOUT


class WikidataHTTPError(WikidataError):
    """The endpoint answered with an HTTP error status that retrying does not cure."""

    exit_code = EXIT_WIKIDATA_HTTP

    def __init__(self, message: str, endpoint: str, status: int) -> None:
        self.status = status
        super().__init__(message, endpoint)


class WikidataMalformedAnswerError(WikidataError):
    """The endpoint answered, but not with SPARQL JSON results."""

    exit_code = EXIT_WIKIDATA_MALFORMED


class WikidataRateLimitedError(WikidataError):
    """The endpoint kept answering 429 Too Many Requests after every retry."""

    exit_code = EXIT_WIKIDATA_RATE_LIMITED


class WikidataUnavailableError(WikidataError):
    """The endpoint kept answering 503 Service Unavailable after every retry."""

    exit_code = EXIT_WIKIDATA_UNAVAILABLE


class WikidataBannedError(WikidataError):
    """The endpoint refuses this client for now (HTTP 403 from its throttling): stop, do not retry."""

    exit_code = EXIT_WIKIDATA_BANNED


#: Exit codes of `migration-kg query --endpoint` failures, one per cause (2 stays usage or input).
EXIT_ENDPOINT_UNREACHABLE = 3
EXIT_ENDPOINT_TIMEOUT = 4
EXIT_ENDPOINT_HTTP = 5
EXIT_NOT_SPARQL_ANSWER = 6


class EndpointError(MigrationKGError):
    """A SPARQL endpoint (given with --endpoint, or called by SERVICE) failed to answer a query."""


class EndpointUnreachableError(EndpointError):
    """The endpoint could not be reached (refused connection, unknown host, network down)."""

    exit_code = EXIT_ENDPOINT_UNREACHABLE


class EndpointTimeoutError(EndpointError):
    """The endpoint did not answer within --timeout seconds."""

    exit_code = EXIT_ENDPOINT_TIMEOUT


class EndpointHTTPError(EndpointError):
    """The endpoint answered with an HTTP error status."""

    exit_code = EXIT_ENDPOINT_HTTP


class NotSparqlAnswerError(EndpointError):
    """The endpoint answered something that is not SPARQL results (or RDF, for CONSTRUCT and DESCRIBE)."""

    exit_code = EXIT_NOT_SPARQL_ANSWER


#: A query's result too large to read or hold (embedded or from an endpoint): ask for less.
EXIT_RESULT_TOO_LARGE = 7


class ResultTooLargeError(EndpointError):
    """A query's result is larger than the limit this process reads or holds; the message says how to ask less."""

    exit_code = EXIT_RESULT_TOO_LARGE


#: Exit codes of the store commands (load, dump, sparql-server), kept in 20-29.
EXIT_STORE_UNREACHABLE = 20
EXIT_STORE_AUTH = 21
EXIT_STORE_REQUEST = 22
EXIT_STORE_COUNT = 23
EXIT_STORE_PARTIAL = 24
EXIT_SPARQL_SERVER = 25


class StoreError(MigrationKGError):
    """The triple store refused a request; the message says what happened to the graph."""

    exit_code = EXIT_STORE_REQUEST


class StoreUnreachableError(StoreError):
    """The store's endpoint is down, refuses connections or does not answer in time."""

    exit_code = EXIT_STORE_UNREACHABLE


class StoreAuthError(StoreError):
    """The store wants credentials, or refused the ones given (never shown)."""

    exit_code = EXIT_STORE_AUTH


class CountMismatchError(StoreError):
    """After a load, the store holds a different number of triples than the local file."""

    exit_code = EXIT_STORE_COUNT


class PartialLoadError(StoreError):
    """A non-atomic load stopped part-way; the message gives the graph's exact state."""

    exit_code = EXIT_STORE_PARTIAL


class SparqlServerError(MigrationKGError):
    """The local Oxigraph SPARQL server could not be started."""

    exit_code = EXIT_SPARQL_SERVER
