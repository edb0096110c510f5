"""Static blocks: two Keras layers declared in package metadata only."""

import os

if os.environ.get("STATIC_BLOCKS_CANARY"):
    with open(os.environ["STATIC_BLOCKS_CANARY"], "a") as canary:
        canary.write(f"{__name__}\n")
