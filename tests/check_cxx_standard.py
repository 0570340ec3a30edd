#!/usr/bin/env python3
"""The headers must refuse to compile below C++20 with a message that names
the flag, not with a cascade of template errors. Compiles a file that
includes <httpclient/config.hpp> with -std=c++17 and checks both that it
fails and what it says; then checks that -std=c++20 compiles it."""
import pathlib
import subprocess
import sys
import tempfile

include_dir = sys.argv[1]
compiler = sys.argv[2:]
with tempfile.TemporaryDirectory(prefix="httpclient-std-") as work:
    source = pathlib.Path(work) / "uses_httpclient.cpp"
    source.write_text("#include <httpclient/connection.hpp>\nint main() { return 0; }\n")
    base = compiler + ["-I", include_dir, "-fsyntax-only", str(source)]
    old = subprocess.run(base + ["-std=c++17"], capture_output=True, text=True, timeout=120)
    if old.returncode == 0:
        sys.exit("FAIL: the headers compiled as C++17")
    if "httpclient needs C++20" not in old.stderr:
        sys.exit("FAIL: no clear message under C++17:\n" + old.stderr[:2000])
    first_error = next(line for line in old.stderr.splitlines() if "error" in line)
    if "httpclient needs C++20" not in first_error:
        sys.exit("FAIL: the first error is not ours: " + first_error)
    new = subprocess.run(base + ["-std=c++20"], capture_output=True, text=True, timeout=120)
    if new.returncode != 0:
        sys.exit("FAIL: the headers do not compile as C++20:\n" + new.stderr[:2000])
print("C++17 refused with: " + first_error.strip())
