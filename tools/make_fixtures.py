#!/usr/bin/python3
"""Build reference fixtures for the pure-Java FreeAnchor / RetinaNet engine.

The model built here has the topology of MMDetection's
``retinanet_free_anchor_r50_fpn_1x_coco`` (at inference FreeAnchor is a plain
RetinaNet): ResNet-50 backbone, FPN neck (start_level=1, add_extra_convs=
'on_input', 5 outputs) and RetinaHead (4 shared 3x3 convs per branch, 9
anchors, 80 classes).  Parameter names match MMDetection's state_dict keys
(``backbone.layer1.0.conv1.weight``, ``neck.lateral_convs.0.conv.bias``,
``bbox_head.retina_cls.weight``, ...).  The weights are random but seeded, so
the output is reproducible for a given torch build.

Written by this project; it does not import MMDetection.

Outputs in --out DIR:
  model_dynamic.onnx  opset 13, BN folded into Conv, batch axis dynamic
                      (like MMDetection's ONNX export of the real checkpoint)
  model_static.onnx   opset 13, BN folded, all shapes static
  model_bn.onnx       opset 13, BatchNormalization nodes kept (inference mode)
  input.npy           float32 NCHW input
  output_00.npy ..    float32 reference outputs of the PyTorch model:
  output_09.npy       cls P3..P7 (N, 720, h, w), then reg P3..P7 (N, 36, h, w)
  manifest.json       shapes, ONNX output names, width, seed, versions

After writing, every export is run again by a small ONNX interpreter in this
file (run_onnx) and, when cv2 imports, by OpenCV's DNN module, and must match
the PyTorch outputs (max |diff| / max(1, max |ref|) <= 1e-4).

Run with Debian's interpreter (it has torch 1.13, onnx 1.12, cv2):
  /usr/bin/python3 tools/make_fixtures.py --preset tiny    # also micro, odd
  /usr/bin/python3 tools/make_fixtures.py --preset full    # -> fixtures-full/
  /usr/bin/python3 tools/make_fixtures.py --out DIR --width W --input-shape N,3,H,W --seed S
"""

import argparse
import collections
import json
import math
import os
import sys
import warnings

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import onnx
import onnx.helper
import onnx.mapping
import onnx.numpy_helper

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NUM_CLASSES = 80
NUM_ANCHORS = 9
OPSET = 13

PRESETS = {
    # Committed; small enough to keep in git.  P7 is 1x2.
    "tiny": dict(out="fixtures/tiny", width=8, input_shape=(2, 3, 96, 160), seed=0),
    # Committed; the fastest one for unit tests.  P6 and P7 are 1x1.
    # Also exported (dynamic batch) at opsets 11 and 17, the ends of the range we support.
    "micro": dict(out="fixtures/micro", width=16, input_shape=(1, 3, 64, 64), seed=1, extra_opsets=(11, 17)),
    # Committed; H and W not multiples of 32, so the FPN top-down nearest
    # resize goes 3x4 -> 5x7 -> 9x13 (not an exact 2x).
    "odd": dict(out="fixtures/odd", width=16, input_shape=(1, 3, 72, 104), seed=2),
    # On demand (gitignored): the real widths and the usual 800x1344 input.
    "full": dict(out="fixtures-full", width=1, input_shape=(2, 3, 800, 1344), seed=0),
}


# ---------------------------------------------------------------------------
# Model
# ---------------------------------------------------------------------------

class ConvModule(nn.Module):
    """MMCV's ConvModule without norm/act: keeps the ``.conv`` key level."""

    def __init__(self, cin, cout, k, stride=1, padding=0):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, stride=stride, padding=padding, bias=True)

    def forward(self, x):
        return self.conv(x)


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, cin, planes, stride=1, downsample=None):
        super().__init__()
        cout = planes * self.expansion
        # pytorch style: the stride sits on the 3x3 conv
        self.conv1 = nn.Conv2d(cin, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, cout, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x):
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        out = out + identity
        return self.relu(out)


class ResNet50(nn.Module):
    def __init__(self, width=1):
        super().__init__()
        stem = 64 // width
        self.conv1 = nn.Conv2d(3, stem, 7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(stem)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        cin = stem
        self.out_channels = []
        for i, (blocks, base) in enumerate(zip((3, 4, 6, 3), (64, 128, 256, 512))):
            planes = base // width
            stride = 1 if i == 0 else 2
            layers = []
            for b in range(blocks):
                s = stride if b == 0 else 1
                down = None
                if b == 0 and (s != 1 or cin != planes * Bottleneck.expansion):
                    down = nn.Sequential(
                        nn.Conv2d(cin, planes * Bottleneck.expansion, 1, stride=s, bias=False),
                        nn.BatchNorm2d(planes * Bottleneck.expansion))
                layers.append(Bottleneck(cin, planes, s, down))
                cin = planes * Bottleneck.expansion
            self.add_module("layer%d" % (i + 1), nn.Sequential(*layers))
            self.out_channels.append(cin)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        outs = []
        for name in ("layer1", "layer2", "layer3", "layer4"):
            x = getattr(self, name)(x)
            outs.append(x)
        return tuple(outs)  # out_indices (0, 1, 2, 3)


class FPN(nn.Module):
    """start_level=1, add_extra_convs='on_input', num_outs=5, no extra ReLU."""

    def __init__(self, in_channels, out_channels, start_level=1, num_outs=5):
        super().__init__()
        self.start_level = start_level
        self.num_outs = num_outs
        used = in_channels[start_level:]
        self.lateral_convs = nn.ModuleList(ConvModule(c, out_channels, 1) for c in used)
        fpn = [ConvModule(out_channels, out_channels, 3, padding=1) for _ in used]
        n_extra = num_outs - len(used)
        for i in range(n_extra):
            cin = in_channels[-1] if i == 0 else out_channels  # 'on_input'
            fpn.append(ConvModule(cin, out_channels, 3, stride=2, padding=1))
        self.fpn_convs = nn.ModuleList(fpn)

    def forward(self, inputs):
        inputs = inputs[self.start_level:]
        laterals = [conv(inputs[i]) for i, conv in enumerate(self.lateral_convs)]
        for i in range(len(laterals) - 1, 0, -1):
            # as mmdet: size=prev_shape (exports as Resize with `sizes`)
            prev_shape = laterals[i - 1].shape[2:]
            laterals[i - 1] = laterals[i - 1] + F.interpolate(
                laterals[i], size=prev_shape, mode="nearest")
        outs = [self.fpn_convs[i](laterals[i]) for i in range(len(laterals))]
        extra_source = inputs[-1]  # add_extra_convs='on_input'
        outs.append(self.fpn_convs[len(laterals)](extra_source))
        for i in range(len(laterals) + 1, self.num_outs):
            outs.append(self.fpn_convs[i](outs[-1]))  # relu_before_extra_convs=False
        return tuple(outs)


class RetinaHead(nn.Module):
    def __init__(self, in_channels, feat_channels, num_classes=NUM_CLASSES,
                 num_anchors=NUM_ANCHORS, stacked_convs=4):
        super().__init__()
        self.relu = nn.ReLU(inplace=True)
        self.cls_convs = nn.ModuleList()
        self.reg_convs = nn.ModuleList()
        for i in range(stacked_convs):
            c = in_channels if i == 0 else feat_channels
            self.cls_convs.append(ConvModule(c, feat_channels, 3, padding=1))
            self.reg_convs.append(ConvModule(c, feat_channels, 3, padding=1))
        self.retina_cls = nn.Conv2d(feat_channels, num_anchors * num_classes, 3, padding=1)
        self.retina_reg = nn.Conv2d(feat_channels, num_anchors * 4, 3, padding=1)

    def forward_single(self, x):
        cls_feat = x
        reg_feat = x
        for m in self.cls_convs:
            cls_feat = self.relu(m(cls_feat))
        for m in self.reg_convs:
            reg_feat = self.relu(m(reg_feat))
        return self.retina_cls(cls_feat), self.retina_reg(reg_feat)

    def forward(self, feats):
        cls_scores, bbox_preds = [], []
        for f in feats:
            c, r = self.forward_single(f)
            cls_scores.append(c)
            bbox_preds.append(r)
        return cls_scores, bbox_preds


class FreeAnchorRetinaNet(nn.Module):
    def __init__(self, width=1):
        super().__init__()
        self.backbone = ResNet50(width)
        ch = 256 // width
        self.neck = FPN(self.backbone.out_channels, ch)
        self.bbox_head = RetinaHead(ch, ch)

    def forward(self, x):
        cls_scores, bbox_preds = self.bbox_head(self.neck(self.backbone(x)))
        return tuple(cls_scores) + tuple(bbox_preds)


def init_weights(model, seed):
    """Seeded random weights that keep activations O(1) through the net."""
    g = torch.Generator().manual_seed(seed)

    def uniform(shape, lo, hi):
        return lo + (hi - lo) * torch.rand(shape, generator=g)

    with torch.no_grad():
        for name, m in model.named_modules():
            if isinstance(m, nn.Conv2d):
                fan_in = m.in_channels * m.kernel_size[0] * m.kernel_size[1] // m.groups
                std = math.sqrt(2.0 / fan_in)  # He / kaiming normal
                if name.startswith("bbox_head.retina_"):
                    std = math.sqrt(1.0 / fan_in)
                m.weight.copy_(torch.randn(m.weight.shape, generator=g) * std)
                if m.bias is not None:
                    m.bias.copy_(torch.randn(m.bias.shape, generator=g) * 0.1)
            elif isinstance(m, nn.BatchNorm2d):
                c = m.num_features
                # the last BN of a residual branch gets a smaller gamma so the
                # sum over 16 blocks does not blow up
                gamma_hi = 0.5 if name.endswith(".bn3") else 1.2
                m.weight.copy_(uniform(c, 0.3, gamma_hi))
                m.bias.copy_(uniform(c, -0.2, 0.2))
                m.running_mean.copy_(uniform(c, -0.3, 0.3))
                m.running_var.copy_(uniform(c, 0.5, 2.0))
    return model


# ---------------------------------------------------------------------------
# Export and checks
# ---------------------------------------------------------------------------

def op_histogram(model_proto):
    return dict(sorted(collections.Counter(n.op_type for n in model_proto.graph.node).items()))


def export(model, x, path, dynamic=False, keep_bn=False, opset=OPSET):
    kwargs = dict(opset_version=opset, input_names=["input"])
    if dynamic:
        kwargs["dynamic_axes"] = {"input": {0: "-1"}}
    if keep_bn:
        # model is in eval mode; PRESERVE keeps it so, and skips the eval
        # peephole pass that folds BatchNormalization into Conv.
        kwargs["training"] = torch.onnx.TrainingMode.PRESERVE
        kwargs["do_constant_folding"] = False
    torch.onnx.export(model, (x,), path, **kwargs)
    proto = onnx.load(path)
    onnx.checker.check_model(proto)
    return proto


def describe_graph(proto):
    g = proto.graph
    return dict(
        inputs=[dict(name=v.name, shape=dims(v)) for v in g.input],
        outputs=[dict(name=v.name, shape=dims(v)) for v in g.output],
        ops=op_histogram(proto),
        initializers=len(g.initializer),
    )


def dims(value_info):
    out = []
    for d in value_info.type.tensor_type.shape.dim:
        out.append(d.dim_param if d.dim_param else d.dim_value)
    return out


def check_bn_inference(proto):
    bns = [n for n in proto.graph.node if n.op_type == "BatchNormalization"]
    if not bns:
        raise SystemExit("model_bn.onnx has no BatchNormalization node")
    for n in bns:
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in n.attribute}
        if len(n.output) != 1 or attrs.get("training_mode", 0) != 0:
            raise SystemExit("BatchNormalization %s is not in inference mode" % n.name)
    return len(bns)


# ---------------------------------------------------------------------------
# A small ONNX interpreter, written from the operator specs, used to check
# that each exported graph computes the saved reference outputs.  Conv and
# MaxPool call torch.nn.functional (their semantics are not in doubt); the
# shape ops, Resize and BatchNormalization follow the ONNX spec in numpy.
# ---------------------------------------------------------------------------

def _attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _conv(x, w, b, a):
    pads = a.get("pads", [0, 0, 0, 0])
    assert pads[0] == pads[2] and pads[1] == pads[3], pads
    assert a.get("auto_pad", b"NOTSET") == b"NOTSET"
    y = F.conv2d(torch.from_numpy(x), torch.from_numpy(w),
                 None if b is None else torch.from_numpy(b),
                 stride=a.get("strides", [1, 1]), padding=pads[:2],
                 dilation=a.get("dilations", [1, 1]), groups=a.get("group", 1))
    return y.numpy()


def _maxpool(x, a):
    pads = a.get("pads", [0, 0, 0, 0])
    assert pads[0] == pads[2] and pads[1] == pads[3], pads
    y = F.max_pool2d(torch.from_numpy(x), a["kernel_shape"], a.get("strides", [1, 1]),
                     pads[:2], a.get("dilations", [1, 1]), bool(a.get("ceil_mode", 0)))
    return y.numpy()


def _resize_nearest(x, sizes, a):
    assert a.get("mode") == b"nearest", a
    assert a.get("coordinate_transformation_mode") == b"asymmetric", a
    assert a.get("nearest_mode") == b"floor", a
    out = x
    for axis in range(x.ndim):
        n_in, n_out = x.shape[axis], int(sizes[axis])
        if n_in == n_out:
            continue
        scale = np.float32(n_out) / np.float32(n_in)
        src = np.floor(np.arange(n_out, dtype=np.float32) / scale).astype(np.int64)
        out = np.take(out, np.clip(src, 0, n_in - 1), axis=axis)
    return out


def run_onnx(proto, feeds):
    env = {t.name: np.array(onnx.numpy_helper.to_array(t)) for t in proto.graph.initializer}
    env.update(feeds)
    env[""] = None
    for n in proto.graph.node:
        a = _attrs(n)
        i = [env[name] for name in n.input]
        op = n.op_type
        if op == "Constant":
            y = np.array(onnx.numpy_helper.to_array(a["value"]))
        elif op == "Conv":
            y = _conv(i[0], i[1], i[2] if len(i) > 2 else None, a)
        elif op == "Relu":
            y = np.maximum(i[0], 0)
        elif op == "Add":
            y = i[0] + i[1]
        elif op == "MaxPool":
            y = _maxpool(i[0], a)
        elif op == "BatchNormalization":
            assert len(n.output) == 1 and a.get("training_mode", 0) == 0
            x, g, b, mean, var = i
            sh = (1, -1) + (1,) * (x.ndim - 2)
            y = ((x - mean.reshape(sh)) / np.sqrt(var.reshape(sh) + np.float32(a.get("epsilon", 1e-5)))
                 * g.reshape(sh) + b.reshape(sh)).astype(np.float32)
        elif op == "Shape":
            y = np.array(i[0].shape, dtype=np.int64)
        elif op == "Gather":
            y = np.take(i[0], i[1], axis=a.get("axis", 0))
        elif op == "Unsqueeze":
            y = i[0]
            axes = a["axes"] if "axes" in a else i[1]  # attribute before opset 13, input after
            for ax in sorted(int(v) for v in axes):
                y = np.expand_dims(y, ax)
        elif op == "Concat":
            y = np.concatenate(i, axis=a["axis"])
        elif op == "Cast":
            y = i[0].astype(onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[a["to"]])
        elif op == "Slice":
            data, starts, ends = i[0], i[1], i[2]
            axes = i[3] if len(i) > 3 and i[3] is not None else np.arange(len(starts))
            steps = i[4] if len(i) > 4 and i[4] is not None else np.ones(len(starts), np.int64)
            idx = [slice(None)] * data.ndim
            for s, e, ax, st in zip(starts, ends, axes, steps):
                idx[int(ax)] = slice(int(s), int(e), int(st))
            y = data[tuple(idx)]
        elif op == "Resize":
            # opset 13+: Resize(X, '', '', sizes); opset 11 passes an unused roi and empty scales
            assert i[2] is None or i[2].size == 0, "expected Resize by sizes"
            y = _resize_nearest(i[0], i[3], a)
        else:
            raise NotImplementedError(op)
        assert len(n.output) == 1
        env[n.output[0]] = y
    return [env[o.name] for o in proto.graph.output]


def max_rel_err(got, ref):
    return float(np.abs(got - ref).max() / max(1.0, float(np.abs(ref).max())))


def verify(exports, x, outs, tol=1e-4):
    """Run every export through run_onnx (and OpenCV's DNN if it loads)."""
    refs = [t.numpy() for t in outs]
    report = {}
    for k, proto in exports.items():
        got = run_onnx(proto, {"input": x.numpy()})
        err = max(max_rel_err(g, r) for g, r in zip(got, refs))
        report[k] = err
        print("  verify model_%s.onnx with run_onnx: max rel err %.2e" % (k, err))
        if err > tol:
            raise SystemExit("model_%s.onnx does not reproduce the reference" % k)
    if x.shape[0] > 1:
        # the dynamic export must also run at another batch size
        got = run_onnx(exports["dynamic"], {"input": x.numpy()[:1]})
        err = max(max_rel_err(g, r[:1]) for g, r in zip(got, refs))
        report["dynamic_batch1"] = err
        print("  verify model_dynamic.onnx at batch 1 with run_onnx: max rel err %.2e" % err)
        if err > tol:
            raise SystemExit("model_dynamic.onnx fails at batch 1")
    return report


def verify_cv2(out, exports, x, outs, tol=1e-4):
    try:
        import cv2
    except ImportError:
        print("  (cv2 not importable, skipping the OpenCV DNN check)")
        return {}
    refs = [t.numpy() for t in outs]
    report = {}
    for k, proto in exports.items():
        net = cv2.dnn.readNetFromONNX(os.path.join(out, "model_%s.onnx" % k))
        net.setInput(x.numpy())
        got = net.forward([o.name for o in proto.graph.output])
        err = max(max_rel_err(g, r) for g, r in zip(got, refs))
        report[k] = err
        print("  verify model_%s.onnx with OpenCV %s DNN: max rel err %.2e" % (k, cv2.__version__, err))
        if err > tol:
            raise SystemExit("OpenCV disagrees on model_%s.onnx" % k)
    return report


def parse_shape(s):
    shape = tuple(int(v) for v in s.split(","))
    if len(shape) != 4 or shape[1] != 3:
        raise argparse.ArgumentTypeError("input shape must be N,3,H,W")
    return shape


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--preset", choices=sorted(PRESETS),
                    help="named settings; explicit flags override them")
    ap.add_argument("--out", help="output directory")
    ap.add_argument("--width", type=int, help="divide all channel widths by this")
    ap.add_argument("--input-shape", type=parse_shape, help="N,3,H,W")
    ap.add_argument("--seed", type=int)
    ap.add_argument("--no-verify", action="store_true",
                    help="skip re-running the exported graphs against the reference")
    args = ap.parse_args(argv)

    cfg = dict(PRESETS[args.preset]) if args.preset else dict(
        out=None, width=8, input_shape=(2, 3, 96, 160), seed=0)
    for key in ("out", "width", "input_shape", "seed"):
        v = getattr(args, key)
        if v is not None:
            cfg[key] = v
    if not cfg["out"]:
        ap.error("--out or --preset is required")
    if 64 % cfg["width"] != 0:
        ap.error("width must divide 64")

    # preset directories are relative to the repository root, --out to the cwd
    out = cfg["out"] if args.out else os.path.join(REPO_ROOT, cfg["out"])
    os.makedirs(out, exist_ok=True)
    warnings.filterwarnings("ignore", message="The shape inference of prim::Constant")
    torch.manual_seed(cfg["seed"])
    np.random.seed(cfg["seed"])
    torch.set_num_threads(max(1, os.cpu_count() or 1))

    model = init_weights(FreeAnchorRetinaNet(cfg["width"]), cfg["seed"])
    model.eval()

    g = torch.Generator().manual_seed(cfg["seed"] + 1000)
    x = torch.randn(cfg["input_shape"], generator=g, dtype=torch.float32)

    with torch.no_grad():
        outs = model(x)
    assert len(outs) == 10
    np.save(os.path.join(out, "input.npy"), np.ascontiguousarray(x.numpy()))
    stats = []
    for i, t in enumerate(outs):
        a = np.ascontiguousarray(t.numpy().astype(np.float32))
        if not np.all(np.isfinite(a)):
            raise SystemExit("output %d is not finite" % i)
        np.save(os.path.join(out, "output_%02d.npy" % i), a)
        stats.append(dict(mean_abs=float(np.abs(a).mean()), max_abs=float(np.abs(a).max()),
                          std=float(a.std())))

    exports = {}
    with torch.no_grad():
        exports["dynamic"] = export(model, x, os.path.join(out, "model_dynamic.onnx"), dynamic=True)
        exports["static"] = export(model, x, os.path.join(out, "model_static.onnx"))
        exports["bn"] = export(model, x, os.path.join(out, "model_bn.onnx"), keep_bn=True)
        for opset in cfg.get("extra_opsets", ()):
            exports["dynamic_opset%d" % opset] = export(
                model, x, os.path.join(out, "model_dynamic_opset%d.onnx" % opset), dynamic=True, opset=opset)
    n_bn = check_bn_inference(exports["bn"])
    # exporting must not have changed the model
    with torch.no_grad():
        again = model(x)
    for a, b in zip(outs, again):
        assert torch.equal(a, b), "model changed during export"

    verified = {}
    if not args.no_verify:
        verified["run_onnx"] = verify(exports, x, outs)
        verified["opencv_dnn"] = verify_cv2(out, exports, x, outs)

    dyn_outputs = exports["dynamic"].graph.output
    names = ["cls_p%d" % l for l in range(3, 8)] + ["reg_p%d" % l for l in range(3, 8)]
    manifest = dict(
        model="retinanet_free_anchor_r50_fpn_1x_coco topology, random weights",
        width=cfg["width"],
        seed=cfg["seed"],
        torch_version=torch.__version__,
        onnx_version=onnx.__version__,
        numpy_version=np.__version__,
        opset=OPSET,
        num_classes=NUM_CLASSES,
        num_anchors=NUM_ANCHORS,
        input=dict(file="input.npy", onnx_name="input", shape=list(x.shape), dtype="float32"),
        outputs=[dict(index=i, file="output_%02d.npy" % i, role=names[i],
                      onnx_name=dyn_outputs[i].name,
                      onnx_names={k: p.graph.output[i].name for k, p in exports.items()},
                      shape=list(outs[i].shape), dtype="float32", **stats[i])
                 for i in range(10)],
        models={"model_%s.onnx" % k: describe_graph(p) for k, p in exports.items()},
        batchnorm_nodes_in_model_bn=n_bn,
        verified_max_rel_err=verified,
        command="/usr/bin/python3 tools/make_fixtures.py --out %s --width %d --input-shape %s --seed %d"
                % (cfg["out"], cfg["width"], ",".join(map(str, cfg["input_shape"])), cfg["seed"]),
    )
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")

    print("wrote %s (width %d, input %s, seed %d, torch %s)"
          % (cfg["out"], cfg["width"], list(x.shape), cfg["seed"], torch.__version__))
    for i, o in enumerate(manifest["outputs"]):
        print("  output_%02d %-6s onnx %-5s %-18s mean|x| %.3g max|x| %.3g"
              % (i, o["role"], o["onnx_name"], o["shape"], o["mean_abs"], o["max_abs"]))
    for k, p in exports.items():
        print("  model_%s.onnx ops: %s" % (k, json.dumps(op_histogram(p))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
