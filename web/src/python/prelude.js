// Python run once in each fresh interpreter, before the learner's program:
// the few places where Pyodide's CPython differs visibly from CPython on
// Linux and the socket backend alone cannot close the gap. Kept as a string
// so that the worker bundle needs no loader for .py files.
//
// Frames from this file are named <sockgate> and left out of tracebacks,
// so a KeyboardInterrupt in time.sleep() looks as it does under CPython.

export const PRELUDE_FILENAME = '<sockgate>';

export const PRELUDE = String.raw`
import asyncio
import asyncio.runners
import builtins
import os
import socket
import sys
import threading
import time
import traceback
import warnings
import _socket
import _thread

import _sockgate

os.environ.setdefault("NO_COLOR", "1")

# Socket options and flags that Emscripten's build leaves out, with the
# values Linux gives them. setsockopt() accepts them all, and getsockopt()
# reads integer options back (web/src/python/sockfs.js keeps them).
for _name, _value in (
    ("SO_DEBUG", 1), ("SO_REUSEADDR", 2), ("SO_TYPE", 3), ("SO_ERROR", 4),
    ("SO_DONTROUTE", 5), ("SO_BROADCAST", 6), ("SO_SNDBUF", 7), ("SO_RCVBUF", 8),
    ("SO_KEEPALIVE", 9), ("SO_OOBINLINE", 10), ("SO_LINGER", 13), ("SO_REUSEPORT", 15),
    ("SO_RCVLOWAT", 18), ("SO_SNDLOWAT", 19), ("SO_RCVTIMEO", 20), ("SO_SNDTIMEO", 21),
    ("TCP_NODELAY", 1), ("TCP_MAXSEG", 2), ("TCP_KEEPIDLE", 4), ("TCP_KEEPINTVL", 5),
    ("TCP_KEEPCNT", 6), ("IP_TTL", 2), ("IP_MULTICAST_TTL", 33), ("IP_MULTICAST_LOOP", 34),
    ("MSG_OOB", 1), ("MSG_PEEK", 2), ("MSG_DONTROUTE", 4), ("MSG_WAITALL", 256),
    ("MSG_DONTWAIT", 64), ("MSG_NOSIGNAL", 16384),
):
    if not hasattr(_socket, _name):
        setattr(_socket, _name, _value)
    if not hasattr(socket, _name):
        setattr(socket, _name, _value)
        socket.__all__.append(_name)


_setsockopt = socket.socket.setsockopt


def setsockopt(self, level, optname, value, *optlen):
    _setsockopt(self, level, optname, value, *optlen)
    if isinstance(value, int) and not optlen:
        _sockgate.set_option(self.fileno(), level, optname, value)


setsockopt.__doc__ = _setsockopt.__doc__
socket.socket.setsockopt = setsockopt


def sleep(secs):
    """Sleeps without spinning; Stop interrupts it with KeyboardInterrupt."""
    if not isinstance(secs, (int, float)):
        raise TypeError(f"'{type(secs).__name__}' object cannot be interpreted as an integer")
    if secs != secs:
        raise ValueError("Invalid value NaN (not a number)")
    if secs < 0:
        raise ValueError("sleep length must be non-negative")
    if not _sockgate.sleep(secs * 1000.0):
        raise KeyboardInterrupt


sleep.__doc__ = time.sleep.__doc__
time.sleep = sleep

# Pyodide runs asyncio on the browser's event loop, which cannot block. Here
# blocking is what sockets do, so asyncio gets CPython's own selector event
# loop and asyncio.run() back: start_server and open_connection then work
# over these sockets as on Linux.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    asyncio.set_event_loop_policy(asyncio.DefaultEventLoopPolicy())
asyncio.run = asyncio.runners.run
# Pyodide marks its browser loop as always running; nothing runs it here.
asyncio.events._set_running_loop(None)

_NO_THREADS = (
    "threads are not available here: this Python runs in one Web Worker of "
    "the page. To serve several clients at once, use selectors or asyncio "
    "(see the chat server and asyncio examples)."
)


def _no_thread_start(self, *args, **kwargs):
    raise RuntimeError(_NO_THREADS)


def _no_new_thread(*args, **kwargs):
    raise RuntimeError(_NO_THREADS)


threading.Thread.start = _no_thread_start
_thread.start_new_thread = _no_new_thread
_thread.start_new = _no_new_thread


def _without_prelude_frames(tb):
    """The traceback without this file's frames."""
    frames = []
    while tb is not None:
        if tb.tb_frame.f_code.co_filename != "<sockgate>":
            frames.append(tb)
        tb = tb.tb_next
    return frames


def _print_exception(exc):
    kept = _without_prelude_frames(exc.__traceback__)
    # Relink what is kept: tb_next is writable since Python 3.7.
    for a, b in zip(kept, kept[1:]):
        a.tb_next = b
    if kept:
        kept[-1].tb_next = None
    exc.__traceback__ = kept[0] if kept else None
    traceback.print_exception(type(exc), exc, exc.__traceback__)


def _run_main(source, filename, argv):
    """Runs a program as python3 FILENAME ARGV would; returns the exit status."""
    sys.argv = [filename, *argv]
    namespace = {"__name__": "__main__", "__file__": filename, "__builtins__": builtins}
    status = 0
    try:
        code = compile(source, filename, "exec")
        exec(code, namespace)
    except SystemExit as e:
        if e.code is None:
            status = 0
        elif isinstance(e.code, int):
            status = e.code & 0xFF
        else:
            print(e.code, file=sys.stderr)
            status = 1
    except KeyboardInterrupt as e:
        _print_exception(e)
        status = 130
    except BaseException as e:
        _print_exception(e)
        status = 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
    return status
`;
