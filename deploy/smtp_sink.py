#!/usr/bin/env python3
"""A local SMTP server for development and tests: it keeps every message it
accepts as an .eml file and never relays anything.

    python3 deploy/smtp_sink.py [--port 2525] [--dir .local/mail] [--pidfile F]

It listens on 127.0.0.1 only (port 0 picks a free port) and prints one line
when it is ready:  ready 127.0.0.1:<port> <dir>
Its greeting names it and its directory, so a script or a test that finds a
server on the port can tell whether it is this sink and where its mail lands:
    220 localhost soi-smtp-sink dir=<dir>

A message is stored once per recipient, as <dir>/<recipient>/<ns>-<pid>-<n>.eml
(the recipient in lower case), written under a temporary name and renamed, so
a reader never sees half a file.

Faults on demand, by the recipient's local part, so tests sharing one sink do
not disturb each other (counters are per exact address):
    reject+…@…        550 to RCPT, always
    tempfail<N>+…@…   451 to the first N RCPTs of that address, then accepted
    tempdata<N>+…@…   451 after the first N DATAs for that address, then accepted
    slow<N>+…@…       waits N seconds before answering DATA
"""

import argparse
import asyncio
import os
import re
import signal
import sys
import time

try:
    from aiosmtpd.smtp import SMTP
except ImportError:  # pragma: no cover - reported to the operator
    sys.exit("error: the Python package aiosmtpd is missing (deploy/dev installs it)")

TAG = "soi-smtp-sink"
FAULT = re.compile(r"^(reject|tempfail|tempdata|slow)(\d*)\+", re.IGNORECASE)


def fault(address):
    """(kind, number) from the local part, or (None, 0)."""
    m = FAULT.match(address)
    if not m:
        return None, 0
    return m.group(1).lower(), int(m.group(2) or "1")


def folder_name(address):
    """The recipient as one safe path component."""
    name = re.sub(r"[^a-z0-9@._+=-]", "_", address.lower())
    return name.lstrip(".") or "_"


class Sink:
    def __init__(self, directory):
        self.directory = directory
        self.tries = {}
        self.stored = 0

    def _try(self, stage, address):
        """How many earlier tries of this stage the address had."""
        key = (stage, address.lower())
        n = self.tries.get(key, 0)
        self.tries[key] = n + 1
        return n

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        kind, n = fault(address)
        if kind == "reject":
            return f"550 5.1.1 <{address}>: mailbox unavailable (reject+ address)"
        if kind == "tempfail" and self._try("rcpt", address) < n:
            return "451 4.3.0 try again later (tempfail address)"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        delays = [n for kind, n in map(fault, envelope.rcpt_tos) if kind == "slow"]
        if delays:
            await asyncio.sleep(max(delays))
        for address in envelope.rcpt_tos:
            kind, n = fault(address)
            if kind == "tempdata" and self._try("data", address) < n:
                return "451 4.3.0 try again later (tempdata address)"
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8")
        names = [self._store(address, content) for address in envelope.rcpt_tos]
        return f"250 2.0.0 OK stored as {names[0]}"

    def _store(self, address, content):
        folder = os.path.join(self.directory, folder_name(address))
        os.makedirs(folder, exist_ok=True)
        self.stored += 1
        name = f"{time.time_ns()}-{os.getpid()}-{self.stored}.eml"
        partial = os.path.join(folder, f".{name}.partial")
        with open(partial, "wb") as f:
            f.write(content)
        os.replace(partial, os.path.join(folder, name))
        return name


async def serve(port, directory, pidfile):
    handler = Sink(directory)
    ident = f"{TAG} dir={directory}"
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="localhost", ident=ident, enable_SMTPUTF8=True),
        host="127.0.0.1",
        port=port,
    )
    bound = server.sockets[0].getsockname()[1]
    if pidfile:
        with open(pidfile, "w") as f:
            f.write(f"{os.getpid()}\n")
    print(f"ready 127.0.0.1:{bound} {directory}", flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    server.close()


def main():
    parser = argparse.ArgumentParser(description="Local SMTP sink (127.0.0.1 only).")
    parser.add_argument("--port", type=int, default=int(os.environ.get("SMTP_SINK_PORT", "2525")))
    parser.add_argument("--dir", default=os.environ.get("SOI_MAIL_DIR", ".local/mail"))
    parser.add_argument("--pidfile")
    args = parser.parse_args()
    directory = os.path.abspath(args.dir)
    os.makedirs(directory, exist_ok=True)
    try:
        asyncio.run(serve(args.port, directory, args.pidfile))
    except OSError as e:
        sys.exit(f"error: cannot listen on 127.0.0.1:{args.port}: {e.strerror}")


if __name__ == "__main__":
    main()
