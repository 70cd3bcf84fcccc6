#!/usr/bin/python3
"""Reference post-processing for FreeAnchor / RetinaNet head outputs (the Java tests' oracle).

A plain transcription of the project's inference spec (`freeanchor-inference.md`) sections 6-10 (MMDetection 3.3
`BaseDenseHead.predict_by_feat` with rescale=True, mmcv 2.1 `batched_nms` / `nms_cpu`, CocoMetric's
`results2json`) in float32 torch/numpy, following the project's rules where mmdet is unspecified:

* sigmoid = 1 / (1 + f32(exp(-x))) with exp in float64 rounded to float32 (also for the decoder's exp);
* sorts are stable (score descending, ties in input order): numpy argsort(kind='stable') on -scores.

`--mode torch` swaps in what mmdet literally runs on this machine (torch.sigmoid, float32 torch.exp,
torch's unstable sort) to measure how far the project rules are from it.

Needs Debian's interpreter /usr/bin/python3 with python3-torch (1.13) and python3-numpy.

  /usr/bin/python3 tools/reference_postprocess.py run --outputs DIR --images images.json \
      [--config config.json] [--mode project|torch] --out result.json
  /usr/bin/python3 tools/reference_postprocess.py synth --out DIR [--seed 0]
  /usr/bin/python3 tools/reference_postprocess.py anchors [--config config.json] --out DIR

`run` reads DIR/output_00.npy, output_01.npy, ... (network outputs in graph order, NCHW float32),
splits them by channel count (A*4 = regression, the rest scores, order kept), and writes per image
boxes / scores / labels (float32 values widened to double), COCO result entries and statistics.
images.json: [{"image_id": 1, "height": H, "width": W}, ...], one per batch row (original size).
`synth` writes full-size (800x1344) synthetic outputs with planted edge cases plus images.json and
config.json into DIR. `anchors` writes DIR/anchors_L.npy (float32, rows x 4) per level for feature
maps of ceil(input / stride).
"""
import argparse
import copy
import json
import os
import sys

import numpy as np
import torch

COCO_CLASSES = [
    'person', 'bicycle', 'car', 'motorcycle', 'airplane', 'bus', 'train', 'truck', 'boat',
    'traffic light', 'fire hydrant', 'stop sign', 'parking meter', 'bench', 'bird', 'cat', 'dog',
    'horse', 'sheep', 'cow', 'elephant', 'bear', 'zebra', 'giraffe', 'backpack', 'umbrella',
    'handbag', 'tie', 'suitcase', 'frisbee', 'skis', 'snowboard', 'sports ball', 'kite',
    'baseball bat', 'baseball glove', 'skateboard', 'surfboard', 'tennis racket', 'bottle',
    'wine glass', 'cup', 'fork', 'knife', 'spoon', 'bowl', 'banana', 'apple', 'sandwich', 'orange',
    'broccoli', 'carrot', 'hot dog', 'pizza', 'donut', 'cake', 'chair', 'couch', 'potted plant', 'bed',
    'dining table', 'toilet', 'tv', 'laptop', 'mouse', 'remote', 'keyboard', 'cell phone',
    'microwave', 'oven', 'toaster', 'sink', 'refrigerator', 'book', 'clock', 'vase', 'scissors',
    'teddy bear', 'hair drier', 'toothbrush']
COCO_IDS = [
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 27, 28,
    31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55,
    56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 67, 70, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 84,
    85, 86, 87, 88, 89, 90]

DEFAULT_CONFIG = {
    'input_size': {'width': 1344, 'height': 800},
    'num_classes': 80,
    'anchor_generator': {'strides': [8, 16, 32, 64, 128], 'octave_base_scale': 4,
                         'scales_per_octave': 3, 'ratios': [0.5, 1.0, 2.0]},
    'bbox_coder': {'target_means': [0.0, 0.0, 0.0, 0.0], 'target_stds': [0.1, 0.1, 0.2, 0.2],
                   'wh_ratio_clip': 16 / 1000},
    'test_cfg': {'nms_pre': 1000, 'min_bbox_size': 0, 'score_thr': 0.05,
                 'nms': {'type': 'nms', 'iou_threshold': 0.5}, 'max_per_img': 100},
}


def load_config(path):
    cfg = copy.deepcopy(DEFAULT_CONFIG)
    if path:
        with open(path) as f:
            user = json.load(f)
        for key, value in user.items():
            if isinstance(value, dict) and isinstance(cfg.get(key), dict):
                for k2, v2 in value.items():
                    if isinstance(v2, dict) and isinstance(cfg[key].get(k2), dict):
                        cfg[key][k2].update(v2)
                    else:
                        cfg[key][k2] = v2
            else:
                cfg[key] = value
    if 'classes' not in cfg:
        assert cfg['num_classes'] == 80, 'classes required for num_classes != 80'
        cfg['classes'] = COCO_CLASSES
    if 'category_ids' not in cfg:
        assert cfg['classes'] == COCO_CLASSES, 'category_ids required for non-COCO classes'
        cfg['category_ids'] = COCO_IDS
    return cfg


# ------------------------------------------------------------------------------------ section 7/8 exp

def exp_f32(x, mode):
    """exp of a float32 tensor, float32 result."""
    if mode == 'torch':
        return torch.exp(x)
    return torch.exp(x.double()).float()


def sigmoid(x, mode):
    if mode == 'torch':
        return torch.sigmoid(x)
    return 1 / (1 + exp_f32(-x, mode))


def sort_desc(scores_np, mode):
    """Indices ordering float32 scores descending; ties in input order (project rule)."""
    if mode == 'torch':
        return torch.from_numpy(scores_np).sort(descending=True)[1].numpy()
    return np.argsort(-scores_np, kind='stable')


# ------------------------------------------------------------------------------------------ section 6

def level_anchors(cfg, level, feat_h, feat_w):
    ag = cfg['anchor_generator']
    spo = ag['scales_per_octave']
    octave_scales = np.array([2 ** (i / spo) for i in range(spo)])
    scales = torch.Tensor(octave_scales * ag['octave_base_scale'])
    ratios = torch.Tensor(ag['ratios'])
    stride = ag['strides'][level]
    w = stride
    h = stride
    h_ratios = torch.sqrt(ratios)
    w_ratios = 1 / h_ratios
    ws = (w * w_ratios[:, None] * scales[None, :]).view(-1)
    hs = (h * h_ratios[:, None] * scales[None, :]).view(-1)
    x_center = 0.0
    y_center = 0.0
    base = torch.stack([x_center - 0.5 * ws, y_center - 0.5 * hs,
                        x_center + 0.5 * ws, y_center + 0.5 * hs], dim=-1)
    shift_x = torch.arange(0, feat_w).to(torch.float32) * stride
    shift_y = torch.arange(0, feat_h).to(torch.float32) * stride
    shift_xx = shift_x.repeat(shift_y.shape[0])
    shift_yy = shift_y.view(-1, 1).repeat(1, shift_x.shape[0]).view(-1)
    shifts = torch.stack([shift_xx, shift_yy, shift_xx, shift_yy], dim=-1)
    return (base[None, :, :] + shifts[:, None, :]).view(-1, 4)


# ------------------------------------------------------------------------------------------ section 8

def delta2bbox(rois, deltas, cfg, max_shape, mode):
    bc = cfg['bbox_coder']
    means = deltas.new_tensor(bc['target_means']).view(1, -1)
    stds = deltas.new_tensor(bc['target_stds']).view(1, -1)
    denorm = deltas * stds + means
    dxy = denorm[:, :2]
    dwh = denorm[:, 2:]
    pxy = (rois[:, :2] + rois[:, 2:]) * 0.5
    pwh = rois[:, 2:] - rois[:, :2]
    dxy_wh = pwh * dxy
    max_ratio = np.abs(np.log(bc['wh_ratio_clip']))
    dwh = dwh.clamp(min=-max_ratio, max=max_ratio)
    gxy = pxy + dxy_wh
    gwh = pwh * exp_f32(dwh, mode)
    x1y1 = gxy - (gwh * 0.5)
    x2y2 = gxy + (gwh * 0.5)
    bboxes = torch.cat([x1y1, x2y2], dim=-1)
    bboxes[..., 0::2].clamp_(min=0, max=max_shape[1])
    bboxes[..., 1::2].clamp_(min=0, max=max_shape[0])
    return bboxes


# ------------------------------------------------------------------------------------------ section 9

def std_max(a, b):
    return np.where(a < b, b, a)


def std_min(a, b):
    return np.where(b < a, b, a)


def nms_cpu(boxes, scores, iou_threshold, mode):
    """mmcv nms_cpu with offset 0; returns kept indices in processing order."""
    if boxes.shape[0] == 0:
        return np.zeros((0,), np.int64)
    x1 = np.ascontiguousarray(boxes[:, 0])
    y1 = np.ascontiguousarray(boxes[:, 1])
    x2 = np.ascontiguousarray(boxes[:, 2])
    y2 = np.ascontiguousarray(boxes[:, 3])
    areas = (x2 - x1) * (y2 - y1)
    order = sort_desc(scores, mode)
    n = boxes.shape[0]
    select = np.ones(n, dtype=bool)
    thr = np.float32(iou_threshold)
    zero = np.float32(0)
    for _i in range(n):
        if not select[_i]:
            continue
        i = order[_i]
        rest = order[_i + 1:]
        xx1 = std_max(x1[i], x1[rest])
        yy1 = std_max(y1[i], y1[rest])
        xx2 = std_min(x2[i], x2[rest])
        yy2 = std_min(y2[i], y2[rest])
        w = std_max(zero, xx2 - xx1)
        h = std_max(zero, yy2 - yy1)
        inter = w * h
        with np.errstate(invalid='ignore', divide='ignore'):
            ovr = inter / (areas[i] + areas[rest] - inter)
        tail = select[_i + 1:]
        tail[ovr > thr] = False
    return order[select]


def batched_nms(boxes, scores, labels, iou_threshold, mode):
    max_coordinate = boxes.max()
    offsets = labels.to(boxes) * (max_coordinate + torch.tensor(1).to(boxes))
    boxes_for_nms = boxes + offsets[:, None]
    keep = nms_cpu(boxes_for_nms.numpy(), scores.numpy(), iou_threshold, mode)
    return torch.from_numpy(keep.astype(np.int64))


# ------------------------------------------------------------------------------------ sections 7 - 9

def split_outputs(outputs, cfg):
    num_anchors = len(cfg['anchor_generator']['ratios']) * cfg['anchor_generator']['scales_per_octave']
    cls, reg = [], []
    for o in outputs:
        (reg if o.shape[1] == num_anchors * 4 else cls).append(o)
    assert len(cls) == len(reg) == len(cfg['anchor_generator']['strides']), [o.shape for o in outputs]
    return cls, reg


def predict_single(cls_maps, reg_maps, img, ori_shape, cfg, mode):
    """One image: cls_maps[l] (N, A*K, H, W), reg_maps[l] (N, A*4, H, W) numpy float32."""
    tc = cfg['test_cfg']
    num_classes = cfg['num_classes']
    img_shape = (cfg['input_size']['height'], cfg['input_size']['width'])
    score_thr = torch.tensor(tc['score_thr'], dtype=torch.float32)
    nms_pre = tc['nms_pre']
    stats = {'levels': []}
    mlvl_bbox_preds, mlvl_priors, mlvl_scores, mlvl_labels = [], [], [], []
    for level in range(len(cls_maps)):
        cls_score = torch.from_numpy(np.ascontiguousarray(cls_maps[level][img]))
        bbox_pred = torch.from_numpy(np.ascontiguousarray(reg_maps[level][img]))
        feat_h, feat_w = cls_score.shape[-2:]
        priors = level_anchors(cfg, level, feat_h, feat_w)
        bbox_pred = bbox_pred.permute(1, 2, 0).reshape(-1, 4)
        scores = sigmoid(cls_score.permute(1, 2, 0).reshape(-1, num_classes), mode)
        # filter_scores_and_topk
        valid_mask = scores > score_thr
        scores = scores[valid_mask]
        valid_idxs = torch.nonzero(valid_mask)
        num_topk = min(nms_pre, valid_idxs.size(0))
        idxs = torch.from_numpy(sort_desc(scores.numpy(), mode).astype(np.int64))
        scores = scores[idxs[:num_topk]]
        topk_idxs = valid_idxs[idxs[:num_topk]]
        keep_idxs, labels = topk_idxs.unbind(dim=1)
        stats['levels'].append({'above_thr': int(valid_idxs.size(0)), 'kept': int(num_topk),
                                'score_ties_in_kept': int(num_topk - np.unique(scores.numpy()).size)})
        mlvl_bbox_preds.append(bbox_pred[keep_idxs])
        mlvl_priors.append(priors[keep_idxs])
        mlvl_scores.append(scores)
        mlvl_labels.append(labels)
    bbox_pred = torch.cat(mlvl_bbox_preds)
    priors = torch.cat(mlvl_priors)
    bboxes = delta2bbox(priors, bbox_pred, cfg, img_shape, mode)
    scores = torch.cat(mlvl_scores)
    labels = torch.cat(mlvl_labels)
    stats['candidates'] = int(scores.numel())

    # rescale: factors 1 / scale_factor in double, multiplied as float32
    scale_factor = (img_shape[1] / ori_shape[1], img_shape[0] / ori_shape[0])
    factors = bboxes.new_tensor([1 / s for s in scale_factor]).repeat((1, 2))
    bboxes = bboxes * factors

    if tc['min_bbox_size'] >= 0:
        w = bboxes[:, 2] - bboxes[:, 0]
        h = bboxes[:, 3] - bboxes[:, 1]
        min_size = torch.tensor(tc['min_bbox_size'], dtype=torch.float32)
        valid = (w > min_size) & (h > min_size)
        bboxes, scores, labels = bboxes[valid], scores[valid], labels[valid]
    stats['after_min_size'] = int(scores.numel())

    if bboxes.numel() > 0:
        keep = batched_nms(bboxes, scores, labels, tc['nms']['iou_threshold'], mode)
        stats['after_nms'] = int(keep.numel())
        keep = keep[:tc['max_per_img']]
        bboxes, scores, labels = bboxes[keep], scores[keep], labels[keep]
    else:
        stats['after_nms'] = 0
    stats['final'] = int(scores.numel())
    return bboxes.numpy(), scores.numpy(), labels.numpy(), stats


def results2json(image_id, bboxes, scores, labels, cat_ids):
    out = []
    for i in range(len(scores)):
        b = bboxes[i].tolist()
        out.append({'image_id': image_id, 'bbox': [b[0], b[1], b[2] - b[0], b[3] - b[1]],
                    'score': float(scores[i]), 'category_id': cat_ids[int(labels[i])]})
    return out


def read_outputs(directory):
    files = sorted(f for f in os.listdir(directory) if f.startswith('output_') and f.endswith('.npy'))
    if not files:
        sys.exit(f'no output_*.npy files in {directory}')
    return [np.load(os.path.join(directory, f)) for f in files]


def cmd_run(args):
    cfg = load_config(args.config)
    with open(args.images) as f:
        images = json.load(f)
    outputs = read_outputs(args.outputs)
    for o in outputs:
        assert o.dtype == np.float32 and o.ndim == 4, (o.dtype, o.shape)
    cls_maps, reg_maps = split_outputs(outputs, cfg)
    batch = outputs[0].shape[0]
    if len(images) != batch:
        sys.exit(f'{len(images)} image entries for a batch of {batch}')
    result = {'mode': args.mode, 'images': [], 'coco': []}
    for i, meta in enumerate(images):
        ori_shape = (meta['height'], meta['width'])
        bboxes, scores, labels, stats = predict_single(cls_maps, reg_maps, i, ori_shape, cfg, args.mode)
        result['images'].append({
            'index': i, 'image_id': meta['image_id'], 'ori_shape': list(ori_shape),
            'boxes': bboxes.tolist(), 'scores': scores.tolist(), 'labels': labels.tolist(), 'stats': stats})
        result['coco'].extend(results2json(meta['image_id'], bboxes, scores, labels, cfg['category_ids']))
    with open(args.out, 'w') as f:
        json.dump(result, f)


# -------------------------------------------------------------------------------------- synthetic data

def project_sigmoid_np(x):
    x = np.asarray(x, np.float32)
    return np.float32(1) / (np.float32(1) + np.exp(-x.astype(np.float64)).astype(np.float32))


def logit_at_threshold(thr):
    """Largest float32 logit whose project-rule score equals f32(thr) exactly."""
    t = np.float32(thr)
    x = np.float32(np.log(thr / (1 - thr)))
    for _ in range(100000):  # walk down until the score is <= thr
        if project_sigmoid_np(x) <= t:
            break
        x = np.nextafter(x, np.float32(-np.inf))
    while project_sigmoid_np(np.nextafter(x, np.float32(np.inf))) <= t:
        x = np.nextafter(x, np.float32(np.inf))
    assert project_sigmoid_np(x) == t, (x, project_sigmoid_np(x), t)
    return x


def cmd_synth(args):
    cfg = load_config(None)
    rng = np.random.default_rng(args.seed)
    batch = 4
    num_classes = 80
    num_anchors = 9
    height, width = 800, 1344
    strides = cfg['anchor_generator']['strides']
    sizes = [(-(-height // s), -(-width // s)) for s in strides]
    cls = [np.full((batch, num_anchors * num_classes, h, w), -9.0, np.float32) for h, w in sizes]
    reg = [rng.normal(0, 0.5, (batch, num_anchors * 4, h, w)).astype(np.float32) for h, w in sizes]

    def plant(img, level, y, x, a, c, logit, deltas=None):
        cls[level][img, a * num_classes + c, y, x] = logit
        if deltas is not None:
            reg[level][img, a * 4:a * 4 + 4, y, x] = deltas

    used = set()

    def fresh(img, level):
        h, w = sizes[level]
        while True:
            key = (img, level, int(rng.integers(h)), int(rng.integers(w)), int(rng.integers(num_anchors)),
                   int(rng.integers(num_classes)))
            if key not in used:
                used.add(key)
                return key[2:]

    # ---- image 0: planted cases
    img = 0
    for _ in range(40):  # peaks
        level = int(rng.integers(0, 3))
        y, x, a, c = fresh(img, level)
        plant(img, level, y, x, a, c, rng.uniform(1, 6), rng.normal(0, 1, 4))
    for _ in range(30):  # logits of 18..60 all score exactly 1.0: order by index, not by logit
        y, x, a, c = fresh(img, 1)
        plant(img, 1, y, x, a, c, rng.uniform(18, 60), rng.normal(0, 1, 4))
    for k in range(12):  # equal scores at adjacent anchors of one location and class: NMS tie order
        plant(img, 2, 7 + k // 9, 9 + 2 * (k // 9), k % 9, 5, 2.0, [0, 0, 0, 0])
    for _ in range(1500):  # > nms_pre candidates on P4 with the cut inside a block of equal scores
        y, x, a, c = fresh(img, 1)
        plant(img, 1, y, x, a, c, 0.25, rng.normal(0, 1, 4))
    for _ in range(300):
        y, x, a, c = fresh(img, 1)
        plant(img, 1, y, x, a, c, rng.uniform(0.3, 3.0), rng.normal(0, 1, 4))
    for y in range(2, 98, 8):  # a grid of separate boxes: > max_per_img survive NMS
        for x in range(2, 166, 10):
            plant(img, 0, y, x, 3, 0, rng.uniform(0.5, 1.5), [0, 0, 0, 0])
    for y in range(10, 15):  # pushed off the left / bottom edge: clipped flat, removed by min size
        for a in range(9):
            plant(img, 0, y, 0, a, 7, 3.0, [-30, 0, 0, 0])
    for x in range(50, 55):
        for a in range(9):
            plant(img, 0, 99, x, a, 8, 3.0, [0, 30, 0, 0])
    plant(img, 0, 20, 167, 2, 6, 3.2, [0, 0, 0, 0])  # crosses the right border: clipped, kept
    for a in range(9):  # P7 anchors are larger than the image: clipped on several sides
        plant(img, 4, 0, 0, a, 12, 2.2 + 0.1 * a, [0, 0, 0, 0])
    plant(img, 2, 5, 5, 4, 9, 3.5, [0, 0, 40, -40])  # dw, dh clamped
    plant(img, 2, 6, 6, 4, 9, 3.4, [np.inf, 0, 0, 0])  # x1 = x2 = inf -> 1344: removed
    plant(img, 2, 8, 6, 4, 9, 3.3, [0, 0, np.inf, -np.inf])  # clamped
    plant(img, 2, 9, 6, 4, 9, 3.3, [np.nan, 0, 0, 0])  # NaN box: removed by the size filter
    for c in (1, 2, 3):  # identical boxes of three classes: all kept
        plant(img, 1, 10, 10, 3, c, 2.5, [0.1, 0.1, 0.1, 0.1])
    plant(img, 1, 10, 10, 4, 1, 2.4, [0.1, 0.1, 0.1, 0.1])  # same class, IoU 0.63: suppressed

    # ---- image 1: random logits and deltas everywhere (millions of candidates per level)
    img = 1
    for level, (h, w) in enumerate(sizes):
        cls[level][img] = rng.normal(-1.0, 2.0, (num_anchors * num_classes, h, w)).astype(np.float32)
        reg[level][img] = rng.normal(0.0, 1.0, (num_anchors * 4, h, w)).astype(np.float32)
        big = rng.random((num_anchors * 4, h, w)) < 0.01
        reg[level][img][big] *= 30  # some dw, dh beyond the clamp bound
    # a few exactly equal high logits on different levels and classes
    for level in range(5):
        for _ in range(6):
            y, x, a, c = fresh(img, level)
            plant(img, level, y, x, a, c, 9.5)

    # ---- image 2: threshold edge
    img = 2
    x0 = logit_at_threshold(cfg['test_cfg']['score_thr'])
    x1 = np.nextafter(x0, np.float32(np.inf))
    plant(img, 3, 3, 3, 1, 11, x0, [0, 0, 0, 0])  # score == f32(0.05): dropped
    plant(img, 3, 3, 8, 1, 11, x1, [0, 0, 0, 0])  # next float up: kept
    plant(img, 3, 5, 3, 1, 11, np.nan)  # NaN score: dropped
    plant(img, 3, 5, 5, 1, 11, -np.inf)  # score 0: dropped
    plant(img, 3, 7, 3, 1, 12, np.inf, [0, 0, 0, 0])  # score 1: kept
    plant(img, 0, 40, 0, 0, 3, 4.0, [-30, 0, 0, 0])  # clipped flat: removed

    # ---- image 3: every candidate clipped flat: nothing left for NMS
    img = 3
    for y in range(30, 40):
        plant(img, 0, y, 0, 4, 2, 2.0, [-30, 0, 0, 0])

    os.makedirs(args.out, exist_ok=True)
    outputs = cls + reg
    for i, o in enumerate(outputs):
        np.save(os.path.join(args.out, f'output_{i:02d}.npy'), o)
    images = [{'image_id': 1001, 'height': 480, 'width': 640},
              {'image_id': 1002, 'height': 1080, 'width': 1920},
              {'image_id': 1003, 'height': 333, 'width': 500},
              {'image_id': 1004, 'height': 800, 'width': 1344}]
    with open(os.path.join(args.out, 'images.json'), 'w') as f:
        json.dump(images, f)
    with open(os.path.join(args.out, 'config.json'), 'w') as f:
        json.dump({'input_size': {'width': width, 'height': height}}, f)
    with open(os.path.join(args.out, 'planted.json'), 'w') as f:
        json.dump({'threshold_logit': float(x0), 'next_logit': float(x1)}, f)


def cmd_anchors(args):
    cfg = load_config(args.config)
    height, width = cfg['input_size']['height'], cfg['input_size']['width']
    os.makedirs(args.out, exist_ok=True)
    for level, stride in enumerate(cfg['anchor_generator']['strides']):
        anchors = level_anchors(cfg, level, -(-height // stride), -(-width // stride))
        np.save(os.path.join(args.out, f'anchors_{level}.npy'), anchors.numpy())


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest='cmd', required=True)
    r = sub.add_parser('run', help='post-process network outputs')
    r.add_argument('--outputs', required=True, help='directory with output_NN.npy in graph order')
    r.add_argument('--images', required=True, help='JSON list of {image_id, height, width} per batch row')
    r.add_argument('--config', help='detector config JSON (same schema as the Java DetectorConfig)')
    r.add_argument('--mode', choices=['project', 'torch'], default='project')
    r.add_argument('--out', required=True)
    s = sub.add_parser('synth', help='write synthetic full-size outputs')
    s.add_argument('--out', required=True)
    s.add_argument('--seed', type=int, default=0)
    a = sub.add_parser('anchors', help='write every level\'s anchors')
    a.add_argument('--config')
    a.add_argument('--out', required=True)
    args = p.parse_args()
    torch.set_num_threads(max(1, min(4, os.cpu_count() or 1)))
    {'run': cmd_run, 'synth': cmd_synth, 'anchors': cmd_anchors}[args.cmd](args)


if __name__ == '__main__':
    main()
