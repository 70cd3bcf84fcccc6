"""The demo detector: tools/make_fixtures.py's FreeAnchor topology (ResNet-50 bottlenecks, FPN P3-P7,
RetinaNet head, 9 anchors a location, MMDetection key names) at reduced widths, with our class count
and RetinaNet's training initialisation (not make_fixtures' random inference weights)."""
import math
import os
import sys

import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import make_fixtures  # noqa: E402

NUM_ANCHORS = make_fixtures.NUM_ANCHORS


class DemoDetector(nn.Module):
    """Same modules and state_dict keys as make_fixtures.FreeAnchorRetinaNet, num_classes free."""

    def __init__(self, width, num_classes):
        super().__init__()
        self.backbone = make_fixtures.ResNet50(width)
        ch = 256 // width
        self.neck = make_fixtures.FPN(self.backbone.out_channels, ch)
        self.bbox_head = make_fixtures.RetinaHead(ch, ch, num_classes=num_classes)
        self.num_classes = num_classes

    def forward(self, x):
        cls_scores, bbox_preds = self.bbox_head(self.neck(self.backbone(x)))
        return tuple(cls_scores) + tuple(bbox_preds)


def init_for_training(model, seed_generator):
    """RetinaNet's initialisation: He-normal backbone, N(0, 0.01) neck/head convs, BN gamma 1 (0 on
    each residual branch's last BN, so every block starts as an identity), classifier bias at the
    0.01 prior so the huge negative set does not swamp the first steps."""
    g = seed_generator
    for name, m in model.named_modules():
        if isinstance(m, nn.Conv2d):
            if name.startswith("backbone."):
                fan_out = m.out_channels * m.kernel_size[0] * m.kernel_size[1]
                m.weight.data.normal_(0, math.sqrt(2.0 / fan_out), generator=g)
            elif name.startswith("neck."):
                fan_in = m.in_channels * m.kernel_size[0] * m.kernel_size[1]
                m.weight.data.uniform_(-math.sqrt(3.0 / fan_in), math.sqrt(3.0 / fan_in), generator=g)
            else:
                m.weight.data.normal_(0, 0.01, generator=g)
            if m.bias is not None:
                m.bias.data.zero_()
        elif isinstance(m, nn.BatchNorm2d):
            m.weight.data.fill_(0.0 if name.endswith(".bn3") else 1.0)
            m.bias.data.zero_()
    prior = 0.01
    model.bbox_head.retina_cls.bias.data.fill_(-math.log((1 - prior) / prior))
    return model
