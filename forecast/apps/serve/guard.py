"""What every request passes before a route sees it: the body's size, the token (when the server
listens beyond the loopback), and the headers that keep a page from being framed, sniffed or made to
load anything from elsewhere. Written as plain ASGI middleware: a body is counted as it arrives, so a
request that lies about its length is cut off too."""

from __future__ import annotations

import hmac
import json
from http.cookies import SimpleCookie
from urllib.parse import parse_qs

from .settings import MAX_BODY_BYTES, MAX_UPLOAD_BYTES

__all__ = ["Guard", "UPLOAD_PATHS", "TOKEN_COOKIE"]

#: the addresses that take an uploaded file (the rest take at most MAX_BODY_BYTES)
UPLOAD_PATHS = ("/execution", "/scenarios/import", "/api/execution")
TOKEN_COOKIE = "forecast_token"
#: the report embeds its charts as data: URIs and its styles inline; nothing may come from elsewhere
HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
        b"frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    ),
]


def _send_error(status: int, message: str, fix: str, headers=()):
    """An ASGI response: the message as JSON for the API, as plain text for a page."""

    async def respond(scope, send):
        api = scope["path"].startswith("/api/")
        body = (
            json.dumps({"errors": [{"field": "", "message": f"{message}. Fix: {fix}."}]}, ensure_ascii=False)
            if api
            else f"{message}.\nFix: {fix}.\n"
        )
        kind = b"application/json" if api else b"text/plain; charset=utf-8"
        await send(
            {"type": "http.response.start", "status": status, "headers": [(b"content-type", kind), *HEADERS, *headers]}
        )
        await send({"type": "http.response.body", "body": body.encode("utf-8")})

    return respond


class _TooLarge(Exception):
    pass


class Guard:
    """The middleware: body limits, the token, security headers."""

    def __init__(self, app, token: str | None = None):
        self.app, self.token = app, token

    def _limit(self, scope) -> int:
        return MAX_UPLOAD_BYTES + 64_000 if scope["path"] in UPLOAD_PATHS else MAX_BODY_BYTES

    def _authorised(self, scope) -> tuple[bool, str | None]:
        """Whether the request carries the token (header, cookie, or ?token= which then sets the cookie)."""
        if not self.token:
            return True, None
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        given = headers.get("authorization", "").removeprefix("Bearer ").strip()
        if not given and "cookie" in headers:
            cookie = SimpleCookie()
            try:
                cookie.load(headers["cookie"])
            except Exception:  # noqa: BLE001 - a malformed cookie header is no token
                cookie = {}
            given = cookie[TOKEN_COOKIE].value if TOKEN_COOKIE in cookie else ""
        from_query = (parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token") or [""])[0]
        given = given or from_query
        ok = bool(given) and hmac.compare_digest(given.encode("utf-8"), self.token.encode("utf-8"))
        return ok, (from_query if ok and from_query else None)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        ok, set_cookie = self._authorised(scope)
        if not ok:
            return await _send_error(
                401,
                "this server asks for its token (it listens beyond this machine)",
                "open the address with ?token=... as 'forecast serve' printed it, or send the header 'Authorization: "
                "Bearer TOKEN'",
            )(scope, send)
        limit = self._limit(scope)
        headers = dict(scope.get("headers", []))
        try:
            declared = int(headers.get(b"content-length", b"0") or 0)
        except ValueError:
            declared = 0
        if declared > limit:
            return await _send_error(
                413,
                f"the request is {declared:,} bytes; at most {limit:,} are accepted here",
                "send a smaller request (an upload is at most 5 MB; actuals and budgets are a few KB)",
            )(scope, send)
        received = {"bytes": 0}

        async def counted():
            message = await receive()
            if message["type"] == "http.request":
                received["bytes"] += len(message.get("body", b""))
                if received["bytes"] > limit:
                    raise _TooLarge()
            return message

        started = {"done": False}

        async def secured(message):
            if message["type"] == "http.response.start":
                started["done"] = True
                extra = (
                    [
                        (
                            b"set-cookie",
                            f"{TOKEN_COOKIE}={set_cookie}; HttpOnly; SameSite=Strict; Path=/".encode("latin-1"),
                        )
                    ]
                    if set_cookie
                    else []
                )
                message = {**message, "headers": [*message.get("headers", []), *HEADERS, *extra]}
            await send(message)

        try:
            await self.app(scope, counted, secured)
        except _TooLarge:
            if not started["done"]:
                await _send_error(
                    413,
                    f"the request is larger than {limit:,} bytes",
                    "send a smaller request (an upload is at most 5 MB)",
                )(scope, send)
