"""The interpreter's C kernels against plain numpy, and the whole interpreter with and without
them: the native path must change speed only, never a bit."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
from support.cli import MODELS

from lowbitc.backends.runtime.interpreter import native
from lowbitc.backends.runtime.interpreter.values import pack_bits

ROOT = MODELS.parent.parent  # the checkout, so `-m lowbitc.cli` runs this tree


def test_the_kernels_build_on_this_machine() -> None:
    # CI machines have a C compiler (Verilator needs one): the fast path must really be used.
    assert native.library() is not None


def packed(rng: np.random.Generator, rows: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    bits = rng.integers(0, 2, size=(rows, k)).astype(bool)
    return bits, pack_bits(bits)


@pytest.mark.parametrize("k", [1, 7, 63, 64, 65, 576, 1000])
@pytest.mark.parametrize("rows", [1, 3, 2049])  # 2049 rows split across threads unevenly
@pytest.mark.parametrize("channels", [1, 10, 64, 130])
def test_xnor_and_and_popcounts_match_numpy(k: int, rows: int, channels: int) -> None:
    rng = np.random.default_rng(k * 1000 + rows + channels)
    xb, xw = packed(rng, rows, k)
    wb, ww = packed(rng, channels, k)
    agree = (xb[:, None, :] == wb[None, :, :]).sum(-1)
    both = (xb[:, None, :] & wb[None, :, :]).sum(-1)
    np.testing.assert_array_equal(native.xnor_popcount(xw, ww, k), agree)
    np.testing.assert_array_equal(native.and_popcount(xw, ww), both)
    t = rng.integers(-1, k + 2, size=channels)
    expected = pack_bits(agree >= t[None, :])
    np.testing.assert_array_equal(native.xnor_threshold_pack(xw, ww, k, t), expected)


@pytest.mark.parametrize("k", [1, 27, 300])
@pytest.mark.parametrize("rows", [1, 2049])
@pytest.mark.parametrize("channels", [1, 64, 130])
@pytest.mark.parametrize("w_max", [1, 127])  # int16 (255 x 1 x K < 2^15 up to K = 128) and int32 kernels
def test_integer_threshold_pack_matches_numpy(k: int, rows: int, channels: int, w_max: int) -> None:
    rng = np.random.default_rng(k + rows + channels)
    x = rng.integers(-255, 256, size=(rows, k))
    w = rng.integers(-w_max, w_max + 1, size=(channels, k))
    acc = x @ w.T
    bound = 255 * w_max * k
    # thresholds inside, at and far outside the reachable range (the kernel clips them)
    t = np.concatenate([rng.integers(-bound, bound + 1, size=channels - 1), [-(1 << 40) if channels % 2 else 1 << 40]])
    np.testing.assert_array_equal(native.int_threshold_pack(x, w, t, bound), pack_bits(acc >= t[None, :]))


def test_integer_threshold_pack_declines_what_int32_could_overflow() -> None:
    x, w = np.ones((2, 3), np.int64), np.ones((4, 3), np.int64)
    assert native.int_threshold_pack(x, w, np.zeros(4, np.int64), (1 << 31) - 1) is None  # the numpy path takes it


def run_cnv(env_native: str, tmp_path, name: str) -> np.ndarray:
    out = tmp_path / f"{name}.npy"
    env = dict(os.environ, LOWBITC_NATIVE=env_native)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "lowbitc.cli",
            "run",
            str(MODELS / "bnnpynq_cnv_1w1a_ts.onnx"),
            "-i",
            str(MODELS / "bnnpynq_cnv_1w1a_in.npy"),
            "-o",
            str(out),
        ],
        check=True,
        env=env,
        cwd=ROOT,
    )
    return np.load(out)


def test_the_interpreter_gives_the_same_bits_with_and_without_native_kernels(tmp_path) -> None:
    with_native, without = run_cnv("1", tmp_path, "native"), run_cnv("0", tmp_path, "numpy")
    np.testing.assert_array_equal(with_native, without)  # the corpus tests check these outputs are right
