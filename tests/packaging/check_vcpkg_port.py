#!/usr/bin/env python3
"""Checks ports/httpclient without vcpkg, which cannot be installed here.

1. vcpkg.json against the manifest rules in vcpkg-manifest.schema.json (or,
   when VCPKG_SCHEMA is set to a copy of vcpkg's published vcpkg.schema.json
   with its definition files beside it, against that), and its version
   against meson.build's.
2. portfile.cmake: the helpers a Meson port uses, no policy switched off,
   the copyright installed from a LICENSE that exists, the usage file.
3. What the portfile installs, by installing this tree with the same Meson
   options into a temporary prefix and applying vcpkg's post-build rules for
   a header-only package: headers under include/, no lib/ or bin/ (nothing
   to link), no debug/, httpclient.pc in share/pkgconfig without a Libs line
   and without absolute paths, the CMake package files in share/httpclient,
   no empty directory, no file that names the build or install directory.
"""
import argparse
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile


def fail(message):
    print(f"FAIL: {message}")
    sys.exit(1)


def import_jsonschema():
    """jsonschema from this Python, or else from the system's, where .ci's
    installer puts Debian's python3-jsonschema."""
    try:
        import jsonschema
        return jsonschema
    except ImportError:
        system = "/usr/bin/python3"
        if os.path.exists(system) and os.path.realpath(sys.executable) != os.path.realpath(system) \
                and not os.environ.get("HTTPCLIENT_REEXEC"):
            os.environ["HTTPCLIENT_REEXEC"] = "1"
            os.execv(system, [system] + sys.argv)
        fail("Python's jsonschema is not installed (apt-get install python3-jsonschema)")


def check_manifest(port, source_root):
    jsonschema = import_jsonschema()

    manifest = json.loads((port / "vcpkg.json").read_text())
    published = os.environ.get("VCPKG_SCHEMA")
    if published:
        schema_path = pathlib.Path(published)
        schema = json.loads(schema_path.read_text())
        resolver = jsonschema.RefResolver(schema_path.parent.as_uri() + "/", schema)
        jsonschema.validate(manifest, schema, resolver=resolver)
        print(f"vcpkg.json: valid against {schema_path.name}")
    else:
        schema_path = pathlib.Path(__file__).with_name("vcpkg-manifest.schema.json")
        jsonschema.validate(manifest, json.loads(schema_path.read_text()))
        print("vcpkg.json: valid against the manifest rules")
    meson_version = re.search(r"version:\s*'([^']+)'", (source_root / "meson.build").read_text()).group(1)
    if manifest.get("version") != meson_version:
        fail(f"vcpkg.json says version {manifest.get('version')}, meson.build says {meson_version}")
    names = {d if isinstance(d, str) else d["name"] for d in manifest.get("dependencies", [])}
    for needed in ("fmt", "openssl", "vcpkg-tool-meson"):
        if needed not in names:
            fail(f"vcpkg.json does not depend on {needed}")
    host = [d for d in manifest["dependencies"] if isinstance(d, dict) and d["name"] == "vcpkg-tool-meson"]
    if not host or not host[0].get("host"):
        fail("vcpkg-tool-meson must be a host dependency")


def check_portfile(port, source_root):
    text = (port / "portfile.cmake").read_text()
    code = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
    for call in ("vcpkg_configure_meson", "vcpkg_install_meson", "vcpkg_fixup_pkgconfig", "vcpkg_install_copyright"):
        if call + "(" not in code:
            fail(f"portfile.cmake does not call {call}")
    if "VCPKG_POLICY_" in code:
        fail("portfile.cmake switches off a vcpkg policy; a header-only Meson port needs none")
    if "-Dtests=disabled" not in code or "-Dexamples=false" not in code:
        fail("portfile.cmake must not build the tests or the examples")
    if not (source_root / "LICENSE").is_file() or "LICENSE" not in code:
        fail("the copyright must come from the repository's LICENSE")
    if not (port / "usage").is_file() or "httpclient::httpclient" not in (port / "usage").read_text():
        fail("the port needs a usage file naming httpclient::httpclient")
    print("portfile.cmake: Meson helpers, no policies, copyright and usage")


def check_layout(source_root, meson, timeout):
    with tempfile.TemporaryDirectory(prefix="httpclient-vcpkg-") as work:
        work = pathlib.Path(work)
        build, prefix = work / "build", work / "installed"
        options = ["-Dtests=disabled", "-Dbenchmarks=false", "-Dexamples=false", "-Dfuzzing=false",
                   "--buildtype=release", f"--prefix={prefix}", "--libdir=lib", "--datadir=share",
                   "--includedir=include"]
        for cmd in ([meson, "setup", str(build), str(source_root)] + options,
                    [meson, "install", "-C", str(build)]):
            result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
            if result.returncode != 0:
                print(result.stdout[-4000:], result.stderr[-4000:])
                fail(f"{' '.join(cmd[:2])} failed")
        files = sorted(p.relative_to(prefix).as_posix() for p in prefix.rglob("*") if p.is_file())
        print("installed:", *files, sep="\n  ")
        top = {f.split("/")[0] for f in files}
        if top - {"include", "share"}:
            fail(f"a header-only package has only include/ and share/, not {sorted(top - {'include', 'share'})}")
        if not any(f.startswith("include/httpclient/") and f.endswith(".hpp") for f in files):
            fail("no headers under include/httpclient/")
        for needed in ("share/pkgconfig/httpclient.pc", "share/httpclient/httpclientConfig.cmake",
                       "share/httpclient/httpclientConfigVersion.cmake"):
            if needed not in files:
                fail(f"{needed} is not installed")
        pc = (prefix / "share/pkgconfig/httpclient.pc").read_text()
        if re.search(r"^Libs(\.private)?:", pc, re.M):
            fail("httpclient.pc has a Libs line, but there is no library")
        for f in files:
            text = (prefix / f).read_text(errors="replace")
            for path in (str(prefix), str(build), str(source_root)):
                if path in text:
                    fail(f"{f} names {path}: the package would not survive being moved")
        empty = [d.relative_to(prefix).as_posix() for d in prefix.rglob("*") if d.is_dir() and not any(d.iterdir())]
        if empty:
            fail(f"empty directories: {empty}")
        print("layout: fits vcpkg's post-build rules for a header-only port")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source-root", required=True, type=pathlib.Path)
    parser.add_argument("--meson", default=shutil.which("meson") or "meson")
    parser.add_argument("--timeout", type=int, default=240)
    args = parser.parse_args()
    port = args.source_root / "ports" / "httpclient"
    check_manifest(port, args.source_root)
    check_portfile(port, args.source_root)
    check_layout(args.source_root.resolve(), args.meson, args.timeout)
    print("vcpkg port: all checks passed")


if __name__ == "__main__":
    main()
