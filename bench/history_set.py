#!/usr/bin/env python3
"""Builds a held-out localization set from the real git history of repos
that are not in the dev set (docs/BENCHMARKS.md, Context engine).

A task is a non-merge commit that adds one user-facing changelog entry for a
bug fix (pytest `changelog/N.bugfix.rst`, astropy `docs/changes/PKG/N.bugfix.rst`, pylint `doc/whatsnew/fragments/N.*`,
or lines added to a CHANGES/CHANGELOG file) and changes 1-2 source files
outside tests and docs. The entry's text is written for users, like an
issue: it is the query. The changed source files are the gold files, and the
commit's parent is the base. Lines are written in the dev set's format
(instance_id, repo, base_commit, problem_statement, gold_files), and each base
is materialised without .git, so nothing can peek at the fix.

  bench/history_set.py OUT.jsonl WORK_DIR MIRRORS_DIR owner/name[:N] ...
"""
import json
import os
import re
import subprocess
import sys

TESTISH = re.compile(r"(^|/)(tests?|testing|docs?|doc|examples?|benchmarks?)/|(^|/)test_|_test\.py$|conftest\.py$")


VERSIONISH = {"__init__.py", "setup.py", "_version.py", "version.py", "__about__.py"}


def version_bump(git_dir, commit, files):
    stat = git(git_dir, "diff", "--numstat", f"{commit}^", commit, "--", *files)
    return sum(int(r.split("\t")[0]) for r in stat.splitlines() if r.split("\t")[0].isdigit()) <= 4


def git(git_dir, *args):
    return subprocess.run(["git", "--git-dir", git_dir, *args], check=True, capture_output=True,
                          text=True, errors="replace").stdout


def is_changelog(path):
    base = os.path.basename(path).lower()
    return (path.startswith("changelog/") or path.startswith("doc/whatsnew/fragments/")
            or (path.startswith("docs/changes/") and path.endswith(".rst"))
            or base.startswith("changes") or base.startswith("changelog"))


def fragment_is_bugfix(path):
    base = os.path.basename(path).lower()
    if path.startswith("changelog/") or path.startswith("docs/changes/"):
        return ".bugfix" in base
    if path.startswith("doc/whatsnew/fragments/"):
        return any(k in base for k in ("bug", "false_positive", "false_negative"))
    return True


def clean(text):
    # RST roles and markup -> plain words, the way a reporter would write them.
    text = re.sub(r":\w+:`~?([^`<]+?)(?:\s*<[^>]*>)?`", r"`\1`", text)
    text = text.replace("``", "`")
    text = re.sub(r"(^|\s)[-*] ", r"\1", text)
    keep = []
    for line in text.splitlines():
        # Release headings, underlines, credits and issue links are not the bug.
        if re.match(r"\s*(Release\s|v?\d+\.\d+[\w.]*\s*\(|[=~^-]{3,}\s*$|Closes #|Fixes #)", line):
            continue
        line = re.sub(r"\s*(-- by `[^`]*`|Thanks `[^`]*`[^.]*\.)", "", line)
        keep.append(line)
    return "\n".join(keep).strip()


def added_changelog_text(git_dir, commit, path, status):
    if status == "A":
        return git(git_dir, "show", f"{commit}:{path}")
    diff = git(git_dir, "diff", "-U0", f"{commit}^", commit, "--", path)
    lines = [l[1:] for l in diff.splitlines() if l.startswith("+") and not l.startswith("+++")]
    return "\n".join(lines)


def tasks_for(repo, git_dir, want):
    log = git(git_dir, "log", "--no-merges", "--first-parent", "--format=%H", "-n", "3000", "HEAD", "--",
              "changelog", "doc/whatsnew/fragments", "docs/changes", "CHANGES", "CHANGES.rst", "CHANGELOG.rst",
              "CHANGELOG.md")
    out = []
    for commit in log.split():
        try:
            names = git(git_dir, "diff", "--name-status", "--no-renames", f"{commit}^", commit)
        except subprocess.CalledProcessError:
            continue
        changelog, source = [], []
        for row in names.splitlines():
            parts = row.split("\t")
            if len(parts) != 2:
                continue
            status, path = parts
            if is_changelog(path):
                changelog.append((status, path))
            elif path.endswith(".py") and status == "M" and not TESTISH.search(path):
                source.append(path)
        if len(changelog) != 1 or not (1 <= len(source) <= 2):
            continue
        status, path = changelog[0]
        if all(os.path.basename(f) in VERSIONISH for f in source) and version_bump(git_dir, commit, source):
            continue  # a release commit: the changelog entry is not about this change
        if not fragment_is_bugfix(path):
            continue
        text = clean(added_changelog_text(git_dir, commit, path, status))
        if not (60 <= len(text) <= 1500) or text.count("\n") > 12:
            continue
        out.append({"instance_id": f"{repo.replace('/', '__')}-{commit[:10]}", "repo": repo,
                    "base_commit": git(git_dir, "rev-parse", f"{commit}^").strip(),
                    "problem_statement": text, "gold_files": sorted(source)})
    # Spread the sample over the history (newest first in `out`).
    if len(out) > want:
        step = len(out) / want
        out = [out[int(i * step)] for i in range(want)]
    return out


def main():
    out_path, work, mirrors = sys.argv[1:4]
    os.makedirs(work, exist_ok=True)
    rows = []
    for spec in sys.argv[4:]:
        repo, _, n = spec.partition(":")
        git_dir = os.path.join(mirrors, repo.replace("/", "+"), "repo")
        rows += tasks_for(repo, git_dir, int(n or 20))
    with open(out_path, "w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")
            dst = os.path.join(work, r["instance_id"])
            if not os.path.isdir(dst):
                os.makedirs(dst)
                git_dir = os.path.join(mirrors, r["repo"].replace("/", "+"), "repo")
                subprocess.run(f"git --git-dir={git_dir} archive {r['base_commit']} | tar -x -C {dst}",
                               shell=True, check=True)
    with open(os.path.join(work, "instances.txt"), "w") as f:
        f.write("\n".join(r["instance_id"] for r in rows) + "\n")
    print(f"{len(rows)} tasks -> {out_path}")


if __name__ == "__main__":
    main()
