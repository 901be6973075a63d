"""`python3 -m fake_qbo.bench [-n N] [--threads T]`: requests/second the fake serves on this machine.

Measures reads, 1000-row queries, creates and 30-item batch creates over real HTTP (keep-alive
sessions, one per thread), so the fake is never the bottleneck of the project's benchmarks.
"""
import argparse
import json
import threading
import time
from urllib.parse import parse_qs, urlparse

import requests

from .server import FakeQBO

TIMEOUT = 30    # seconds; a local fake that takes longer is broken, not slow


def token(srv):
    """An access token through the real authorize + token endpoints (auto-approve)."""
    redirect = "http://127.0.0.1:9/cb"
    loc = requests.get(f"{srv.url}/connect/oauth2", allow_redirects=False, params={
        "client_id": "fake-client-id", "response_type": "code", "scope": "com.intuit.quickbooks.accounting",
        "redirect_uri": redirect, "state": "bench"}, timeout=TIMEOUT).headers["Location"]
    code = parse_qs(urlparse(loc).query)["code"][0]
    resp = requests.post(f"{srv.url}/oauth2/v1/tokens/bearer", auth=("fake-client-id", "fake-client-secret"),
                         data={"grant_type": "authorization_code", "code": code, "redirect_uri": redirect},
                         timeout=TIMEOUT)
    return resp.json()["access_token"]


def run(label, n, threads, call):
    """Run `call(session, i)` n times over `threads` threads; print and return requests/second."""
    sessions = [requests.Session() for _ in range(threads)]

    def worker(k):
        for i in range(k, n, threads):
            call(sessions[k], i)
    start = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(k,)) for k in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    rate = n / (time.perf_counter() - start)
    print(f"{label:<28} {n:>6} requests  {rate:>8.0f} req/s", flush=True)
    return rate


def main(argv=None):
    p = argparse.ArgumentParser(prog="python3 -m fake_qbo.bench")
    p.add_argument("-n", type=int, default=500, help="requests per measurement")
    p.add_argument("--threads", type=int, default=4)
    args = p.parse_args(argv)
    srv = FakeQBO(auto_approve=True).start()
    try:
        base = f"{srv.api_base}/company/{srv.realm_id}"
        headers = {"Authorization": f"Bearer {token(srv)}", "Accept": "application/json",
                   "Content-Type": "application/json"}
        api = srv.company().seed_api()
        with srv.state.lock:
            for i in range(1000):
                api.create("Customer", {"DisplayName": f"Bench Customer {i}"})

        def check(resp):
            if resp.status_code != 200:
                raise SystemExit(f"unexpected {resp.status_code}: {resp.text[:200]}")

        run("read customer", args.n, args.threads,
            lambda s, i: check(s.get(f"{base}/customer/{i % 1000 + 1}?minorversion=75", headers=headers,
                                     timeout=TIMEOUT)))
        run("query 1000 rows", max(10, args.n // 10), args.threads,
            lambda s, i: check(s.get(f"{base}/query", headers=headers, timeout=TIMEOUT,
                                     params={"query": "SELECT * FROM Customer MAXRESULTS 1000"})))
        run("create customer", args.n, args.threads,
            lambda s, i: check(s.post(f"{base}/customer", headers=headers, timeout=TIMEOUT,
                                      data=json.dumps({"DisplayName": f"New {i}"}))))
        batches = max(4, args.n // 30)
        rate = run("batch create (30 items)", batches, args.threads,
                   lambda s, i: check(s.post(f"{base}/batch", headers=headers, timeout=TIMEOUT,
                                             data=json.dumps({"BatchItemRequest": [
                                                 {"bId": str(k), "operation": "create",
                                                  "Customer": {"DisplayName": f"B{i}-{k}"}}
                                                 for k in range(30)]}))))
        print(f"{'  = objects created/s':<28} {'':>6}           {rate * 30:>8.0f}")
    finally:
        srv.stop()


if __name__ == "__main__":
    main()
