#!/usr/bin/env python3
"""Writes a binary ONNX model from ONNX's textual syntax, for lit tests.

  make_model.py SOURCE -o OUT.onnx [options]

SOURCE is a file in ONNX textual syntax (onnx.parser.parse_model), or a test file whose lines
prefixed by `# ONNX:` or `// ONNX:` (or `# ONNX-<TAG>:` with --tag TAG, to keep several models
in one test) hold the model; the prefix and one following space are removed. The model is not
checked with onnx.checker: tests build broken models on purpose.

Options that change the model after parsing, for what the text syntax cannot say:
  --initializer NAME=TYPE:DIMS   add an initializer stored as raw_data with values 0, 1, 2...
                                 scaled by 1/16 for float types (e.g. W=float:8x3x3x3; DIMS
                                 may be empty for a scalar: s=float:)
  --node-name INDEX=NAME         name node INDEX (0-based, in file order); the 1.12 text syntax
                                 has no node names
  --rename OLD=NEW               rename a value everywhere (graph inputs and outputs,
                                 value_info, initializers, node inputs and outputs), for names
                                 the text syntax cannot spell, like 'input.1' or 'out:0'
  --ir-version N                 overwrite ir_version
  --truncate N                   keep only the first N bytes of the serialized model
"""
import argparse
import re
import sys

import numpy as np
import onnx
import onnx.numpy_helper
import onnx.parser

PREFIX = re.compile(r"^\s*(?:#|//)\s*ONNX(?:-(?P<tag>[A-Za-z0-9_]+))?:(?: |$)(?P<text>.*)$")


def model_text(path, tag):
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    picked = []
    for line in lines:
        m = PREFIX.match(line)
        if m and m.group("tag") == tag:
            picked.append(m.group("text"))
    if picked:
        return "\n".join(picked) + "\n"
    if tag is not None:
        sys.exit(f"make_model.py: no '# ONNX-{tag}:' lines in {path}")
    if any(PREFIX.match(line) for line in lines):
        sys.exit(f"make_model.py: {path} has only tagged ONNX lines; pass --tag")
    return "\n".join(lines) + "\n"


def add_initializer(model, spec):
    name, sep, rest = spec.partition("=")
    dtype, sep2, dims = rest.partition(":")
    if not sep or not sep2 or not name:
        sys.exit(f"make_model.py: --initializer expects NAME=TYPE:DIMS, got '{spec}'")
    shape = [int(d) for d in dims.split("x")] if dims else []
    np_type = np.dtype({"float": "float32", "double": "float64", "float16": "float16"}.get(dtype, dtype))
    count = int(np.prod(shape)) if shape else 1
    values = np.arange(count)
    if np_type.kind == "f":
        values = values / 16.0
    array = values.astype(np_type).reshape(shape)
    tensor = onnx.numpy_helper.from_array(array, name)
    model.graph.initializer.append(tensor)


def rename_value(graph, old, new):
    for vi in list(graph.input) + list(graph.output) + list(graph.value_info):
        if vi.name == old:
            vi.name = new
    for init in graph.initializer:
        if init.name == old:
            init.name = new
    for node in graph.node:
        for names in (node.input, node.output):
            for i, name in enumerate(names):
                if name == old:
                    names[i] = new


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("source")
    p.add_argument("-o", "--output", required=True)
    p.add_argument("--tag", help="read the lines prefixed by '# ONNX-TAG:'")
    p.add_argument("--initializer", action="append", default=[], metavar="NAME=TYPE:DIMS")
    p.add_argument("--node-name", action="append", default=[], metavar="INDEX=NAME")
    p.add_argument("--rename", action="append", default=[], metavar="OLD=NEW")
    p.add_argument("--ir-version", type=int)
    p.add_argument("--truncate", type=int, metavar="N")
    args = p.parse_args()

    text = model_text(args.source, args.tag)
    try:
        model = onnx.parser.parse_model(text)
    except Exception as e:  # The parser raises its own error types.
        sys.exit(f"make_model.py: cannot parse the model in {args.source}: {e}")
    for spec in args.initializer:
        add_initializer(model, spec)
    for spec in args.node_name:
        index, sep, name = spec.partition("=")
        if not sep or not index.isdigit() or int(index) >= len(model.graph.node):
            sys.exit(f"make_model.py: --node-name expects INDEX=NAME with a valid index, got '{spec}'")
        model.graph.node[int(index)].name = name
    for spec in args.rename:
        old, sep, new = spec.partition("=")
        if not sep or not old:
            sys.exit(f"make_model.py: --rename expects OLD=NEW, got '{spec}'")
        rename_value(model.graph, old, new)
    if args.ir_version is not None:
        model.ir_version = args.ir_version
    data = model.SerializeToString()
    if args.truncate is not None:
        data = data[: args.truncate]
    with open(args.output, "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main()
