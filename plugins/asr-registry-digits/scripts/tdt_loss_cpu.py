"""TDT loss that trains on CPU: NeMo 3.0's `TDTLossNumba` is CUDA-only and its
`TDTLossPytorch` is a scalar triple loop that calls `.cuda()`.

Same maths as NeMo's reference (Eq. 7 of the TDT paper, arXiv:2304.06795), with logit
under-normalisation `sigma`, vectorised over the batch and the label axis; only the
time axis is a Python loop. Within one frame a duration-0 label emission chains
alpha[t, u-1] -> alpha[t, u]; that linear recurrence in log space is solved with a
cumulative sum and a `logcumsumexp` instead of a loop over u.

Only used for training: the saved model keeps `loss_name = "tdt"`, so it restores as a
standard NeMo TDT model and decodes with NeMo's own TDT decoder.
"""

from __future__ import annotations

import torch

NEG = -1.0e4


class TDTLossCPU(torch.nn.Module):
    def __init__(self, blank: int, durations: list[int], sigma: float = 0.0) -> None:
        super().__init__()
        if 0 not in durations or any(d < 0 for d in durations):
            raise ValueError(f"durations must be non-negative and include 0: {durations}")
        self.blank = blank
        self.durations = list(durations)
        self.sigma = sigma
        self.reduction: str | None = None  # RNNTLoss sets and resets this around each call

    def forward(
        self, acts: torch.Tensor, labels: torch.Tensor, act_lens: torch.Tensor, label_lens: torch.Tensor
    ) -> torch.Tensor:
        n_dur = len(self.durations)
        label_acts = torch.log_softmax(acts[..., :-n_dur].float(), -1) - self.sigma
        dur_acts = torch.log_softmax(acts[..., -n_dur:].float(), -1)
        batch, frames, u_len, _ = label_acts.shape  # u_len = max label length + 1
        blank = label_acts[..., self.blank]  # (B, T, U)
        idx = labels[:, None, :].expand(batch, frames, u_len - 1).long()
        emit = torch.gather(label_acts[:, :, :-1, :], 3, idx[..., None]).squeeze(-1)  # (B, T, U-1)

        alphas: list[torch.Tensor] = []
        zero_col = torch.zeros(batch, 1)
        for t in range(frames):
            # Contributions that arrive at frame t from earlier frames t - d (d > 0).
            base = torch.full((batch, u_len), NEG)
            if t == 0:
                base[:, 0] = 0.0
            for n, d in enumerate(self.durations):
                if d == 0 or t - d < 0:
                    continue
                prev = alphas[t - d]
                via_blank = prev + blank[:, t - d] + dur_acts[:, t - d, :, n]
                via_label = prev[:, :-1] + emit[:, t - d] + dur_acts[:, t - d, :-1, n]
                via_label = torch.cat([torch.full((batch, 1), NEG), via_label], dim=1)
                base = torch.logsumexp(torch.stack([base, via_blank, via_label]), dim=0)
            if 0 in self.durations:
                # alpha[u] = logsumexp_{k<=u}(base[k] + sum_{k<=j<u} w[j]), w = duration-0 emission.
                w = emit[:, t] + dur_acts[:, t, :-1, self.durations.index(0)]
                cum = torch.cat([zero_col, torch.cumsum(w, dim=1)], dim=1)
                base = cum + torch.logcumsumexp(base - cum, dim=1)
            alphas.append(base)
        alpha = torch.stack(alphas, dim=1)  # (B, T, U)

        # The path ends with a blank of duration d from frame T_b - d at the last label.
        b_idx = torch.arange(batch)
        finals = []
        for n, d in enumerate(self.durations):
            if d == 0:
                continue
            t_from = act_lens.long() - d
            ok = t_from >= 0
            t_safe = t_from.clamp(min=0)
            u = label_lens.long()
            term = alpha[b_idx, t_safe, u] + blank[b_idx, t_safe, u] + dur_acts[b_idx, t_safe, u, n]
            finals.append(torch.where(ok, term, torch.full_like(term, NEG)))
        log_prob = torch.logsumexp(torch.stack(finals), dim=0)
        losses = -log_prob
        if self.reduction == "mean_batch":
            return losses.mean()
        if self.reduction == "sum":
            return losses.sum()
        return losses
