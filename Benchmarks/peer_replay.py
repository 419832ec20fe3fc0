#!/usr/bin/env python3
"""Replays a search that oneshot-bench exported, through the PyTorch peer's own code.

oneshot-bench (section 6, "agreement") runs one search in Double and writes its random inputs:
the data, the initial weights and alpha, the batch permutations and the `noise` op's draws. This
loads them into the peer's Supernet, swaps the peer's random sources (its `batches` function and
NoiseOp) for oneshot's, runs the peer's `train_weights` with its own alpha step in float64, and
prints one JSON line comparing alpha after every epoch and the weights at the end.

    python3 peer_replay.py --peer ../shared/peers/torch_reference.py --dir EXPORT_DIR

With --own-streams K it instead runs K full searches of the peer (float32, seeds 0…K-1) with its
own initialisation, batches and noise on oneshot's data set, and prints the architecture each
picks: whether a difference between the two tools' architecture statistics lies in the data.
"""
import argparse
import importlib.util
import json
import os

import numpy as np
import torch


def load_peer(path):
    spec = importlib.util.spec_from_file_location("peer", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main():
    cli = argparse.ArgumentParser()
    cli.add_argument("--peer", required=True)
    cli.add_argument("--dir", required=True)
    cli.add_argument("--own-streams", type=int, default=0, metavar="K")
    a = cli.parse_args()
    peer = load_peer(a.peer)
    torch.set_num_threads(1)
    meta = json.load(open(os.path.join(a.dir, "replay.json")))
    L, M = int(meta["length"]), int(meta["measurements"])

    def split(name, n):
        raw = torch.from_numpy(np.fromfile(os.path.join(a.dir, name + ".f64"), dtype="<f8"))
        return raw[: n * L].view(n, L), raw[n * L :].view(n, M)

    data = {"train": split("train", int(meta["train"])), "val": split("val", int(meta["val"]))}
    if a.own_streams:
        return own_streams(peer, meta, {k: (x.float(), y.float()) for k, (x, y) in data.items()}, a.own_streams)
    op = peer.Operator(meta["problem"])
    # oneshot's taps: the peer rounds its Gaussian to float32, which alone would differ by 1e-8.
    op.kernel = torch.tensor(meta["taps"], dtype=torch.float64)
    op.w = op.kernel.view(1, 1, -1)
    args = argparse.Namespace(
        layers=int(meta["layers"]), channels=int(meta["channels"]), kernel=int(meta["kernel_width"]),
        roll_shift=int(meta["roll_shift"]), batch=int(meta["batch"]), w_lr=meta["weight_lr"],
        a_lr=meta["alpha_lr"], order=meta["order"],
    )
    names = meta["ops"]
    net = peer.Supernet(names, op, args, torch.Generator().manual_seed(0)).double()

    # oneshot's layout: layer by layer, op by op; net = W1 (C×1×k), b1 (C), W2 (1×C×k), b2 (1).
    flat, at = torch.tensor(meta["weights"], dtype=torch.float64), 0

    def take(*shape):
        nonlocal at
        n = int(np.prod(shape))
        at += n
        return flat[at - n : at].view(*shape)

    C, k = args.channels, args.kernel
    with torch.no_grad():
        for layer in net.layers:
            for name, o in zip(names, layer):
                if name == "grad":
                    o.tau.copy_(take(1)[0])
                elif name == "net":
                    o.c1.weight.copy_(take(C, 1, k)), o.c1.bias.copy_(take(C))
                    o.c2.weight.copy_(take(1, C, k)), o.c2.bias.copy_(take(1))
    assert at == flat.numel(), "weight layout mismatch"
    net.alpha = torch.tensor(meta["alpha"], dtype=torch.float64).view(args.layers, len(names)).requires_grad_(True)

    # oneshot's random inputs in place of the peer's: batch orders (train, then val, per epoch)
    # and the noise op's draws, consumed in the same order.
    orders, snapshots, calls = list(meta["orders"]), [], [0]

    def batches(n, bs, gen):
        if calls[0] % 2 == 0 and calls[0] > 0:  # a new epoch: alpha as the last one left it
            snapshots.append(net.alpha.detach().flatten().clone())
        calls[0] += 1
        perm = torch.tensor(orders.pop(0))
        return [perm[i : i + bs] for i in range(0, n - bs + 1, bs)]

    draws = torch.from_numpy(np.fromfile(os.path.join(a.dir, "noise.f64"), dtype="<f8"))
    used = [0]

    def noise(self, x, y, gen):
        n = x.numel()
        used[0] += n
        return draws[used[0] - n : used[0]].view(x.shape)

    peer.batches = batches
    peer.NoiseOp.forward = noise
    gen = torch.Generator().manual_seed(0)
    peer.train_weights(net, data, args, int(meta["epochs"]), gen, peer.make_alpha_step(net, args, gen))
    snapshots.append(net.alpha.detach().flatten().clone())

    ours = torch.tensor(meta["alpha_history"], dtype=torch.float64)
    theirs = torch.stack(snapshots)
    per_epoch = (ours - theirs).abs().max(dim=1).values.tolist()
    final = []
    for layer in net.layers:
        for name, o in zip(names, layer):
            if name == "grad":
                final.append(o.tau.detach().view(1))
            elif name == "net":
                final += [o.c1.weight.detach().flatten(), o.c1.bias.detach(), o.c2.weight.detach().flatten(), o.c2.bias.detach()]
    final = torch.cat(final) if final else torch.zeros(0, dtype=torch.float64)
    ours_final = torch.tensor(meta["final_weights"], dtype=torch.float64)
    rel = float((final - ours_final).abs().max() / ours_final.abs().max()) if final.numel() else 0.0
    shape = (args.layers, len(names))
    print(json.dumps({
        "alpha_max_abs_diff": max(per_epoch), "alpha_max_abs_diff_per_epoch": per_epoch,
        "alpha_max_abs": float(ours.abs().max()), "weights_max_rel_diff": rel,
        "same_argmax": bool((ours[-1].view(shape).argmax(1) == theirs[-1].view(shape).argmax(1)).all()),
        "noise_draws_used": used[0], "noise_draws_given": draws.numel(),
        "torch": torch.__version__,
    }))
    if used[0] != draws.numel():
        raise SystemExit(f"the peer used {used[0]} noise draws, oneshot made {draws.numel()}")


def own_streams(peer, meta, data, count):
    """The peer's own first-order searches (SPEC sizes, its float32 path) on oneshot's data."""
    args = argparse.Namespace(
        layers=int(meta["layers"]), channels=int(meta["channels"]), kernel=int(meta["kernel_width"]),
        roll_shift=int(meta["roll_shift"]), batch=int(meta["batch"]), w_lr=1e-3, a_lr=3e-3, order="first",
    )
    op = peer.Operator(meta["problem"])
    names = peer.OPS_ALL
    for seed in range(count):
        gen = torch.Generator().manual_seed(seed)
        net = peer.Supernet(names, op, args, gen)
        ok = peer.train_weights(net, data, args, 30, gen, peer.make_alpha_step(net, args, gen))
        arch = [names[i] for i in net.alpha.argmax(dim=1).tolist()]
        val = peer.evaluate(net, data["val"], gen) if ok else None
        print(json.dumps({"seed": seed, "architecture": ",".join(arch), "oneshot_val_psnr": val}), flush=True)


if __name__ == "__main__":
    main()
