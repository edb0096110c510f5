"""Example instances and inputs for the conformance checks."""

import numpy as np

from . import objects as o

RNG = np.random.default_rng(3)


def gated_sum():
    a, b = RNG.random((2, 3, 5), dtype=np.float32)
    return o.GatedSum(), [a, b]


def token_mean():
    return o.TokenMean(20, 4), RNG.integers(0, 20, size=(3, 6)).astype("int32")


def running_center():
    return o.RunningCenter(0.8, axes=[0]), RNG.random((4, 3), dtype=np.float32)


def dropout_dense():
    return o.DropoutDense(3, rate=0.25), RNG.random((4, 5), dtype=np.float32)
