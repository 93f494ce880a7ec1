"""A camera frame as every part of the scanner passes it: a ``uint8`` array, gray (rows ×
columns) or BGR / BGRA (rows × columns × channels), the way OpenCV reads it."""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

Frame = NDArray[np.uint8]


def to_gray(frame: Frame) -> Frame:
    """Gray, BGR or BGRA in; gray out (every decoder here binarizes a gray image)."""
    if frame.ndim == 2:
        return frame
    if frame.ndim == 3 and frame.shape[2] in (3, 4):
        code = cv2.COLOR_BGR2GRAY if frame.shape[2] == 3 else cv2.COLOR_BGRA2GRAY
        return np.asarray(cv2.cvtColor(frame, code), dtype=np.uint8)
    raise ValueError(f"not a gray, BGR or BGRA image: shape {frame.shape}")
