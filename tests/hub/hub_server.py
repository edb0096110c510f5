"""A Hugging Face Hub-compatible HTTP server for tests, on 127.0.0.1 (stdlib only).

It answers the calls the real ``huggingface_hub`` client makes to load and push a model
(the client is pointed at it with ``HF_ENDPOINT``):

- ``GET /api/models/{repo}[/revision/{rev}]``: repository info, the commit sha and each
  file's size (``siblings``); ``GET /api/models/{repo}/tree/{rev}``: the file list
  Keras's own ``snapshot_download`` asks for;
- ``HEAD``/``GET /{repo}/resolve/{rev}/{path}``: a file, with ``X-Repo-Commit``, ``ETag``
  (the git blob sha) and ``Content-Length``;
- ``POST /api/repos/create``, ``/api/validate-yaml``, ``/api/models/{repo}/preupload/{rev}``
  (every file "regular": its bytes travel inside the commit, no LFS or Xet) and
  ``/api/models/{repo}/commit/{rev}`` (the ndjson commit, applied whole or not at all).

Repositories live in memory with real git-style shas. Every request is recorded in
:attr:`HubServer.requests` so tests can count what was downloaded; ``fail_commits``
makes the commit call fail with 422 (after reading it, like a Hub rejecting a push).
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

GITATTRIBUTES = b"*.h5 filter=lfs diff=lfs merge=lfs -text\n"


def blob_sha(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


@dataclass
class Repo:
    branches: dict[str, str] = field(default_factory=dict)  # branch -> commit sha
    commits: dict[str, dict[str, bytes]] = field(default_factory=dict)  # sha -> files

    def resolve(self, revision: str) -> str | None:
        if revision in self.branches:
            return self.branches[revision]
        return revision if revision in self.commits else None

    def commit(self, files: dict[str, bytes], branch: str = "main", message: str = "") -> str:
        parent = self.branches.get(branch, "")
        digest = hashlib.sha1(f"{parent}\n{message}\n".encode())
        for path in sorted(files):
            digest.update(f"{path}\0{blob_sha(files[path])}\n".encode())
        sha = digest.hexdigest()
        self.commits[sha] = dict(files)
        self.branches[branch] = sha
        return sha


class HubServer:
    """The server, its repositories and the requests it received."""

    def __init__(self) -> None:
        self.repos: dict[str, Repo] = {}
        self.requests: list[tuple[str, str]] = []
        #: requests for endpoints this server does not implement (the client changed?)
        self.unserved: list[tuple[str, str]] = []
        self.fail_commits = False
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self.handler())
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def start(self) -> HubServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def add(self, repo_id: str, files: dict[str, bytes], message: str = "upload") -> str:
        """Commit ``files`` (the whole tree) to ``repo_id``'s main branch; the commit sha."""
        with self.lock:
            return self.repos.setdefault(repo_id, Repo()).commit(files, message=message)

    def downloads(self, repo_id: str, path: str) -> int:
        """How many times the content of ``path`` in ``repo_id`` was sent (GET)."""
        return sum(
            1
            for method, url in self.requests
            if method == "GET" and url.startswith(f"/{repo_id}/resolve/") and url.endswith(path)
        )

    def handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_HEAD(self) -> None:
                self.dispatch("HEAD")

            def do_GET(self) -> None:
                self.dispatch("GET")

            def do_POST(self) -> None:
                self.dispatch("POST")

            def dispatch(self, method: str) -> None:
                path = unquote(urlsplit(self.path).path)
                server.requests.append((method, path))
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = path.strip("/").split("/")
                try:
                    if method == "POST" and path == "/api/repos/create":
                        return self.create(json.loads(body))
                    if method == "POST" and path == "/api/validate-yaml":
                        return self.reply(200, {})
                    if parts[:2] == ["api", "models"] and len(parts) >= 4:
                        repo_id = "/".join(parts[2:4])
                        rest = parts[4:]
                        if method == "GET" and not rest:
                            return self.info(repo_id, "main")
                        if method == "GET" and rest[:1] == ["revision"]:
                            return self.info(repo_id, "/".join(rest[1:]))
                        if method == "GET" and rest[:1] == ["tree"]:
                            return self.tree(repo_id, "/".join(rest[1:]))
                        if method == "POST" and rest[:1] == ["preupload"]:
                            return self.preupload(repo_id, json.loads(body))
                        if method == "POST" and rest[:1] == ["commit"]:
                            return self.commit(repo_id, "/".join(rest[1:]), body)
                    if len(parts) >= 5 and parts[2] == "resolve" and method in ("GET", "HEAD"):
                        return self.resolve(
                            "/".join(parts[:2]), parts[3], "/".join(parts[4:]), method
                        )
                    server.unserved.append((method, path))
                    self.reply(404, {"error": f"not served: {method} {path}"})
                except Exception as exc:  # a bug in the server: tell the client, loudly
                    self.reply(500, {"error": f"hub_server: {type(exc).__name__}: {exc}"})

            def reply(
                self,
                status: int,
                payload: object,
                headers: dict[str, str] | None = None,
                raw: bytes | None = None,
                head: bool = False,
            ) -> None:
                data = raw if raw is not None else json.dumps(payload).encode()
                self.send_response(status)
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                if raw is None:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if not head and self.command != "HEAD":  # a HEAD answer has no body, errors too
                    self.wfile.write(data)

            def missing(self, code: str, message: str) -> None:
                self.reply(
                    404, {"error": message}, {"X-Error-Code": code, "X-Error-Message": message}
                )

            def repo_and_commit(self, repo_id: str, revision: str) -> tuple[Repo, str] | None:
                repo = server.repos.get(repo_id)
                if repo is None:
                    self.missing("RepoNotFound", f"Repository not found: {repo_id}")
                    return None
                sha = repo.resolve(revision)
                if sha is None:
                    self.missing("RevisionNotFound", f"Invalid rev id: {revision}")
                    return None
                return repo, sha

            def info(self, repo_id: str, revision: str) -> None:
                found = self.repo_and_commit(repo_id, revision)
                if found:
                    repo, sha = found
                    files = repo.commits[sha]
                    siblings = [
                        {"rfilename": p, "size": len(d), "blobId": blob_sha(d)}
                        for p, d in sorted(files.items())
                    ]
                    payload = {"id": repo_id, "modelId": repo_id, "sha": sha, "private": False}
                    self.reply(200, {**payload, "siblings": siblings})

            def tree(self, repo_id: str, revision: str) -> None:
                """Every file of a commit, one page (what ``snapshot_download`` lists)."""
                found = self.repo_and_commit(repo_id, revision)
                if found:
                    repo, sha = found
                    entries = [
                        {"type": "file", "path": p, "size": len(d), "oid": blob_sha(d)}
                        for p, d in sorted(repo.commits[sha].items())
                    ]
                    self.reply(200, entries)

            def resolve(self, repo_id: str, revision: str, path: str, method: str) -> None:
                found = self.repo_and_commit(repo_id, revision)
                if not found:
                    return
                repo, sha = found
                data = repo.commits[sha].get(path)
                if data is None:
                    self.missing("EntryNotFound", f"{path} not found in {repo_id}@{sha}")
                    return
                headers = {"X-Repo-Commit": sha, "ETag": f'"{blob_sha(data)}"'}
                self.reply(200, None, headers, raw=data, head=method == "HEAD")

            def create(self, payload: dict) -> None:
                repo_id = f"{payload.get('organization') or 'user'}/{payload['name']}"
                with server.lock:
                    exists = repo_id in server.repos
                    if not exists:  # like the Hub: a main branch with .gitattributes
                        server.repos[repo_id] = Repo()
                        server.repos[repo_id].commit({".gitattributes": GITATTRIBUTES})
                url = f"{server.endpoint}/{repo_id}"
                if exists:  # the Hub's conflict names the repository too
                    self.reply(409, {"error": "You already created this model repo", "url": url})
                else:
                    self.reply(200, {"url": url})

            def preupload(self, repo_id: str, payload: dict) -> None:
                files = [
                    {"path": f["path"], "uploadMode": "regular", "shouldIgnore": False}
                    for f in payload["files"]
                ]
                self.reply(200, {"files": files})

            def commit(self, repo_id: str, branch: str, body: bytes) -> None:
                lines = [json.loads(line) for line in body.splitlines() if line.strip()]
                if server.fail_commits:  # 4xx: the client does not retry it (it does 5xx)
                    self.reply(422, {"error": "hub_server: commit refused (fail_commits)"})
                    return
                repo = server.repos.get(repo_id)
                if repo is None:
                    self.missing("RepoNotFound", f"Repository not found: {repo_id}")
                    return
                with server.lock:
                    parent = repo.branches.get(branch)
                    files = dict(repo.commits[parent]) if parent else {}
                    message = ""
                    for line in lines:
                        value = line["value"]
                        if line["key"] == "header":
                            message = value.get("summary", "")
                        elif line["key"] == "file":
                            files[value["path"]] = base64.b64decode(value["content"])
                        elif line["key"] == "deletedFile":
                            files.pop(value["path"], None)
                        else:
                            raise ValueError(f"unsupported commit operation {line['key']}")
                    sha = repo.commit(files, branch, message)
                url = f"{server.endpoint}/{repo_id}/commit/{sha}"
                self.reply(200, {"success": True, "commitOid": sha, "commitUrl": url})

        return Handler


def hub_env(server: HubServer, home: Path, **extra: str) -> dict[str, str]:
    """What a child needs to use ``server`` as its Hub, with its own huggingface_hub home.

    ``HF_ENDPOINT`` is read when huggingface_hub is imported: children get it from birth.
    """
    return {
        "HF_ENDPOINT": server.endpoint,
        "HF_HOME": str(home),
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "HF_HUB_DISABLE_PROGRESS_BARS": "1",
        "HF_TOKEN": "hf_test_token_for_the_local_server",
        **extra,
    }
