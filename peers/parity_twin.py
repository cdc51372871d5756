#!/usr/bin/env python3
"""PyTorch twin of a seqlab model for `seqlab bench parity`.

Reads the case seqlab wrote (architecture, seqlab's initial weights, the batch stream, the learning
rate of every step), builds the same network (torch.nn.RNN/LSTM/GRU and a linear head, or a
pre-LayerNorm GPT written with torch.nn.functional), loads the weights, trains with
torch.optim.AdamW (weight decay on matrices only, as seqlab's default), clip_grad_norm_ and the
given rates, carrying the hidden state (detached) into a batch that continues the previous one (the
GPT: the previous inputs, as context without loss), and writes the mean loss of every step as a
JSON list. A recurrent case with "dropout": p drops where seqlab does, on every recurrent layer's
output (between layers and before the head); the bench's cases have none. A case with
"output": "nade" ends in seqlab's NADE head (org.seqlab.core.head.NadeHead) instead of a linear one:
[b_v | b_h] = y Why + by, a_i = b_h + sum_{j<i} v_j Win_j, p(v_i) = sigmoid(b_v,i + Wout_i . sigmoid(a_i)),
the loss the summed binary cross-entropy of those conditionals, written with cumsum and autograd
(DL4J's projection is its output layer, "{layers}_W" and "{layers}_b"; the GPT's is head.w, head.b,
with the NADE's tensors beside its other parameters).

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
    def __init__(self, case, dtype, weights=None):
        super().__init__()
        self.arch, self.kind = case["architecture"], case["kind"]
        width, h, layers = case["width"], case["hidden"], case["layers"]
        kinds = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "dl4j": torch.nn.LSTM}
        # seqlab's dropout falls on every recurrent layer's output: torch's between layers, plus one before the head
        p = case.get("dropout", 0.0)
        self.rnn = kinds[self.arch](width, h, num_layers=layers, batch_first=True, dtype=dtype, dropout=p if layers > 1 else 0.0)
        self.drop = torch.nn.Dropout(p)
        w = {k: tensor(v, dtype) for k, v in (weights or case["weights"]).items()}
        self.nade = case.get("output") == "nade"
        if self.nade:                        # parameter names hold "weight" where seqlab decays (its W... tensors)
            why, by = ("Why", "by") if "Why" in w else (f"{layers}_W", f"{layers}_b")   # DL4J: its output layer
            self.weight_hy = torch.nn.Parameter(w[why].clone())            # [h, keys + nade_hidden]
            self.bias_y = torch.nn.Parameter(w[by].reshape(-1).clone())
            self.weight_in = torch.nn.Parameter(w["nade.Win"].clone())     # [keys, nade_hidden]: row i is the paper's W[:, i]
            self.weight_out = torch.nn.Parameter(w["nade.Wout"].clone())   # [keys, nade_hidden]: the paper's V
        else:
            self.head = torch.nn.Linear(h, width, dtype=dtype)
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
            if self.nade:
                pass
            elif self.arch == "dl4j":
                self.head.weight.copy_(w[f"{layers}_W"].T)
                self.head.bias.copy_(w[f"{layers}_b"].reshape(-1))
            else:
                self.head.weight.copy_(w["Why"].T)
                self.head.bias.copy_(w["by"].reshape(-1))
        for p in frozen:                     # seqlab has one bias where torch has two: the second stays 0
            p.requires_grad_(False)

    def forward(self, x, state):
        y, state = self.rnn(x, state)
        return (self.drop(y) if self.nade else self.head(self.drop(y))), state

    def nade_loss(self, y, v):
        """Summed NLL of frames v [rows, length, keys] given the top states y."""
        return nade_nll(y @ self.weight_hy + self.bias_y, v, self.weight_in, self.weight_out)


def nade_nll(cond, v, win, wout):
    """Summed NLL of frames v [rows, length, keys] given the projections cond = [b_v | b_h]."""
    keys = v.shape[-1]
    bv, bh = cond[..., :keys], cond[..., keys:]
    contrib = v.unsqueeze(-1) * win                                  # v_j Win_j
    a = bh.unsqueeze(-2) + torch.cumsum(contrib, dim=-2) - contrib   # keys below i only
    z = bv + (torch.sigmoid(a) * wout).sum(-1)
    return F.binary_cross_entropy_with_logits(z, v, reduction="sum")


class Gpt(torch.nn.Module):
    """seqlab's transformer (TransformerGraph): x·E (+ one-hot positions·P), per block
    h += proj(attn(LN1 h)), h += W2·gelu(W1·LN2 h) with GELU as x·sigmoid(1.702x), LN eps 1e-5,
    causal mask (plus ALiBi's -slope·distance), logits = LNf(h)·head (Eᵀ when tied) + b.
    Parameters keep seqlab's names and layouts (a linear weight is [in, out])."""

    def __init__(self, case, dtype, weights=None):
        super().__init__()
        self.case, self.kind = case, case["kind"]
        self.layers, self.heads, self.alibi = case["layers"], case["heads"], case["positions"] == "alibi"
        self.names = list((weights or case["weights"]).keys())
        self.w = torch.nn.ParameterDict({n.replace(".", "/"): torch.nn.Parameter(tensor(v, dtype))
                                         for n, v in (weights or case["weights"]).items()})

    def p(self, name):
        return self.w[name.replace(".", "/")]

    def ln(self, x, name):
        return F.layer_norm(x, x.shape[-1:], self.p(name + ".g"), self.p(name + ".b"), eps=1e-5)

    def forward(self, x):
        rows, t, _ = x.shape
        h = x @ self.p("wte")
        if not self.alibi:
            h = h + self.p("wpe")[:t]
        i = torch.arange(t)
        distance = (i[:, None] - i[None, :]).to(x.dtype)
        causal = torch.zeros(t, t, dtype=x.dtype).masked_fill(i[None, :] > i[:, None], float("-inf"))
        bias = causal.expand(self.heads, t, t)
        if self.alibi:
            slopes = torch.tensor([2 ** (-8.0 * (k + 1) / self.heads) for k in range(self.heads)], dtype=x.dtype)
            bias = causal - slopes[:, None, None] * distance
        d = h.shape[-1]
        hd = d // self.heads
        for l in range(self.layers):
            b = f"h{l}."
            qkv = self.ln(h, b + "ln1") @ self.p(b + "attn.w") + self.p(b + "attn.b")
            q, k, v = qkv.reshape(rows, t, 3, self.heads, hd).permute(2, 0, 3, 1, 4)
            att = torch.softmax((q / hd ** 0.5) @ k.transpose(-1, -2) + bias, dim=-1)
            y = (att @ v).permute(0, 2, 1, 3).reshape(rows, t, d)
            h = h + y @ self.p(b + "proj.w") + self.p(b + "proj.b")
            m = self.ln(h, b + "ln2") @ self.p(b + "mlp.w1") + self.p(b + "mlp.b1")
            m = m * torch.sigmoid(1.702 * m)
            h = h + m @ self.p(b + "mlp.w2") + self.p(b + "mlp.b2")
        h = self.ln(h, "lnf")
        head = self.p("wte").T if "head.w" not in self.names else self.p("head.w")
        return h @ head + self.p("head.b")

    def nade_loss(self, q, v):
        """Summed NLL of frames v given the projections q = [b_v | b_h]."""
        return nade_nll(q, v, self.p("nade.Win"), self.p("nade.Wout"))


def detach(state):
    if state is None:
        return None
    return tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()


def main():
    case = json.load(open(sys.argv[1]))
    dtype = torch.float64 if case["precision"] == "float64" else torch.float32
    gpt = case["architecture"] == "gpt"
    build = (lambda weights=None: Gpt(case, dtype, weights)) if gpt else (lambda weights=None: Twin(case, dtype, weights))
    model = build()
    decays = (lambda n: n.replace("w.", "", 1).replace("/", ".") in case["decay"]) if gpt else (lambda n: "weight" in n)
    decay = [p for n, p in model.named_parameters() if p.requires_grad and decays(n)]
    rest = [p for n, p in model.named_parameters() if p.requires_grad and not decays(n)]
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
        if gpt:                               # a continued batch sees up to context - length earlier inputs, without loss
            history = state if b["continues"] and state is not None else x[:, :0]
            keep = min(case["context"] - length, history.shape[1])
            logits = model(torch.cat([history[:, history.shape[1] - keep:], x], dim=1))[:, keep:]
            new_state = torch.cat([history, x], dim=1)[:, -(case["context"] - 1):]
        else:
            logits, new_state = model(x, detach(state) if b["continues"] else None)
        if case["kind"] == "tokens":
            loss = F.cross_entropy(logits.reshape(-1, width), targets)
        elif case.get("output") == "nade":    # the NADE's exact NLL per frame, mean over steps
            loss = model.nade_loss(logits, targets) / (rows * length)
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
        if step < len(case.get("trace", [])):  # seqlab's weights after this step, for finding where the two part
            theirs = dict(build(case["trace"][step]).named_parameters())
            worst = max(((n, (p - theirs[n]).abs().max().item()) for n, p in model.named_parameters()), key=lambda e: e[1])
            print(f"trace step {step + 1}: largest weight difference {worst[1]:.3g} in {worst[0]}", file=sys.stderr)
    json.dump(losses, open(sys.argv[2], "w"))
    print(f"twin_steps={len(losses)}")


if __name__ == "__main__":
    main()
