#!/usr/bin/env python3
"""Peer of `seqlab bench transformer`: the nanoGPT "baby" character model of
../shared/bench/torch_char.py (gpt), the same code with a seed, so that the benchmark can compare
means over several seeds (one seed's validation loss varies by about 0.08 nats here at 500
iterations). PyTorch CPU, PEER_THREADS intra-op threads (default 2), 90/10 split (first 90% train); 4 layers, 4 heads, width 128,
block 64, batch 12, AdamW 1e-3 without weight decay, clip 1, no dropout. One change: the output
head starts as seqlab's (and nanoGPT's) does, N(0, 0.02) with a zero bias, rather than
nn.Linear's U(±1/√128), so that both sides start from the same distribution of weights; the
GELU form is the one difference left (exact here, x·σ(1.702x) in seqlab).

usage: torch_gpt.py FILE ITERS SECONDS_CAP SEED
Prints train tokens/s, wall time and the full validation loss in nats/char."""
import math
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

path, iters, cap, seed = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
torch.manual_seed(seed)
torch.set_num_threads(int(os.environ.get('PEER_THREADS', '2')))
text = open(path).read()
chars = sorted(set(text))
V = len(chars)
stoi = {c: i for i, c in enumerate(chars)}
data = torch.tensor([stoi[c] for c in text], dtype=torch.long)
n = int(0.9 * len(data))
tr, va = data[:n], data[n:]
B, T, C, L, NH, lr = 12, 64, 128, 4, 4, 1e-3


class Block(nn.Module):
    def __init__(s):
        super().__init__()
        s.ln1, s.qkv, s.proj = nn.LayerNorm(C), nn.Linear(C, 3 * C), nn.Linear(C, C)
        s.ln2, s.fc, s.fc2 = nn.LayerNorm(C), nn.Linear(C, 4 * C), nn.Linear(4 * C, C)
        s.register_buffer("mask", torch.tril(torch.ones(T, T)).bool())

    def forward(s, x):
        b, t, c = x.shape
        q, k, v = s.qkv(s.ln1(x)).split(C, 2)
        q, k, v = [z.view(b, t, NH, c // NH).transpose(1, 2) for z in (q, k, v)]
        a = (q @ k.transpose(-2, -1)) / math.sqrt(c // NH)
        a = a.masked_fill(~s.mask[:t, :t], float("-inf")).softmax(-1)
        x = x + s.proj((a @ v).transpose(1, 2).reshape(b, t, c))
        return x + s.fc2(F.gelu(s.fc(s.ln2(x))))


class M(nn.Module):
    def __init__(s):
        super().__init__()
        s.tok, s.pos = nn.Embedding(V, C), nn.Embedding(T, C)
        s.blocks = nn.Sequential(*[Block() for _ in range(L)])
        s.ln, s.head = nn.LayerNorm(C), nn.Linear(C, V)

    def forward(s, x):
        return s.head(s.ln(s.blocks(s.tok(x) + s.pos(torch.arange(x.shape[1])))))


m = M()
with torch.no_grad():
    m.head.weight.normal_(0.0, 0.02)
    m.head.bias.zero_()
opt = torch.optim.AdamW(m.parameters(), lr=lr, weight_decay=0.0)
nparams = sum(p.numel() for p in m.parameters())


def batch():
    ix = torch.randint(len(tr) - T - 1, (B,))
    return torch.stack([tr[i:i + T] for i in ix]), torch.stack([tr[i + 1:i + T + 1] for i in ix])


t0, it = time.time(), 0
while it < iters and time.time() - t0 < cap:
    x, y = batch()
    loss = F.cross_entropy(m(x).reshape(-1, V), y.reshape(-1))
    opt.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(m.parameters(), 1.0)
    opt.step()
    it += 1
el = time.time() - t0
m.eval()
tot, cnt = 0.0, 0
with torch.no_grad():
    xs = va[: (len(va) - 1) // T * T].view(-1, T)
    ys = va[1: (len(va) - 1) // T * T + 1].view(-1, T)
    for i in range(0, len(xs), 64):
        lg = m(xs[i:i + 64])
        tot += F.cross_entropy(lg.reshape(-1, V), ys[i:i + 64].reshape(-1), reduction="sum").item()
        cnt += ys[i:i + 64].numel()
print(f"torch_gpt seed={seed} params={nparams} iters={it} train_seconds={el:.1f} tokens_per_s={it * B * T / el:.0f} "
      f"val_loss={tot / cnt:.4f} val_bpc={tot / cnt / math.log(2):.4f}")
