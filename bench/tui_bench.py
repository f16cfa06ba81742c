#!/usr/bin/env python3
"""Terminal UI bench: runs the real bastion binary in a private tmux server
against the fake model server and measures
  - idle CPU: CPU seconds the UI process uses while waiting for input (10 s);
  - keystroke-to-echo latency: send one key, poll capture-pane until it shows
    (includes tmux's own send/capture round trip, so it is an upper bound);
  - CPU per streamed chunk: the process's CPU time while streaming a reply of
    N small text deltas, divided by N (parse + markdown + redraw per chunk).
Usage: bench/tui_bench.py BASTION_BIN FAKE_SERVER_BIN
"""
import json, os, shutil, subprocess, sys, tempfile, time

bastion, fake = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
root = tempfile.mkdtemp(prefix="tui_bench_")
work, home = os.path.join(root, "work"), os.path.join(root, "home")
os.makedirs(work); os.makedirs(home)
chunks = 2000
text = "".join(f"line {i} with **bold** and `code`\n" if i % 3 == 0 else f"word{i} " for i in range(chunks))
scenario = {"turns": [{"reply": {"text": text, "text_fragment_bytes": 8}}]}
n_deltas = (len(text) + 7) // 8
with open(os.path.join(root, "s.json"), "w") as f: json.dump(scenario, f)
srv = subprocess.Popen([fake, "--scenario", os.path.join(root, "s.json"), "--port-file", os.path.join(root, "port"),
                        "--log", os.path.join(root, "log")])
while not os.path.exists(os.path.join(root, "port")): time.sleep(0.05)
port = open(os.path.join(root, "port")).read().strip()
sock = os.path.join(root, "tmux.sock")
script = os.path.join(root, "run.sh")
with open(script, "w") as f:
    f.write(f"#!/bin/sh\ncd {work}\nexec env -i HOME={home} PATH=/usr/bin:/bin TERM=xterm-256color LANG=C.UTF-8 "
            f"BASTION_BASE_URL=http://127.0.0.1:{port}/v1 BASTION_MODEL=test-model BASTION_API_KEY=k {bastion}\n")
os.chmod(script, 0o755)
def tmux(*a): return subprocess.run(["tmux", "-S", sock, *a], capture_output=True, text=True).stdout
subprocess.run(["tmux", "-S", sock, "-f", "/dev/null", "new-session", "-d", "-x", "100", "-y", "30", script]); tmux("set-option", "-g", "remain-on-exit", "on")
def wait(needle, t=30):
    end = time.time() + t
    while time.time() < end:
        if needle in tmux("capture-pane", "-p", "-J", "-S", "-100000"): return True
        time.sleep(0.02)
    return False
def cpu(pid):
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
try:
    ok = wait("/help for commands"); assert ok, tmux("capture-pane", "-p", "-S", "-50")
    pid = int(tmux("display-message", "-p", "#{pane_pid}").strip())
    c0 = cpu(pid); time.sleep(10); idle = cpu(pid) - c0
    keys = "abcdefghijklmnopqrstuvwxyz0123"
    def latencies(target, prefix):
        out = []
        for i in range(30):
            t0 = time.perf_counter(); tmux("send-keys", "-t", target, "-l", keys[i])
            while (prefix + keys[:i + 1]) not in tmux("capture-pane", "-t", target, "-p"): pass
            out.append((time.perf_counter() - t0) * 1000)
        return sorted(out)
    lat = latencies("0", "> ")
    tmux("send-keys", "-t", "0", "C-u")
    # Baseline: the same round trip against `cat`, whose echo comes from the
    # kernel's tty line discipline, so the difference is the UI's own time.
    tmux("new-window", "-t", "0:", "-n", "base", "cat")
    time.sleep(0.3)
    base = latencies("0:base", "")
    tmux("kill-window", "-t", "0:base")
    c0 = cpu(pid); t0 = time.time()
    tmux("send-keys", "-l", "go"); tmux("send-keys", "Enter")
    assert wait(f"word{chunks - 1}", 120)
    stream_cpu = cpu(pid) - c0; wall = time.time() - t0
    print(f"idle CPU over 10 s: {idle:.2f} s ({idle * 10:.1f}%)")
    print(f"keystroke-to-echo via tmux: median {lat[15]:.1f} ms, max {lat[-1]:.1f} ms (30 keys)")
    print(f"same round trip to `cat` (tmux + process spawn only): median {base[15]:.1f} ms, max {base[-1]:.1f} ms; "
          f"UI's share of the median: {lat[15] - base[15]:.1f} ms")
    print(f"streaming {n_deltas} deltas: {stream_cpu:.2f} s CPU, {stream_cpu / n_deltas * 1e6:.0f} us CPU per chunk, wall {wall:.1f} s")
finally:
    tmux("kill-server"); srv.terminate(); srv.wait(); shutil.rmtree(root, ignore_errors=True)
