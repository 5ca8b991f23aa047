"""The ONNX checker over every .onnx file of a folder, in one process.

Usage: python3 check_onnx.py FOLDER

Runs onnx.checker.check_model(model, full_check=True) (the structural rules plus strict shape and type inference)
on each file and prints one JSON object: file name -> "ok" or the checker's message. Exits 1 when a file fails.
"""

import json
import os
import sys

import onnx


def main() -> int:
    folder = sys.argv[1]
    results = {}
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".onnx"):
            continue
        try:
            onnx.checker.check_model(onnx.load(os.path.join(folder, name)), full_check=True)
            results[name] = "ok"
        except Exception as e:  # the checker raises ValidationError, shape inference InferenceError
            results[name] = f"{type(e).__name__}: {e}"
    print(json.dumps({"onnx": onnx.__version__, "results": results}))
    return 0 if all(r == "ok" for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
