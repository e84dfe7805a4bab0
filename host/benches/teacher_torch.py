"""The PyTorch side of host/benches/teacher.rs: labelling and fine-tuning throughput of the PyTorch
reference BERT on the texts of a file, with the protocol of the reference harness (batches of 32 in
file order, each padded to its longest text; torch.no_grad() for labelling; AdamW at 3e-5 over every
parameter, embeddings included, cross-entropy on a 2-class head for training).

The model code is not part of edgekd: --ref names the folder of the reference implementation (its
bert.py), which the bench gets from $EDGEKD_TORCH_REF.

Prints one line per measurement:  label max_len=L RATE  and  train max_len=64 RATE  (texts/s).
"""
import argparse
import os
import sys
import time

ap = argparse.ArgumentParser()
ap.add_argument("--ref", required=True, help="folder holding the reference bert.py")
ap.add_argument("--model", required=True, help="folder with config.json, model.safetensors, tokenizer.json")
ap.add_argument("--texts", required=True, help="UTF-8 file, one text per line")
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--max-lens", default="128,64")
ap.add_argument("--train-steps", type=int, default=8)
args = ap.parse_args()

os.environ["REF_MINILM_DIR"] = args.model
sys.path.insert(0, args.ref)
import torch  # noqa: E402
import bert  # noqa: E402

torch.set_num_threads(args.threads)
texts = [line.rstrip("\n") for line in open(args.texts, encoding="utf-8")]
n = len(texts)
print(f"torch {torch.__version__} threads={torch.get_num_threads()}", flush=True)

model = bert.Teacher().eval()
for max_len in [int(v) for v in args.max_lens.split(",")]:
    tok = bert.get_tok(max_len)
    with torch.no_grad():
        ids, mask = bert.encode(tok, texts[:32])
        model(ids, mask)
        start = time.perf_counter()
        for i in range(0, n, 32):
            ids, mask = bert.encode(tok, texts[i:i + 32])
            model(ids, mask)
        secs = time.perf_counter() - start
    print(f"label max_len={max_len} {n / secs:.2f}", flush=True)

steps = args.train_steps
tok = bert.get_tok(64)
teacher = bert.Teacher().train()
opt = torch.optim.AdamW(teacher.parameters(), lr=3e-5)
labels = torch.tensor([i % 2 for i in range(32)])


def step(s):
    lo = (s * 32) % max(n - 32, 1)
    ids, mask = bert.encode(tok, texts[lo:lo + 32])
    loss = torch.nn.functional.cross_entropy(teacher(ids, mask), labels[: ids.shape[0]])
    loss.backward()
    opt.step()
    opt.zero_grad()


step(0)
start = time.perf_counter()
for s in range(steps):
    step(s)
secs = time.perf_counter() - start
print(f"train max_len=64 {32 * steps / secs:.2f}", flush=True)
