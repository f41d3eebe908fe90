"""The interpreter's bit-packed kernels in C (kernels.c), built with the system C compiler at
first use and cached, with numpy fallbacks of identical results.

Why native code: an XNOR-popcount over uint64 words does 64 binary MACs in three instructions,
and vectorised (vpopcntq) eight words at a time. numpy cannot fuse the xor, the popcount and the
sum, so its packed path streams every temporary through memory and ends up no faster than float
BLAS on unpacked -1/+1 values (profiled on the CNV: ~0.3 s per 512 frames for one 3x3 layer
either way, against ~0.02 s here).

The library is cached under ``$XDG_CACHE_HOME/lowbitc/kernels`` keyed by a hash of the source,
the compiler's version, the flags and the CPU's feature flags (it is built with -march=native).
Without a C compiler, or with LOWBITC_NATIVE=0, the numpy paths run instead: same results,
slower.
"""

from __future__ import annotations

import ctypes
import functools
import hashlib
import os
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

SOURCE = Path(__file__).with_name("kernels.c")
FLAGS = ("-O3", "-march=native", "-mprefer-vector-width=512", "-shared", "-fPIC", "-std=c99")
MIN_ROWS_PER_THREAD = 512
"""Below this many rows a second thread costs more than it saves."""

_P, _I = ctypes.c_void_p, ctypes.c_int64


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "lowbitc" / "kernels"


def _cpu_flags() -> str:
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("flags"):
                    return line
    except OSError:
        pass
    import platform

    return platform.processor() or platform.machine()


def _build(cc: str) -> Path | None:
    """Compile kernels.c into the cache (atomically: parallel test workers may race)."""
    # The compiler is identified by its resolved file's path, size and time, not by running
    # `cc --version`: a subprocess on every `lowbitc run` cost 40 ms of a 300 ms cached run.
    exe = shutil.which(cc)
    if exe is None:
        return None
    real = os.path.realpath(exe)
    stat = os.stat(real)
    version = f"{real} {stat.st_size} {stat.st_mtime_ns}"
    source = SOURCE.read_bytes()
    key = hashlib.sha256(
        b"\0".join([source, version.encode(), " ".join(FLAGS).encode(), _cpu_flags().encode()])
    ).hexdigest()[:24]
    lib = cache_dir() / f"kernels-{key}.so"
    if lib.exists():
        return lib
    try:
        lib.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=lib.parent, suffix=".so.tmp")
        os.close(fd)
        proc = subprocess.run([cc, *FLAGS, str(SOURCE), "-o", tmp], capture_output=True, text=True, timeout=120)
        if proc.returncode != 0:
            Path(tmp).unlink(missing_ok=True)
            return None
        os.replace(tmp, lib)
    except (OSError, subprocess.SubprocessError):
        return None
    return lib


@functools.cache
def library() -> ctypes.CDLL | None:
    """The compiled kernels, or None when they cannot be built here (or LOWBITC_NATIVE=0)."""
    if os.environ.get("LOWBITC_NATIVE", "1") == "0":
        return None
    path = _build(os.environ.get("CC", "cc"))
    if path is None:
        return None
    lib = ctypes.CDLL(str(path))
    lib.lb_xnor_popcount.argtypes = [_P, _P, _I, _I, _I, _I, _P, _P]
    lib.lb_xnor_threshold_pack.argtypes = [_P, _P, _I, _I, _I, _I, _P, _P, _P]
    lib.lb_and_popcount.argtypes = [_P, _P, _I, _I, _I, _P, _P]
    lib.lb_int32_threshold_pack.argtypes = lib.lb_int16_threshold_pack.argtypes = [_P, _P, _I, _I, _I, _P, _P, _P]
    for fn in (
        lib.lb_xnor_popcount,
        lib.lb_xnor_threshold_pack,
        lib.lb_and_popcount,
        lib.lb_int32_threshold_pack,
        lib.lb_int16_threshold_pack,
    ):
        fn.restype = None
    return lib


def threads() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


@functools.lru_cache(maxsize=1)
def _pool(n: int) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(n, thread_name_prefix="lowbitc-kernel")


def _over_rows(call, rows: int, channels: int) -> None:
    """Run ``call(row0, row1, scratch)`` over row ranges, one per thread."""
    n = min(threads(), max(1, rows // MIN_ROWS_PER_THREAD))
    bounds = [rows * i // n for i in range(n + 1)]
    scratch = [np.empty(max(channels, 1), np.uint64) for _ in range(n)]
    if n == 1:
        call(0, rows, scratch[0])
        return
    futures = [_pool(n).submit(call, bounds[i], bounds[i + 1], scratch[i]) for i in range(n)]
    for f in futures:
        f.result()


def _rows(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.uint64)


def _transposed(w_words: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(w_words, dtype=np.uint64).T)


def _count_matrix(kernel: str, x_words: np.ndarray, w_words: np.ndarray, *scalars: int) -> np.ndarray | None:
    """Run a kernel writing an int32 [M, C] matrix of packed rows x [M, W] against w [C, W];
    returned as int64, the interpreter's integer representation. None without the library."""
    lib = library()
    if lib is None:
        return None
    x, wt = _rows(x_words), _transposed(w_words)
    (m, words), c = x.shape, wt.shape[1]
    out = np.empty((m, c), np.int32)
    fn = getattr(lib, kernel)

    def call(r0, r1, acc):
        fn(x[r0:].ctypes.data, wt.ctypes.data, r1 - r0, words, c, *scalars, out[r0:].ctypes.data, acc.ctypes.data)

    _over_rows(call, m, c)
    return out.astype(np.int64)


def xnor_popcount(x_words: np.ndarray, w_words: np.ndarray, k: int) -> np.ndarray | None:
    """Agreements [M, C] (int64) of packed rows x [M, W] and w [C, W]; None without the library."""
    return _count_matrix("lb_xnor_popcount", x_words, w_words, k)


def and_popcount(x_words: np.ndarray, w_words: np.ndarray) -> np.ndarray | None:
    """popcount(x[m] & w[c]) [M, C] (int64) of packed rows; None without the library."""
    return _count_matrix("lb_and_popcount", x_words, w_words)


def xnor_threshold_pack(x_words: np.ndarray, w_words: np.ndarray, k: int, thresholds: np.ndarray) -> np.ndarray | None:
    """Packed bits [M, ceil(C/64)]: agreements of x[m] and w[c] >= thresholds[c]."""
    lib = library()
    if lib is None:
        return None
    x, wt = _rows(x_words), _transposed(w_words)
    (m, words), c = x.shape, wt.shape[1]
    t = np.ascontiguousarray(thresholds, dtype=np.int64)
    out = np.empty((m, -(-c // 64)), np.uint64)

    def call(r0, r1, acc):
        lib.lb_xnor_threshold_pack(
            x[r0:].ctypes.data,
            wt.ctypes.data,
            r1 - r0,
            words,
            c,
            k,
            t.ctypes.data,
            out[r0:].ctypes.data,
            acc.ctypes.data,
        )

    _over_rows(call, m, c)
    return out


INT_WIDTHS = ((1 << 15, np.int16, "lb_int16_threshold_pack"), (1 << 31, np.int32, "lb_int32_threshold_pack"))
"""(exclusive bound on |sum| and thresholds, dtype, kernel), narrowest first."""


def int_threshold_pack(x: np.ndarray, w: np.ndarray, thresholds: np.ndarray, bound: int) -> np.ndarray | None:
    """Packed bits [M, ceil(C/64)]: (x @ w.T)[m, c] >= thresholds[c] for integers x [M, K] and
    w [C, K] whose products sum to at most ``bound`` in magnitude; None without the library or
    when int32 could overflow."""
    lib = library()
    fitting = [(dtype, kernel) for limit, dtype, kernel in INT_WIDTHS if bound + 1 < limit]
    if lib is None or not fitting:
        return None
    dtype, kernel = fitting[0]
    xi = np.ascontiguousarray(x, dtype=dtype)
    wt = np.ascontiguousarray(np.asarray(w).T, dtype=dtype)
    (m, k), c = xi.shape, wt.shape[1]
    t = np.ascontiguousarray(np.clip(thresholds, -bound - 1, bound + 1), dtype=dtype)
    out = np.empty((m, -(-c // 64)), np.uint64)
    fn = getattr(lib, kernel)

    def call(r0, r1, acc):
        fn(xi[r0:].ctypes.data, wt.ctypes.data, r1 - r0, k, c, t.ctypes.data, out[r0:].ctypes.data, acc.ctypes.data)

    _over_rows(call, m, c)
    return out
