"""Command-line tools built on the layers: bulk import, evaluation."""
