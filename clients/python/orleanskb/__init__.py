"""A client for OrleansKb's HTTP API: MeTTa spaces in an Orleans cluster.

Standard library only (Python 3.10 or newer). Atoms go in and come out as MeTTa text::

    from orleanskb import Client
    kb = Client("http://127.0.0.1:8080").space("family")
    kb.load("royal92.metta")
    for mother in kb.match("(, (parent $m $x) (female $m))", "$m"):
        print(mother)

Every error the silo reports is raised as :class:`OrleansKbError`, with the HTTP status and the
problem details (RFC 9457) the silo sent: a syntax error's ``detail`` names the line and column.
"""

from __future__ import annotations

import http.client
import json
import os
import ssl
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from typing import Any, BinaryIO

__all__ = ["Client", "Space", "OrleansKbError"]
__version__ = "0.1.0"

_CHUNK = 1 << 16


class OrleansKbError(Exception):
    """A request the silo refused or could not serve.

    ``status`` is the HTTP status (0 when the answer broke off part way), ``title`` and ``detail``
    come from the problem details, and ``problem`` is the whole object (``line`` and ``column`` for
    a syntax error, for instance).
    """

    def __init__(self, status: int, title: str, detail: str, problem: dict[str, Any] | None = None):
        super().__init__(f"{status} {title}: {detail}" if status else detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.problem = problem or {}


class Client:
    """One silo's HTTP API (``HttpPort``), with its API key (``HttpApiKey``) if it has one.

    For a silo with TLS, give ``https://…`` and an ``ssl_context`` that trusts its certificate, e.g.
    ``ssl.create_default_context(cafile="cluster.pem")``.
    """

    def __init__(self, url: str, api_key: str | None = None, timeout: float = 300.0,
                 ssl_context: ssl.SSLContext | None = None):
        self.url = url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout
        self.ssl_context = ssl_context

    def space(self, name: str, ephemeral: bool = False) -> Space:
        """The space called ``name`` (made on first use); ``ephemeral`` for the one kept in memory only."""
        return Space(self, name, ephemeral)

    def healthy(self) -> bool:
        """True if the silo has joined its cluster and its store can open spaces (``/healthz``)."""
        try:
            with self._open("GET", "/healthz") as response:
                return json.load(response).get("status") == "Healthy"
        except OrleansKbError:
            return False

    def _open(self, method: str, path: str, body: bytes | BinaryIO | None = None,
              content_type: str | None = None, length: int | None = None) -> http.client.HTTPResponse:
        request = urllib.request.Request(self.url + path, data=body, method=method)
        if self.api_key:
            request.add_header("Authorization", f"Bearer {self.api_key}")
        if content_type:
            request.add_header("Content-Type", content_type)
        if length is not None:
            request.add_header("Content-Length", str(length))
        try:
            return urllib.request.urlopen(request, timeout=self.timeout, context=self.ssl_context)
        except urllib.error.HTTPError as error:
            raise _problem(error) from None
        except urllib.error.URLError as error:
            raise OrleansKbError(0, "unreachable", f"cannot reach {self.url}: {error.reason}") from None
        except (http.client.HTTPException, OSError) as error:
            # Includes a connection closed while a body was being sent (refused for its size).
            raise OrleansKbError(0, "connection lost", f"{method} {path}: the connection to {self.url} failed: {error}") from None


class Space:
    """A space of the cluster, reached through one silo's HTTP API."""

    def __init__(self, client: Client, name: str, ephemeral: bool = False):
        self.client = client
        self.name = name
        self._path = "/spaces/" + urllib.parse.quote(name, safe="")
        self._query = "?ephemeral=true" if ephemeral else ""

    def load(self, path: str | os.PathLike[str], partitions: int | None = None) -> dict[str, Any]:
        """Adds the atoms of a .metta file, streamed; a file with an error adds nothing.

        ``partitions`` divides a new, empty space into that many partitions, at split keys sampled
        from the file (the space's ``info()["partitions"]`` lists them). Returns ``atoms_read``,
        ``atoms_added``, ``space_atoms`` and ``seconds``.
        """
        # A cheap request first: a wrong key or name is told as the silo's problem, not as a
        # connection closed while the file was being sent.
        self.info()
        path_and_query = "/atoms" if partitions is None else "/atoms?partitions=" + str(int(partitions))
        with open(path, "rb") as file:
            return self._json("POST", path_and_query, file, "text/plain; charset=utf-8", os.fstat(file.fileno()).st_size)

    def repartition(self, partitions: int) -> dict[str, Any]:
        """Divides the space anew into that many partitions of about equal size, online.

        Reads are answered throughout; writes sent meanwhile are applied or wait. Returns ``space``,
        ``partitions``, ``epoch``, ``atoms_moved``, ``elapsed_ms`` and ``atoms_per_second``.
        """
        path = "/spaces/" + urllib.parse.quote(self.name, safe="") + ":repartition?partitions=" + str(int(partitions))
        if self._query:
            path += "&" + self._query[1:]
        with self.client._open("POST", path) as response:
            return json.loads(response.read())

    def transform(self, pattern: str, template: str, into: str | None = None, fixpoint: bool = False,
                  limit: int | None = None, max_rounds: int | None = None,
                  progress: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
        """Derives atoms inside the cluster: for every solution of the pattern, adds each template.

        ``template`` is an atom or ``(, t1 t2 …)``; a template written ``(- t)`` removes ``t``. The
        atoms go to ``into`` (this space when left out; created if missing). With ``fixpoint``,
        rounds repeat in this space until one adds nothing new (at most ``max_rounds``). ``progress``
        is called with each progress report (``solutions``, ``added``, ``removed``, ``rounds``,
        ``finished``). Returns the summary: ``solutions``, ``added``, ``removed``, ``rounds``,
        ``elapsed_ms``, ``atoms_per_second`` and ``stopped`` (null, or why it stopped early).
        """
        body: dict[str, Any] = {"pattern": pattern, "template": template, "fixpoint": fixpoint}
        if into is not None:
            body["into"] = into
        if limit is not None:
            body["limit"] = limit
        if max_rounds is not None:
            body["max_rounds"] = max_rounds
        path = "/spaces/" + urllib.parse.quote(self.name, safe="") + ":transform" + self._query
        with self.client._open("POST", path, json.dumps(body).encode(), "application/json") as response:
            try:
                for line in response:
                    report = json.loads(line)
                    if "elapsed_ms" in report:
                        return report
                    if progress is not None:
                        progress(report)
            except (http.client.HTTPException, OSError) as error:
                raise OrleansKbError(0, "interrupted", f"the answer broke off: {error}") from None
        raise OrleansKbError(0, "interrupted", "the answer ended before the transform's summary")

    def add(self, atoms: str | Iterable[str]) -> int:
        """Adds atoms given as MeTTa text (one string, or one per item); returns how many were new."""
        return int(self._json("POST", "/atoms", _text(atoms), "text/plain; charset=utf-8")["atoms_added"])

    def remove(self, atoms: str | Iterable[str]) -> int:
        """Removes atoms given as MeTTa text; returns how many were in the space."""
        return int(self._json("POST", "/atoms:remove", _text(atoms), "text/plain; charset=utf-8")["removed"])

    def count(self) -> int:
        """The number of atoms in the space."""
        return int(self.info()["atoms"])

    def info(self) -> dict[str, Any]:
        """The space's info object, as ``orleanskb info`` prints it."""
        return self._json("GET", "")

    def match(self, pattern: str, template: str, limit: int | None = None) -> Iterator[str]:
        """The template for each solution of the pattern, as MeTTa text, streamed as the silo finds them.

        A conjunction is ``(, p1 p2 …)``. Stopping early (``break``) closes the match in the space.
        """
        body = {"pattern": pattern, "template": template}
        if limit is not None:
            body["limit"] = limit
        return self._lines("POST", "/match", json.dumps(body).encode(), "application/json")

    def match_count(self, pattern: str, limit: int | None = None) -> int:
        """The number of solutions of the pattern (at most ``limit``), counted in the space."""
        body: dict[str, Any] = {"pattern": pattern, "count": True}
        if limit is not None:
            body["limit"] = limit
        return int(self._json("POST", "/match", json.dumps(body).encode(), "application/json")["count"])

    def export(self) -> Iterator[str]:
        """Every atom of the space as MeTTa text, in key order, streamed."""
        return self._lines("GET", "/export")

    def rules(self, head: str, arity: int) -> Iterator[str]:
        """The rules for (head, arity), in index order."""
        return self._lines("GET", f"/rules/{urllib.parse.quote(head, safe='')}/{arity}")

    def clear(self) -> None:
        """Removes every atom of the space."""
        self.client._open("DELETE", self._path + self._query).close()

    def _json(self, method: str, path: str, body: bytes | BinaryIO | None = None,
              content_type: str | None = None, length: int | None = None) -> dict[str, Any]:
        with self.client._open(method, self._url(path), body, content_type, length) as response:
            try:
                return json.loads(response.read())
            except (http.client.HTTPException, OSError) as error:
                raise OrleansKbError(0, "interrupted", f"the answer broke off: {error}") from None

    def _url(self, path: str) -> str:
        """The space's path, then ``path`` (which may carry a query of its own), then ``?ephemeral=true`` if asked for."""
        if "?" in path and self._query:
            return self._path + path + "&" + self._query[1:]
        return self._path + path + self._query

    def _lines(self, method: str, path: str, body: bytes | None = None, content_type: str | None = None) -> Iterator[str]:
        response = self.client._open(method, self._url(path), body, content_type)

        def lines() -> Iterator[str]:
            # Read in blocks with read1, which raises on a chunked answer that ends without its
            # last chunk (iterating the response would take such an answer for a whole one).
            with response:
                pending = b""
                try:
                    while block := response.read1(_CHUNK):
                        *complete, pending = (pending + block).split(b"\n")
                        for line in complete:
                            yield line.decode("utf-8")
                except (http.client.HTTPException, OSError) as error:
                    # The silo aborts an answer that failed part way: never take it for the whole.
                    raise OrleansKbError(0, "interrupted", f"the answer broke off part way: {error}") from None
                if pending:
                    raise OrleansKbError(0, "interrupted", "the answer ended inside a line")

        return lines()


def _text(atoms: str | Iterable[str]) -> bytes:
    return (atoms if isinstance(atoms, str) else "\n".join(atoms)).encode("utf-8")


def _problem(error: urllib.error.HTTPError) -> OrleansKbError:
    try:
        problem = json.load(error)
    except (ValueError, OSError):
        problem = {}
    return OrleansKbError(error.code, problem.get("title") or error.reason, problem.get("detail") or str(error.reason), problem)
