#!/usr/bin/env python3
"""Reference measurement for the client's adaptive retry mode: botocore's adaptive mode against a loopback server that
throttles every request (429 ThrottlingException) for the first THROTTLE seconds after the first request, then accepts
everything. N threads each make one DescribeResourcePolicy call at once through one lexv2-models client.

Prints each call's completion time and the number of requests the server received (sent / throttled) in each second, the
figures that AdaptiveRecoveryTests prints next to the C# client's. Needs python3 with boto3 (botocore >= 1.28); loopback only,
dummy credentials.

    python3 eng/adaptive-reference.py --calls 24
    python3 eng/adaptive-reference.py --calls 70
"""
import argparse
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3
from botocore.config import Config
from botocore.retries import adaptive

ARN = "arn:aws:lex:us-east-1:123456789012:bot-alias/ABCDEFGHIJ/TSTALIASID"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--calls", type=int, default=24)
    p.add_argument("--throttle", type=float, default=1.5, help="seconds of throttling after the first request")
    p.add_argument("--max-attempts", type=int, default=None, help="botocore's max_attempts (default: the mode's default, 3)")
    p.add_argument("--json", action="store_true")
    a = p.parse_args()

    lock = threading.Lock()
    arrivals = []  # (seconds since the first request, status)
    first = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_GET(self):
            now = time.monotonic()
            with lock:
                if not first:
                    first.append(now)
                t = now - first[0]
                throttled = t < a.throttle
                arrivals.append((t, 429 if throttled else 200))
            if throttled:
                body = b'{"message":"Rate exceeded"}'
                self.send_response(429)
                self.send_header("x-amzn-ErrorType", "ThrottlingException")
            else:
                body = json.dumps({"resourceArn": ARN, "policy": "{}", "revisionId": "1"}).encode()
                self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    # Keep a handle on the client's rate limiter to sample its token bucket's fill rate.
    limiters = []
    register = adaptive.register_retry_handler
    adaptive.register_retry_handler = lambda client: limiters.append(register(client)) or limiters[-1]

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        retries = {"mode": "adaptive"}
        if a.max_attempts:
            retries["max_attempts"] = a.max_attempts
        client = boto3.client(
            "lexv2-models",
            region_name="us-east-1",
            endpoint_url=f"http://127.0.0.1:{server.server_address[1]}",
            aws_access_key_id="AKIDEXAMPLE",
            aws_secret_access_key="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            config=Config(retries=retries, max_pool_connections=a.calls),
        )
        start = threading.Barrier(a.calls + 1)
        done, failed = [], []

        def call():
            start.wait()
            try:
                client.describe_resource_policy(resourceArn=ARN)
                ok = True
            except Exception:  # a call that ran out of attempts
                ok = False
            t = time.monotonic() - first[0]
            with lock:
                (done if ok else failed).append(t)

        threads = [threading.Thread(target=call) for _ in range(a.calls)]
        for t in threads:
            t.start()
        start.wait()
        rates = []  # (seconds since the first request, fill rate), every 100 ms
        bucket = limiters[0]._token_bucket
        while any(t.is_alive() for t in threads):
            time.sleep(0.1)
            if first:
                rates.append((time.monotonic() - first[0], bucket.max_rate if limiters[0]._enabled else None))
        for t in threads:
            t.join()
    finally:
        server.shutdown()
        server.server_close()

    seconds = int(max(t for t, _ in arrivals)) + 1
    sent = [sum(1 for t, _ in arrivals if s <= t < s + 1) for s in range(seconds)]
    throttled = [sum(1 for t, st in arrivals if s <= t < s + 1 and st == 429) for s in range(seconds)]
    # The fill rate at the end of each second (None: not pacing yet).
    fill = []
    for s in range(seconds):
        inside = [r for t, r in rates if t < s + 1]
        fill.append(round(inside[-1], 1) if inside and inside[-1] is not None else None)
    result = {
        "calls": a.calls,
        "succeeded": len(done),
        "failed": len(failed),
        "first_done": round(min(done), 2) if done else None,
        "last_done": round(max(done), 2) if done else None,
        "done": [round(t, 2) for t in sorted(done)],
        "failed_at": [round(t, 2) for t in sorted(failed)],
        "sent_per_second": sent,
        "throttled_per_second": throttled,
        "fill_rate_per_second": fill,
        "recovered": next((round(t - a.throttle, 1) for t, r in rates if t > a.throttle and r is not None and r >= 10), None),
    }
    if a.json:
        print(json.dumps(result))
    else:
        print(f"botocore {__import__('botocore').__version__} adaptive, {a.calls} concurrent calls, throttled for the first {a.throttle} s:")
        print(f"  succeeded {len(done)}, failed {len(failed)}; done between {result['first_done']} and {result['last_done']} s")
        print(f"  done at: {' '.join(str(t) for t in result['done'])}")
        if failed:
            print(f"  failed at: {' '.join(str(t) for t in result['failed_at'])}")
        print(f"  sent per second:      {' '.join(str(n) for n in sent)}")
        print(f"  throttled per second: {' '.join(str(n) for n in throttled)}")
        print(f"  fill rate at each second's end: {' '.join('-' if r is None else str(r) for r in fill)}")
        print(f"  fill rate 10/s reached {result['recovered']} s after the throttling stopped")


if __name__ == "__main__":
    main()
