"""`fasterbench serve` and `run --target`: the pipeline behind the HTTP front end, seen from
outside (curl, raw sockets, signals), and the harness as its HTTP client."""

import json
import os
import re
import signal
import socket
import subprocess
import time

import pytest

from conftest import REPO, _binary


class Server:
    """A `fasterbench serve` child on a kernel-chosen port; stopped with SIGTERM."""

    def __init__(self, *args, preexec_fn=None):
        self.proc = subprocess.Popen([str(_binary()), "serve", "--port", "0", *map(str, args)], cwd=REPO,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     stdin=subprocess.DEVNULL, preexec_fn=preexec_fn)
        line = self.proc.stdout.readline()
        m = re.search(r"http://127\.0\.0\.1:(\d+)", line)
        if not m:
            self.proc.kill()
            raise AssertionError(f"no listening line: {line!r} {self.proc.stderr.read()}")
        self.port = int(m.group(1))
        self.url = f"http://127.0.0.1:{self.port}"

    def stop(self, sig=signal.SIGTERM, timeout=5):
        """Sends `sig`; returns (exit status, seconds to exit, stdout)."""
        t0 = time.monotonic()
        self.proc.send_signal(sig)
        out, err = self.proc.communicate(timeout=timeout)
        return self.proc.returncode, time.monotonic() - t0, out + err


@pytest.fixture()
def hello_server():
    s = Server("--scenario", "scenarios/hello.toml")
    yield s
    if s.proc.poll() is None:
        s.stop()


def curl(*args):
    p = subprocess.run(["curl", "-s", "--max-time", "10", *args], capture_output=True, timeout=20)
    # Bytes in, text out without newline translation: the CRLFs stay visible.
    return subprocess.CompletedProcess(p.args, p.returncode, p.stdout.decode("latin-1"), p.stderr.decode("latin-1"))


def test_curl_gets_the_handlers_body(hello_server):
    p = curl("-i", f"{hello_server.url}/hello")
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("HTTP/1.1 200 OK\r\n")
    assert p.stdout.endswith("\r\n\r\nHello, World!")
    assert "Content-Length: 13\r\n" in p.stdout
    missing = curl("-s", "-o", "/dev/null", "-w", "%{http_code}", f"{hello_server.url}/nope")
    assert missing.stdout == "404"


def test_pipelined_burst_of_100_is_answered_in_order(tmp_path):
    s = Server("--scenario", "scenarios/mixed.toml")
    try:
        with socket.create_connection(("127.0.0.1", s.port), timeout=10) as sock:
            sock.sendall(b"".join(b"GET /items/%d HTTP/1.1\r\nHost: t\r\n\r\n" % i for i in range(100)))
            data = b""
            while data.count(b"HTTP/1.1 200 OK") < 100:
                chunk = sock.recv(65536)
                assert chunk, "server closed before 100 responses"
                data += chunk
        ids = [int(m) for m in re.findall(rb'\{"id":(\d+)', data)]
        assert ids == list(range(100))
    finally:
        s.stop()


def test_sigterm_drains_in_flight_requests_and_exits_0_within_a_second():
    s = Server("--scenario", "scenarios/mixed.toml")
    # A client in the middle of a blocking request (/slow sleeps 200 µs per call: send many).
    with socket.create_connection(("127.0.0.1", s.port), timeout=10) as sock:
        sock.sendall(b"GET /slow HTTP/1.1\r\nHost: t\r\n\r\n" * 50)
        time.sleep(0.005)
        status, seconds, out = s.stop(signal.SIGTERM)
        data = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    assert status == 0, out
    assert seconds < 1.0, out
    assert data.count(b"HTTP/1.1 200 OK") == 50  # every request already received was answered
    assert "Terminated received" in out
    assert re.search(r"served \d+ requests", out)


def test_sigint_stops_and_out_has_the_server_side_stages(tmp_path):
    out_file = tmp_path / "serve.json"
    s = Server("--scenario", "scenarios/hello.toml", "--phase", "P1", "--out", out_file)
    for _ in range(20):
        assert curl(f"{s.url}/hello").stdout == "Hello, World!"
    status, seconds, out = s.stop(signal.SIGINT)
    assert status == 0, out
    doc = json.loads(out_file.read_text())
    run = doc["runs"][0]
    assert run["phase"] == "P1" and run["requests"] == 20
    assert run["stages"]["total"]["count"] == 20
    assert run["stages"]["dispatch"]["count"] == 0  # the direct path
    # The front end's stages, beside the pipeline: every request has both.
    for stage in ("recv", "send"):
        assert run["stages"][stage]["count"] == 20, stage
        assert 0 < run["stages"][stage]["p50_ns"] < 10_000_000, stage
    assert "recv" in out and "send" in out  # in the table printed at exit


def test_sigint_stops_a_server_started_with_sigint_ignored():
    # What `fasterbench serve ... &` in a script gets from the shell: SIGINT ignored.
    s = Server("--scenario", "scenarios/hello.toml",
               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    assert curl(f"{s.url}/hello").stdout == "Hello, World!"
    status, seconds, out = s.stop(signal.SIGINT)
    assert status == 0 and seconds < 1.0, out


def test_serve_usage_errors(fasterbench, tmp_path):
    p = fasterbench("serve", "--scenario", "scenarios/hello.toml", "--phase", "P9")
    assert p.returncode == 2 and "unknown phase" in p.stderr
    p = fasterbench("serve", "--scenario", "scenarios/hello.toml", "--port", "70000")
    assert p.returncode == 2 and "--port" in p.stderr
    p = fasterbench("serve", "--scenario", "scenarios/hello.toml", "--io-threads", "0")
    assert p.returncode == 2 and "--io-threads" in p.stderr


def test_busy_port_is_a_clear_failure(fasterbench, hello_server):
    p = fasterbench("serve", "--scenario", "scenarios/hello.toml", "--port", hello_server.port, timeout=60)
    assert p.returncode == 1
    assert f"cannot listen on 127.0.0.1:{hello_server.port}" in p.stderr


def test_run_target_sends_the_mix_and_records_client_latency(fasterbench, tmp_path):
    s = Server("--scenario", "scenarios/mixed.toml")
    try:
        out = tmp_path / "t.json"
        p = fasterbench("run", "--scenario", "scenarios/mixed.toml", "--target", s.url, "--requests", "2000",
                        "--warmup", "200", "--clients", "2", "--no-progress", "--out", out)
        assert p.returncode == 0, p.stderr
        doc = json.loads(out.read_text())
        run = doc["runs"][0]
        assert run["target"] == s.url and doc["context"]["target"] == s.url
        assert run["requests"] == 2000 and run["errors"] == 0 and run["transport_errors"] == 0
        assert run["stages"]["total"]["count"] == 2000
        assert run["stages"]["total"]["p50_ns"] > 0
        assert all(run["stages"][st]["count"] == 0 for st in ("route", "dispatch", "gil", "handler", "recv", "send"))
        assert sum(run["per_route_requests"]) == 2000 and all(n > 0 for n in run["per_route_requests"])
    finally:
        status, _, _ = s.stop()
    assert status == 0


@pytest.mark.parametrize("flag", [["--phase", "P1"], ["--opt", "direct"], ["--wait", "spin"]])
def test_run_target_with_pipeline_options_is_a_usage_error(fasterbench, flag):
    p = fasterbench("run", "--scenario", "scenarios/hello.toml", "--target", "http://127.0.0.1:9", *flag)
    assert p.returncode == 2
    assert "the server's configuration is the server's" in p.stderr


def test_run_target_bad_url_and_unreachable_server(fasterbench):
    p = fasterbench("run", "--scenario", "scenarios/hello.toml", "--target", "https://127.0.0.1:1")
    assert p.returncode == 2 and "https" in p.stderr
    p = fasterbench("run", "--scenario", "scenarios/hello.toml", "--target", "http://127.0.0.1:1/x")
    assert p.returncode == 2 and "paths come from the scenario" in p.stderr
    # Port 1 on loopback: nothing listens; the run fails (exit 1) naming the target.
    p = fasterbench("run", "--scenario", "scenarios/hello.toml", "--target", "http://127.0.0.1:1", "--no-progress")
    assert p.returncode == 1
    assert "cannot connect to http://127.0.0.1:1" in p.stderr
