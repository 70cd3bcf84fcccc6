"""The FreeAnchor loss (Zhang et al., "FreeAnchor: Learning to Match Anchors for Visual Object
Detection", NeurIPS 2019), written from the paper, with MMDetection's defaults for
retinanet_free_anchor_r50_fpn_1x_coco: pre_anchor_topk 50, bbox_thr 0.6, gamma 2.0, alpha 0.5,
smooth-L1 (beta 0.11, weight 0.75) as the localisation term, DeltaXYWH box coding with stds
(0.1, 0.1, 0.2, 0.2).

Positive part: each object j gets a bag A_j of the 50 anchors with the highest IoU to it. For an
anchor i the joint likelihood is P_ij = P_cls(i, class_j) * P_loc(i, j), P_loc = exp(-smoothL1). The
bag's likelihood is the mean-max of its P_ij (weights 1 / (1 - P) normalised over the bag: near the
mean early in training, near the max once one anchor dominates), and the loss is
alpha * BCE(mean-max, 1), averaged over objects.

Negative part: anchor i is a background for class k with probability 1 - P{a_i matches an object of
class k}; the paper estimates that match probability from the IoU of the anchor's *predicted* box with
the object, saturated linearly between bbox_thr and the object's best IoU. The term is
(1 - alpha) * FL(P_cls(i, k) * (1 - box_prob(i, k))), a focal-style BCE against 0 with gamma, summed
over anchors and classes and divided by (#objects * 50).
"""
import math

import torch
import torch.nn.functional as F

PRE_ANCHOR_TOPK = 50
BBOX_THR = 0.6
GAMMA = 2.0
ALPHA = 0.5
SMOOTH_L1_BETA = 0.11
LOC_WEIGHT = 0.75
TARGET_STDS = (0.1, 0.1, 0.2, 0.2)
WH_RATIO_CLIP = 16 / 1000
EPS = 1e-12


def encode(anchors, gt):
    """Boxes (x1, y1, x2, y2) as normalised deltas from anchors (means 0, TARGET_STDS)."""
    pw, ph = anchors[..., 2] - anchors[..., 0], anchors[..., 3] - anchors[..., 1]
    px, py = anchors[..., 0] + 0.5 * pw, anchors[..., 1] + 0.5 * ph
    gw, gh = gt[..., 2] - gt[..., 0], gt[..., 3] - gt[..., 1]
    gx, gy = gt[..., 0] + 0.5 * gw, gt[..., 1] + 0.5 * gh
    d = torch.stack([(gx - px) / pw, (gy - py) / ph, torch.log(gw / pw), torch.log(gh / ph)], dim=-1)
    return d / d.new_tensor(TARGET_STDS)


def decode(anchors, deltas):
    d = deltas * deltas.new_tensor(TARGET_STDS)
    pw, ph = anchors[:, 2] - anchors[:, 0], anchors[:, 3] - anchors[:, 1]
    px, py = anchors[:, 0] + 0.5 * pw, anchors[:, 1] + 0.5 * ph
    clip = abs(math.log(WH_RATIO_CLIP))
    dw, dh = d[:, 2].clamp(-clip, clip), d[:, 3].clamp(-clip, clip)
    cx, cy = px + pw * d[:, 0], py + ph * d[:, 1]
    w, h = pw * torch.exp(dw), ph * torch.exp(dh)
    return torch.stack([cx - 0.5 * w, cy - 0.5 * h, cx + 0.5 * w, cy + 0.5 * h], dim=1)


def box_iou(a, b):
    """IoU matrix between boxes a (n, 4) and b (m, 4)."""
    area_a = (a[:, 2] - a[:, 0]).clamp(min=0) * (a[:, 3] - a[:, 1]).clamp(min=0)
    area_b = (b[:, 2] - b[:, 0]).clamp(min=0) * (b[:, 3] - b[:, 1]).clamp(min=0)
    lt = torch.max(a[:, None, :2], b[None, :, :2])
    rb = torch.min(a[:, None, 2:], b[None, :, 2:])
    wh = (rb - lt).clamp(min=0)
    inter = wh[..., 0] * wh[..., 1]
    return inter / (area_a[:, None] + area_b[None, :] - inter).clamp(min=1e-6)


def smooth_l1(pred, target, beta=SMOOTH_L1_BETA):
    diff = (pred - target).abs()
    return torch.where(diff < beta, 0.5 * diff * diff / beta, diff - 0.5 * beta)


def mean_max(p):
    """The paper's saturated mean: sum_i w_i p_i with w_i proportional to 1 / (1 - p_i), per row."""
    w = 1.0 / (1.0 - p).clamp(min=EPS)
    w = w / w.sum(dim=1, keepdim=True)
    return (w * p).sum(dim=1)


def match_probability(pred_boxes, gt_boxes, gt_labels, num_classes):
    """box_prob (anchors, classes): for each anchor and class, the largest saturated IoU between the
    anchor's predicted box and an object of that class (no gradient: it only selects negatives)."""
    iou = box_iou(gt_boxes, pred_boxes)  # (objects, anchors)
    t2 = iou.max(dim=1, keepdim=True).values.clamp(min=BBOX_THR + EPS)
    obj_prob = ((iou - BBOX_THR) / (t2 - BBOX_THR)).clamp(0, 1)
    box_prob = pred_boxes.new_zeros(pred_boxes.shape[0], num_classes)
    for c in torch.unique(gt_labels).tolist():
        box_prob[:, c] = obj_prob[gt_labels == c].max(dim=0).values
    return box_prob


def freeanchor_loss(cls_logits, box_deltas, anchors, gt_boxes, gt_labels):
    """cls_logits (N, anchors, K), box_deltas (N, anchors, 4), anchors (anchors, 4); per image gt_boxes[i]
    (objects, 4) x1y1x2y2 and gt_labels[i] (objects,) in 0..K-1. Returns (positive, negative) losses."""
    n, _, num_classes = cls_logits.shape
    cls_prob = torch.sigmoid(cls_logits)
    positive, box_probs, num_objects = [], [], 0
    for i in range(n):
        boxes, labels = gt_boxes[i], gt_labels[i]
        if boxes.shape[0] == 0:
            box_probs.append(cls_prob.new_zeros(cls_prob.shape[1:]))
            continue
        with torch.no_grad():
            box_probs.append(match_probability(decode(anchors, box_deltas[i]), boxes, labels, num_classes))
            bag = box_iou(boxes, anchors).topk(PRE_ANCHOR_TOPK, dim=1).indices  # (objects, 50)
        bag_cls = cls_prob[i][bag, labels[:, None]]  # (objects, 50)
        targets = encode(anchors[bag], boxes[:, None, :].expand(-1, PRE_ANCHOR_TOPK, 4))
        loc = LOC_WEIGHT * smooth_l1(box_deltas[i][bag], targets).sum(dim=-1)
        bag_prob = mean_max(bag_cls * torch.exp(-loc)).clamp(0, 1)
        positive.append(ALPHA * F.binary_cross_entropy(bag_prob, torch.ones_like(bag_prob), reduction="none"))
        num_objects += boxes.shape[0]
    num_objects = max(1, num_objects)
    pos = torch.cat(positive).sum() / num_objects if positive else cls_logits.sum() * 0
    p = (cls_prob * (1 - torch.stack(box_probs))).clamp(EPS, 1 - EPS)
    neg = ((1 - ALPHA) * p ** GAMMA * F.binary_cross_entropy(p, torch.zeros_like(p), reduction="none")).sum()
    return pos, neg / (num_objects * PRE_ANCHOR_TOPK)
