"""A fake Azure managed identity endpoint, in both shapes MSAL's ManagedIdentityClient asks:

- the instance metadata service (IMDS) of a VM or container host:
  `GET /metadata/identity/oauth2/token?api-version=2018-02-01&resource=…&client_id=…` with
  the header `Metadata: true` (anything without it is refused, as IMDS does, so no request
  forwarded by a proxy can get a token). MSAL finds it at 169.254.169.254, or where
  AZURE_POD_IDENTITY_AUTHORITY_HOST points.
- App Service's local endpoint: `GET {IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=…
  &client_id=…` with `X-IDENTITY-HEADER: {IDENTITY_HEADER}`.

It knows the client ids of the identities assigned to the host and hands out tokens only
for those. MSAL fetches synchronously (requests), so it is a threaded HTTP server.
"""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fakes.net import JsonHandler

IMDS_PATH = "/metadata/identity/oauth2/token"
APP_SERVICE_PATH = "/msi/token"


class FakeManagedIdentity:
    def __init__(self, client_ids: set[str], identity_header: str = "app-service-secret") -> None:
        self.client_ids = client_ids
        self.identity_header = identity_header
        self.requests: list[dict[str, Any]] = []  # path, query, headers of each request
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def app_service_endpoint(self) -> str:
        return self.url + APP_SERVICE_PATH

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(JsonHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = {key: values[0] for key, values in parse_qs(parts.query).items()}
                fake.requests.append(
                    {"path": parts.path, "query": query, "headers": dict(self.headers.items())}
                )
                if parts.path == IMDS_PATH:
                    if self.headers.get("Metadata") != "true":
                        self._json(
                            {
                                "error": "invalid_request",
                                "error_description": "Required metadata header not specified",
                            },
                            400,
                        )
                        return
                elif parts.path == APP_SERVICE_PATH:
                    if self.headers.get("X-IDENTITY-HEADER") != fake.identity_header:
                        self._json({"statusCode": 401, "message": "Unauthorized"}, 401)
                        return
                else:
                    self._json({"error": "not_found"}, 404)
                    return
                if query.get("client_id") not in fake.client_ids or not query.get("resource"):
                    self._json(
                        {
                            "error": "invalid_request",
                            "error_description": "Identity not found",
                        },
                        400,
                    )
                    return
                number = len(fake.requests)
                expires_on = int(time.time()) + 86399
                token = {
                    "access_token": f"mi-token-{number}",
                    "expires_on": str(expires_on),
                    "resource": query["resource"],
                    "token_type": "Bearer",
                    "client_id": query["client_id"],
                }
                if parts.path == IMDS_PATH:  # IMDS also says how long, as a string
                    token["expires_in"] = "86399"
                self._json(token)

        return Handler
