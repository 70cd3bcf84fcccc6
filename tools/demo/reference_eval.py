#!/usr/bin/python3
"""The PyTorch reference pipeline on the demo model: tools/reference_pipeline.py's preprocessing (cv2
decode, cv2.resize INTER_LINEAR, normalise, pad to 32) and tools/reference_postprocess.py, with the
trained PyTorch checkpoint (BatchNorm unfolded, eval mode) in place of the fixture model. Writes the
same JSON as reference_pipeline.py: {"images": [{image_id, ori_shape, boxes, scores, labels}], "coco": [...]}.

  /usr/bin/python3 tools/demo/reference_eval.py --checkpoint demo/model.pt --data demo/data --out ref.json
then score it with our COCO evaluator:
  ./freeanchor evaluate --gt demo/data/annotations/instances_val2017.json --results ref_coco.json
(`--coco-out` writes the bare COCO result list for that).
"""
import argparse
import json
import os
import sys

os.environ.setdefault("GOMP_SPINCOUNT", "0")

import torch  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
import reference_pipeline  # noqa: E402
import reference_postprocess as rp  # noqa: E402
from export import load_model  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--data", required=True, help="root with annotations/instances_val2017.json, images/val2017/")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--out", required=True)
    ap.add_argument("--coco-out", help="also write the bare COCO results list here")
    args = ap.parse_args()
    torch.set_num_threads(2)
    model, cfg, _ = load_model(args.checkpoint)
    width, height = cfg["input_size"]["width"], cfg["input_size"]["height"]
    with open(os.path.join(args.data, "annotations", "instances_val2017.json")) as f:
        images = json.load(f)["images"]
    result = {"images": [], "coco": []}
    for start in range(0, len(images), args.batch):
        group = images[start:start + args.batch]
        xs, shapes = [], []
        for meta in group:
            x, ori = reference_pipeline.preprocess(
                os.path.join(args.data, "images", "val2017", meta["file_name"]), width, height)
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
    if args.coco_out:
        with open(args.coco_out, "w") as f:
            json.dump(result["coco"], f)
    print("%d images, %d detections -> %s" % (len(images), len(result["coco"]), args.out))


if __name__ == "__main__":
    main()
