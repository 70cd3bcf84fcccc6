#!/usr/bin/python3
"""Export a trained demo checkpoint to ONNX exactly like the real model's export (tools/make_fixtures.py):
opset 13, input `input` with a dynamic batch axis, BatchNormalization folded into the convolutions,
outputs cls P3..P7 then reg P3..P7. The detector config (input size, classes, category ids, anchors,
test_cfg) is embedded as JSON under the metadata key `freeanchor.config`, which our Java CLI reads.
The exported graph is re-run by make_fixtures' ONNX interpreter and must match PyTorch (1e-4).

  /usr/bin/python3 tools/demo/export.py --checkpoint /tmp/demo-run/model.pt --out demo/model.onnx
"""
import argparse
import json
import os
import sys
import warnings

import onnx
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
import make_fixtures  # noqa: E402
from model import DemoDetector  # noqa: E402

METADATA_KEY = "freeanchor.config"


def load_model(checkpoint):
    ckpt = torch.load(checkpoint, map_location="cpu")
    cfg = ckpt["config"]
    model = DemoDetector(ckpt["width"], cfg["num_classes"])
    model.load_state_dict(ckpt["state_dict"])
    model.eval()
    return model, cfg, ckpt


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    warnings.filterwarnings("ignore", message="The shape inference of prim::Constant")
    torch.set_num_threads(2)
    model, cfg, ckpt = load_model(args.checkpoint)
    h, w = cfg["input_size"]["height"], cfg["input_size"]["width"]
    x = torch.randn((2, 3, h, w), generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        ref = model(x)
        proto = make_fixtures.export(model, x, args.out, dynamic=True)
    entry = proto.metadata_props.add()
    entry.key = METADATA_KEY
    entry.value = json.dumps(cfg, sort_keys=True)
    onnx.checker.check_model(proto)
    onnx.save(proto, args.out)
    make_fixtures.verify({"dynamic": onnx.load(args.out)}, x, ref)
    n_params = sum(p.numel() for p in model.parameters())
    print("wrote %s (%d bytes, %d parameters, ops %s)" % (args.out, os.path.getsize(args.out), n_params,
                                                       json.dumps(make_fixtures.op_histogram(proto))))


if __name__ == "__main__":
    main()
