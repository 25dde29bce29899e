"""Runs the test suite's Python tools without paying for their imports each time.

Importing numpy, h5py and pymilvus takes about a second of CPU, and the integration tests run
these tools hundreds of times. This server imports them once, then runs each tool in a child
forked from itself: the child starts with those modules loaded, runs the script exactly as
`python script args...` would (its own argv, environment, working directory, stdin from
/dev/null, stdout and stderr to the files it is given), and exits with the script's exit code.
A child shares nothing with the next one, so tools stay independent of each other.

Protocol, one JSON document per line. Requests on stdin:
  {"id": 1, "script": "/abs/tool.py", "args": [...], "cwd": "...", "env": {...}, "out": "/tmp/o", "err": "/tmp/e"}
Answers on stdout: {"id": 1, "pid": 1234} once the child runs (so a timeout can kill it), then
{"id": 1, "code": 0} when it has exited (negative: killed by that signal).

Single-threaded on purpose: a child forked while another thread held a lock (stdout's, the import
lock) could hang. Children are reaped when SIGCHLD wakes the loop.
"""

import atexit
import gc
import json
import os
import runpy
import selectors
import signal
import sys
import traceback

# What the tools import; a module missing from this environment is simply not preloaded.
for _module in ("numpy", "h5py", "pymilvus", "faiss"):
    try:
        __import__(_module)
    except ImportError:
        pass


def _exit_code(value):
    if value is None:
        return 0
    if isinstance(value, int):
        return value
    print(value, file=sys.stderr)
    return 1


def _redirect(fd, path, flags):
    opened = os.open(path, flags, 0o600)
    os.dup2(opened, fd)
    os.close(opened)


def _run_child(request):
    """In the forked child: becomes `python script args...`; never returns."""
    code = 1
    try:
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        _redirect(0, os.devnull, os.O_RDONLY)
        _redirect(1, request["out"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        _redirect(2, request["err"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        # New stream objects: the server's own may hold state (buffers, locks) meant for its pipe.
        sys.stdin = open(0, "r", closefd=False)
        sys.stdout = open(1, "w", closefd=False)
        sys.stderr = open(2, "w", buffering=1, closefd=False)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        script = request["script"]
        sys.argv = [script, *request["args"]]
        sys.path[0] = os.path.dirname(os.path.abspath(script))
        try:
            runpy.run_path(script, run_name="__main__")
            code = 0
        except SystemExit as stop:
            code = _exit_code(stop.code)
        except BaseException:  # noqa: BLE001 - reported like an uncaught exception of a script
            traceback.print_exc()
            code = 1
        # What the interpreter does on a normal exit: exit handlers, then objects (open files) freed.
        atexit._run_exitfuncs()
        gc.collect()
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException:  # noqa: BLE001
        try:
            traceback.print_exc()
            sys.stderr.flush()
        except BaseException:  # noqa: BLE001
            pass
    finally:
        os._exit(code)


def _answer(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def main():
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_read, False)
    os.set_blocking(wake_write, False)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    signal.set_wakeup_fd(wake_write)

    selector = selectors.DefaultSelector()
    selector.register(sys.stdin.fileno(), selectors.EVENT_READ, "requests")
    selector.register(wake_read, selectors.EVENT_READ, "children")
    running = {}  # pid -> request id
    pending = b""
    stdin_open = True

    while stdin_open or running:
        for key, _ in selector.select():
            if key.data == "children":
                try:
                    while os.read(wake_read, 512):
                        pass
                except BlockingIOError:
                    pass
                while running:
                    pid, status = os.waitpid(-1, os.WNOHANG)
                    if pid == 0:
                        break
                    request_id = running.pop(pid, None)
                    if request_id is not None:
                        _answer({"id": request_id, "code": os.waitstatus_to_exitcode(status)})
                continue
            chunk = os.read(sys.stdin.fileno(), 65536)
            if not chunk:
                stdin_open = False
                selector.unregister(sys.stdin.fileno())
                continue
            pending += chunk
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                if not line.strip():
                    continue
                request = json.loads(line)
                pid = os.fork()
                if pid == 0:
                    _run_child(request)
                running[pid] = request["id"]
                _answer({"id": request["id"], "pid": pid})


if __name__ == "__main__":
    main()
