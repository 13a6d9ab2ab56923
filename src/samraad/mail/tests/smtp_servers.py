"""Real SMTP servers on loopback for the delivery tests (aiosmtpd, each on a free port).

`running(handler)` starts an aiosmtpd server in a thread of its own and yields a
`RunningServer` (host, port and the handler's records); it is stopped afterwards.

`RecordingHandler` accepts everything and records each SMTP session and each
message: every DATA that reached the server (`attempts`) and every message it
answered 250 (`accepted`). `ScriptedHandler` answers from a script instead:
greetings for the next sessions (e.g. 421), replies to RCPT and DATA per recipient
(e.g. 451 twice, then accept; 550 always), or `DROP` to close the connection in
the middle of the message without answering.

The handlers run in the server's event loop and never touch the database, so the
tests may use the ordinary (transaction-wrapped) test database.
"""

from __future__ import annotations

import email
import email.policy
import itertools
import socket
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from functools import cached_property

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

DROP = "<drop the connection without answering>"
"""A scripted reply: close the connection after the message arrived, before answering it."""

ACCEPT = "250 2.0.0 OK: queued"

Reply = str


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (at the moment of asking)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class Received:
    """One message as it reached the server."""

    session: int  # the number of the SMTP session (connection) that carried it, from 1
    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes
    authenticated: bool = False  # the session logged in (AUTH) first
    tls: bool = False  # the session was encrypted (STARTTLS or implicit TLS)

    @cached_property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.raw, policy=email.policy.default)

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"]).strip()


@dataclass
class RecordingHandler:
    """Accepts every message and records sessions and messages (thread-safe to read)."""

    sessions: int = 0  # SMTP sessions greeted (or refused) since the server started
    refused_sessions: int = 0
    attempts: list[Received] = field(default_factory=list)  # every DATA received
    accepted: list[Received] = field(default_factory=list)  # answered 250
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    armed: bool = False  # aiosmtpd's own start-up probe connection is not counted

    # --- What to answer (subclasses override) -------------------------------

    def greeting(self, session: int) -> Reply | None:
        """A reply that refuses session number `session` (e.g. 421), or None to greet it."""
        return None

    def rcpt_reply(self, address: str) -> Reply | None:
        """A reply that refuses recipient `address`, or None to take it."""
        return None

    async def data_reply(self, received: Received) -> Reply:
        """The reply to one message (ACCEPT, a 4xx/5xx reply, or DROP)."""
        return ACCEPT

    # --- Records --------------------------------------------------------------

    def message_ids(self) -> list[str]:
        with self.lock:
            return [received.message_id for received in self.accepted]

    # --- aiosmtpd hooks -------------------------------------------------------

    def session_opened(self) -> tuple[int, Reply | None]:
        if not self.armed:
            return 0, None
        with self.lock:
            self.sessions += 1
            number = self.sessions
        refusal = self.greeting(number)
        if refusal is not None:
            with self.lock:
                self.refused_sessions += 1
        return number, refusal

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if (refusal := self.rcpt_reply(address)) is not None:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        received = Received(
            session=getattr(session, "number", 0),
            mail_from=envelope.mail_from or "",
            rcpt_tos=tuple(envelope.rcpt_tos),
            raw=envelope.original_content or b"",
            authenticated=bool(session.authenticated),
            tls=session.ssl is not None or getattr(session, "implicit_tls", False),
        )
        with self.lock:
            self.attempts.append(received)
        reply = await self.data_reply(received)
        if reply == DROP:
            # Gone in the middle of the message: the client sent it all but never hears back.
            server.transport.close()
            return "421 4.4.2 connection dropped"  # written to a closed transport: never seen
        if reply.startswith("250"):
            with self.lock:
                self.accepted.append(received)
        return reply


def _script(replies: Iterable[Reply] | Reply) -> Iterator[Reply]:
    if isinstance(replies, str):
        return itertools.repeat(replies)  # the same answer every time
    return iter(replies)


class ScriptedHandler(RecordingHandler):
    """Answers from a script, then accepts.

    `greetings`: replies for the next sessions in turn (a refused session gets only
    that line and is closed). `rcpt` and `data`: per recipient address, the replies
    to that recipient's next RCPT / DATA in turn; a single string is given every time
    (a permanent 550). When a script runs out, the server accepts.
    """

    def __init__(
        self,
        *,
        greetings: Iterable[Reply] = (),
        rcpt: dict[str, Iterable[Reply] | Reply] | None = None,
        data: dict[str, Iterable[Reply] | Reply] | None = None,
    ) -> None:
        super().__init__()
        self._greetings = iter(greetings)
        self._rcpt = {address: _script(replies) for address, replies in (rcpt or {}).items()}
        self._data = {address: _script(replies) for address, replies in (data or {}).items()}

    def greeting(self, session: int) -> Reply | None:
        return next(self._greetings, None)

    def rcpt_reply(self, address: str) -> Reply | None:
        return next(self._rcpt.get(address, iter(())), None)

    async def data_reply(self, received: Received) -> Reply:
        for address in received.rcpt_tos:
            if (reply := next(self._data.get(address, iter(())), None)) is not None:
                return reply
        return ACCEPT


class _SMTP(SMTP):
    """aiosmtpd's SMTP session, numbered, and able to refuse a session with its greeting."""

    async def _handle_client(self) -> None:
        handler: RecordingHandler = self.event_handler
        number, refusal = handler.session_opened()
        self.session.number = number  # type: ignore[union-attr]
        # aiosmtpd notes STARTTLS in session.ssl, not a connection that began with TLS.
        self.session.implicit_tls = self.transport.get_extra_info("ssl_object") is not None
        if refusal is not None:
            await self.push(refusal)
            self.transport.close()
            return
        await super()._handle_client()


class _Controller(Controller):
    def factory(self) -> SMTP:
        return _SMTP(self.handler, **self.SMTP_kwargs)


@dataclass
class RunningServer:
    host: str
    port: int
    handler: RecordingHandler

    @property
    def accepted(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.accepted)

    @property
    def attempts(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.attempts)

    @property
    def sessions(self) -> int:
        with self.handler.lock:
            return self.handler.sessions

    def message_ids(self) -> list[str]:
        return self.handler.message_ids()


def password_checker(login: str, password: str) -> Callable[..., AuthResult]:
    """An aiosmtpd authenticator that takes exactly one login and password."""

    def authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and (
            auth_data.login.decode(),
            auth_data.password.decode(),
        ) == (login, password)
        return AuthResult(success=ok, handled=False)  # aiosmtpd answers 235 / 535

    return authenticate


@contextmanager
def running(handler: RecordingHandler | None = None, **smtp_options) -> Iterator[RunningServer]:
    """An SMTP server with `handler` on a free port of 127.0.0.1, for the duration."""
    handler = handler if handler is not None else RecordingHandler()
    controller = _Controller(handler, hostname="127.0.0.1", port=free_port(), **smtp_options)
    controller.start()
    handler.armed = True  # start() has finished its probe connection
    try:
        yield RunningServer(host=controller.hostname, port=controller.port, handler=handler)
    finally:
        controller.stop()
