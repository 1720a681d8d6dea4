"""Shared by the rebuilds of dlib's networks: the reader of dlib's serialization and the ONNX/onnxruntime plumbing."""
