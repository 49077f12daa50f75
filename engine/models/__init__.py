"""Trained models: the model file (archive.py), predictions from it (predict.py) and exports to
a standalone PyTorch script, ONNX and TorchScript (export_pytorch.py, export_formats.py)."""
