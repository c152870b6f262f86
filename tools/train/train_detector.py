#!/usr/bin/python3
"""Trains the BEV lidar object detector and exports it to ONNX.

Input: a dataset written by `tools/AutomationStack.Dataset` (`dataset lidar --out DIR`): for each split
(`train`, `val`) a `manifest.json` plus `bev.u8` (N x C x H x W, uint8: the BEV tensor of
`AutomationStack.Perception.BevRasterizer` quantised to value * 255) and `targets.f16` (N x (K + 6 + 1) x H' x W',
float16: K class heat maps, 6 regression channels, 1 regression mask, written by `CenterTargets.Encode`). The C#
side owns every definition (grid, channels, target encoding): this script only fits a network to those tensors.

Output: an ONNX file (opset 17) with input `bev` [1, C, H, W] float32 and outputs `heatmap` [1, K, H', W'] (logits)
and `regression` [1, 6, H', W'], as `CenterDecoder` expects.

Run with Debian's Python (`/usr/bin/python3`, packages python3-torch and python3-numpy); see models/object_detector.md.
"""
import argparse
import gzip
import json
import os
import random
import sys
import time

import numpy as np
import torch
from torch import nn


def load_split(root, split):
    folder = os.path.join(root, split)
    with open(os.path.join(folder, "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    n = manifest["count"]
    c, h, w = manifest["bev_shape"]
    t, ho, wo = manifest["target_shape"]
    bev = read_array(os.path.join(folder, "bev.u8"), np.uint8)
    targets = read_array(os.path.join(folder, "targets.f16"), np.float16)
    if bev.size != n * c * h * w or targets.size != n * t * ho * wo:
        sys.exit(f"{folder}: file sizes do not match manifest.json (count {n})")
    return manifest, bev.reshape(n, c, h, w), targets.reshape(n, t, ho, wo)


def read_array(path, dtype):
    """A raw array file, or its gzip-compressed copy (PATH.gz), e.g. to move a data set to another machine: the BEV
    tensors and targets are mostly zeros and shrink about 60-fold."""
    if os.path.exists(path):
        return np.fromfile(path, dtype=dtype)
    if os.path.exists(path + ".gz"):
        with gzip.open(path + ".gz", "rb") as f:
            return np.frombuffer(f.read(), dtype=dtype)
    sys.exit(f"{path}: no such file (nor {path}.gz)")


def block(cin, cout, stride=1):
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


class Detector(nn.Module):
    """A small CenterPoint-style BEV network, light enough for one CPU core: a stride-2 stem (the heads' resolution),
    stride-4 and stride-8 context branches (a receptive field that spans an 18 m truck from its visible face to its
    centre), 1x1 fusion, a shared 3x3 layer and 1x1 heads."""

    def __init__(self, channels, classes):
        super().__init__()
        self.stem = nn.Sequential(block(channels, 16, stride=2), block(16, 32))
        self.down4 = nn.Sequential(block(32, 32, stride=2), block(32, 32))
        self.down8 = nn.Sequential(block(32, 48, stride=2), block(48, 48), block(48, 48))
        self.up = nn.Upsample(scale_factor=2, mode="nearest")
        self.merge4 = nn.Sequential(nn.Conv2d(32 + 48, 32, 1, bias=False), nn.BatchNorm2d(32), nn.ReLU(inplace=True), block(32, 32))
        self.fuse = nn.Sequential(nn.Conv2d(64, 32, 1, bias=False), nn.BatchNorm2d(32), nn.ReLU(inplace=True), block(32, 32))
        self.heatmap = nn.Conv2d(32, classes, 1)
        self.regression = nn.Conv2d(32, 6, 1)
        self.heatmap.bias.data.fill_(-2.19)  # prior 0.1, as CenterNet

    def forward(self, bev):
        x2 = self.stem(bev)
        x4 = self.down4(x2)
        x8 = self.down8(x4)
        x4 = self.merge4(torch.cat([x4, self.up(x8)], dim=1))
        x = self.fuse(torch.cat([x2, self.up(x4)], dim=1))
        return self.heatmap(x), self.regression(x)


def focal_loss(logits, target):
    """CenterNet's penalty-reduced focal loss on a Gaussian heat map."""
    p = torch.sigmoid(logits).clamp(1e-4, 1 - 1e-4)
    positive = target.eq(1).float()
    negative = 1 - positive
    pos_loss = torch.log(p) * (1 - p) ** 2 * positive
    neg_loss = torch.log(1 - p) * p ** 2 * (1 - target) ** 4 * negative
    count = positive.sum().clamp(min=1)
    return -(pos_loss.sum() + neg_loss.sum()) / count


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="dataset folder (with train/ and val/)")
    parser.add_argument("--out", required=True, help="ONNX file to write")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--checkpoints", action="store_true", help="also write OUT.epochN.onnx after every epoch")
    parser.add_argument("--init", help="start from these weights (a .pt file this script wrote) instead of random ones")
    parser.add_argument("--device", default="cpu", help="torch device: cpu (default) or cuda; the exported model is the same graph")
    parser.add_argument("--max-minutes", type=float,
                        help="time 20 steps first and lower --epochs so that training fits this budget (the epochs used are printed)")
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.set_num_threads(args.threads)

    device = torch.device(args.device)
    if device.type == "cuda":
        torch.cuda.manual_seed_all(args.seed)
        torch.backends.cudnn.benchmark = True
    manifest, bev, targets = load_split(args.data, "train")
    _, val_bev, val_targets = load_split(args.data, "val")
    if device.type != "cpu":
        # The whole data set on the device (uint8 and float16, as on disk): no host-side batching.
        bev, targets = torch.from_numpy(np.ascontiguousarray(bev)).to(device), torch.from_numpy(np.ascontiguousarray(targets)).to(device)
        val_bev, val_targets = torch.from_numpy(np.ascontiguousarray(val_bev)).to(device), torch.from_numpy(np.ascontiguousarray(val_targets)).to(device)
    classes = manifest["classes"]
    k = len(classes)
    model = Detector(bev.shape[1], k)
    if args.init:
        # Fine-tuning: the weights of an earlier run (OUT.pt), e.g. more epochs at a lower --lr on more data.
        model.load_state_dict(torch.load(args.init, map_location="cpu"))
    model.to(device)
    steps_per_epoch = (len(bev) + args.batch - 1) // args.batch
    if args.max_minutes:
        args.epochs = fit_epochs(model, bev, targets, k, args, steps_per_epoch, device)
    if args.epochs == 0:
        # --init W.pt --epochs 0: export those weights (e.g. trained on another machine) with this machine's exporter.
        export(model, bev.shape[1:], args.out)
        return
    optimiser = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    steps = args.epochs * ((len(bev) + args.batch - 1) // args.batch)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=args.lr, total_steps=steps)

    def batch_tensors(b, t, index):
        if device.type == "cpu":
            x = torch.from_numpy(b[index].astype(np.float32) / 255.0)
            y = torch.from_numpy(t[index].astype(np.float32))
        else:
            i = torch.from_numpy(index).to(device)
            x = b[i].float() / 255.0
            y = t[i].float()
        flip = random.random() < 0.5 if model.training else False
        if flip:
            # Mirror left/right (columns; the grid is symmetric in y): column j -> W'-1-j, so the offset inside the
            # cell dy -> 1 - dy, and yaw -> -yaw so sin(2 yaw) changes sign. Only masked cells carry regression targets.
            x = torch.flip(x, dims=[3])
            y = torch.flip(y, dims=[3])
            mask = y[:, k + 6]
            y[:, k + 1] = (1 - y[:, k + 1]) * mask
            y[:, k + 4] = -y[:, k + 4]
        return x, y

    def loss_of(x, y):
        heat, reg = model(x)
        mask = y[:, k + 6:k + 7]
        reg_loss = (torch.abs(reg - y[:, k:k + 6]) * mask).sum() / mask.sum().clamp(min=1)
        return focal_loss(heat, y[:, :k]), reg_loss

    started = time.monotonic()
    for epoch in range(args.epochs):
        model.train()
        order = np.random.permutation(len(bev))
        total = [0.0, 0.0]
        for start in range(0, len(order), args.batch):
            x, y = batch_tensors(bev, targets, np.sort(order[start:start + args.batch]))
            heat_loss, reg_loss = loss_of(x, y)
            loss = heat_loss + reg_loss
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            total[0] += heat_loss.item() * len(x)
            total[1] += reg_loss.item() * len(x)
        model.eval()
        with torch.no_grad():
            val = [0.0, 0.0]
            for start in range(0, len(val_bev), args.batch):
                index = np.arange(start, min(start + args.batch, len(val_bev)))
                x, y = batch_tensors(val_bev, val_targets, index)
                h, r = loss_of(x, y)
                val[0] += h.item() * len(x)
                val[1] += r.item() * len(x)
        print(f"epoch {epoch + 1}/{args.epochs}: train heat {total[0] / len(bev):.4f} reg {total[1] / len(bev):.4f}"
              f"  val heat {val[0] / len(val_bev):.4f} reg {val[1] / len(val_bev):.4f}"
              f"  ({time.monotonic() - started:.0f} s)", flush=True)
        if args.max_minutes and time.monotonic() - started > 1.5 * args.max_minutes * 60 and epoch + 1 < args.epochs:
            # The step-time probe was far off (e.g. a shared device): stop rather than run on, and say so.
            print(f"stopped after epoch {epoch + 1} of {args.epochs}: over 1.5 x --max-minutes", flush=True)
            break
        if args.checkpoints:
            # An ONNX file after every epoch (OUT.epochN.onnx): a long run can be evaluated, or stopped, part way.
            export(model, bev.shape[1:], f"{os.path.splitext(args.out)[0]}.epoch{epoch + 1}.onnx")
            save(model, f"{os.path.splitext(args.out)[0]}.epoch{epoch + 1}.pt")
            model.train()

    # The weights themselves (the ONNX graph has batch norm folded into the convolutions), for --init; first, so that
    # they are kept even if this machine's ONNX exporter fails (export them elsewhere with --init W.pt --epochs 0).
    save(model, f"{os.path.splitext(args.out)[0]}.pt")
    export(model, bev.shape[1:], args.out)


def save(model, path):
    torch.save({name: value.cpu() for name, value in model.state_dict().items()}, path)


def fit_epochs(model, bev, targets, k, args, steps_per_epoch, device):
    """Times 20 training steps on a copy of the model and returns the epochs that fit --max-minutes (at most --epochs)."""
    import copy
    probe = copy.deepcopy(model).train()
    optimiser = torch.optim.AdamW(probe.parameters(), lr=1e-4)
    index = np.arange(min(args.batch, len(bev)))
    x = (bev[index].astype(np.float32) / 255.0) if device.type == "cpu" else bev[torch.from_numpy(index).to(device)].float() / 255.0
    x = torch.as_tensor(x, device=device)
    timings = []
    for step in range(25):
        if device.type == "cuda":
            torch.cuda.synchronize()
        t0 = time.monotonic()
        heat, reg = probe(x)
        (heat.mean() + reg.mean()).backward()
        optimiser.step()
        optimiser.zero_grad()
        if device.type == "cuda":
            torch.cuda.synchronize()
        if step >= 5:
            timings.append(time.monotonic() - t0)
    # Validation and batching add to the pure step time: count 1.3 times it.
    epoch_seconds = 1.3 * float(np.median(timings)) * steps_per_epoch
    epochs = max(1, min(args.epochs, int(args.max_minutes * 60 / epoch_seconds)))
    print(f"about {epoch_seconds:.1f} s an epoch: {epochs} epochs fit {args.max_minutes} minutes (--epochs {epochs})", flush=True)
    return epochs


def export(model, shape, path):
    model.eval()
    # Export from a CPU copy: the graph is the same whichever device trained it.
    cpu = Detector(shape[0], model.heatmap.out_channels)
    cpu.load_state_dict({name: value.cpu() for name, value in model.state_dict().items()})
    cpu.eval()
    dummy = torch.zeros(1, *shape)
    torch.onnx.export(cpu, dummy, path, input_names=["bev"], output_names=["heatmap", "regression"],
                      opset_version=17, do_constant_folding=True)
    print(f"wrote {path} ({os.path.getsize(path)} bytes)", flush=True)


if __name__ == "__main__":
    main()
