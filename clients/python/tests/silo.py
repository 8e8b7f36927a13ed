"""A real silo process for the tests: free loopback ports, a data directory of its own, the HTTP API on with a key, a match budget, a capped heap; stopped by its process id."""

from __future__ import annotations

import os
import pathlib
import socket
import subprocess
import tempfile
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parents[3]
SILO = pathlib.Path(os.environ.get("ORLEANSKB_SILO_DLL", ROOT / "silo/bin/Release/net10.0/orleanskb-silo.dll"))
CLI = pathlib.Path(os.environ.get("ORLEANSKB_CLI_DLL", ROOT / "client/bin/Release/net10.0/orleanskb.dll"))
API_KEY = "python-tests-key"
MAX_SOLUTIONS = 100_000


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Silo:
    def __init__(self) -> None:
        if not SILO.exists():
            raise FileNotFoundError(f"{SILO} is missing: build first (dotnet build -c Release)")
        self.data = tempfile.TemporaryDirectory(prefix="orleanskb-py-")
        self.http_port, self.gateway_port = free_port(), free_port()
        env = dict(os.environ,
                   ORLEANSKB_SILOPORT=str(free_port()), ORLEANSKB_GATEWAYPORT=str(self.gateway_port),
                   ORLEANSKB_HTTPPORT=str(self.http_port), ORLEANSKB_HTTPAPIKEY=API_KEY,
                   ORLEANSKB_DATADIRECTORY=self.data.name, ORLEANSKB_MATCH__MAXSOLUTIONS=str(MAX_SOLUTIONS),
                   DOTNET_GCHeapHardLimit=hex(1 << 30))
        self.process = subprocess.Popen(["dotnet", str(SILO)], env=env, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True, cwd=tempfile.gettempdir())
        self.log: list[str] = []
        ready = threading.Event()

        def read() -> None:
            for line in self.process.stdout:  # type: ignore[union-attr]
                self.log.append(line)
                if "silo ready" in line:
                    ready.set()

        threading.Thread(target=read, daemon=True).start()
        if not ready.wait(60):
            self.stop()
            raise RuntimeError("the silo did not start: " + "".join(self.log))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def cli(self, *args: str) -> str:
        """Runs orleanskb against this silo; its standard output."""
        done = subprocess.run(["dotnet", str(CLI), "--gateway", f"127.0.0.1:{self.gateway_port}", *args],
                              capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"orleanskb {' '.join(args)} exited {done.returncode}: {done.stderr}")
        return done.stdout

    def stop(self) -> None:
        self.process.kill()  # by its own pid (Popen), nothing else
        self.process.wait(timeout=30)
        self.data.cleanup()
