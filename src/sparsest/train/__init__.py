"""Training (PyTorch): the network module, penalties and proxes, the training engine and methods."""
