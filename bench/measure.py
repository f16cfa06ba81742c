#!/usr/bin/env python3
"""Start-up and whole-task figures for build/bin/bastion.

  python3 bench/measure.py [--runs N]

1. `bastion --version`: median and p90 wall time over N runs, and peak RSS
   (from GNU time, since exec keeps a forked parent's high-water mark).
2. A 3-request edit task (read hello.py, edit it, answer) against the
   project's fake model server on 127.0.0.1: the harness's CPU time (user +
   sys of bastion), peak RSS, and time from exec to the first model request
   (from the fake server's wall-clock request log).
All traffic stays on loopback. Results are printed as a Markdown table.
"""
import argparse, json, os, shutil, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("BASTION_BIN", os.path.join(ROOT, "build/bin/bastion"))
FAKE = os.environ.get("FAKE_SERVER_BIN", os.path.join(ROOT, "build/bin/fake_model_server"))

SCENARIO = {"models": ["bench-model"], "turns": [
    {"reply": {"tool_calls": [{"name": "read", "arguments": {"path": "hello.py"}}],
               "usage": {"prompt_tokens": 900, "completion_tokens": 20}}},
    {"reply": {"tool_calls": [{"name": "edit", "arguments": {
        "path": "hello.py", "old_string": "print(\"hello\")", "new_string": "print(\"hello, world\")"}}],
               "usage": {"prompt_tokens": 1000, "completion_tokens": 30}}},
    {"reply": {"text": "Done.", "usage": {"prompt_tokens": 1100, "completion_tokens": 5}}}]}


class Usage:
    """CPU and peak RSS of one child, measured by GNU time: a forked Python
    child would report Python's own RSS as its peak (exec keeps the old
    high-water mark), so the figures come from a small launcher instead."""
    def __init__(self, maxrss_kb, utime, stime):
        self.ru_maxrss, self.ru_utime, self.ru_stime = maxrss_kb, utime, stime


def run_child(argv, env, cwd):
    fd, stats = tempfile.mkstemp(prefix="bastion-time-")
    os.close(fd)
    wall0 = time.time()
    t0 = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "%M %U %S", "-o", stats] + argv, env=env, cwd=cwd,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - t0
    rss, ut, st = open(stats).read().split()[-3:]
    os.unlink(stats)
    return elapsed, Usage(int(rss), float(ut), float(st)), p.returncode, p.stderr.decode(errors="replace"), wall0


def wall_ms(argv, env, cwd):
    """Wall time of one run, spawned with posix_spawn (no Python fork cost)."""
    t0 = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, env, file_actions=[
        (os.POSIX_SPAWN_OPEN, 1, "/dev/null", os.O_WRONLY, 0)])
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    return (time.perf_counter() - t0) * 1000


def version(runs):
    times, rss = [], []
    for _ in range(runs):
        times.append(wall_ms([BIN, "--version"], {"PATH": "/usr/bin:/bin"}, "/"))
    for _ in range(5):
        _, ru, rc, err, _ = run_child([BIN, "--version"], {"PATH": "/usr/bin:/bin"}, "/")
        assert rc == 0, err
        rss.append(ru.ru_maxrss / 1024)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.9)], max(rss)


def task(runs):
    cpu, rss, first = [], [], []
    for _ in range(runs):
        d = tempfile.mkdtemp(prefix="bastion-bench-")
        try:
            work, home = os.path.join(d, "work"), os.path.join(d, "home")
            os.makedirs(work); os.makedirs(home)
            with open(os.path.join(work, "hello.py"), "w") as f:
                f.write("def main():\n    print(\"hello\")\n")
            scen, log, portf = (os.path.join(d, n) for n in ("s.json", "log.jsonl", "port"))
            with open(scen, "w") as f:
                json.dump(SCENARIO, f)
            srv = subprocess.Popen([FAKE, "--scenario", scen, "--port-file", portf, "--log", log])
            for _ in range(500):
                if os.path.exists(portf):
                    break
                time.sleep(0.01)
            port = open(portf).read().strip()
            env = {"PATH": "/usr/bin:/bin", "HOME": home, "XDG_CONFIG_HOME": home + "/.config",
                   "XDG_DATA_HOME": home + "/.local/share", "XDG_CACHE_HOME": home + "/.cache",
                   "XDG_STATE_HOME": home + "/.local/state",
                   "BASTION_BASE_URL": f"http://127.0.0.1:{port}/v1", "BASTION_MODEL": "bench-model"}
            t, ru, rc, err, wall0 = run_child(
                [BIN, "-p", "change the greeting", "--permission-mode", "acceptEdits",
                 "--output-format", "json"], env, work)
            srv.terminate(); srv.wait()
            assert rc == 0, err
            reqs = [json.loads(l) for l in open(log) if '"turn":0' in l or '"turn": 0' in l]
            cpu.append((ru.ru_utime + ru.ru_stime) * 1000)
            rss.append(ru.ru_maxrss / 1024)
            if reqs and "wall_us" in reqs[0]:
                first.append(reqs[0]["wall_us"] / 1000 - wall0 * 1000)
        finally:
            shutil.rmtree(d, ignore_errors=True)
    return statistics.median(cpu), max(rss), statistics.median(first) if first else float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=50)
    a = ap.parse_args()
    med, p90, rss = version(a.runs)
    cpu, trss, first = task(max(5, a.runs // 5))
    print("| figure | value | target |")
    print("|---|---|---|")
    print(f"| `bastion --version` median wall | {med:.2f} ms (p90 {p90:.2f}) | ≤ 5 ms |")
    print(f"| `bastion --version` peak RSS | {rss:.1f} MB | ≤ 8 MB |")
    print(f"| 3-request edit task: CPU (user+sys) | {cpu:.1f} ms | ≤ 50 ms |")
    print(f"| 3-request edit task: peak RSS | {trss:.1f} MB | ≤ 15 MB |")
    print(f"| time to first model request | {first:.1f} ms | ≤ 30 ms |")


if __name__ == "__main__":
    sys.exit(main())
