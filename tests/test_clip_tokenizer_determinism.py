"""The WordPiece tokenizer gives the same ids in every process (tokenizers breaks ties by hash order)."""

import subprocess
import sys

SCRIPT = """
from course_lib.models.clip import train_wordpiece, tokenize
texts = [f"FINDINGS: {w} opacity in the {s} lower lobe. IMPRESSION: {w} pneumonia, no effusion."
         for w in ("focal", "patchy", "dense", "subtle") for s in ("right", "left", "bilateral")] * 3
tok = train_wordpiece(texts, vocab_size=1000)
print(tokenize(tok, texts)["input_ids"].tolist())
# words the corpus never had split into pieces the trainer chose among ties: must not vary either
print(tokenize(tok, ["chest x-ray with consolidation", "bronchiectasis"])["input_ids"].tolist())
print(sorted(tok.get_vocab().items()))
"""


def test_same_ids_in_separate_processes():
    runs = {subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                           check=True).stdout for _ in range(2)}
    assert len(runs) == 1, "token ids differ between processes"
