#!/usr/bin/python3
"""Reference detection pipeline: COCO-format images to COCO results, in Python (the Java eval's oracle).

Per image, in annotation-file order: cv2.imdecode(IMREAD_COLOR) -> cv2.resize(INTER_LINEAR) to the
config's input size -> BGR to RGB, float32, (x - mean) / std -> pad to a multiple of 32 -> batch ->
the PyTorch model rebuilt from a fixture's manifest (same topology, width and seed as
tools/make_fixtures.py, hence the same weights as its ONNX exports) -> post-processing by
tools/reference_postprocess.py (spec sections 6-10). None of this runs our Java code.

Needs Debian's interpreter with python3-torch, python3-opencv and python3-numpy:
  /usr/bin/python3 tools/reference_pipeline.py --fixture fixtures/tiny --data DIR \
      --config CFG.json --out results.json [--batch 4] [--limit N]
The output is JSON: {"images": [{"image_id", "boxes", "scores", "labels"}...], "coco": [results]}.
"""
import argparse
import json
import os
import sys

import cv2
import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_fixtures  # noqa: E402
import reference_postprocess as rp  # noqa: E402

MEAN = np.array([123.675, 116.28, 103.53], dtype=np.float32)
STD = np.array([58.395, 57.12, 57.375], dtype=np.float32)


def build_model(fixture_dir):
    with open(os.path.join(fixture_dir, "manifest.json")) as f:
        manifest = json.load(f)
    model = make_fixtures.init_weights(make_fixtures.FreeAnchorRetinaNet(manifest["width"]), manifest["seed"])
    model.eval()
    # Same weights as the fixture's exports: the model must reproduce the fixture's own outputs, up to
    # float rounding (oneDNN's kernels, hence the summation order, depend on the CPU: the outputs are
    # bit-identical only on a CPU like the one that made them; other weights would differ at O(1)).
    x = torch.from_numpy(np.load(os.path.join(fixture_dir, "input.npy")))
    with torch.no_grad():
        outs = model(x)
    for i, o in enumerate(outs):
        ref = np.load(os.path.join(fixture_dir, "output_%02d.npy" % i))
        err = np.abs(o.numpy().astype(np.float64) - ref).max() / max(np.abs(ref).max(), 1e-30)
        if o.shape != ref.shape or not err <= 1e-5:
            sys.exit("rebuilt model does not reproduce %s/output_%02d.npy (relative error %g)" % (fixture_dir, i, err))
    return model


def preprocess(path, width, height):
    data = np.fromfile(path, dtype=np.uint8)
    img = cv2.imdecode(data, cv2.IMREAD_COLOR)
    if img is None:
        raise ValueError("cannot decode %s" % path)
    ori_shape = img.shape[:2]
    img = cv2.resize(img, (width, height), interpolation=cv2.INTER_LINEAR)
    x = torch.from_numpy(np.ascontiguousarray(img.transpose(2, 0, 1)))  # CHW, BGR uint8
    x = x[[2, 1, 0], ...].float()
    x = (x - torch.from_numpy(MEAN).view(3, 1, 1)) / torch.from_numpy(STD).view(3, 1, 1)
    pad_h, pad_w = -(-height // 32) * 32, -(-width // 32) * 32
    x = torch.nn.functional.pad(x, (0, pad_w - width, 0, pad_h - height), value=0.0)
    return x, ori_shape


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--fixture", required=True)
    ap.add_argument("--data", required=True, help="root with annotations/instances_val2017.json, images/val2017/")
    ap.add_argument("--config", help="detector config JSON (the Java DetectorConfig form)")
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--limit", type=int)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    cfg = rp.load_config(args.config)
    width, height = cfg["input_size"]["width"], cfg["input_size"]["height"]
    with open(os.path.join(args.data, "annotations", "instances_val2017.json")) as f:
        images = json.load(f)["images"]
    if args.limit:
        images = images[:args.limit]
    model = build_model(args.fixture)
    result = {"images": [], "coco": []}
    for start in range(0, len(images), args.batch):
        group = images[start:start + args.batch]
        xs, shapes = [], []
        for meta in group:
            x, ori = preprocess(os.path.join(args.data, "images", "val2017", meta["file_name"]), width, height)
            xs.append(x)
            shapes.append(ori)
        with torch.no_grad():
            outs = [o.numpy() for o in model(torch.stack(xs))]
        cls_maps, reg_maps = rp.split_outputs(outs, cfg)
        for i, meta in enumerate(group):
            boxes, scores, labels, _ = rp.predict_single(cls_maps, reg_maps, i, shapes[i], cfg, "project")
            result["images"].append({"image_id": meta["id"], "ori_shape": list(shapes[i]), "boxes": boxes.tolist(),
                                     "scores": scores.tolist(), "labels": labels.tolist()})
            result["coco"].extend(rp.results2json(meta["id"], boxes, scores, labels, cfg["category_ids"]))
    with open(args.out, "w") as f:
        json.dump(result, f)
    print("%d images, %d detections -> %s" % (len(images), len(result["coco"]), args.out))


if __name__ == "__main__":
    main()
