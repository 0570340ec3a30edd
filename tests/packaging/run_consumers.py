#!/usr/bin/env python3
"""Build a consumer of httpclient the way a user would, and run it.

    run_consumers.py --route ROUTE --source-root DIR --version X.Y.Z
                     [--meson MESON] [--cxx-word WORD ...]

ROUTE is one of copy-include, meson-subproject, cmake, pkg-config, or all.
Each route builds tests/packaging/consumers/fetch.cpp in a fresh temporary
directory, outside the source tree:

  copy-include      include/ copied into the consumer, compiled with
                    -std=c++20 -I<copy>, fmt's and OpenSSL's pkg-config flags
                    and nothing else.
  meson-subproject  a tarball of the source tree's files (committed or not,
                    ignored ones left out) in subprojects/packagecache/, a
                    [wrap-file] httpclient.wrap naming it, and
                    dependency('httpclient') with --wrap-mode=nodownload; the
                    subproject must define no target and no test.
  cmake             meson install into a prefix, the prefix moved elsewhere,
                    then find_package(httpclient CONFIG REQUIRED) with
                    CMAKE_PREFIX_PATH set to where it now is.
  pkg-config        the same moved prefix, with pkg-config --cflags --libs
                    httpclient.

Then it serves a known file with python3 -m http.server on an ephemeral
127.0.0.1 port and runs the consumer, which GETs the file with
httpclient::http_connection and exits non-zero unless the body matches.

Every command is printed before it runs and has a timeout; the server and
the temporary directory are removed however the route ends. Exit status:
0 passed, 1 failed, 77 (meson's SKIP) when a tool the route needs is
missing.
"""

import argparse
import hashlib
import json
import os
import pathlib
import shlex
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time

SKIP = 77
HERE = pathlib.Path(__file__).resolve().parent
CONSUMERS = HERE / 'consumers'
ROUTES = ('copy-include', 'meson-subproject', 'cmake', 'pkg-config')

# Seconds each kind of step may take on a slow two-core machine.
SETUP_TIMEOUT = 120
BUILD_TIMEOUT = 240
QUICK_TIMEOUT = 30


class RouteFailed(Exception):
    pass


class RouteSkipped(Exception):
    pass


# Process groups of the commands running now, so that a SIGTERM from
# meson test's timeout can end them (each runs in its own session, to be
# killed whole, compiler children included, on our own timeouts).
_running_groups = set()


def _on_sigterm(signum, frame):
    for pgid in list(_running_groups):
        try:
            os.killpg(pgid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    # Unwinds through the finally blocks that stop the server and remove
    # the temporary directory.
    raise SystemExit(128 + signum)


def say(text=''):
    print(text, flush=True)


def run(cmd, *, cwd=None, env=None, timeout):
    """Run cmd, print it and its output, and return the output.

    env holds variables to set on top of this process's environment."""
    cmd = [str(c) for c in cmd]
    shown = ' '.join(f'{k}={shlex.quote(str(v))}' for k, v in (env or {}).items())
    where = f'(in {cwd}) ' if cwd else ''
    say(f'$ {where}{shown + " " if shown else ""}{shlex.join(cmd)}')
    full_env = dict(os.environ)
    full_env.update({k: str(v) for k, v in (env or {}).items()})
    started = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=cwd, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, text=True, errors='replace', start_new_session=True)
    _running_groups.add(proc.pid)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        _print_output(out)
        raise RouteFailed(f'timed out after {timeout} s: {shlex.join(cmd)}')
    except BaseException:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
        raise
    finally:
        _running_groups.discard(proc.pid)
    _print_output(out)
    say(f'  [exit {proc.returncode}, {time.monotonic() - started:.1f} s]')
    if proc.returncode != 0:
        raise RouteFailed(f'exit status {proc.returncode}: {shlex.join(cmd)}')
    return out


def _print_output(out):
    for line in out.splitlines():
        say(f'  | {line}')


def require_tool(name, env_var=None):
    path = shutil.which(os.environ.get(env_var, name) if env_var else name)
    if not path:
        raise RouteSkipped(f'{name} is not installed')
    return path


class Context:
    def __init__(self, args, workdir):
        self.source_root = pathlib.Path(args.source_root).resolve()
        self.version = args.version
        self.meson = [args.meson] if args.meson else [sys.executable, '-m', 'mesonbuild.mesonmain']
        self.cxx = args.cxx_word or shlex.split(os.environ.get('CXX', 'c++'))
        self.workdir = workdir
        # Each consumer project refers to ../fetch.cpp, so all of them are
        # copied together, away from the source tree they must not write in.
        self.consumers = workdir / 'consumers'
        shutil.copytree(CONSUMERS, self.consumers,
                        ignore=shutil.ignore_patterns('build*', 'subprojects', '__pycache__'))
        self.fetch_source = self.consumers / 'fetch.cpp'

    def compiler_env(self):
        """CXX for meson and CMake: this build's compiler."""
        return {'CXX': shlex.join(self.cxx)}

    def cmake_compiler_args(self):
        words = list(self.cxx)
        args = []
        if pathlib.Path(words[0]).name in ('ccache', 'sccache') and len(words) > 1:
            args.append(f'-DCMAKE_CXX_COMPILER_LAUNCHER={words.pop(0)}')
        args.append(f'-DCMAKE_CXX_COMPILER={words[0]}')
        if len(words) > 1:
            args.append(f'-DCMAKE_CXX_FLAGS={shlex.join(words[1:])}')
        return args


# ---------------------------------------------------------------- the routes

def route_copy_include(ctx):
    pkg_config = require_tool('pkg-config', 'PKG_CONFIG')
    project = ctx.workdir / 'copy-include'
    vendored = project / 'third_party' / 'httpclient' / 'include'
    say(f'copying {ctx.source_root / "include"} to {vendored}')
    shutil.copytree(ctx.source_root / 'include', vendored)

    deps = shlex.split(run([pkg_config, '--cflags', '--libs', 'fmt', 'openssl'], timeout=QUICK_TIMEOUT))
    exe = project / 'fetch'
    run(ctx.cxx + ['-std=c++20', f'-I{vendored}', f'-DCONSUMER_EXPECTED_VERSION="{ctx.version}"',
                   ctx.fetch_source, '-o', exe] + deps,
        timeout=BUILD_TIMEOUT)
    return exe


def route_meson_subproject(ctx):
    project = ctx.consumers / 'meson_subproject'
    subprojects = project / 'subprojects'
    cache = subprojects / 'packagecache'
    cache.mkdir(parents=True)

    directory = f'httpclient-{ctx.version}'
    tarball = source_tarball(ctx, ctx.workdir / 'dist', directory)
    shutil.copy2(tarball, cache / tarball.name)
    digest = hashlib.sha256(tarball.read_bytes()).hexdigest()
    wrap = (f'[wrap-file]\n'
            f'directory = {directory}\n'
            f'source_url = {tarball.as_uri()}\n'
            f'source_filename = {tarball.name}\n'
            f'source_hash = {digest}\n'
            f'\n'
            f'[provide]\n'
            f'dependency_names = httpclient\n')
    (subprojects / 'httpclient.wrap').write_text(wrap)
    say(f'{subprojects / "httpclient.wrap"}:')
    _print_output(wrap)

    build = project / 'build'
    # --force-fallback-for: the tarball even if an httpclient is installed here.
    run(ctx.meson + ['setup', build, project, '--wrap-mode=nodownload', '--force-fallback-for=httpclient'],
        env=ctx.compiler_env(), timeout=SETUP_TIMEOUT)

    info = build / 'meson-info'
    projectinfo = json.loads((info / 'intro-projectinfo.json').read_text())
    used = {p['name']: p.get('version') for p in projectinfo.get('subprojects', [])}
    if used.get('httpclient') != ctx.version:
        raise RouteFailed(f'expected subproject httpclient {ctx.version}, meson used: {used}')
    theirs = [t['name'] for t in json.loads((info / 'intro-targets.json').read_text())
              if t.get('subproject') == 'httpclient']
    if theirs:
        raise RouteFailed(f'httpclient as a subproject defined targets of its own: {theirs}')
    tests = [t['name'] for t in json.loads((info / 'intro-tests.json').read_text())]
    if tests:
        raise RouteFailed(f'httpclient as a subproject defined tests: {tests}')
    say('httpclient came from the wrap, and defined no target and no test')

    run(ctx.meson + ['compile', '-C', build], timeout=BUILD_TIMEOUT)
    return build / 'fetch'


def route_cmake(ctx):
    cmake = require_tool('cmake')
    prefix = installed_prefix(ctx)
    project = ctx.consumers / 'cmake'
    build = ctx.workdir / 'cmake-build'
    generator = ['-G', 'Ninja'] if shutil.which('ninja') else []
    run([cmake, '-S', project, '-B', build, *generator, f'-DCMAKE_PREFIX_PATH={prefix}',
         f'-DEXPECTED_VERSION={ctx.version}', *ctx.cmake_compiler_args()],
        timeout=SETUP_TIMEOUT)

    # find_package() must have taken the moved tree, not some other copy.
    cache = (build / 'CMakeCache.txt').read_text()
    found = [line.split('=', 1)[1] for line in cache.splitlines() if line.startswith('httpclient_DIR:')]
    expected = prefix / 'share' / 'httpclient'
    if not found or pathlib.Path(found[0]).resolve() != expected.resolve():
        raise RouteFailed(f'find_package found httpclient in {found}, not in {expected}')

    run([cmake, '--build', build, '--verbose'], timeout=BUILD_TIMEOUT)
    return build / 'fetch'


def route_pkg_config(ctx):
    pkg_config = require_tool('pkg-config', 'PKG_CONFIG')
    prefix = installed_prefix(ctx)
    env = {'PKG_CONFIG_PATH': prefix / 'share' / 'pkgconfig'}
    found = run([pkg_config, '--modversion', 'httpclient'], env=env, timeout=QUICK_TIMEOUT).strip()
    if found != ctx.version:
        raise RouteFailed(f'pkg-config found httpclient {found}, expected {ctx.version}')
    flags = shlex.split(run([pkg_config, '--cflags', '--libs', 'httpclient'], env=env, timeout=QUICK_TIMEOUT))

    includes = [pathlib.Path(f[2:]).resolve() for f in flags if f.startswith('-I')]
    if (prefix / 'include').resolve() not in includes:
        raise RouteFailed(f'pkg-config --cflags does not point into the moved prefix {prefix}: {flags}')

    exe = ctx.workdir / 'pkg-config-fetch'
    run(ctx.cxx + ['-std=c++20', f'-DCONSUMER_EXPECTED_VERSION="{found}"', ctx.fetch_source, '-o', exe] + flags,
        timeout=BUILD_TIMEOUT)
    return exe


# ----------------------------------------------------------- shared pieces

def source_files(root):
    """The files of the source tree as a user's checkout or release has
    them: what git tracks or would track (uncommitted work included,
    ignored files left out); without git, everything but .git and build
    directories."""
    if shutil.which('git') and (root / '.git').exists():
        out = subprocess.run(['git', '-C', str(root), 'ls-files', '-z', '--cached', '--others',
                              '--exclude-standard'],
                             capture_output=True, check=True, timeout=QUICK_TIMEOUT).stdout
        names = sorted({n for n in out.decode().split('\0') if n})
        # Deleted but not yet committed: gone from the tree, gone from the tarball.
        return [n for n in names if (root / n).is_file() or (root / n).is_symlink()]
    files = []
    for dirpath, dirnames, filenames in os.walk(root):
        here = pathlib.Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames
                             if d != '.git' and not (here / d / 'meson-private').is_dir())
        files += [str((here / f).relative_to(root)) for f in sorted(filenames)]
    return files


def source_tarball(ctx, outdir, directory):
    outdir.mkdir(parents=True, exist_ok=True)
    tarball = outdir / f'{directory}.tar.gz'
    names = source_files(ctx.source_root)
    say(f'packing {len(names)} files of {ctx.source_root} into {tarball}, under {directory}/')
    with tarfile.open(tarball, 'w:gz') as tar:
        for name in names:
            tar.add(ctx.source_root / name, arcname=f'{directory}/{name}', recursive=False)
    return tarball


def installed_prefix(ctx):
    """meson install of the source tree into a prefix, checked, then moved
    to a directory of another depth: the returned path is where it is now."""
    build = ctx.workdir / 'install-build'
    prefix = ctx.workdir / 'stage' / 'prefix'
    run(ctx.meson + ['setup', build, ctx.source_root, f'--prefix={prefix}',
                     '-Dtests=disabled', '-Dexamples=false', '-Dbenchmarks=false', '-Dfuzzing=false'],
        env=ctx.compiler_env(), timeout=SETUP_TIMEOUT)
    run(ctx.meson + ['install', '-C', build, '--quiet'], timeout=SETUP_TIMEOUT)

    installed = sorted(str(p.relative_to(prefix)) for p in prefix.rglob('*') if not p.is_dir())
    say(f'installed into {prefix}:')
    _print_output('\n'.join(installed))
    headers = ctx.source_root / 'include'
    expected = sorted([str(p.relative_to(ctx.source_root)) for p in headers.rglob('*') if not p.is_dir()] +
                      ['share/httpclient/httpclientConfig.cmake',
                       'share/httpclient/httpclientConfigVersion.cmake',
                       'share/pkgconfig/httpclient.pc'])
    if installed != expected:
        missing = sorted(set(expected) - set(installed))
        extra = sorted(set(installed) - set(expected))
        raise RouteFailed(f'unexpected installed layout: missing {missing}, not expected {extra}')

    moved = ctx.workdir / 'elsewhere' / 'deeper' / 'prefix'
    moved.parent.mkdir(parents=True)
    say(f'moving {prefix} to {moved}')
    shutil.move(str(prefix), str(moved))
    # The installed tree must stand alone: no path into where it was
    # installed, into the build directory (removed) or into the sources.
    shutil.rmtree(build)
    for path in moved.rglob('*'):
        if not path.is_file():
            continue
        data = path.read_bytes()
        for origin in (prefix, build, ctx.source_root):
            if str(origin).encode() in data:
                raise RouteFailed(f'{path} names {origin}: the installed tree is not relocatable')
    return moved


class HttpServer:
    """python3 -m http.server on an ephemeral port of 127.0.0.1."""

    def __init__(self, directory, log):
        self.directory = directory
        self.log = log
        self.proc = None
        self.port = None

    def __enter__(self):
        cmd = [sys.executable, '-u', '-m', 'http.server', '0', '--bind', '127.0.0.1',
               '--directory', str(self.directory)]
        say(f'$ {shlex.join(cmd)} &')
        with open(self.log, 'w') as log:
            # In our process group: if meson test kills the group, this goes too.
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + QUICK_TIMEOUT
        while self.port is None:
            # "Serving HTTP on 127.0.0.1 port 41234 (...)": printed once listening.
            for line in self.log.read_text().splitlines():
                words = line.split()
                if line.startswith('Serving HTTP') and 'port' in words:
                    self.port = int(words[words.index('port') + 1])
            if self.port is None:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.__exit__(None, None, None)
                    raise RouteFailed(f'http.server did not start: {self.log.read_text()!r}')
                time.sleep(0.05)
        say(f'  serving {self.directory} on 127.0.0.1:{self.port}')
        return self

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.log.exists():
            say('http.server log:')
            _print_output(self.log.read_text())
        return False


BUILDERS = {
    'copy-include': route_copy_include,
    'meson-subproject': route_meson_subproject,
    'cmake': route_cmake,
    'pkg-config': route_pkg_config,
}


def run_route(args, route):
    """One route in its own temporary directory; returns 0, 1 or SKIP."""
    started = time.monotonic()
    workdir = pathlib.Path(tempfile.mkdtemp(prefix=f'httpclient-packaging-{route}-'))
    say(f'== {route}: in {workdir}')
    try:
        ctx = Context(args, workdir)
        exe = BUILDERS[route](ctx)

        site = workdir / 'site'
        (site / 'files').mkdir(parents=True)
        # Large enough to take several reads; the random part proves the
        # body came from this run's file.
        token = os.urandom(16).hex()
        body = ''.join(f'{i:05d} httpclient packaging test {route} {token}\n' for i in range(2000))
        page = site / 'files' / 'payload.txt'
        page.write_text(body)
        with HttpServer(site, workdir / 'http-server.log') as server:
            run([exe, server.port, '/files/payload.txt', page], timeout=QUICK_TIMEOUT)
        say(f'== {route}: passed in {time.monotonic() - started:.1f} s')
        return 0
    except RouteSkipped as e:
        say(f'== {route}: skipped: {e}')
        return SKIP
    except RouteFailed as e:
        say(f'== {route}: FAILED after {time.monotonic() - started:.1f} s: {e}')
        return 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        if workdir.exists():
            say(f'warning: could not remove {workdir}')


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--route', choices=ROUTES + ('all',), default='all')
    parser.add_argument('--source-root', default=str(HERE.parent.parent))
    parser.add_argument('--version', required=True, help="httpclient's version, as meson.build says")
    parser.add_argument('--meson', help='the meson command (default: this python with mesonbuild)')
    parser.add_argument('--cxx-word', action='append', default=[],
                        help='one word of the C++ compiler command, repeated (default: $CXX or c++)')
    args = parser.parse_args()

    signal.signal(signal.SIGTERM, _on_sigterm)
    routes = ROUTES if args.route == 'all' else (args.route,)
    results = {route: run_route(args, route) for route in routes}
    if len(results) > 1:
        say(' '.join(f'{r}: {"passed" if s == 0 else "skipped" if s == SKIP else "FAILED"}'
                     for r, s in results.items()))
    if any(s not in (0, SKIP) for s in results.values()):
        return 1
    return SKIP if all(s == SKIP for s in results.values()) else 0


if __name__ == '__main__':
    sys.exit(main())
