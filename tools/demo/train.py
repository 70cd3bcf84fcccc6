#!/usr/bin/python3
"""Train the demo FreeAnchor detector on the shapes data set (CPU, 2 threads, fixed seeds).

Images go through the inference pipeline's own preprocessing (cv2 decode, cv2.resize INTER_LINEAR to
the config's input size, RGB, (x - mean) / std), decoded once and kept in memory. The loss is our
FreeAnchor implementation (freeanchor_loss.py). Optimiser: AdamW, linear warm-up then cosine decay,
gradient norm clipped at 35 (MMDetection's FreeAnchor setting); BatchNorm trains with the batch
statistics and is folded into the convolutions at export. Logs the loss every 10 iterations. The
defaults (7000 iterations of 8 images) are the shipped model's recipe: about an hour on 2 cores.

  /usr/bin/python3 tools/demo/make_dataset.py --out /tmp/demo-train --split train --images 10000 --seed 1
  /usr/bin/python3 tools/demo/train.py --train /tmp/demo-train --out /tmp/demo-run
  /usr/bin/python3 tools/demo/export.py --checkpoint /tmp/demo-run/model.pt --out demo/model.onnx

Writes OUT/model.pt (state_dict + config + training facts) and OUT/train.log.
"""
import os

# libgomp's threads otherwise spin at every barrier; on a busy 2-core machine that costs 5x wall time.
os.environ.setdefault("GOMP_SPINCOUNT", "0")

import argparse  # noqa: E402
import json
import math  # noqa: E402
import resource
import sys
import time

import cv2
import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
import reference_postprocess as rp  # noqa: E402
from freeanchor_loss import freeanchor_loss  # noqa: E402
from make_dataset import CATEGORY_IDS, CLASSES  # noqa: E402
from model import DemoDetector, init_for_training  # noqa: E402

WIDTH_DIVISOR = 8
# The detector config that travels with the model (ONNX metadata 'freeanchor.config'). The anchors are
# the real config's except octave_base_scale 2 (smallest anchor 16 px), since objects here go down to
# ~10 px after resizing to the small input; thresholds are MMDetection's test_cfg.
CONFIG = {
    "input_size": {"width": 256, "height": 256},
    "num_classes": len(CLASSES),
    "anchor_generator": {"strides": [8, 16, 32, 64, 128], "octave_base_scale": 2, "scales_per_octave": 3,
                         "ratios": [0.5, 1.0, 2.0]},
    "bbox_coder": {"target_means": [0.0, 0.0, 0.0, 0.0], "target_stds": [0.1, 0.1, 0.2, 0.2],
                   "wh_ratio_clip": 16 / 1000},
    "test_cfg": {"nms_pre": 1000, "min_bbox_size": 0, "score_thr": 0.05,
                 "nms": {"type": "nms", "iou_threshold": 0.5}, "max_per_img": 100},
    "classes": CLASSES,
    "category_ids": CATEGORY_IDS,
}
MEAN = np.array([123.675, 116.28, 103.53], dtype=np.float32)
STD = np.array([58.395, 57.12, 57.375], dtype=np.float32)


def all_anchors(cfg):
    w, h = cfg["input_size"]["width"], cfg["input_size"]["height"]
    levels = []
    for level, stride in enumerate(cfg["anchor_generator"]["strides"]):
        levels.append(rp.level_anchors(cfg, level, -(-h // stride), -(-w // stride)))
    return torch.cat(levels).float()


def load_split(root, split, cfg):
    """All images resized to the input size (uint8 RGB, N x H x W x 3) and per image boxes (x1y1x2y2 in
    the resized frame) and labels (0-based); crowd regions are left out of training."""
    with open(os.path.join(root, "annotations", "instances_%s2017.json" % split)) as f:
        coco = json.load(f)
    w, h = cfg["input_size"]["width"], cfg["input_size"]["height"]
    label_of = {cid: i for i, cid in enumerate(cfg["category_ids"])}
    by_image = {}
    for a in coco["annotations"]:
        if not a["iscrowd"]:
            by_image.setdefault(a["image_id"], []).append(a)
    pixels = np.empty((len(coco["images"]), h, w, 3), np.uint8)
    boxes, labels = [], []
    for k, meta in enumerate(coco["images"]):
        data = np.fromfile(os.path.join(root, "images", split + "2017", meta["file_name"]), np.uint8)
        img = cv2.imdecode(data, cv2.IMREAD_COLOR)
        sx, sy = w / img.shape[1], h / img.shape[0]
        pixels[k] = cv2.resize(img, (w, h), interpolation=cv2.INTER_LINEAR)[..., ::-1]
        anns = by_image.get(meta["id"], [])
        b = np.array([[a["bbox"][0] * sx, a["bbox"][1] * sy, (a["bbox"][0] + a["bbox"][2]) * sx,
                       (a["bbox"][1] + a["bbox"][3]) * sy] for a in anns], np.float32).reshape(-1, 4)
        boxes.append(torch.from_numpy(b))
        labels.append(torch.tensor([label_of[a["category_id"]] for a in anns], dtype=torch.long))
    return pixels, boxes, labels


def to_input(pixels, rng):
    """uint8 RGB batch -> normalised float NCHW, with a random brightness / contrast jitter."""
    x = torch.from_numpy(pixels).permute(0, 3, 1, 2).float()
    n = x.shape[0]
    contrast = torch.from_numpy(rng.uniform(0.75, 1.25, size=(n, 1, 1, 1)).astype(np.float32))
    bright = torch.from_numpy(rng.uniform(-25, 25, size=(n, 1, 1, 1)).astype(np.float32))
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    x = ((x - mean) * contrast + mean + bright).clamp(0, 255)
    return (x - torch.from_numpy(MEAN).view(1, 3, 1, 1)) / torch.from_numpy(STD).view(1, 3, 1, 1)


def flatten_outputs(outs, num_classes):
    """Head maps (N, A*K, H, W) / (N, A*4, H, W) per level -> (N, anchors, K) and (N, anchors, 4), in the
    anchor order of rp.level_anchors (location-major, then the 9 anchors)."""
    levels = len(outs) // 2
    cls = [o.permute(0, 2, 3, 1).reshape(o.shape[0], -1, num_classes) for o in outs[:levels]]
    reg = [o.permute(0, 2, 3, 1).reshape(o.shape[0], -1, 4) for o in outs[levels:]]
    return torch.cat(cls, dim=1), torch.cat(reg, dim=1)


def learning_rate(it, iters, base, warmup):
    if it < warmup:
        return base * (0.1 + 0.9 * it / warmup)
    t = (it - warmup) / max(1, iters - warmup)
    return base * (0.01 + 0.99 * 0.5 * (1 + math.cos(math.pi * t)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--train", required=True, help="root of the train split (make_dataset.py --split train)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--iters", type=int, default=7000)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--warmup", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--init", help="start from this checkpoint's weights (a second stage: fresh optimiser, "
                                   "schedule and data order from --seed)")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    os.makedirs(args.out, exist_ok=True)
    log = open(os.path.join(args.out, "train.log"), "a")

    def say(msg):
        print(msg, flush=True)
        log.write(msg + "\n")
        log.flush()

    t0, cpu0 = time.time(), time.process_time()
    cfg = json.loads(json.dumps(CONFIG))
    pixels, boxes, labels = load_split(args.train, "train", cfg)
    anchors = all_anchors(cfg)
    say("train: %d images, %d objects, %d anchors; %s" % (len(pixels), sum(len(b) for b in boxes), len(anchors),
                                                        json.dumps(vars(args))))

    model = init_for_training(DemoDetector(WIDTH_DIVISOR, len(CLASSES)), torch.Generator().manual_seed(args.seed))
    if args.init:
        model.load_state_dict(torch.load(args.init, map_location="cpu")["state_dict"])
    # NHWC makes oneDNN's thin convolutions about 10 % faster on this CPU.
    model = model.to(memory_format=torch.channels_last).train()
    decay = [p for n, p in model.named_parameters() if p.ndim > 1]
    no_decay = [p for n, p in model.named_parameters() if p.ndim <= 1]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 1e-4}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=args.lr, foreach=True)
    order = np.empty(0, np.int64)
    running = None
    for it in range(args.iters):
        if len(order) < args.batch:
            order = np.concatenate([order, rng.permutation(len(pixels))])
        idx, order = order[:args.batch], order[args.batch:]
        x = to_input(pixels[idx], rng).contiguous(memory_format=torch.channels_last)
        lr = learning_rate(it, args.iters, args.lr, args.warmup)
        for g in opt.param_groups:
            g["lr"] = lr
        cls, reg = flatten_outputs(model(x), len(CLASSES))
        pos, neg = freeanchor_loss(cls, reg, anchors, [boxes[i] for i in idx], [labels[i] for i in idx])
        loss = pos + neg
        opt.zero_grad()
        loss.backward()
        grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), 35.0)
        opt.step()
        vals = np.array([loss.item(), pos.item(), neg.item()])
        running = vals if running is None else 0.9 * running + 0.1 * vals
        if it % 10 == 0 or it == args.iters - 1:
            say("iter %5d  lr %.2e  loss %.4f (pos %.4f neg %.4f)  avg %.4f (pos %.4f neg %.4f)  |g| %.2f  %.0f s"
                % (it, lr, *vals, *running, float(grad_norm), time.time() - t0))
    wall, cpu = time.time() - t0, time.process_time() - cpu0
    children = resource.getrusage(resource.RUSAGE_SELF)
    facts = dict(iters=args.iters, batch=args.batch, lr=args.lr, warmup=args.warmup, seed=args.seed,
                 threads=args.threads, train_images=len(pixels), wall_s=round(wall, 1), cpu_s=round(cpu, 1),
                 max_rss_mb=round(children.ru_maxrss / 1024), final_avg_loss=float(running[0]),
                 torch=torch.__version__, command=" ".join(["/usr/bin/python3"] + sys.argv))
    torch.save({"state_dict": model.state_dict(), "config": cfg, "width": WIDTH_DIVISOR, "training": facts},
               os.path.join(args.out, "model.pt"))
    say("done: %s" % json.dumps(facts))


if __name__ == "__main__":
    main()
