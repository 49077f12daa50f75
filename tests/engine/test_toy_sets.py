"""scikit-learn's five data sets read straight from its files are the ones its loaders give."""
import numpy as np
import pytest
from sklearn import datasets as skd

from engine.data import sources, toy_sets


@pytest.mark.parametrize("name", sources.SKLEARN)
def test_reading_the_files_gives_what_scikit_learns_loader_gives(name):
    ours = toy_sets.read(name)
    theirs = getattr(skd, f"load_{name}")()
    assert ours is not None, f"{name}: the file was not read directly"
    assert np.array_equal(ours.data, theirs.data)
    assert np.array_equal(ours.target, theirs.target)
    assert ours.target.dtype == theirs.target.dtype
    assert ours.feature_names == [str(f) for f in theirs.feature_names]
    if "target_names" in theirs:
        assert ours.target_names == [str(c) for c in theirs.target_names]
    else:
        assert ours.target_names is None


def test_an_unreadable_folder_falls_back_to_scikit_learn(monkeypatch, tmp_path):
    monkeypatch.setattr(toy_sets, "data_folder", lambda: tmp_path)   # holds no data files
    assert toy_sets.read("iris") is None
    sources.clear_cache()
    try:
        bundle = sources.load_bundle({"source": "sklearn:iris"})
    finally:
        sources.clear_cache()
    assert bundle.x.shape == (150, 4) and bundle.class_names == ["setosa", "versicolor", "virginica"]
