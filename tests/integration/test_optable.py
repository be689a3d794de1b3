#!/usr/bin/python3
"""test_optable.py - every op table row has its API doc and its CLI command.

Reads src/engine/ops.def (and the ops_*.def it includes), then checks that
docs/api.md (or one of docs/api-*.md) has a section naming the
row's path and each of its methods, and that `ward <cli words> --help` exits 0.
usage: test_optable.py WARD REPO_ROOT
"""
import os
import re
import subprocess
import sys

ROW = re.compile(r'^WARD_OP\(\s*(\w+),\s*"([^"]+)",\s*"([^"]+)",\s*"([^"]+)",\s*\w+,\s*\w+,\s*\w+,'
                 r'\s*\d,\s*"[^"]*",\s*"([^"]+)"\)')


def read_rows(folder, name):
    """The rows of an op table file and of the files it #includes."""
    rows = []
    with open(os.path.join(folder, name)) as f:
        for line in f:
            m = ROW.match(line)
            inc = re.match(r'^#include "([^"]+)"', line)
            if m:
                rows.append(m.groups())
            elif inc:
                rows += read_rows(folder, inc.group(1))
            elif line.startswith("WARD_OP("):
                raise AssertionError("unparsed op row: " + line)
    return rows


def main(ward, root):
    rows = read_rows(os.path.join(root, "src/engine"), "ops.def")
    assert len(rows) >= 10, "op table too small: %d rows" % len(rows)
    api = ""
    for name in sorted(os.listdir(os.path.join(root, "docs"))):
        if re.match(r"api(-[a-z0-9-]+)?\.md$", name):
            with open(os.path.join(root, "docs", name)) as f:
                api += f.read() + "\n"
    missing = []
    for _, name, methods, path, cli in rows:
        heading = re.search(r"^## %s(?![/:])" % re.escape(path), api, re.M)
        if heading is None:
            missing.append("%s: no '## %s' section in docs/api.md" % (name, path))
        for method in methods.split("|"):
            if not re.search(r"\b%s\b[^\n]*/v1/%s(?![/:])" % (method, re.escape(path)), api):
                missing.append("%s: docs/api.md does not show %s /v1/%s" % (name, method, path))
        words = [w for w in cli.split() if not w.startswith("-")]
        res = subprocess.run([ward] + words + ["--help"], capture_output=True, timeout=30)
        if res.returncode != 0:
            missing.append("%s: `ward %s --help` exited %d" % (name, " ".join(words),
                                                                res.returncode))
    assert not missing, "\n".join(missing)
    print("optable: %d rows documented and mapped to the CLI" % len(rows))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
