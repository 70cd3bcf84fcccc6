#!/usr/bin/python3
"""Generate the demo's COCO-format detection data set: coloured shapes and glyphs on textured scenes.

Eight classes (circle, square, triangle, star, cross, ring, glyph A, glyph 7) in random colours, some
with striped or checked fill, on noisy textured backgrounds with distractor lines; objects from ~12 px
to most of the image, 2 to 8 an image, partly occluding each other (each keeps >= 60 % of its pixels
visible); varied image sizes and aspect ratios, some blurred, some grayscale; some images hold a
crowd of tiny shapes annotated as one iscrowd region. Boxes, areas and polygons describe the
*visible* pixels, as COCO's do; crowd regions carry an uncompressed RLE mask.

Layout (the real COCO one, what `freeanchor eval --data ROOT` reads):
  ROOT/annotations/instances_<split>2017.json
  ROOT/images/<split>2017/<id>.jpg

Run with Debian's interpreter (numpy, python3-opencv); the output is a function of the arguments:
  /usr/bin/python3 tools/demo/make_dataset.py --out demo/data --split val --images 200 --seed 2
  /usr/bin/python3 tools/demo/make_dataset.py --out /tmp/demo-train --split train --images 10000 --seed 1
"""

import argparse
import json
import math
import os

import cv2
import numpy as np

CLASSES = ["circle", "square", "triangle", "star", "cross", "ring", "glyph A", "glyph 7"]
CATEGORY_IDS = list(range(1, len(CLASSES) + 1))
MIN_VISIBLE = 0.6  # fraction of an object's pixels that later objects may not cover
MIN_SIZE = 12


def background(rng, h, w):
    """Base colour + linear gradient + sinusoidal texture + a few distractor lines."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    base = rng.uniform(20, 235, size=3).astype(np.float32)
    gdir = rng.normal(size=2)
    grad = (xx * gdir[0] / w + yy * gdir[1] / h)[..., None] * rng.uniform(-40, 40, size=3)
    period = rng.uniform(6, 60)
    angle = rng.uniform(0, math.pi)
    wave = np.sin((xx * math.cos(angle) + yy * math.sin(angle)) / period * 2 * math.pi)
    tex = wave[..., None] * rng.uniform(0, 25, size=3)
    img = np.clip(base + grad + tex, 0, 255).astype(np.uint8)
    for _ in range(int(rng.integers(0, 6))):
        p0 = (int(rng.integers(0, w)), int(rng.integers(0, h)))
        p1 = (int(rng.integers(0, w)), int(rng.integers(0, h)))
        cv2.line(img, p0, p1, tuple(int(c) for c in rng.integers(0, 256, size=3)), int(rng.integers(1, 3)),
                 cv2.LINE_AA)
    return img


def star_points(cx, cy, rx, ry, rot, n=5, inner=0.45):
    pts = []
    for k in range(2 * n):
        r = 1.0 if k % 2 == 0 else inner
        a = rot + k * math.pi / n - math.pi / 2
        pts.append((cx + r * rx * math.cos(a), cy + r * ry * math.sin(a)))
    return np.array(pts)


def draw_shape(mask, cls, x0, y0, bw, bh, rng):
    """Draws class `cls` filling roughly the box (x0, y0, bw, bh) into the uint8 mask (255 = object)."""
    cx, cy, rx, ry = x0 + bw / 2, y0 + bh / 2, bw / 2, bh / 2
    name = CLASSES[cls]
    shift = 4  # sub-pixel coordinates for cv2's polygon drawing
    s = 1 << shift

    def poly(points):
        cv2.fillPoly(mask, [np.round(np.asarray(points) * s).astype(np.int32)], 255, cv2.LINE_8, shift)

    if name == "circle":
        cv2.ellipse(mask, (round(cx * s), round(cy * s)), (round(rx * s), round(ry * s)), 0, 0, 360, 255, -1,
                    cv2.LINE_8, shift)
    elif name == "square":
        rot = rng.uniform(-0.3, 0.3)
        c, sn = math.cos(rot), math.sin(rot)
        k = 1 / (abs(c) + abs(sn))  # keep the rotated square inside the box
        pts = [(cx + k * (dx * rx * c - dy * ry * sn), cy + k * (dx * rx * sn + dy * ry * c))
               for dx, dy in ((-1, -1), (1, -1), (1, 1), (-1, 1))]
        poly(pts)
    elif name == "triangle":
        if rng.random() < 0.5:
            poly([(cx, y0), (x0 + bw, y0 + bh), (x0, y0 + bh)])
        else:
            poly([(x0, y0), (x0 + bw, y0), (cx, y0 + bh)])
    elif name == "star":
        poly(star_points(cx, cy, rx, ry, rng.uniform(-0.2, 0.2)))
    elif name == "cross":
        t = rng.uniform(0.28, 0.4)
        poly([(cx - t * rx, y0), (cx + t * rx, y0), (cx + t * rx, y0 + bh), (cx - t * rx, y0 + bh)])
        poly([(x0, cy - t * ry), (x0 + bw, cy - t * ry), (x0 + bw, cy + t * ry), (x0, cy + t * ry)])
    elif name == "ring":
        outer = np.zeros_like(mask)
        cv2.ellipse(outer, (round(cx * s), round(cy * s)), (round(rx * s), round(ry * s)), 0, 0, 360, 255, -1,
                    cv2.LINE_8, shift)
        f = rng.uniform(0.45, 0.65)
        cv2.ellipse(outer, (round(cx * s), round(cy * s)), (round(rx * f * s), round(ry * f * s)), 0, 0, 360, 0, -1,
                    cv2.LINE_8, shift)
        np.maximum(mask, outer, out=mask)
    else:  # glyphs: render large, then scale into the box
        text = name[-1]
        font = cv2.FONT_HERSHEY_SIMPLEX if rng.random() < 0.5 else cv2.FONT_HERSHEY_DUPLEX
        thick = int(rng.integers(9, 16))
        (tw, th), base = cv2.getTextSize(text, font, 4.0, thick)
        canvas = np.zeros((th + base + 2 * thick, tw + 2 * thick), np.uint8)
        cv2.putText(canvas, text, (thick, th + thick), font, 4.0, 255, thick, cv2.LINE_AA)
        ys, xs = np.nonzero(canvas > 127)
        canvas = canvas[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
        gw, gh = max(1, int(round(bw))), max(1, int(round(bh)))
        glyph = cv2.resize(canvas, (gw, gh), interpolation=cv2.INTER_AREA)
        gx, gy = int(round(x0)), int(round(y0))
        h, w = mask.shape
        sub = glyph[:max(0, min(gh, h - gy)), :max(0, min(gw, w - gx))]
        region = mask[gy:gy + sub.shape[0], gx:gx + sub.shape[1]]
        np.maximum(region, np.where(sub > 127, 255, 0).astype(np.uint8), out=region)


def fill_pattern(rng, h, w, colour):
    """Solid colour, or stripes / checks of two colours (object texture)."""
    c1 = np.array(colour, np.float32)
    kind = rng.random()
    if kind < 0.6:
        return np.broadcast_to(c1, (h, w, 3))
    c2 = np.clip(c1 + rng.choice([-1, 1], size=3) * rng.uniform(40, 90, size=3), 0, 255)
    yy, xx = np.mgrid[0:h, 0:w]
    period = int(rng.integers(3, 9))
    if kind < 0.8:
        sel = ((xx + yy) // period) % 2 == 0
    else:
        sel = ((xx // period) + (yy // period)) % 2 == 0
    return np.where(sel[..., None], c1, c2)


def contrasting_colour(rng, img, mask):
    local = img[mask > 0].reshape(-1, 3).mean(axis=0)
    for _ in range(50):
        c = rng.integers(0, 256, size=3)
        if np.abs(c - local).sum() > 150:
            return tuple(int(v) for v in c)
    return tuple(int(v) for v in (255 - local))


def polygons(mask):
    contours, _ = cv2.findContours((mask > 0).astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    out = []
    for c in contours:
        c = cv2.approxPolyDP(c, 1.0, True)
        if len(c) >= 3:
            out.append([float(v) for v in c.reshape(-1)])
    return out


def rle_uncompressed(mask):
    """COCO's uncompressed RLE: run lengths over the column-major flattening, starting with zeros."""
    flat = (mask > 0).T.reshape(-1).astype(np.int8)
    change = np.flatnonzero(np.diff(flat)) + 1
    bounds = np.concatenate([[0], change, [flat.size]])
    runs = np.diff(bounds).tolist()
    if flat[0] == 1:
        runs = [0] + runs
    return {"counts": [int(r) for r in runs], "size": [int(mask.shape[0]), int(mask.shape[1])]}


def bbox_of(mask):
    ys, xs = np.nonzero(mask)
    x0, y0, x1, y1 = xs.min(), ys.min(), xs.max() + 1, ys.max() + 1
    return [float(x0), float(y0), float(x1 - x0), float(y1 - y0)]


def iou(a, b):
    ax1, ay1, aw, ah = a
    bx1, by1, bw, bh = b
    iw = max(0.0, min(ax1 + aw, bx1 + bw) - max(ax1, bx1))
    ih = max(0.0, min(ay1 + ah, by1 + bh) - max(ay1, by1))
    inter = iw * ih
    return inter / (aw * ah + bw * bh - inter)


def make_image(rng, image_id):
    side = rng.uniform(200, 440)
    aspect = math.exp(rng.uniform(math.log(0.5), math.log(2.0)))
    w = int(round(side * math.sqrt(aspect)))
    h = int(round(side / math.sqrt(aspect)))
    img = background(rng, h, w)
    masks, labels, crowd = [], [], []

    if rng.random() < 0.12:  # a crowd: a cluster of tiny shapes of one class, one iscrowd region
        cls = int(rng.integers(0, len(CLASSES)))
        rw, rh = int(rng.uniform(0.25, 0.45) * w), int(rng.uniform(0.25, 0.45) * h)
        rx, ry = int(rng.integers(0, w - rw)), int(rng.integers(0, h - rh))
        union = np.zeros((h, w), np.uint8)
        region = np.zeros((h, w), np.uint8)
        region[ry:ry + rh, rx:rx + rw] = 1
        colour = contrasting_colour(rng, img, region)
        for _ in range(int(rng.integers(8, 16))):
            sz = rng.uniform(6, 11)
            m = np.zeros((h, w), np.uint8)
            draw_shape(m, cls, rx + rng.uniform(0, rw - sz), ry + rng.uniform(0, rh - sz), sz, sz, rng)
            np.maximum(union, m, out=union)
        img[union > 0] = colour
        crowd.append((cls, union, [float(rx), float(ry), float(rw), float(rh)]))

    n_obj = int(rng.integers(2, 9))
    boxes = [c[2] for c in crowd]
    lo, hi = math.log(MIN_SIZE), math.log(0.85 * min(w, h))
    for _ in range(n_obj):
        for _attempt in range(30):
            # sizes: log-uniform, so small, medium and large objects are all common
            size = math.exp(rng.uniform(lo, hi)) if rng.random() < 0.8 else math.exp(rng.uniform(hi - 0.6, hi))
            ar = math.exp(rng.uniform(-0.35, 0.35))
            bw = min(w - 1.0, size * ar)
            bh = min(h - 1.0, size / ar)
            x0 = rng.uniform(0, w - bw)
            y0 = rng.uniform(0, h - bh)
            box = [x0, y0, bw, bh]
            if any(iou(box, b) > 0.35 for b in boxes):
                continue
            cls = int(rng.integers(0, len(CLASSES)))
            m = np.zeros((h, w), np.uint8)
            draw_shape(m, cls, x0, y0, bw, bh, rng)
            if not m.any():
                continue
            new = m > 0
            if any(c[1][new].any() for c in crowd):
                continue
            # every earlier object must keep MIN_VISIBLE of its pixels
            ok = True
            for old in masks:
                total = np.count_nonzero(old)
                if total and np.count_nonzero(old & ~new) < MIN_VISIBLE * total:
                    ok = False
                    break
            if not ok:
                continue
            colour = contrasting_colour(rng, img, m)
            pattern = fill_pattern(rng, h, w, colour)
            img[new] = pattern[new].astype(np.uint8)
            for i, old in enumerate(masks):
                masks[i] = old & ~new
            masks.append(new)
            labels.append(cls)
            boxes.append(box)
            break

    if rng.random() < 0.3:
        img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.5, 1.4))
    noise = rng.normal(0, rng.uniform(2, 10), size=img.shape)
    img = np.clip(img.astype(np.float32) + noise, 0, 255).astype(np.uint8)
    if rng.random() < 0.08:
        img = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)  # written as a one-channel JPEG

    anns = []
    for cls, m in zip(labels, masks):
        if not m.any():
            continue
        anns.append(dict(category_id=CATEGORY_IDS[cls], bbox=bbox_of(m), area=float(np.count_nonzero(m)),
                         iscrowd=0, segmentation=polygons(m.astype(np.uint8))))
    for cls, union, box in crowd:
        anns.append(dict(category_id=CATEGORY_IDS[cls], bbox=bbox_of(union), area=float(np.count_nonzero(union)),
                         iscrowd=1, segmentation=rle_uncompressed(union)))
    return img, anns


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--split", default="val", choices=["train", "val"])
    ap.add_argument("--images", type=int, default=200)
    ap.add_argument("--seed", type=int, default=2)
    ap.add_argument("--quality", type=int, default=80, help="JPEG quality")
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    img_dir = os.path.join(args.out, "images", args.split + "2017")
    ann_dir = os.path.join(args.out, "annotations")
    os.makedirs(img_dir, exist_ok=True)
    os.makedirs(ann_dir, exist_ok=True)
    images, annotations = [], []
    for k in range(args.images):
        image_id = k + 1
        img, anns = make_image(rng, image_id)
        name = "%06d.jpg" % image_id
        ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, args.quality])
        assert ok
        buf.tofile(os.path.join(img_dir, name))
        images.append(dict(id=image_id, file_name=name, height=int(img.shape[0]), width=int(img.shape[1])))
        for a in anns:
            a.update(id=len(annotations) + 1, image_id=image_id)
            annotations.append(a)
    coco = dict(
        info=dict(description="FreeAnchor demo shapes (%s, seed %d), tools/demo/make_dataset.py"
                  % (args.split, args.seed), version="1.0", year=2026),
        licenses=[],
        images=images,
        annotations=annotations,
        categories=[dict(id=i, name=n, supercategory="shape") for i, n in zip(CATEGORY_IDS, CLASSES)],
    )
    with open(os.path.join(ann_dir, "instances_%s2017.json" % args.split), "w") as f:
        json.dump(coco, f, separators=(",", ":"))
    crowd = sum(a["iscrowd"] for a in annotations)
    print("%s: %d images, %d objects, %d crowd regions -> %s" % (args.split, len(images), len(annotations) - crowd,
                                                               crowd, args.out))


if __name__ == "__main__":
    main()
