// An empty module: the baseline cost of starting node and requiring a file.
