#!/usr/bin/python3
"""OpenCV references for the Java image pipeline (package io.freeanchor.eval.image).

What MMDetection does to an image before the network, computed with OpenCV itself:

  decode      cv2.imdecode(bytes, cv2.IMREAD_COLOR) of generated JPEG/PNG variants (and of any
              files given with --inputs), saved as uint8 HxWx3 BGR .npy
  resize      cv2.resize(src, (w, h), interpolation=cv2.INTER_LINEAR) for many source/target
              sizes; sources and results saved as uint8 .npy
  preprocess  DetDataPreprocessor: BGR->RGB, float32, (x - mean) / std (two float32 ops),
              zero padding to a multiple of 32 (stack_batch), saved as float32 .npy

Each section writes OUT/<section>/manifest.json describing its files. All inputs are generated
from fixed seeds, so the output is reproducible. Runs in a few seconds.

Run with Debian's interpreter, which has OpenCV 4.6 (the version MMDetection's reference used):
    /usr/bin/python3 tools/opencv_reference.py --out DIR [--only decode,resize,preprocess] [--inputs DIR]
Debian packages: python3-opencv python3-numpy python3-pil.
"""

import argparse
import io
import json
import os
import struct
import sys
import zlib

try:
    import numpy as np
    import cv2
    from PIL import Image
except ImportError as e:  # pragma: no cover - environment problem
    sys.exit("opencv_reference.py needs Debian's python3-opencv, python3-numpy and python3-pil "
             "(run it with /usr/bin/python3): %s" % e)

MEAN_RGB = np.array([123.675, 116.28, 103.53], np.float32)
STD_RGB = np.array([58.395, 57.12, 57.375], np.float32)
SIZE_DIVISOR = 32
CANVAS = (1344, 800)  # (w, h) of FreeAnchor's Resize


# --------------------------------------------------------------------------------------------
# synthetic "natural-looking" images


def natural(h, w, seed):
    """uint8 BGR image: smooth gradients, low-frequency texture, shapes with hard and
    anti-aliased edges, text and sensor-like noise."""
    rng = np.random.default_rng(seed)
    if h < 16 or w < 16:
        return rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    sx, sy = w / 640.0, h / 480.0
    img = np.empty((h, w, 3), np.float32)
    img[..., 0] = 128 + 90 * np.sin(x / (37 * sx) + rng.uniform(0, 6)) * np.cos(y / (53 * sy))
    img[..., 1] = 255 * x / (w - 1)
    img[..., 2] = 255 * y / (h - 1)
    del x, y
    small = rng.normal(0, 40, (h // 16 + 2, w // 16 + 2, 3)).astype(np.float32)
    img += cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
    lo = min(w, h)
    for i in range(40):
        color = [int(v) for v in rng.integers(0, 256, 3)]
        p1 = (int(rng.integers(0, w)), int(rng.integers(0, h)))
        aa = cv2.LINE_AA if i % 3 else cv2.LINE_8
        if i % 4 == 0:
            p2 = (int(rng.integers(0, w)), int(rng.integers(0, h)))
            cv2.rectangle(img, p1, p2, color, -1 if i % 8 == 0 else max(1, lo // 100), aa)
        elif i % 4 == 1:
            p2 = (int(rng.integers(0, w)), int(rng.integers(0, h)))
            cv2.line(img, p1, p2, color, max(1, lo // 150), aa)
        else:
            r = int(rng.integers(2, max(3, lo // 6)))
            cv2.circle(img, p1, r, color, -1 if i % 2 else max(1, r // 8), aa)
    scale = lo / 400.0
    cv2.putText(img, "FreeAnchor 0123", (w // 20, h // 2), cv2.FONT_HERSHEY_SIMPLEX, 1.5 * scale,
                (255, 255, 255), max(1, int(3 * scale)), cv2.LINE_AA)
    noise = rng.standard_normal(img.shape, dtype=np.float32)
    noise *= 5
    img += noise
    del noise
    np.rint(img, out=img)
    np.clip(img, 0, 255, out=img)
    return img.astype(np.uint8)


# --------------------------------------------------------------------------------------------
# a small PNG writer of our own: every colour type and bit depth, all five filters, Adam7


def _chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def _filter_row(ftype, row, prev, bpp):
    out = bytearray(len(row))
    for i in range(len(row)):
        a = row[i - bpp] if i >= bpp else 0
        b = prev[i]
        c = prev[i - bpp] if i >= bpp else 0
        pred = (0, a, b, (a + b) >> 1, _paeth(a, b, c))[ftype]
        out[i] = (row[i] - pred) & 0xFF
    return bytes([ftype]) + bytes(out)


def _pack(samples, depth):
    """samples: 2-D uint array (rows x samples per row) -> list of packed row bytes."""
    rows = []
    for r in samples:
        if depth == 16:
            rows.append(r.astype(">u2").tobytes())
        elif depth == 8:
            rows.append(r.astype(np.uint8).tobytes())
        else:
            per = 8 // depth
            padded = np.zeros(((len(r) + per - 1) // per) * per, np.uint8)
            padded[:len(r)] = r
            padded = padded.reshape(-1, per)
            b = np.zeros(len(padded), np.uint16)
            for k in range(per):
                b = (b << depth) | padded[:, k]
            rows.append(b.astype(np.uint8).tobytes())
    return rows


def write_png(path, pixels, color_type, depth, palette=None, trns=None, interlace=False,
              exif_before=None, exif_after=None, filters=(0, 1, 2, 3, 4)):
    """pixels: HxWxC array of stored samples (C = 1 for grey/palette, 2, 3 or 4)."""
    h, w = pixels.shape[:2]
    ch = pixels.shape[2]
    bpp = max(1, ch * depth // 8)
    passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)] \
        if interlace else [(0, 0, 1, 1)]
    raw = bytearray()
    n = 0
    for x0, y0, dx, dy in passes:
        sub = pixels[y0::dy, x0::dx]
        if sub.size == 0:
            continue
        rows = _pack(sub.reshape(sub.shape[0], -1), depth)
        prev = bytes(len(rows[0]))
        for r in rows:
            raw += _filter_row(filters[n % len(filters)], r, prev, bpp)
            n += 1
            prev = r
    out = b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, color_type, 0, 0,
                                                              1 if interlace else 0))
    if palette is not None:
        out += _chunk(b"PLTE", bytes(np.asarray(palette, np.uint8).reshape(-1)))
    if trns is not None:
        out += _chunk(b"tRNS", trns)
    if exif_before is not None:
        out += _chunk(b"eXIf", exif_before)
    comp = zlib.compress(bytes(raw), 9)
    half = len(comp) // 2  # two IDAT chunks
    out += _chunk(b"IDAT", comp[:half]) + _chunk(b"IDAT", comp[half:])
    if exif_after is not None:
        out += _chunk(b"eXIf", exif_after)
    out += _chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(out)


# --------------------------------------------------------------------------------------------
# EXIF


def tiff_orientation(orientation, little_endian=False, with_make=False):
    """A TIFF/EXIF block with IFD0 holding Orientation (and optionally Make before it)."""
    e = "<" if little_endian else ">"
    entries = []
    extra = b""
    n = 2 if with_make else 1
    data_at = 8 + 2 + 12 * n + 4
    if with_make:
        make = b"FreeAnchorCam\x00"
        entries.append(struct.pack(e + "HHII", 0x010F, 2, len(make), data_at))
        extra += make
    entries.append(struct.pack(e + "HHI", 0x0112, 3, 1) + struct.pack(e + "HH", orientation, 0))
    head = (b"II" if little_endian else b"MM") + struct.pack(e + "HI", 42, 8)
    return head + struct.pack(e + "H", n) + b"".join(entries) + struct.pack(e + "I", 0) + extra


def insert_app1(jpeg, payload):
    """Inserts an APP1 segment right after SOI (before any JFIF APP0)."""
    seg = b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload
    return jpeg[:2] + seg + jpeg[2:]


def pil_jpeg(bgr, **kw):
    f = io.BytesIO()
    Image.fromarray(bgr[:, :, ::-1].copy()).save(f, "JPEG", **kw)
    return f.getvalue()


def cv_jpeg(img, quality=90, progressive=False):
    ok, b = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality,
                                       cv2.IMWRITE_JPEG_PROGRESSIVE, 1 if progressive else 0])
    assert ok
    return b.tobytes()


# --------------------------------------------------------------------------------------------
# sections


def section_decode(out, inputs):
    d = os.path.join(out, "decode")
    os.makedirs(d, exist_ok=True)
    entries = []

    def add(name, data, kind, lossless):
        path = os.path.join(d, name)
        if data is not None:
            with open(path, "wb") as f:
                f.write(data)
        entries.append((name, path, kind, lossless))

    base = natural(480, 640, 1)
    add("q90_420.jpg", pil_jpeg(base, quality=90, subsampling=2), "jpeg 4:2:0 baseline (PIL)", False)
    add("q90_444.jpg", pil_jpeg(base, quality=90, subsampling=0), "jpeg 4:4:4 baseline", False)
    add("q90_422.jpg", pil_jpeg(base, quality=90, subsampling=1), "jpeg 4:2:2 baseline", False)
    add("q75_420_progressive.jpg", pil_jpeg(base, quality=75, subsampling=2, progressive=True),
        "jpeg 4:2:0 progressive", False)
    add("q95_444_progressive.jpg", pil_jpeg(base, quality=95, subsampling=0, progressive=True),
        "jpeg 4:4:4 progressive", False)
    add("q100_420.jpg", pil_jpeg(base, quality=100, subsampling=2), "jpeg 4:2:0 quality 100", False)
    add("cv_q90.jpg", cv_jpeg(base, 90), "jpeg 4:2:0 (libjpeg-turbo via cv2)", False)
    add("cv_q50_progressive.jpg", cv_jpeg(base, 50, True), "jpeg 4:2:0 progressive (cv2)", False)
    odd = natural(333, 517, 2)
    add("odd_517x333_420.jpg", pil_jpeg(odd, quality=85, subsampling=2), "jpeg odd size 4:2:0", False)
    add("odd_517x333_422.jpg", pil_jpeg(odd, quality=85, subsampling=1), "jpeg odd size 4:2:2", False)
    add("tiny_7x3.jpg", cv_jpeg(natural(3, 7, 3), 90), "jpeg 7x3", False)
    add("tiny_1x1.jpg", cv_jpeg(natural(1, 1, 4), 90), "jpeg 1x1", False)
    add("gray.jpg", cv_jpeg(cv2.cvtColor(base, cv2.COLOR_BGR2GRAY), 90), "jpeg greyscale", False)
    cmyk = io.BytesIO()
    Image.fromarray(base[:, :, ::-1].copy()).convert("CMYK").save(cmyk, "JPEG", quality=90)
    add("cmyk.jpg", cmyk.getvalue(), "jpeg CMYK (Adobe, inverted; PIL)", False)
    # ICC profiles change nothing in OpenCV's decode (it ignores them)
    add("icc_garbage.jpg", pil_jpeg(base, quality=90, icc_profile=b"not a profile " * 40),
        "jpeg with a malformed ICC profile", False)
    try:
        from PIL import ImageCms
        srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
        lab = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB")).tobytes()
        add("icc_srgb.jpg", pil_jpeg(base, quality=90, icc_profile=srgb), "jpeg with an sRGB ICC profile", False)
        add("icc_lab.jpg", pil_jpeg(base, quality=90, icc_profile=lab), "jpeg with a Lab ICC profile", False)
        add("icc_multi_segment.jpg", pil_jpeg(base, quality=90, icc_profile=srgb + bytes(range(256)) * 400),
            "jpeg with an ICC profile split over two APP2 segments", False)
        cmyk_icc = io.BytesIO()
        Image.fromarray(base[:, :, ::-1].copy()).convert("CMYK").save(cmyk_icc, "JPEG", quality=90,
                                                                     icc_profile=srgb)
        add("cmyk_icc.jpg", cmyk_icc.getvalue(), "jpeg CMYK with an ICC profile", False)
    except ImportError:
        print("note: PIL.ImageCms missing, ICC profile variants skipped", file=sys.stderr)

    # EXIF orientation on a 600x400 image
    ex = natural(400, 600, 5)
    plain = pil_jpeg(ex, quality=92)
    for o in range(1, 9):
        add("exif_orientation_%d.jpg" % o, insert_app1(plain, b"Exif\x00\x00" + tiff_orientation(o)),
            "jpeg EXIF orientation %d (big-endian)" % o, False)
    add("exif_orientation_6_le_make.jpg",
        insert_app1(plain, b"Exif\x00\x00" + tiff_orientation(6, little_endian=True, with_make=True)),
        "jpeg EXIF orientation 6 (little-endian, Make tag first)", False)
    pil_exif = Image.Exif()
    pil_exif[0x0112] = 8
    add("exif_orientation_8_pil.jpg", pil_jpeg(ex, quality=92, exif=pil_exif.tobytes()),
        "jpeg EXIF orientation 8 written by PIL", False)
    xmp = b"http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta xmlns:x='adobe:ns:meta/'/>"
    add("exif_after_xmp.jpg", insert_app1(insert_app1(plain, b"Exif\x00\x00" + tiff_orientation(6)), xmp),
        "jpeg XMP APP1 before the EXIF APP1 (OpenCV reads only the first APP1)", False)
    add("exif_orientation_9.jpg", insert_app1(plain, b"Exif\x00\x00" + tiff_orientation(9)),
        "jpeg EXIF orientation 9 (invalid, ignored)", False)

    # PNG through OpenCV's own writer
    small = natural(120, 160, 6)
    rng = np.random.default_rng(7)
    alpha = rng.integers(0, 256, small.shape[:2], dtype=np.uint8)
    wide16 = small.astype(np.uint16) * 257 + rng.integers(0, 257, small.shape, dtype=np.uint16)
    for name, arr, kind in [
            ("rgb8.png", small, "png RGB 8-bit"),
            ("rgba8.png", np.dstack([small, alpha]), "png RGBA 8-bit (alpha dropped)"),
            ("gray8.png", cv2.cvtColor(small, cv2.COLOR_BGR2GRAY), "png grey 8-bit"),
            ("rgb16.png", wide16, "png RGB 16-bit"),
            ("rgba16.png", np.dstack([wide16, alpha.astype(np.uint16) * 255]), "png RGBA 16-bit"),
            ("gray16.png", wide16[:, :, 1], "png grey 16-bit")]:
        ok, b = cv2.imencode(".png", arr)
        assert ok
        add(name, b.tobytes(), kind, True)

    # PNG through our writer: palette, low bit depths, grey+alpha, tRNS, Adam7, eXIf
    rgb = small[:, :, ::-1]
    h, w = rgb.shape[:2]
    pal = rng.integers(0, 256, (200, 3), dtype=np.uint8)
    idx = rng.integers(0, 256, (h, w, 1), dtype=np.uint8)  # indices >= 200 are beyond the palette
    write_png(os.path.join(d, "palette8.png"), idx, 3, 8, palette=pal)
    add("palette8.png", None, "png palette 8-bit, some indices beyond the palette", True)
    write_png(os.path.join(d, "palette4_trns.png"), idx % 16, 3, 4, palette=pal[:16],
              trns=bytes(range(0, 160, 10)))
    add("palette4_trns.png", None, "png palette 4-bit with tRNS", True)
    write_png(os.path.join(d, "palette1.png"), idx % 2, 3, 1, palette=[[10, 200, 30], [250, 5, 128]])
    add("palette1.png", None, "png palette 1-bit", True)
    for depth in (1, 2, 4):
        write_png(os.path.join(d, "gray%d.png" % depth), idx % (1 << depth), 0, depth)
        add("gray%d.png" % depth, None, "png grey %d-bit" % depth, True)
    g16 = wide16[:, :, :1]
    write_png(os.path.join(d, "gray16_trns.png"), g16, 0, 16, trns=struct.pack(">H", int(g16[0, 0, 0])))
    add("gray16_trns.png", None, "png grey 16-bit with tRNS", True)
    write_png(os.path.join(d, "gray_alpha8.png"), np.dstack([small[:, :, 1], alpha]), 4, 8)
    add("gray_alpha8.png", None, "png grey+alpha 8-bit", True)
    write_png(os.path.join(d, "gray_alpha16.png"), np.dstack([wide16[:, :, 2], wide16[:, :, 0]]), 4, 16)
    add("gray_alpha16.png", None, "png grey+alpha 16-bit", True)
    write_png(os.path.join(d, "rgb8_trns.png"), rgb, 2, 8, trns=struct.pack(">HHH", *[int(v) for v in rgb[0, 0]]))
    add("rgb8_trns.png", None, "png RGB 8-bit with tRNS", True)
    odd_rgb = natural(37, 53, 8)[:, :, ::-1]
    write_png(os.path.join(d, "rgb8_adam7.png"), odd_rgb, 2, 8, interlace=True)
    add("rgb8_adam7.png", None, "png RGB 8-bit Adam7 interlaced, all filters", True)
    write_png(os.path.join(d, "rgba16_adam7.png"), np.dstack([wide16[:37, :53, ::-1], wide16[:37, :53, :1]]), 6, 16,
              interlace=True)
    add("rgba16_adam7.png", None, "png RGBA 16-bit Adam7 interlaced", True)
    write_png(os.path.join(d, "gray2_adam7.png"), idx[:13, :7] % 4, 0, 2, interlace=True)
    add("gray2_adam7.png", None, "png grey 2-bit Adam7 13x7", True)
    write_png(os.path.join(d, "palette2_adam7.png"), idx[:5, :3] % 4, 3, 2, palette=pal[:4], interlace=True)
    add("palette2_adam7.png", None, "png palette 2-bit Adam7 5x3", True)
    write_png(os.path.join(d, "tiny_1x1.png"), rgb[:1, :1], 2, 8)
    add("tiny_1x1.png", None, "png 1x1", True)
    ex_rgb = ex[:, :, ::-1]
    write_png(os.path.join(d, "exif6_before_idat.png"), ex_rgb, 2, 8, exif_before=tiff_orientation(6))
    add("exif6_before_idat.png", None, "png eXIf orientation 6 before IDAT", True)
    write_png(os.path.join(d, "exif3_after_idat.png"), ex_rgb, 2, 8, exif_after=tiff_orientation(3, True))
    add("exif3_after_idat.png", None, "png eXIf orientation 3 (little-endian) after IDAT", True)

    if inputs:
        for fn in sorted(os.listdir(inputs)):
            p = os.path.join(inputs, fn)
            if os.path.isfile(p):
                entries.append((fn, p, "input", fn.lower().endswith(".png")))

    manifest = {"cv2_version": cv2.__version__, "images": []}
    for name, path, kind, lossless in entries:
        raw = np.fromfile(path, np.uint8)
        img = cv2.imdecode(raw, cv2.IMREAD_COLOR)
        e = {"file": path, "name": name, "kind": kind, "lossless": lossless, "decodes": img is not None}
        if img is not None:
            npy = os.path.join(d, name + ".npy")
            np.save(npy, img)
            e["npy"] = npy
            e["shape"] = list(img.shape)
        manifest["images"].append(e)
    with open(os.path.join(d, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    return len(entries)


# (name, (h, w), generator seed or "random", list of (w, h) targets)
RESIZE_SOURCES = [
    ("640x480", (480, 640), 11, [CANVAS, (320, 240), (213, 160), (641, 479), (1344, 1), (1, 800), (1280, 960)]),
    ("500x375", (375, 500), 12, [CANVAS, (250, 187)]),
    ("1x1", (1, 1), 13, [CANVAS, (3, 2)]),
    ("3x7", (7, 3), 14, [CANVAS, (2, 3)]),
    ("2688x1600", (1600, 2688), 15, [CANVAS]),
    ("2689x1600", (1600, 2689), 16, [CANVAS]),
    ("2688x800", (800, 2688), 17, [CANVAS]),
    ("4000x3000", (3000, 4000), 18, [CANVAS]),
    ("1344x800", (800, 1344), 19, [CANVAS, (672, 400), (1, 1)]),
    ("800x1344", (1344, 800), 20, [CANVAS]),
    ("997x613", (613, 997), "random", [CANVAS, (331, 204)]),
    ("960x720", (720, 960), 21, [(320, 240)]),
    ("1280x960", (960, 1280), 22, [(320, 240)]),
    ("7x5", (5, 7), "random", [(13, 11), (3, 2), (14, 10)]),
]


def section_resize(out):
    d = os.path.join(out, "resize")
    os.makedirs(d, exist_ok=True)
    cases = []
    for name, (h, w), seed, targets in RESIZE_SOURCES:
        if seed == "random":
            src = np.random.default_rng(99).integers(0, 256, (h, w, 3), dtype=np.uint8)
        else:
            src = natural(h, w, seed)
        src_npy = os.path.join(d, "src_%s.npy" % name)
        np.save(src_npy, src)
        for tw, th in targets:
            dst = cv2.resize(src, (tw, th), interpolation=cv2.INTER_LINEAR)
            dst_npy = os.path.join(d, "src_%s_to_%dx%d.npy" % (name, tw, th))
            np.save(dst_npy, dst)
            cases.append({"src": src_npy, "src_size": [w, h], "dst": dst_npy, "dst_size": [tw, th]})
    with open(os.path.join(d, "manifest.json"), "w") as f:
        json.dump({"cv2_version": cv2.__version__, "cases": cases}, f, indent=1)
    return len(cases)


def normalize(bgr):
    """One image as DetDataPreprocessor: CHW float32, RGB, (x - mean) / std in float32."""
    x = bgr[:, :, [2, 1, 0]].transpose(2, 0, 1).astype(np.float32)
    return (x - MEAN_RGB.reshape(3, 1, 1)) / STD_RGB.reshape(3, 1, 1)


def stack_batch(chw_list):
    hmax = max(t.shape[1] for t in chw_list)
    wmax = max(t.shape[2] for t in chw_list)
    ph = -(-hmax // SIZE_DIVISOR) * SIZE_DIVISOR
    pw = -(-wmax // SIZE_DIVISOR) * SIZE_DIVISOR
    out = np.zeros((len(chw_list), 3, ph, pw), np.float32)
    for i, t in enumerate(chw_list):
        out[i, :, :t.shape[1], :t.shape[2]] = t
    return out


def section_preprocess(out):
    d = os.path.join(out, "preprocess")
    os.makedirs(d, exist_ok=True)
    every_value = np.arange(256, dtype=np.uint8).reshape(16, 16, 1).repeat(3, axis=2)
    every_value[:, :, 1] = every_value[:, :, 1][::-1]
    images = {
        "canvas": cv2.resize(natural(480, 640, 31), CANVAS, interpolation=cv2.INTER_LINEAR),
        "odd_517x333": natural(333, 517, 32),
        "every_value_16x16": every_value,
        "tiny_1x1": natural(1, 1, 33),
    }
    entries = []
    tensors = {}
    for name, img in images.items():
        src = os.path.join(d, name + ".npy")
        np.save(src, img)
        t = stack_batch([normalize(img)])
        tensors[name] = normalize(img)
        dst = os.path.join(d, name + ".input.npy")
        np.save(dst, t)
        entries.append({"name": name, "src": src, "dst": dst, "shape": list(t.shape)})
    batch = stack_batch([tensors["odd_517x333"], tensors["tiny_1x1"], tensors["every_value_16x16"]])
    batch_npy = os.path.join(d, "batch.input.npy")
    np.save(batch_npy, batch)
    torch_note = "torch not available"
    try:  # optional cross-check against torch's float32 arithmetic, like mmengine's
        import torch
        x = torch.from_numpy(np.ascontiguousarray(images["canvas"])).permute(2, 0, 1)[[2, 1, 0], ...].float()
        t = (x - torch.tensor(MEAN_RGB.tolist()).view(-1, 1, 1)) / torch.tensor(STD_RGB.tolist()).view(-1, 1, 1)
        same = np.array_equal(t.numpy(), normalize(images["canvas"]))
        if not same:
            sys.exit("numpy and torch float32 normalisation differ")
        torch_note = "identical to torch %s" % torch.__version__
    except ImportError:
        pass
    manifest = {"cv2_version": cv2.__version__, "mean_rgb": MEAN_RGB.tolist(), "std_rgb": STD_RGB.tolist(),
                "size_divisor": SIZE_DIVISOR, "torch_check": torch_note, "images": entries,
                "batch": {"names": ["odd_517x333", "tiny_1x1", "every_value_16x16"], "dst": batch_npy,
                          "shape": list(batch.shape)}}
    with open(os.path.join(d, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    return len(entries) + 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True, help="output directory (created)")
    ap.add_argument("--only", default="decode,resize,preprocess",
                    help="comma-separated sections: decode, resize, preprocess")
    ap.add_argument("--inputs", help="directory of extra image files to decode with cv2.imdecode")
    a = ap.parse_args()
    sections = [s.strip() for s in a.only.split(",") if s.strip()]
    for s in sections:
        if s not in ("decode", "resize", "preprocess"):
            ap.error("unknown section %r" % s)
    if a.inputs and not os.path.isdir(a.inputs):
        ap.error("--inputs %s is not a directory" % a.inputs)
    os.makedirs(a.out, exist_ok=True)
    if not cv2.__version__.startswith("4.6."):
        print("warning: OpenCV %s, the references are meant for 4.6" % cv2.__version__, file=sys.stderr)
    for s in sections:
        n = {"decode": lambda: section_decode(a.out, a.inputs),
             "resize": lambda: section_resize(a.out),
             "preprocess": lambda: section_preprocess(a.out)}[s]()
        print("%s: %d references in %s" % (s, n, os.path.join(a.out, s)))


if __name__ == "__main__":
    main()
