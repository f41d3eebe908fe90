"""What the commands read and write: input frames, outputs written all or nothing, and the one
line a successful command prints about what it wrote (warnings go to stderr)."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import numpy as np

from lowbitc.errors import LowbitcError


def write_atomic(path: str, data: bytes | str) -> None:
    """Write to a temporary file beside ``path`` and rename: all or nothing."""
    target = Path(path)
    if target.is_dir():
        raise LowbitcError(f"{path}: is a directory; give an output file name")
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise LowbitcError(f"{path}: folder {parent} does not exist")
    fd, tmp = tempfile.mkstemp(dir=parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        # mkstemp makes the file private (0600); outputs get the usual umask permissions.
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode() if isinstance(data, str) else data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def tell(message: str) -> None:
    """The one line a successful command prints about what it wrote, on stdout."""
    sys.stdout.write(f"lowbitc: {message}\n")


def warn(message: str) -> None:
    """A warning that does not stop the command, on stderr."""
    print(f"lowbitc: warning: {message}", file=sys.stderr)


def save_npy(path: str, array: np.ndarray) -> None:
    import io

    buf = io.BytesIO()
    np.save(buf, array)
    write_atomic(path, buf.getvalue())


def load_frames(path: str, model: str, frame_shape: tuple[int, ...]) -> np.ndarray:
    try:
        x = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise LowbitcError(f"{path}: no such file; give an .npy file of input frames") from None
    except (ValueError, OSError) as exc:
        raise LowbitcError(f"{path}: not a readable .npy array ({exc}); save inputs with numpy.save") from None
    if x.dtype.kind not in "fiu":
        raise LowbitcError(f"{path}: dtype {x.dtype} is not numeric; save float32 frames")
    if tuple(x.shape[1:]) != frame_shape:
        raise LowbitcError(
            f"{path}: shape {list(x.shape)} does not hold frames of {model}'s input shape; "
            f"expected [N, {', '.join(map(str, frame_shape))}]"
        )
    if x.shape[0] == 0:
        raise LowbitcError(f"{path}: holds no frames")
    return x.astype(np.float32)


def frame_shape(module) -> tuple[int, ...]:
    from lowbitc.backends.runtime.interpreter import entry_function

    return tuple(entry_function(module).function_type.inputs.data[0].get_shape())


def output_array(result: np.ndarray) -> np.ndarray:
    return result if result.dtype == np.int64 else result.astype(np.float32)
