"""The seed-robustness run rewrites cohort and training seeds, and nothing else."""

from course_lib.tools.robustness import shift_seeds


def test_cohort_and_training_seeds_move():
    src = ("env = setup_notebook(seed=0)\ncohort = make_cohort(3000, seed=11, image_size=64)\n"
           "torch.manual_seed(0)\nhist = train_clip(model, X, tok, num_epochs=10, seed=0)\n"
           "rng = np.random.default_rng(0)  # data split for a figure: unchanged\n")
    out = shift_seeds(src, 1, 2)
    assert "setup_notebook(seed=2)" in out and "make_cohort(3000, seed=12, image_size=64)" in out
    assert "torch.manual_seed(2)" in out and "num_epochs=10, seed=2)" in out
    assert "np.random.default_rng(0)" in out


def test_no_shift_is_identity():
    src = "make_cohort(10, seed=3)\ntorch.manual_seed(5)"
    assert shift_seeds(src, 0, 0) == src


def test_a_subset_run_keeps_the_other_rows():
    from course_lib.tools.robustness import merge_rows

    def row(nb, shift, status):
        return {"notebook": nb, "cohort_shift": str(shift), "train_shift": str(shift), "status": status}

    old = [row("01.ipynb", 1, "fail"), row("02.ipynb", 1, "pass"), row("01.ipynb", 2, "pass")]
    merged = merge_rows(old, [row("01.ipynb", 1, "pass")])
    assert [(r["notebook"], r["cohort_shift"], r["status"]) for r in merged] == [
        ("01.ipynb", "1", "pass"), ("01.ipynb", "2", "pass"), ("02.ipynb", "1", "pass")]


def test_named_seeds_move_with_their_kind():
    src = ("DATA_SEED, TRAIN_SEED = 1, 0  # one place for each seed\nCOHORT_SEED = 11\nTRAIN_SEED = 0\n"
           "N_PATIENTS, EPOCHS = 600, 4\ncohort = make_cohort(600, seed=DATA_SEED)\nx = DATA_SEED + 1000\n")
    out = shift_seeds(src, 1, 2)
    assert "DATA_SEED, TRAIN_SEED = 2, 2  # one place for each seed" in out
    assert "COHORT_SEED = 12\n" in out and "TRAIN_SEED = 2\n" in out
    assert "N_PATIENTS, EPOCHS = 600, 4" in out and "seed=DATA_SEED)" in out and "DATA_SEED + 1000" in out
