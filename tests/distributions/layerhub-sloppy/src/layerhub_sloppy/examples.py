"""Example instances and inputs for the sloppy objects."""

import numpy as np

from . import objects as o


def x():
    return np.arange(8, dtype="float32").reshape(2, 4) / 8


def numpy_scale():
    return o.NumpyScale(3.0), x()


def growing_tags():
    return o.GrowingTags(["a"]), x()


def unregistered():
    return o.Unregistered(), x()


def schema_mismatch():
    return o.SchemaMismatch("4"), x()


def forgetful():
    return o.Forgetful(3.0), x()


def forgets_width():
    return o.ForgetsWidth(5), x()


def forgetful_sgd():
    return o.ForgetfulSGD(step_scale=3.0, learning_rate=0.1), None


def identity_without_input():
    """Wrong: returns the instance alone instead of (instance, example_input)."""
    return o.Identity()
