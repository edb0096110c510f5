"""The layerhub demo: save with plain ``model.save``, load in a fresh process with layerhub alone.

1. Build and train a model made of every layerhub-seed object (custom layers, an
   activation, a regularizer, an initializer, a constraint, a learning-rate schedule,
   a loss, a metric and an optimizer), and save it with plain ``model.save``.
2. In a fresh Python process that imports nothing but layerhub, load it with
   ``layerhub.load_model(path)`` -- no ``custom_objects`` -- and check that the
   predictions are identical and that training resumes from the saved optimizer state.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

LOADER = """
import sys
import numpy as np
import layerhub

assert "layerhub_seed" not in sys.modules
model = layerhub.load_model(sys.argv[1])
x = np.load(sys.argv[2])
expected = np.load(sys.argv[3])
predictions = model.predict(x, verbose=0)
np.testing.assert_array_equal(predictions, expected)
imported = sorted(m for m in sys.modules if m.startswith("layerhub_seed"))
print(f"[fresh process] loaded {model.name!r} with no custom_objects; layerhub imported {imported}")
print(f"[fresh process] predictions identical: {predictions[:3, 0]} ...")
print(f"[fresh process] optimizer {type(model.optimizer).__name__} at step "
      f"{int(model.optimizer.iterations.numpy())}; loss {type(model.loss).__name__}")
model.fit(x, np.load(sys.argv[4]), epochs=1, verbose=0)
print(f"[fresh process] training resumed: step {int(model.optimizer.iterations.numpy())}")
"""


def main() -> None:
    import numpy as np
    from layerhub_seed import examples

    workdir = Path(tempfile.mkdtemp(prefix="layerhub-demo-"))
    model = examples.build_model()
    x, y = examples.data()
    model.fit(x, y, epochs=3, verbose=0)
    path = workdir / "seed_model.keras"
    model.save(path)
    for name, value in {"x": x, "y": y, "expected": model.predict(x, verbose=0)}.items():
        np.save(workdir / f"{name}.npy", value)
    print(
        f"[this process] saved {path} with plain model.save "
        f"(step {int(model.optimizer.iterations.numpy())})"
    )
    subprocess.run(
        [
            sys.executable,
            "-c",
            LOADER,
            str(path),
            str(workdir / "x.npy"),
            str(workdir / "expected.npy"),
            str(workdir / "y.npy"),
        ],
        check=True,
    )
    print("demo: OK")


if __name__ == "__main__":
    main()
