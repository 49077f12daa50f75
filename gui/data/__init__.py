"""The CSV panel of a Dataset block: the panel, its preview table and header, and the column
roles it reads from and writes to the node's params."""
