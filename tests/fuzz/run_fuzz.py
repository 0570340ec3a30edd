#!/usr/bin/env python3
"""Runs one libFuzzer target for a bounded time, starting from the seed
corpus in the source tree but writing new inputs and any crash into a
temporary folder, so the source tree is never modified. Exit status is the
fuzzer's: non-zero on any crash, sanitizer report, leak or timeout."""
import pathlib
import subprocess
import sys
import tempfile

fuzzer, seeds, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3])
dictionary = sys.argv[4] if len(sys.argv) > 4 else None

with tempfile.TemporaryDirectory(prefix="httpclient-fuzz-") as work:
    found = pathlib.Path(work) / "found"
    found.mkdir()
    command = [
        fuzzer,
        str(found),
        seeds,
        f"-max_total_time={seconds}",
        "-timeout=10",
        "-rss_limit_mb=2048",
        "-max_len=4096",
        f"-artifact_prefix={work}/",
        "-print_final_stats=1",
    ]
    if dictionary:
        command.append(f"-dict={dictionary}")
    result = subprocess.run(command)
    if result.returncode != 0:
        for artifact in pathlib.Path(work).glob("*-*"):
            print(f"artifact {artifact.name}: {artifact.read_bytes()[:512]!r}")
    sys.exit(result.returncode)
