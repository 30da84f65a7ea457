#!/usr/bin/env python3
"""Makes the shipped traces of scenarios/replay.toml (and larger ones for tests): a made-up shop
front's traffic, seeded so the files are reproducible.

    python3 scenarios/traces/make_traces.py                 # rewrites replay.jsonl and replay.log here
    python3 scenarios/traces/make_traces.py --format combined --lines 10000 --seconds 100 --out big.log

What the traffic holds, and why: mostly the scenario's routes (/hello, /items/N with and without
a query, /slow, /async, POST /items/N with a JSON body), some paths only a [[replay.map]] rule
sends (/v1/hello, /products/N), and paths no route serves (/favicon.ico, /robots.txt, /admin/...,
percent-encoded and long ones) that replay counts as unmatched. The access log also has a few
lines a real server writes but that carry no request: a TLS handshake sent to the plain port and
an empty request line ("-"), which replay reports as malformed with their line numbers.
"""

import argparse
import json
import pathlib
import random
import time

HERE = pathlib.Path(__file__).resolve().parent
START = 1_700_000_000  # 2023-11-14 22:13:20 UTC
AGENTS = ["Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0",
          "curl/8.5.0", "python-requests/2.31.0",
          "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15"]
UNMATCHED = ["/favicon.ico", "/robots.txt", "/admin/login", "/wp-login.php", "/static/app.js",
             "/search%20results?q=caf%C3%A9", "/items", "/" + "a" * 300]


def request(rng):
    """(method, target, status, body) of one made-up request."""
    r = rng.random()
    item = rng.randrange(1, 5000)
    if r < 0.50:
        return "GET", "/hello", 200, None
    if r < 0.65:
        return "GET", f"/items/{item}" + rng.choice(["", "?verbose=1", "?verbose=0&ref=home"]), 200, None
    if r < 0.70:
        return "POST", f"/items/{item}", 200, json.dumps({"qty": rng.randrange(1, 9)})
    if r < 0.75:
        return "GET", "/slow", 200, None
    if r < 0.80:
        return "GET", "/async", 200, None
    if r < 0.86:
        return "GET", "/v1/hello", 200, None
    if r < 0.90:
        return "GET", f"/products/{item}?ref=mail", 200, None
    return rng.choice(["GET", "GET", "HEAD", "PUT"]), rng.choice(UNMATCHED), 404, None


def times(rng, lines, seconds):
    """`lines` sorted arrival times over `seconds`: a Poisson stream, uniform given the count."""
    return sorted(rng.uniform(0, seconds) for _ in range(lines))


def jsonl(rng, lines, seconds):
    out = []
    for t in times(rng, lines, seconds):
        method, target, _, body = request(rng)
        rec = {"t": round(t, 6), "method": method, "path": target,
               "headers": {"User-Agent": rng.choice(AGENTS)}}
        if body is not None:
            rec["body"] = body
            rec["headers"]["Content-Type"] = "application/json"
        out.append(json.dumps(rec))
    return out


def combined(rng, lines, seconds):
    out = []
    for i, t in enumerate(times(rng, lines, seconds)):
        stamp = time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(START + int(t)))
        host = f"198.51.100.{rng.randrange(1, 255)}"
        if i % 97 == 50:  # a TLS client on the plain-HTTP port, as nginx logs it
            out.append(f'{host} - - [{stamp}] "\\x16\\x03\\x01\\x02\\x00\\x01\\x00" 400 157 "-" "-"')
            continue
        if i % 131 == 70:  # a connection closed before any request
            out.append(f'{host} - - [{stamp}] "-" 408 0 "-" "-"')
            continue
        method, target, status, _ = request(rng)
        size = "-" if method == "HEAD" else str(rng.randrange(13, 4000))
        referer = rng.choice(["-", "https://shop.example/", "https://www.google.com/"])
        out.append(f'{host} - - [{stamp}] "{method} {target} HTTP/1.1" {status} {size} "{referer}" '
                   f'"{rng.choice(AGENTS)}"')
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--format", choices=["jsonl", "combined"])
    p.add_argument("--lines", type=int, default=400)
    p.add_argument("--seconds", type=float, default=4.0)
    p.add_argument("--seed", type=int, default=15)
    p.add_argument("--out")
    a = p.parse_args()
    if a.format is None:
        (HERE / "replay.jsonl").write_text("\n".join(jsonl(random.Random(a.seed), a.lines, a.seconds)) + "\n")
        (HERE / "replay.log").write_text("\n".join(combined(random.Random(a.seed), a.lines, a.seconds)) + "\n")
        return
    make = jsonl if a.format == "jsonl" else combined
    pathlib.Path(a.out).write_text("\n".join(make(random.Random(a.seed), a.lines, a.seconds)) + "\n")


if __name__ == "__main__":
    main()
