"""The IMAP poller: reads a real mailbox (the round's input address) into the triage queue.

Each poll finds the messages not yet stored by UID, not by the \\Seen flag: a
person reading the mailbox in Outlook marks mail seen, and such mail must not
be missed. A UID identifies a message only together with the mailbox's
UIDVALIDITY, so messages are stored under "<mailbox>/<uidvalidity>"; if the
server renumbers the mailbox (a new UIDVALIDITY), its messages are stored
again (the copies have the same SHA-256 and get no second receipt).

Every message is stored (committed) before it is marked \\Seen. A crash
between the two leaves it stored and unseen; the next poll does not fetch it
again but marks it seen. A crash before the commit leaves it unseen and not
stored, so the next poll fetches it again: nothing is lost.
"""

from __future__ import annotations

import base64
import contextlib
import imaplib
import logging
import re

from django.conf import settings

from samraad.mail.inbound import inbound_receive
from samraad.mail.models import InboundMessage, InboundSource

logger = logging.getLogger("samraad.mail.imap")

IMAP_TIMEOUT_SECONDS = 60


class ImapError(Exception):
    """The server refused a command the poll needs."""


def imap_utf7(name: str) -> str:
    """A mailbox name in IMAP's modified UTF-7 (RFC 3501 §5.1.3), e.g. "Høring" → "H&APg-ring"."""
    out: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            encoded = base64.b64encode("".join(pending).encode("utf-16-be")).decode()
            out.append("&" + encoded.rstrip("=").replace("/", ",") + "-")
            pending.clear()

    for char in name:
        if 0x20 <= ord(char) <= 0x7E:
            flush()
            out.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    flush()
    return "".join(out)


def _mailbox_argument(name: str) -> str:
    encoded = imap_utf7(name)
    if re.fullmatch(r"[A-Za-z0-9._/&,+-]+", encoded):
        return encoded
    return '"' + encoded.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _ok(response: tuple[str, list], command: str) -> list:
    status, data = response
    if status != "OK":
        raise ImapError(f"{command}: {status} {data!r}")
    return data


def _connect() -> imaplib.IMAP4:
    if settings.IMAP_USE_SSL:
        return imaplib.IMAP4_SSL(
            settings.IMAP_HOST, settings.IMAP_PORT, timeout=IMAP_TIMEOUT_SECONDS
        )
    client = imaplib.IMAP4(settings.IMAP_HOST, settings.IMAP_PORT, timeout=IMAP_TIMEOUT_SECONDS)
    if "STARTTLS" in client.capabilities:  # never send the password in clear when we need not
        client.starttls()
    return client


def _search(client: imaplib.IMAP4, criterion: str) -> set[str]:
    data = _ok(client.uid("SEARCH", criterion), f"UID SEARCH {criterion}")
    return {uid.decode() for line in data if line for uid in line.split()}


def _fetch(client: imaplib.IMAP4, uid: str) -> bytes | None:
    """The message's raw bytes, without setting \\Seen; None if it is gone meanwhile."""
    data = _ok(client.uid("FETCH", uid, "(BODY.PEEK[])"), f"UID FETCH {uid}")
    for item in data:
        if isinstance(item, tuple) and len(item) == 2:
            return item[1]
    return None


def _mark_seen(client: imaplib.IMAP4, uid: str) -> None:
    status, data = client.uid("STORE", uid, "+FLAGS.SILENT", r"(\Seen)")
    if status != "OK":  # stored all the same; a read-only mailbox just stays unseen
        logger.warning("Could not mark UID %s seen: %s %r", uid, status, data)


def imap_poll_once() -> int:
    """Store every message in IMAP_MAILBOX not stored yet; return how many were stored.

    Raises on a connection or protocol error (whatever was stored stays stored);
    the next poll goes on where this one stopped.
    """
    mailbox = settings.IMAP_MAILBOX
    client = _connect()
    try:
        client.login(settings.IMAP_USER, settings.IMAP_PASSWORD)
        _ok(client.select(_mailbox_argument(mailbox)), f"SELECT {mailbox}")
        _status, validity = client.response("UIDVALIDITY")
        if not validity or not validity[0]:
            raise ImapError(f"SELECT {mailbox}: the server sent no UIDVALIDITY")
        key = f"{mailbox}/{validity[-1].decode().strip()}"

        known = set(
            InboundMessage.objects.filter(imap_mailbox=key).values_list("imap_uid", flat=True)
        )
        stored = 0
        for uid in sorted(_search(client, "ALL") - known, key=int):
            raw = _fetch(client, uid)
            if raw is None:
                continue
            message = inbound_receive(
                raw=raw, source=InboundSource.IMAP, imap_mailbox=key, imap_uid=uid
            )
            stored += 1
            logger.info("Stored UID %s of %s as inbound message #%s", uid, key, message.pk)
            _mark_seen(client, uid)
        # Stored by an earlier poll that died before marking them seen.
        for uid in sorted(_search(client, "UNSEEN") & known, key=int):
            _mark_seen(client, uid)
        return stored
    finally:
        try:
            client.logout()
        except (imaplib.IMAP4.error, OSError):  # the connection broke: just close the socket
            with contextlib.suppress(OSError):
                client.shutdown()
