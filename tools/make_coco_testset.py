#!/usr/bin/python3
"""Generate a small COCO-format detection data set for end-to-end tests.

Images hold coloured rectangles and ellipses on noisy, textured backgrounds; each shape is a
ground-truth box of one of COCO's categories. Sizes and aspect ratios vary (landscape, portrait,
tiny, large), some images are grayscale, some PNG, a few have no objects, and some objects are
crowd regions. The layout is the real COCO one:

  OUT/annotations/instances_val2017.json
  OUT/images/val2017/<file_name>

Run with Debian's interpreter (numpy, python3-opencv):
  /usr/bin/python3 tools/make_coco_testset.py --out /tmp/coco-mini --images 24 --seed 0
The output is a function of the arguments only.
"""

import argparse
import json
import os

import cv2
import numpy as np

# COCO 2017 category ids and names, in the order of instances_val2017.json.
COCO_CATEGORIES = [
    (1, "person"), (2, "bicycle"), (3, "car"), (4, "motorcycle"), (5, "airplane"), (6, "bus"),
    (7, "train"), (8, "truck"), (9, "boat"), (10, "traffic light"), (11, "fire hydrant"),
    (13, "stop sign"), (14, "parking meter"), (15, "bench"), (16, "bird"), (17, "cat"), (18, "dog"),
    (19, "horse"), (20, "sheep"), (21, "cow"), (22, "elephant"), (23, "bear"), (24, "zebra"),
    (25, "giraffe"), (27, "backpack"), (28, "umbrella"), (31, "handbag"), (32, "tie"),
    (33, "suitcase"), (34, "frisbee"), (35, "skis"), (36, "snowboard"), (37, "sports ball"),
    (38, "kite"), (39, "baseball bat"), (40, "baseball glove"), (41, "skateboard"),
    (42, "surfboard"), (43, "tennis racket"), (44, "bottle"), (46, "wine glass"), (47, "cup"),
    (48, "fork"), (49, "knife"), (50, "spoon"), (51, "bowl"), (52, "banana"), (53, "apple"),
    (54, "sandwich"), (55, "orange"), (56, "broccoli"), (57, "carrot"), (58, "hot dog"),
    (59, "pizza"), (60, "donut"), (61, "cake"), (62, "chair"), (63, "couch"),
    (64, "potted plant"), (65, "bed"), (67, "dining table"), (70, "toilet"), (72, "tv"),
    (73, "laptop"), (74, "mouse"), (75, "remote"), (76, "keyboard"), (77, "cell phone"),
    (78, "microwave"), (79, "oven"), (80, "toaster"), (81, "sink"), (82, "refrigerator"),
    (84, "book"), (85, "clock"), (86, "vase"), (87, "scissors"), (88, "teddy bear"),
    (89, "hair drier"), (90, "toothbrush"),
]

SIZES = [(640, 480), (480, 640), (320, 240), (500, 375), (97, 61), (1344, 800), (300, 300),
         (800, 533), (213, 400), (1024, 683)]


def background(rng, h, w):
    base = rng.integers(0, 256, size=3).astype(np.float32)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    grad = (np.sin(xx / rng.uniform(8, 40)) + np.cos(yy / rng.uniform(8, 40)))[..., None] * 30
    noise = rng.normal(0, 12, size=(h, w, 3))
    return np.clip(base + grad + noise, 0, 255).astype(np.uint8)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--images", type=int, default=24)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    img_dir = os.path.join(args.out, "images", "val2017")
    ann_dir = os.path.join(args.out, "annotations")
    os.makedirs(img_dir, exist_ok=True)
    os.makedirs(ann_dir, exist_ok=True)
    images, annotations = [], []
    used_cats = [c[0] for c in COCO_CATEGORIES[:12]]
    ann_id = 1
    for i in range(args.images):
        w, h = SIZES[i % len(SIZES)]
        img = background(rng, h, w)
        n_obj = 0 if i % 11 == 5 else int(rng.integers(1, 7))
        for _ in range(n_obj):
            bw = int(rng.integers(max(4, w // 20), max(5, w // 2)))
            bh = int(rng.integers(max(4, h // 20), max(5, h // 2)))
            x0 = int(rng.integers(0, max(1, w - bw)))
            y0 = int(rng.integers(0, max(1, h - bh)))
            colour = tuple(int(c) for c in rng.integers(0, 256, size=3))
            if rng.random() < 0.5:
                cv2.rectangle(img, (x0, y0), (x0 + bw - 1, y0 + bh - 1), colour, thickness=-1)
                area = float(bw * bh)
            else:
                cv2.ellipse(img, (x0 + bw // 2, y0 + bh // 2), (bw // 2, bh // 2), 0, 0, 360, colour, -1)
                area = float(np.pi * (bw // 2) * (bh // 2))
            crowd = 1 if rng.random() < 0.08 else 0
            annotations.append(dict(id=ann_id, image_id=1000 + i, category_id=int(rng.choice(used_cats)),
                                    bbox=[float(x0), float(y0), float(bw), float(bh)], area=area,
                                    iscrowd=crowd, segmentation=[]))
            ann_id += 1
        img = cv2.GaussianBlur(img, (3, 3), 0) if i % 3 == 0 else img
        if i % 7 == 3:
            ext = ".png"
        else:
            ext = ".jpg"
        name = "%012d%s" % (1000 + i, ext)
        path = os.path.join(img_dir, name)
        if i % 8 == 2:
            cv2.imwrite(path, cv2.cvtColor(img, cv2.COLOR_BGR2GRAY), [cv2.IMWRITE_JPEG_QUALITY, 90])
        elif ext == ".jpg":
            cv2.imwrite(path, img, [cv2.IMWRITE_JPEG_QUALITY, 90])
        else:
            cv2.imwrite(path, img)
        images.append(dict(id=1000 + i, file_name=name, width=w, height=h))
    gt = dict(info=dict(description="synthetic COCO-format test set (tools/make_coco_testset.py)"),
              images=images, annotations=annotations,
              categories=[dict(id=c, name=n, supercategory="thing") for c, n in COCO_CATEGORIES])
    with open(os.path.join(ann_dir, "instances_val2017.json"), "w") as f:
        json.dump(gt, f)
    print("wrote %d images, %d annotations to %s" % (len(images), len(annotations), args.out))


if __name__ == "__main__":
    main()
