#!/usr/bin/python3
"""Trains the traffic-light classifier (red / amber / green / unknown) and exports it to ONNX.

Input: `dataset lights --out DIR` (tools/AutomationStack.Dataset): DIR/lights/{train,val,test}/crops.u8 (N x 3 x 64 x 32,
uint8, the crops of `TrafficLightCrop.Extract`), labels.u8 (N: 0 red, 1 amber, 2 green, 3 unknown, 4 partly hidden —
either its colour or unknown is right; left out of training) and manifest.json.
Output: an ONNX file (opset 17), input `crop` [N, 3, 64, 32] float32 in [0, 1], output `logits` [N, 4].

Safety: a red or amber head called green is the one mistake that must not happen, so the loss adds a penalty on the
green probability of red and amber crops (weight --green-penalty). Prints the validation and test confusion matrices.
Run with Debian's Python (`/usr/bin/python3`, packages python3-torch and python3-numpy); see
models/traffic_light_classifier.md.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

CLASSES = ["red", "amber", "green", "unknown"]


def load(root, split):
    folder = os.path.join(root, "lights", split)
    with open(os.path.join(folder, "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    c, h, w = manifest["crop_shape"]
    crops = np.fromfile(os.path.join(folder, "crops.u8"), dtype=np.uint8)
    labels = np.fromfile(os.path.join(folder, "labels.u8"), dtype=np.uint8)
    if crops.size != labels.size * c * h * w:
        sys.exit(f"{folder}: crops.u8 and labels.u8 do not match")
    crops = crops.reshape(-1, c, h, w)
    labels = labels.astype(np.int64)
    keep = labels < 4
    return crops[keep], labels[keep]


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()

        def block(cin, cout):
            return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
                                 nn.MaxPool2d(2))

        self.features = nn.Sequential(block(3, 16), block(16, 32), block(32, 48), block(48, 64))  # 64 x 4 x 2
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(64 * 4 * 2, 64), nn.ReLU(inplace=True), nn.Linear(64, 4))

    def forward(self, crop):
        return self.head(self.features(crop))


def confusion(model, crops, labels, batch=512):
    model.eval()
    matrix = np.zeros((4, 4), dtype=np.int64)
    with torch.no_grad():
        for start in range(0, len(crops), batch):
            x = torch.from_numpy(crops[start:start + batch].astype(np.float32) / 255.0)
            predicted = model(x).argmax(dim=1).numpy()
            for t, p in zip(labels[start:start + batch], predicted):
                matrix[t, p] += 1
    return matrix


def describe(name, matrix):
    known = matrix[:3].sum()
    correct = np.trace(matrix[:3, :3])
    print(f"{name}: accuracy on visible heads {correct / max(known, 1):.4f} ({correct}/{known}); "
          f"red/amber called green {matrix[0, 2] + matrix[1, 2]}; unknown called a colour {matrix[3, :3].sum()}/{matrix[3].sum()}")
    print("  rows = truth, columns = prediction (red, amber, green, unknown)")
    for i, row in enumerate(matrix):
        print(f"  {CLASSES[i]:8s} " + " ".join(f"{v:6d}" for v in row))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--green-penalty", type=float, default=4.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    torch.set_num_threads(args.threads)

    crops, labels = load(args.data, "train")
    val_crops, val_labels = load(args.data, "val")
    test_crops, test_labels = load(args.data, "test")
    print(f"train {len(labels)} crops, val {len(val_labels)}, test {len(test_labels)}")
    model = Classifier()
    class_weights = torch.tensor([1.0, 1.0, 1.0, 2.0])
    optimiser = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    steps = args.epochs * ((len(labels) + args.batch - 1) // args.batch)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=args.lr, total_steps=steps)
    for epoch in range(args.epochs):
        model.train()
        order = np.random.permutation(len(labels))
        total = 0.0
        for start in range(0, len(order), args.batch):
            index = np.sort(order[start:start + args.batch])
            x = torch.from_numpy(crops[index].astype(np.float32) / 255.0)
            y = torch.from_numpy(labels[index])
            # Brightness jitter (exposure) keeps the colour decision on hue and position, not on level.
            x = (x * torch.empty(len(x), 1, 1, 1).uniform_(0.8, 1.2)).clamp(0, 1)
            logits = model(x)
            p_green = F.softmax(logits, dim=1)[:, 2]
            red_or_amber = (y <= 1).float()
            # Unknown weighs double: an occluded head called a colour is worse than a visible one called unknown.
            loss = F.cross_entropy(logits, y, weight=class_weights) + args.green_penalty * (p_green * red_or_amber).mean()
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            total += loss.item() * len(index)
        val = confusion(model, val_crops, val_labels)
        known = val[:3].sum()
        print(f"epoch {epoch + 1}/{args.epochs}: loss {total / len(labels):.4f}  val accuracy (visible) "
              f"{np.trace(val[:3, :3]) / max(known, 1):.4f}  red/amber→green {val[0, 2] + val[1, 2]}", flush=True)

    describe("validation", confusion(model, val_crops, val_labels))
    describe("test", confusion(model, test_crops, test_labels))
    model.eval()
    torch.onnx.export(model, torch.zeros(1, *crops.shape[1:]), args.out, input_names=["crop"], output_names=["logits"],
                      dynamic_axes={"crop": {0: "n"}, "logits": {0: "n"}}, opset_version=17, do_constant_folding=True)
    print(f"wrote {args.out} ({os.path.getsize(args.out)} bytes)")


if __name__ == "__main__":
    main()
