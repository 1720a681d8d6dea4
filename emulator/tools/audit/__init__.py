"""The evaluate command's parts: photos and labels, descriptor cache, blockwise pair counts, bootstrap, report."""
