#!/usr/bin/env python3
"""PyTorch twin of a seqlab model for `seqlab bench parity`.

Reads the case seqlab wrote (architecture, seqlab's initial weights, the batch stream, the learning
rate of every step), builds the same network from torch.nn.RNN/LSTM/GRU and a linear head, loads
the weights, trains with torch.optim.AdamW (weight decay on matrices only, as seqlab's default),
clip_grad_norm_ and the given rates, carrying the hidden state (detached) into a batch that
continues the previous one, and writes the mean loss of every step as a JSON list.

usage: parity_twin.py CASE.json OUT.json
"""
import json
import sys

import torch
import torch.nn.functional as F

torch.set_num_threads(2)


def tensor(w, dtype):
    return torch.tensor(w["values"], dtype=dtype).reshape([int(s) for s in w["shape"]])


def blocks(m, order, h):
    """Reorders the 4 gate blocks of m's last dimension: block j of the result is block order[j]."""
    return torch.cat([m[..., k * h:(k + 1) * h] for k in order], dim=-1)


class Twin(torch.nn.Module):
    def __init__(self, case, dtype):
        super().__init__()
        self.arch, self.kind = case["architecture"], case["kind"]
        width, h, layers = case["width"], case["hidden"], case["layers"]
        kinds = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "dl4j": torch.nn.LSTM}
        self.rnn = kinds[self.arch](width, h, num_layers=layers, batch_first=True, dtype=dtype)
        self.head = torch.nn.Linear(h, width, dtype=dtype)
        w = {k: tensor(v, dtype) for k, v in case["weights"].items()}
        frozen = []
        with torch.no_grad():
            for l in range(layers):
                ih, hh = getattr(self.rnn, f"weight_ih_l{l}"), getattr(self.rnn, f"weight_hh_l{l}")
                bih, bhh = getattr(self.rnn, f"bias_ih_l{l}"), getattr(self.rnn, f"bias_hh_l{l}")
                if self.arch == "dl4j":      # DL4J: W [in, 4h], RW [h, 4h], b [1, 4h]; gate blocks g, f, o, i
                    order = [3, 1, 0, 2]     # torch: i, f, g, o
                    ih.copy_(blocks(w[f"{l}_W"], order, h).T)
                    hh.copy_(blocks(w[f"{l}_RW"], order, h).T)
                    bih.copy_(blocks(w[f"{l}_b"], order, h).reshape(-1))
                    bhh.zero_()
                    frozen.append(bhh)
                elif self.arch == "rnn":
                    ih.copy_(w[f"l{l}.Wxh"].T)
                    hh.copy_(w[f"l{l}.Whh"].T)
                    bih.copy_(w[f"l{l}.bh"].reshape(-1))
                    bhh.zero_()
                    frozen.append(bhh)
                elif self.arch == "lstm":    # seqlab's order is torch's: i, f, g, o; one bias
                    ih.copy_(w[f"l{l}.Wx"].T)
                    hh.copy_(w[f"l{l}.Wh"].T)
                    bih.copy_(w[f"l{l}.b"].reshape(-1))
                    bhh.zero_()
                    frozen.append(bhh)
                else:                        # gru: r, z, n with separate input and hidden biases, as torch
                    ih.copy_(w[f"l{l}.Wx"].T)
                    hh.copy_(w[f"l{l}.Wh"].T)
                    bih.copy_(w[f"l{l}.bx"].reshape(-1))
                    bhh.copy_(w[f"l{l}.bh"].reshape(-1))
            if self.arch == "dl4j":
                self.head.weight.copy_(w[f"{layers}_W"].T)
                self.head.bias.copy_(w[f"{layers}_b"].reshape(-1))
            else:
                self.head.weight.copy_(w["Why"].T)
                self.head.bias.copy_(w["by"].reshape(-1))
        for p in frozen:                     # seqlab has one bias where torch has two: the second stays 0
            p.requires_grad_(False)

    def forward(self, x, state):
        y, state = self.rnn(x, state)
        return self.head(y), state


def detach(state):
    if state is None:
        return None
    return tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()


def main():
    case = json.load(open(sys.argv[1]))
    dtype = torch.float64 if case["precision"] == "float64" else torch.float32
    model = Twin(case, dtype)
    decay = [p for n, p in model.named_parameters() if p.requires_grad and "weight" in n]
    rest = [p for n, p in model.named_parameters() if p.requires_grad and "weight" not in n]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": case["weight_decay"]}, {"params": rest, "weight_decay": 0.0}],
                            lr=case["lrs"][0], betas=tuple(case["betas"]), eps=case["eps"])
    rows, length, width = case["rows"], case["length"], case["width"]
    batches, state, losses = case["batches"], None, []
    for step, lr in enumerate(case["lrs"]):
        b = batches[step % len(batches)]
        if case["kind"] == "tokens":
            inputs = torch.tensor(b["inputs"]).reshape(rows, length)
            x = F.one_hot(inputs, width).to(dtype)
            targets = torch.tensor(b["targets"]).reshape(-1)
        else:
            x = torch.tensor(b["inputs"], dtype=dtype).reshape(rows, length, width)
            targets = torch.tensor(b["targets"], dtype=dtype).reshape(rows, length, width)
        logits, new_state = model(x, detach(state) if b["continues"] else None)
        if case["kind"] == "tokens":
            loss = F.cross_entropy(logits.reshape(-1, width), targets)
        else:                                 # sum of per-key BCEs, mean over steps
            loss = F.binary_cross_entropy_with_logits(logits, targets, reduction="sum") / (rows * length)
        for g in opt.param_groups:
            g["lr"] = lr
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_([p for p in model.parameters() if p.requires_grad], case["clip"])
        opt.step()
        state = new_state
        losses.append(loss.item())
    json.dump(losses, open(sys.argv[2], "w"))
    print(f"twin_steps={len(losses)}")


if __name__ == "__main__":
    main()
