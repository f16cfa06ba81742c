#!/usr/bin/env python3
"""Time to first byte of streamed completions, for bench/gateway_bench.sh.

Sends --n streaming chat completions one after another, each on a fresh
connection (as a client starting a turn does), and measures the time from
connect to the first SSE byte of the body ("data:"), then reads the stream to
its end. Prints p50/p99 in ms.

  gateway_ttfb.py --url http://127.0.0.1:PORT [--key K] [--model m1] [--n 500]
"""
import argparse, json, socket, statistics, time


def one(host, port, key, model):
    body = json.dumps({"model": model, "stream": True, "max_tokens": 16,
                       "messages": [{"role": "user", "content": "hi"}]}).encode()
    req = (b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key.encode() +
           b"\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    t0 = time.perf_counter()
    s = socket.create_connection((host, port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.sendall(req)
    buf, ttfb = b"", None
    while True:
        d = s.recv(65536)
        if not d:
            break
        buf += d
        if ttfb is None and b"data:" in buf:
            ttfb = time.perf_counter() - t0
    s.close()
    if ttfb is None or b"[DONE]" not in buf:
        raise RuntimeError("incomplete stream: " + buf[:300].decode(errors="replace"))
    return ttfb


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--key", default="none")
    ap.add_argument("--model", default="m1")
    ap.add_argument("--name", default="")
    ap.add_argument("--n", type=int, default=500)
    a = ap.parse_args()
    host, port = a.url.split("//")[1].split(":")
    for _ in range(20):  # warm-up
        one(host, int(port), a.key, a.model)
    t = [one(host, int(port), a.key, a.model) for _ in range(a.n)]
    q = statistics.quantiles(t, n=100)
    print(f"{a.name or a.url}: n={a.n} ttfb_p50={q[49]*1000:.2f}ms ttfb_p99={q[98]*1000:.2f}ms", flush=True)


if __name__ == "__main__":
    main()
