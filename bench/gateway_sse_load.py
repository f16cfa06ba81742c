#!/usr/bin/env python3
"""Concurrent SSE streams for bench/gateway_bench.sh (docs/BENCHMARKS.md, Gateway).

Two roles, run as two processes so each holds only one socket per stream
(the box's hard open-files limit is what caps the stream count):

  gateway_sse_load.py upstream --port P [--hold S]
      an asyncio upstream: every POST gets a chunked text/event-stream reply,
      one event at once, then one every 2 s for --hold seconds, then usage
      and [DONE].
  gateway_sse_load.py clients --url http://127.0.0.1:PORT --key K --pid PID \
      --streams N [N ...] [--model sse]
      opens N streams at once through the proxy at --url, waits until every
      one has its first event (time-to-first-byte per stream), reads the RSS
      of process PID (and its children: nginx's workers), prints one line
      per N, then closes them all.
      --url and --pid may be repeated (the same count of each): the N
      streams are spread evenly over the proxies (e.g. two gateway
      processes on one database) and the line gives each one's RSS and
      their sum.
"""
import argparse, asyncio, json, os, statistics, sys, time

EVENT = b'data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"x"}}]}\n\n'
USAGE = b'data: {"id":"c1","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":3}}\n\ndata: [DONE]\n\n'


def chunk(b):
    return b"%x\r\n%s\r\n" % (len(b), b)


async def upstream_conn(reader, writer, hold):
    try:
        while True:  # keep-alive: nginx may reuse the connection
            head = await reader.readuntil(b"\r\n\r\n")
            n = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    n = int(line.split(b":")[1])
            await reader.readexactly(n)
            if head.startswith(b"GET"):
                body = b'{"object":"list","data":[]}'
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
                await writer.drain()
                continue
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk(EVENT))
            await writer.drain()
            end = time.time() + hold
            while time.time() < end:
                await asyncio.sleep(2)
                writer.write(chunk(EVENT))
                await writer.drain()
            writer.write(chunk(USAGE) + b"0\r\n\r\n")
            await writer.drain()
    except Exception:
        pass
    writer.close()


async def run_upstream(a):
    srv = await asyncio.start_server(lambda r, w: upstream_conn(r, w, a.hold), "127.0.0.1", a.port, backlog=20000)
    print("upstream ready", flush=True)
    async with srv:
        await srv.serve_forever()


async def client(host, port, key, model, ttfbs, errors, hold_event):
    body = json.dumps({"model": model, "stream": True, "max_tokens": 8,
                       "messages": [{"role": "user", "content": "hi"}]}).encode()
    w = None
    try:
        t0 = time.perf_counter()
        r, w = await asyncio.open_connection(host, port)
        w.write(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key.encode() +
                b"\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        await w.drain()
        await r.readuntil(b"data:")
        ttfbs.append(time.perf_counter() - t0)
        await hold_event.wait()
    except Exception as e:  # counted, reported
        errors.append(repr(e)[:120])
    if w:
        w.close()


def rss_kib(pid):
    """RSS of pid plus its direct children (nginx master + workers)."""
    pids = [pid]
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            pids += [int(p) for p in f.read().split()]
    except OSError:
        pass
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


async def run_clients(a):
    if len(a.url) != len(a.pid):
        sys.exit("clients: give one --pid per --url")
    targets = [(u.split("//")[1].split(":")[0], int(u.split("//")[1].split(":")[1])) for u in a.url]
    for n in a.streams:
        ttfbs, errors, hold = [], [], asyncio.Event()
        base = sum(rss_kib(p) for p in a.pid)
        tasks = []
        for i in range(n):
            host, port = targets[i % len(targets)]
            tasks.append(asyncio.create_task(client(host, port, a.key, a.model, ttfbs, errors, hold)))
            if i % 200 == 199:
                await asyncio.sleep(0.05)
        t_end = time.time() + 120
        while len(ttfbs) + len(errors) < n and time.time() < t_end:
            await asyncio.sleep(0.2)
        await asyncio.sleep(1)  # let the proxy settle every buffer
        each = [rss_kib(p) for p in a.pid]
        rss = sum(each)
        split = f" = {' + '.join(f'{r/1024:.1f}' for r in each)}" if len(each) > 1 else ""
        q = statistics.quantiles(ttfbs, n=100) if len(ttfbs) > 2 else [0] * 99
        print(f"{a.name}: streams={n} open={len(ttfbs)} errors={len(errors)} ttfb_p50={q[49]*1000:.1f}ms "
              f"ttfb_p99={q[98]*1000:.1f}ms rss={rss/1024:.1f}MiB{split} (idle before {base/1024:.1f}MiB)",
              flush=True)
        if errors:
            print(f"  first error: {errors[0]}", flush=True)
        hold.set()
        await asyncio.sleep(0.5)
        for t in tasks:  # streams still waiting for their first byte
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.sleep(2)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="role", required=True)
    up = sub.add_parser("upstream")
    up.add_argument("--port", type=int, required=True)
    up.add_argument("--hold", type=float, default=30)
    cl = sub.add_parser("clients")
    cl.add_argument("--url", action="append", required=True)
    cl.add_argument("--key", default="none")
    cl.add_argument("--pid", type=int, action="append", required=True)
    cl.add_argument("--name", default="gateway")
    cl.add_argument("--model", default="sse")
    cl.add_argument("--streams", type=int, nargs="+", default=[1000])
    a = ap.parse_args()
    asyncio.run(run_upstream(a) if a.role == "upstream" else run_clients(a))


if __name__ == "__main__":
    main()
