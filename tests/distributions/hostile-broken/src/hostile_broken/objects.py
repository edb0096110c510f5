"""Importing this module is a bug in the doctor: it marks itself in the environment."""

import os

os.environ["HOSTILE_BROKEN_IMPORTED"] = "1"
print("HOSTILE_BROKEN_OBJECTS_IMPORTED")


class Fine:
    pass
