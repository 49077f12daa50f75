"""DeepCanvas's desktop interface (Qt). A few modules here need no Qt (the column roles, the
connection rules, the run state, ...); tests/engine/test_no_qt.py keeps them so, and the package
__init__ files import nothing, so those modules load without Qt."""
