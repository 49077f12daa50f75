"""DeepCanvas engine: everything that is not Qt.

Nothing under this package may import a Qt binding; the GUI, the command line and the
tests are all clients of it.
"""
